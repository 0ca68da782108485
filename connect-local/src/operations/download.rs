//! The fake pre-signed URL `GetAttachedFile` hands out: `GET /_files/{InstanceId}/{FileId}?X-Amz-Date=…
//! &X-Amz-Expires=…`, the file's text until `X-Amz-Date + X-Amz-Expires`, then 403 as S3 answers. The text
//! is the seed's `content` (an email message's JSON, as `application/json`) or else a line naming the file.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::query_pairs;
use crate::Shared;

pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, file_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut issued = None;
    let mut expires = None;
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "X-Amz-Date" => issued = value.parse::<u64>().ok(),
            "X-Amz-Expires" => expires = value.parse::<u64>().ok(),
            _ => {}
        }
    }
    let now = shared.now_seconds();
    match (shared.seed.file(&instance_id, &file_id), issued.zip(expires)) {
        (Some(file), Some((issued, expires))) if file.status == "APPROVED" && now <= issued + expires => {
            match &file.content {
                Some(content) => {
                    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], content.clone()).into_response()
                }
                None => (StatusCode::OK, format!("connect-local: the content of {}\n", file.name)).into_response(),
            }
        }
        _ => (StatusCode::FORBIDDEN, "Request has expired or is not signed\n").into_response(),
    }
}
