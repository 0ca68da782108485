//! Connect's REST-JSON conventions, shared by every operation: the SigV4 check, rest-json errors
//! (`x-amzn-ErrorType` and `{"message": …}`), JSON answers with a request id, timestamps.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A SigV4 `Authorization` header scoped to the `connect` service, as the SDK sends it.
pub fn is_sigv4_for_connect(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|auth| auth.starts_with("AWS4-HMAC-SHA256 Credential=") && auth.contains("/connect/aws4_request"))
        && headers.contains_key("x-amz-date")
}

pub fn unrecognized_client() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

pub fn error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    let mut response = json_response(status, Body::from(json!({ "message": message }).to_string()));
    response.headers_mut().insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
    response
}

pub fn json_response(status: StatusCode, body: Body) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response.headers_mut().insert("x-amzn-RequestId", HeaderValue::from_static("00000000-0000-0000-0000-000000000000"));
    response
}

/// Seconds since the epoch as `yyyy-MM-ddThh:mm:ss.000Z`, the form of `DownloadUrlMetadata.UrlExpiry`.
pub fn iso8601(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_expiries_are_iso_8601_in_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_887_600), "2026-11-28T17:40:00.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
