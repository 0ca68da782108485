//! Faults injected into the next answers, per test (`StandIn::inject`) or over HTTP (`POST /_faults`),
//! and the answers they turn into: Connect's rest-json errors, a slow answer, garbage, a dropped reply.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::lock;
use crate::wire::{error, json_response, unrecognized_client};

/// A fault to inject into the next answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// 429 ThrottlingException.
    Throttle,
    /// 500 InternalServiceException.
    Internal,
    /// 403 AccessDeniedException (not modeled for this operation: the SDK sees it as unhandled).
    AccessDenied,
    /// 400 InvalidParameterException.
    InvalidParameter,
    /// 400 InvalidRequestException.
    InvalidRequest,
    /// 404 ResourceNotFoundException.
    NotFound,
    /// 403 UnrecognizedClientException: what Connect says to bad credentials.
    UnrecognizedClient,
    /// 503 ServiceUnavailable: an error the operation's model does not list, known only by its status.
    Unavailable,
    /// The normal answer, after a delay.
    Slow { millis: u64 },
    /// 200 with a body that is not JSON.
    Garbage,
    /// Headers and half a body, then the connection is dropped.
    Drop,
}

/// A fault and how many answers it applies to (`None`: all of them until cleared).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Injection {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default)]
    pub times: Option<u32>,
    /// Only `GetAttachedFile` for this file id (for "some files throttled, others not"); absent: any request.
    #[serde(default)]
    pub file: Option<String>,
}

/// The queue of injections, shared by every operation.
#[derive(Debug, Default)]
pub struct Faults(Mutex<VecDeque<Injection>>);

impl Faults {
    pub fn add(&self, injection: Injection) {
        lock(&self.0).push_back(injection);
    }

    pub fn clear(&self) {
        lock(&self.0).clear();
    }

    /// The first injected fault that applies to this request (`file`: the file a `GetAttachedFile` asks for).
    pub fn next(&self, file: Option<&str>) -> Option<Fault> {
        let mut faults = lock(&self.0);
        let position = faults.iter().position(|injection| match &injection.file {
            Some(only) => file == Some(only.as_str()),
            None => true,
        })?;
        let injection = &mut faults[position];
        let fault = injection.fault.clone();
        match &mut injection.times {
            Some(1) => {
                faults.remove(position);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }
}

impl Fault {
    /// Serves the fault: the answer that replaces the operation's, or `None` once a slow answer has
    /// waited and the operation should answer normally.
    pub async fn serve(self) -> Option<Response> {
        let refused = match self {
            Fault::Slow { millis } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                return None;
            }
            Fault::Throttle => error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded"),
            Fault::Internal => {
                error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServiceException", "Internal service error")
            }
            Fault::AccessDenied => {
                error(StatusCode::FORBIDDEN, "AccessDeniedException", "You do not have sufficient access")
            }
            Fault::InvalidParameter => error(StatusCode::BAD_REQUEST, "InvalidParameterException", "Invalid parameter"),
            Fault::InvalidRequest => error(StatusCode::BAD_REQUEST, "InvalidRequestException", "Invalid request"),
            Fault::NotFound => error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Not found"),
            Fault::UnrecognizedClient => unrecognized_client(),
            Fault::Unavailable => error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "Service unavailable"),
            Fault::Garbage => json_response(StatusCode::OK, Body::from("<html>not json{")),
            Fault::Drop => dropped_mid_reply(),
        };
        Some(refused)
    }
}

/// Promises a long body, sends a little of it, then fails the stream so the connection is cut.
fn dropped_mid_reply() -> Response {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = vec![
        Ok(bytes::Bytes::from_static(br#"{"ReferenceSummaryList":[{"Url":{"Na"#)),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped by fault injection")),
    ];
    let mut response = json_response(StatusCode::OK, Body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert("content-length", HeaderValue::from_static("4096"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_fault_applies_to_that_file_only_and_others_take_the_queue_in_order() {
        let faults = Faults::default();
        faults.add(Injection { fault: Fault::Throttle, times: None, file: Some("f2".into()) });
        faults.add(Injection { fault: Fault::Internal, times: Some(1), file: None });
        assert_eq!(faults.next(Some("f1")), Some(Fault::Internal));
        assert_eq!(faults.next(Some("f1")), None);
        assert_eq!(faults.next(Some("f2")), Some(Fault::Throttle));
        assert_eq!(faults.next(None), None);
    }
}
