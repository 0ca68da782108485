//! Answering an HTTP request: the status of each error kind, the failure envelope with its headers,
//! the redirect to a fresh link, and the constant headers every answer carries.

use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};

use crate::domain::attached_file::RETRY_NOT_READY_SECONDS;
use crate::domain::error::{Error, ErrorKind};
use crate::inbound::envelope;

const ALLOW: &str = "GET, HEAD";
/// Connect's rate quota (10 ListContactReferences a second by default) refills within a second: the honest wait.
const RETRY_AFTER_SECONDS: &str = "1";

/// The code of the one refusal only HTTP knows: a method the route does not have.
pub(crate) const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";

/// The HTTP status of each error kind: the HTTP half of the table of codes in docs/http-api.md
/// (checked against it by `tests/it/facts.rs`).
pub(crate) const fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Validation => StatusCode::BAD_REQUEST,
        ErrorKind::AccessDenied => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
        ErrorKind::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::FileNotReady => StatusCode::CONFLICT,
        ErrorKind::FileUnavailable => StatusCode::GONE,
        // The deployment lacks the feature: no request to this route can succeed until it is configured.
        ErrorKind::RecordingsNotConfigured => StatusCode::NOT_IMPLEMENTED,
        ErrorKind::RecordingDeleted => StatusCode::GONE,
        // Understood, and refused for good: the function will not sign outside its store.
        ErrorKind::RecordingOutOfScope => StatusCode::FORBIDDEN,
    }
}

/// Every code an HTTP caller can get, with its status.
pub fn codes_and_statuses() -> impl Iterator<Item = (&'static str, StatusCode)> {
    ErrorKind::ALL
        .into_iter()
        .map(|kind| (kind.code(), status_of(kind)))
        .chain([(METHOD_NOT_ALLOWED, StatusCode::METHOD_NOT_ALLOWED)])
}

/// Why an HTTP request gets no references: a domain error, or a method this route does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Failed(Error),
    MethodNotAllowed(String),
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Refusal::Failed(error)
    }
}

impl Refusal {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Refusal::Failed(error) => error.code(),
            Refusal::MethodNotAllowed(_) => METHOD_NOT_ALLOWED,
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Refusal::Failed(error) => status_of(error.kind),
            Refusal::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            Refusal::Failed(error) => &error.message,
            Refusal::MethodNotAllowed(message) => message,
        }
    }
}

/// `302 Found` to the file's fresh pre-signed URL; never cached (the URL is a short-lived credential).
/// A URL that cannot be a header is Connect answering garbage: `UPSTREAM_ERROR`, as an envelope.
pub(crate) fn redirect(url: &str) -> Result<Response<Body>, Refusal> {
    let location = HeaderValue::from_str(url)
        .map_err(|_| Error::new(ErrorKind::Upstream, "Amazon Connect answered a download link that is not a URL"))?;
    let mut response = respond(StatusCode::FOUND, String::new(), true);
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// The failure envelope with the refusal's status and headers (`Allow` for 405, `Retry-After` for 429).
pub(crate) fn refusal_response(refusal: &Refusal, request_id: Option<&str>, head_only: bool) -> Response<Body> {
    let mut response =
        respond(refusal.status(), envelope::failure(refusal.code(), refusal.message(), request_id), head_only);
    let headers = response.headers_mut();
    match refusal.status() {
        StatusCode::METHOD_NOT_ALLOWED => {
            headers.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
        }
        StatusCode::TOO_MANY_REQUESTS => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        StatusCode::CONFLICT => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_NOT_READY_SECONDS));
        }
        _ => {}
    }
    response
}

/// Builds a response from constants and the already-serialised envelope only.
pub(crate) fn respond(status: StatusCode, body: String, head_only: bool) -> Response<Body> {
    let mut response = Response::new(if head_only { Body::Empty } else { Body::Text(body) });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_carry_the_fixed_headers_and_the_extra_one_per_error() {
        let throttled = refusal_response(&Error::new(ErrorKind::Throttled, "t").into(), None, false);
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(throttled.headers()["retry-after"], "1");
        assert_eq!(throttled.headers()["cache-control"], "no-store");
        assert_eq!(throttled.headers()["x-content-type-options"], "nosniff");
        let not_allowed = refusal_response(&Refusal::MethodNotAllowed("m".into()), None, false);
        assert_eq!(not_allowed.headers()["allow"], "GET, HEAD");
        assert_eq!(not_allowed.headers()["content-type"], "application/json");
        let head = respond(StatusCode::OK, "{}".into(), true);
        assert!(head.body().is_empty());
        assert!(head.headers().get("retry-after").is_none());
        assert_eq!(head.headers()["x-content-type-options"], "nosniff");
    }

    #[test]
    fn codes_and_statuses_match_the_published_table() {
        let table: Vec<(&str, u16)> = codes_and_statuses().map(|(code, status)| (code, status.as_u16())).collect();
        assert_eq!(
            table,
            [
                ("VALIDATION_ERROR", 400),
                ("ACCESS_DENIED", 403),
                ("NOT_FOUND", 404),
                ("THROTTLED", 429),
                ("UPSTREAM_ERROR", 502),
                ("UPSTREAM_TIMEOUT", 504),
                ("INTERNAL_ERROR", 500),
                ("FILE_NOT_READY", 409),
                ("FILE_UNAVAILABLE", 410),
                ("RECORDINGS_NOT_CONFIGURED", 501),
                ("RECORDING_DELETED", 410),
                ("RECORDING_OUT_OF_SCOPE", 403),
                ("METHOD_NOT_ALLOWED", 405),
            ]
        );
    }
}
