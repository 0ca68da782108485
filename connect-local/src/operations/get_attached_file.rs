//! `GetAttachedFile`: `GET /attached-files/{InstanceId}/{FileId}?urlExpiryInSeconds=&associatedResourceArn=`:
//! the file's metadata and, when it is APPROVED, a fake pre-signed URL on this stand-in
//! (`/_files/…?X-Amz-Expires=…`, see [`download`](super::download)) that answers until it expires.
//! `associatedResourceArn` is required and `urlExpiryInSeconds` must be 5..300, as Connect's model says.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{admit, query_pairs};
use crate::recorder::{GetAttachedFile, Operation};
use crate::wire::{error, iso8601, json_response};
use crate::Shared;

/// The contact id of `arn:<partition>:connect:<region>:<account>:instance/<instance_id>/contact/<id>`.
fn contact_of<'a>(arn: &'a str, instance_id: &str) -> Option<&'a str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let contact = resource.strip_prefix("instance/")?.strip_prefix(instance_id)?.strip_prefix("/contact/")?;
    (!contact.is_empty() && !contact.contains('/')).then_some(contact)
}

pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, file_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut request = GetAttachedFile {
        instance_id: instance_id.clone(),
        file_id: file_id.clone(),
        associated_resource_arn: None,
        url_expiry_in_seconds: None,
        url_content_disposition: None,
    };
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "urlExpiryInSeconds" => request.url_expiry_in_seconds = Some(value),
            "associatedResourceArn" => request.associated_resource_arn = Some(value),
            "urlContentDisposition" => request.url_content_disposition = Some(value),
            _ => {}
        }
    }
    if let Some(refusal) = admit(&shared, &headers, Operation::GetAttachedFile(request.clone()), Some(&file_id)).await {
        return refusal;
    }
    let Some(associated) = request.associated_resource_arn.filter(|arn| arn.starts_with("arn:")) else {
        return error(StatusCode::BAD_REQUEST, "InvalidRequestException", "AssociatedResourceArn must be a valid ARN");
    };
    let Some(associated_contact) = contact_of(&associated, &instance_id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "AssociatedResourceArn must be a resource of this instance",
        );
    };
    let seconds: u64 = match request.url_expiry_in_seconds.as_deref().map(str::parse) {
        None => 300,
        Some(Ok(seconds @ 5..=300)) => seconds,
        Some(_) => {
            return error(StatusCode::BAD_REQUEST, "InvalidRequestException", "UrlExpiryInSeconds must be 5 to 300")
        }
    };
    let Some(file) = shared.seed.file(&instance_id, &file_id) else {
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "File not found");
    };
    if file.contact.as_deref().is_some_and(|contact| contact != associated_contact) {
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "File not found for that resource");
    }
    if file.channel.as_deref().is_some_and(|channel| channel.eq_ignore_ascii_case("CHAT")) {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "Attached files of chat contacts are not supported by this operation",
        );
    }
    let mut body = json!({
        "FileArn": format!("arn:aws:connect:us-east-1:123456789012:instance/{instance_id}/file/{file_id}"),
        "FileId": file_id,
        "FileName": file.name,
        "FileSizeInBytes": file.size_in_bytes,
        "FileStatus": file.status,
        "AssociatedResourceArn": associated,
        "CreationTime": "2026-11-28T17:40:00.000Z",
    });
    if let Some(use_case) = &file.use_case {
        body["FileUseCaseType"] = json!(use_case);
    }
    if file.status == "APPROVED" {
        let now = shared.now_seconds();
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        body["DownloadUrlMetadata"] = json!({
            "Url": format!(
                "http://{host}/_files/{instance_id}/{file_id}?X-Amz-Date={now}&X-Amz-Expires={seconds}&X-Amz-Signature=local-{file_id}"
            ),
            "UrlExpiry": iso8601(now + seconds),
        });
    }
    json_response(StatusCode::OK, Body::from(body.to_string()))
}
