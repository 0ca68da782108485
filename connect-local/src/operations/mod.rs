//! Connect's operations, one module each, and what every one of them does first ([`admit`]).

pub mod describe_contact;
pub mod download;
pub mod get_attached_file;
pub mod list_contact_references;

use axum::http::HeaderMap;
use axum::response::Response;

use axum::http::StatusCode;

use crate::recorder::{Operation, Recorded};
use crate::wire::{error, is_sigv4_for_connect, unrecognized_client};
use crate::Shared;

/// What every operation does before its own work: records the request (with whether it was SigV4-signed
/// for `connect`), refuses an unsigned one as Connect refuses it, throttles beyond the operation's
/// rate when quotas are enforced, and serves an injected fault (the queue is shared by all operations;
/// `file` is the file a `GetAttachedFile` asks for).
pub async fn admit(shared: &Shared, headers: &HeaderMap, operation: Operation, file: Option<&str>) -> Option<Response> {
    let signed = is_sigv4_for_connect(headers);
    let recorded = Recorded { operation, signed };
    let name = recorded.name();
    shared.recorder.record(recorded);
    if !signed {
        return Some(unrecognized_client());
    }
    if shared.quotas.as_ref().is_some_and(|quotas| !quotas.admit(name)) {
        return Some(error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded"));
    }
    shared.faults.next(file)?.serve().await
}

/// The values of a query string, decoded, by key.
pub fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect()
}
