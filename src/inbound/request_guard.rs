//! A guard around `lambda_http`'s request conversion, to be deleted when upstream fixes it.
//!
//! Building an `http::Request` from an API Gateway or ALB event whose path, query string or Host header
//! is not valid in a URI panics inside `lambda_http` (aws-lambda-rust-runtime issues #461 and #515:
//! https://github.com/awslabs/aws-lambda-rust-runtime/issues/461). A panic there is an invocation
//! error, which API Gateway turns into an opaque 502. [`GuardedAdapter`] tries the conversion on a copy
//! first and swaps such an event for a marked placeholder, which the handler answers with a 400 in the
//! event's own response shape. The release profile keeps `panic = "unwind"` for this catch.
//!
//! To delete it: when `lambda_http` returns an error instead of panicking, drop this module, use
//! `Adapter::from` directly in `handler::service`, and answer the conversion error with the same 400.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Context, Poll};

use lambda_http::http::{HeaderMap, HeaderName, HeaderValue};
use lambda_http::request::LambdaRequest;
use lambda_http::{Request, Service};
use lambda_runtime::LambdaEvent;

/// Marks a placeholder that stands for an HTTP event `lambda_http` could not convert.
const UNCONVERTIBLE: HeaderName = HeaderName::from_static("x-connect-references-unconvertible");

/// Whether this request is the placeholder of an event that could not be converted.
pub(crate) fn is_placeholder(request: &Request) -> bool {
    request.headers().contains_key(UNCONVERTIBLE)
}

thread_local! {
    /// Set while [`GuardedAdapter`] probes a conversion that may panic, so the panic hook stays quiet.
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// Logs a panic's location (never its message, which could hold input) unless it was an expected probe.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if !PROBING.with(Cell::get) {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            tracing::error!(location = location.as_deref().unwrap_or("unknown"), "panic");
        }
    }));
}

/// Wraps `lambda_http`'s adapter and replaces HTTP events it cannot convert with a marked placeholder.
#[derive(Clone)]
pub(crate) struct GuardedAdapter<S> {
    inner: S,
}

impl<S> GuardedAdapter<S> {
    pub(crate) fn new(inner: S) -> Self {
        GuardedAdapter { inner }
    }
}

impl<S> Service<LambdaEvent<LambdaRequest>> for GuardedAdapter<S>
where
    S: Service<LambdaEvent<LambdaRequest>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut event: LambdaEvent<LambdaRequest>) -> Self::Future {
        if converts(&event.payload) {
            // Only the guard may mark a request: a caller's header of that name is dropped.
            strip_marker(&mut event.payload);
        } else {
            tracing::warn!("an HTTP event could not be turned into a request; answering 400");
            event.payload = placeholder(event.payload);
        }
        self.inner.call(event)
    }
}

fn strip_marker(payload: &mut LambdaRequest) {
    match payload {
        LambdaRequest::ApiGatewayV1(event) => {
            event.headers.remove(UNCONVERTIBLE);
            event.multi_value_headers.remove(UNCONVERTIBLE);
        }
        LambdaRequest::ApiGatewayV2(event) => {
            event.headers.remove(UNCONVERTIBLE);
        }
        LambdaRequest::Alb(event) => {
            event.headers.remove(UNCONVERTIBLE);
            event.multi_value_headers.remove(UNCONVERTIBLE);
        }
        _ => {}
    }
}

/// Whether `lambda_http` can turn this event into an `http::Request` without panicking.
pub fn converts(payload: &LambdaRequest) -> bool {
    let copy = match payload {
        LambdaRequest::ApiGatewayV1(event) => LambdaRequest::ApiGatewayV1(event.clone()),
        LambdaRequest::ApiGatewayV2(event) => LambdaRequest::ApiGatewayV2(event.clone()),
        LambdaRequest::Alb(event) => LambdaRequest::Alb(event.clone()),
        _ => return true, // a pass-through event is built from constants
    };
    PROBING.with(|p| p.set(true));
    let converted = catch_unwind(AssertUnwindSafe(|| Request::from(copy))).is_ok();
    PROBING.with(|p| p.set(false));
    converted
}

/// The same kind of event with nothing of the caller's path, query or headers, marked for a 400.
pub(crate) fn placeholder(payload: LambdaRequest) -> LambdaRequest {
    let mut headers = HeaderMap::new();
    headers.insert(UNCONVERTIBLE, HeaderValue::from_static("1"));
    match payload {
        LambdaRequest::ApiGatewayV1(mut event) => {
            event.path = Some("/".into());
            event.headers = headers;
            event.multi_value_headers = HeaderMap::new();
            event.query_string_parameters = Default::default();
            event.multi_value_query_string_parameters = Default::default();
            event.request_context.domain_name = None;
            event.request_context.stage = None;
            LambdaRequest::ApiGatewayV1(event)
        }
        LambdaRequest::ApiGatewayV2(mut event) => {
            event.raw_path = Some("/".into());
            event.raw_query_string = None;
            event.query_string_parameters = Default::default();
            event.headers = headers;
            event.cookies = None;
            event.request_context.domain_name = None;
            event.request_context.stage = None;
            LambdaRequest::ApiGatewayV2(event)
        }
        LambdaRequest::Alb(mut event) => {
            event.path = Some("/".into());
            event.headers = headers;
            event.multi_value_headers = HeaderMap::new();
            event.query_string_parameters = Default::default();
            event.multi_value_query_string_parameters = Default::default();
            LambdaRequest::Alb(event)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `events/http-api-v2.json` (the one source of fixtures) with this query string and Host.
    fn v2_event(raw_query: &str, host: &str) -> LambdaRequest {
        let mut event: serde_json::Value = serde_json::from_str(include_str!("../../events/http-api-v2.json")).unwrap();
        event["rawQueryString"] = json!(raw_query);
        event["queryStringParameters"] = serde_json::Value::Null;
        event["headers"] = json!({"host": host});
        event["requestContext"]["domainName"] = json!(host);
        serde_json::from_value(event).unwrap()
    }

    #[test]
    fn a_query_with_characters_invalid_in_a_uri_does_not_convert_and_its_placeholder_does() {
        let bad = v2_event("referenceTypes=URL ATTACHMENT\"", "api.example.com");
        assert!(!converts(&bad));
        let replaced = placeholder(bad);
        assert!(converts(&replaced));
        let request = Request::from(replaced);
        assert!(request.headers().contains_key(UNCONVERTIBLE));
        assert!(request.uri().query().is_none());
    }

    #[test]
    fn a_bad_host_header_does_not_convert() {
        assert!(!converts(&v2_event("", "exa mple.com:99999")));
    }

    #[test]
    fn a_callers_marker_header_is_dropped() {
        let mut event = v2_event("referenceTypes=URL", "api.example.com");
        if let LambdaRequest::ApiGatewayV2(inner) = &mut event {
            inner.headers.insert(UNCONVERTIBLE, HeaderValue::from_static("1"));
        }
        strip_marker(&mut event);
        assert!(!Request::from(event).headers().contains_key(UNCONVERTIBLE));
    }

    #[test]
    fn ordinary_requests_convert() {
        assert!(converts(&v2_event("referenceTypes=URL", "api.example.com")));
    }
}
