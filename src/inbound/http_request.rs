//! Reading an HTTP request: which route, its ids decoded exactly once as the origin needs, the method,
//! the query string and the body, into a validated [`HttpQuery`]. Nothing here answers.

use std::borrow::Cow;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use percent_encoding::percent_decode_str;

use crate::domain::config::EntryPoint;
use crate::domain::download_request::{DownloadQuery, RawDownload, DOWNLOAD_ROUTE, DOWNLOAD_ROUTE_PREFIX};
use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages;
use crate::domain::query::{RawQuery, ReferenceQuery};
use crate::domain::recording::{
    RawRecording, RecordingQuery, RecordingsQuery, RECORDINGS_ROUTE, RECORDINGS_ROUTE_PREFIX, RECORDING_ROUTE,
};
use crate::inbound::http_response::Refusal;

/// The route's fixed segments; it may sit under a stage or a base path.
const ROUTE_PREFIX: [&str; 2] = ["contact", "references"];
pub(crate) const ROUTE: &str = "/contact/references/{InstanceId}/{ContactId}";

/// A validated request for one of the four routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpQuery {
    List(ReferenceQuery),
    Download(DownloadQuery),
    Recordings(RecordingsQuery),
    Recording(RecordingQuery),
}

/// Reads the route, method, query string and body into a validated request, reading the route once.
pub(crate) fn parse(request: &Request) -> Result<HttpQuery, Refusal> {
    let origin = Origin::of(request);
    let route = route(request, origin)?;
    parse_route(request, origin, route)
}

/// The method, query string and body of a request whose route is known.
pub(crate) fn parse_route(request: &Request, origin: Origin, route: Route) -> Result<HttpQuery, Refusal> {
    check_method_and_body(request)?;
    let params = request.query_string_parameters_ref();
    // Every value of a key, and its first value, each decoded as the origin needs.
    let all = |key| {
        params
            .and_then(|p| p.all(key))
            .map(|values| values.into_iter().map(|v| origin.decode_query(v)).collect::<Vec<_>>())
    };
    let first = |key| params.and_then(|p| p.first(key)).map(|v| origin.decode_query(v));
    let url_expiry = first("urlExpiry");
    match route.clone() {
        Route::List { instance, contact } => {
            if first("include").is_some() || url_expiry.is_some() {
                return Err(Error::validation(messages::LIST_ROUTE_MAKES_NO_LINKS).into());
            }
            let types = all("referenceTypes");
            let next_token = first("nextToken");
            let scope = first("contact");
            Ok(HttpQuery::List(ReferenceQuery::parse(RawQuery {
                instance_id: &instance,
                contact_id: &contact,
                reference_types: borrowed(&types),
                next_token: next_token.as_deref(),
                contact: scope.as_deref(),
                ..RawQuery::default()
            })?))
        }
        Route::Recordings { instance, contact } | Route::Recording { instance, contact, .. } => {
            let disposition = first("disposition");
            let recording_id = match &route {
                Route::Recording { recording, .. } => Some(recording.as_str()),
                _ => None,
            };
            let raw = RawRecording {
                instance_id: &instance,
                contact_id: &contact,
                recording_id,
                url_expiry: url_expiry.as_deref(),
                disposition: disposition.as_deref(),
            };
            Ok(match recording_id {
                Some(_) => HttpQuery::Recording(RecordingQuery::parse(raw)?),
                None => HttpQuery::Recordings(RecordingsQuery::parse(raw)?),
            })
        }
        Route::Download { instance, contact, file } => {
            let disposition = first("disposition");
            Ok(HttpQuery::Download(DownloadQuery::parse(RawDownload {
                instance_id: &instance,
                contact_id: &contact,
                file_id: &file,
                url_expiry: url_expiry.as_deref(),
                disposition: disposition.as_deref(),
            })?))
        }
    }
}

/// [`parse`] for the list route (the micro-benchmark's and the unit tests' entry); the download route
/// is `NOT_FOUND` here.
pub fn parse_request(request: &Request) -> Result<ReferenceQuery, Refusal> {
    match parse(request)? {
        HttpQuery::List(query) => Ok(query),
        HttpQuery::Download(_) | HttpQuery::Recordings(_) | HttpQuery::Recording(_) => {
            Err(Error::new(ErrorKind::NotFound, format!("no such route; use GET {ROUTE}")).into())
        }
    }
}

/// Every route answers `GET` and `HEAD` only, without a body.
fn check_method_and_body(request: &Request) -> Result<(), Refusal> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let method = method_name(request.method());
        return Err(Refusal::MethodNotAllowed(format!("{method} is not allowed here; use GET")));
    }
    if !request.body().is_empty() {
        return Err(Error::validation("a GET request takes no body").into());
    }
    Ok(())
}

/// Every value of a repeated key, borrowed.
fn borrowed<'a>(values: &'a Option<Vec<Cow<'_, str>>>) -> Option<Vec<&'a str>> {
    values.as_ref().map(|values| values.iter().map(AsRef::as_ref).collect())
}

/// Where the request came from decides what is still percent-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// HTTP API (payload 2.0): path and path parameters arrive decoded.
    HttpApi,
    /// REST API (payload 1.0) and function URLs: the path keeps the client's encoding, the query is decoded.
    EncodedPath,
    /// ALB: path and query string both keep the client's encoding.
    Alb,
}

impl Origin {
    pub(crate) fn of(request: &Request) -> Origin {
        match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) if !is_function_url(context) => Origin::HttpApi,
            Some(RequestContext::Alb(_)) => Origin::Alb,
            _ => Origin::EncodedPath,
        }
    }

    /// Decodes a path segment exactly once: never a second time, which would corrupt ids holding `%`.
    fn decode_path<'a>(self, segment: &'a str) -> Result<Cow<'a, str>, Error> {
        match self {
            Origin::HttpApi => Ok(Cow::Borrowed(segment)),
            Origin::EncodedPath | Origin::Alb => percent_decode_str(segment)
                .decode_utf8()
                .map_err(|_| Error::validation("the path is not valid UTF-8 once percent-decoded")),
        }
    }

    fn decode_query<'a>(self, value: &'a str) -> Cow<'a, str> {
        match self {
            Origin::Alb => percent_decode_str(value).decode_utf8_lossy(),
            Origin::HttpApi | Origin::EncodedPath => Cow::Borrowed(value),
        }
    }
}

/// Function URL events have the HTTP API 2.0 shape but keep the client's encoding in the path.
/// They are told apart by their domain; an event with no API id (as `cargo lambda watch` sends for
/// its emulated function URL) is one too, since API Gateway always names its API.
fn is_function_url(context: &ApiGatewayV2httpRequestContext) -> bool {
    context.apiid.is_none() || context.domain_name.as_deref().is_some_and(|domain| domain.contains(".lambda-url."))
}

/// Which of the four routes a request is for, with its ids decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List { instance: String, contact: String },
    Download { instance: String, contact: String, file: String },
    Recordings { instance: String, contact: String },
    Recording { instance: String, contact: String, recording: String },
}

impl Route {
    pub(crate) fn entry_point(&self) -> EntryPoint {
        match self {
            Route::List { .. } => EntryPoint::List,
            Route::Download { .. } => EntryPoint::Download,
            Route::Recordings { .. } | Route::Recording { .. } => EntryPoint::Recordings,
        }
    }
}

/// The ids, from API Gateway's `pathParameters` when it gives them, else from the path's tail.
pub(crate) fn route(request: &Request, origin: Origin) -> Result<Route, Error> {
    let parameters = request.path_parameters_ref();
    let given = |name| parameters.and_then(|p| p.first(name));
    let found = match (given("InstanceId"), given("ContactId"), given("FileId"), given("RecordingId")) {
        (Some(instance), Some(contact), Some(file), None) => Some(RouteTail::Download(instance, contact, file)),
        (Some(instance), Some(contact), None, Some(recording)) => {
            Some(RouteTail::Recording(instance, contact, recording))
        }
        // The list route and the recordings list share their parameters' names: the route API Gateway
        // matched (its template) tells them apart, else the path's tail.
        (Some(instance), Some(contact), None, None) => {
            let recordings = match route_template(request) {
                Some(template) => template.contains(RECORDINGS_ROUTE),
                None => matches!(route_tail(request.raw_http_path()), Some(RouteTail::Recordings(..))),
            };
            Some(if recordings { RouteTail::Recordings(instance, contact) } else { RouteTail::List(instance, contact) })
        }
        _ => route_tail(request.raw_http_path()),
    };
    let decode = |segment| origin.decode_path(segment).map(Cow::into_owned);
    match found {
        Some(RouteTail::List(instance, contact)) => {
            Ok(Route::List { instance: decode(instance)?, contact: decode(contact)? })
        }
        Some(RouteTail::Download(instance, contact, file)) => {
            Ok(Route::Download { instance: decode(instance)?, contact: decode(contact)?, file: decode(file)? })
        }
        Some(RouteTail::Recordings(instance, contact)) => {
            Ok(Route::Recordings { instance: decode(instance)?, contact: decode(contact)? })
        }
        Some(RouteTail::Recording(instance, contact, recording)) => Ok(Route::Recording {
            instance: decode(instance)?,
            contact: decode(contact)?,
            recording: decode(recording)?,
        }),
        None => Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "no such route; use GET {ROUTE}?referenceTypes=URL, GET {DOWNLOAD_ROUTE}, GET {RECORDINGS_ROUTE} or GET {RECORDING_ROUTE}"
            ),
        )),
    }
}

/// The route template API Gateway matched: an HTTP API's route key (`GET /contact/…/{ContactId}`), a
/// REST API's resource path; `None` elsewhere (function URLs, ALB, `$default`).
fn route_template(request: &Request) -> Option<&str> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.route_key.as_deref(),
        RequestContext::ApiGatewayV1(context) => context.resource_path.as_deref(),
        _ => None,
    }
    .filter(|template| template.contains("{ContactId}"))
}

/// The route's segments as they are in the path (still encoded where the origin encodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteTail<'a> {
    List(&'a str, &'a str),
    Download(&'a str, &'a str, &'a str),
    Recordings(&'a str, &'a str),
    Recording(&'a str, &'a str, &'a str),
}

/// Matches `…/contact/references/{InstanceId}/{ContactId}`,
/// `…/contact/attachments/{InstanceId}/{ContactId}/{FileId}`, `…/contact/recordings/{InstanceId}/{ContactId}`
/// or `…/contact/recordings/{InstanceId}/{ContactId}/{RecordingId}` (a trailing slash allowed).
fn route_tail(path: &str) -> Option<RouteTail<'_>> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.strip_suffix('/').unwrap_or(path);
    let segments: Vec<&str> = path.rsplit('/').take(5).collect();
    match segments[..] {
        [contact, instance, references, prefix, ..] if [prefix, references] == ROUTE_PREFIX => {
            Some(RouteTail::List(instance, contact))
        }
        [file, contact, instance, attachments, prefix] if [prefix, attachments] == DOWNLOAD_ROUTE_PREFIX => {
            Some(RouteTail::Download(instance, contact, file))
        }
        [contact, instance, recordings, prefix, ..] if [prefix, recordings] == RECORDINGS_ROUTE_PREFIX => {
            Some(RouteTail::Recordings(instance, contact))
        }
        [recording, contact, instance, recordings, prefix] if [prefix, recordings] == RECORDINGS_ROUTE_PREFIX => {
            Some(RouteTail::Recording(instance, contact, recording))
        }
        _ => None,
    }
}

fn method_name(method: &Method) -> Cow<'static, str> {
    // Methods are tokens, but keep whatever the caller sent out of our text beyond a short, plain name.
    let name = method.as_str();
    if name.len() <= 16 && name.bytes().all(|b| b.is_ascii_alphabetic()) {
        Cow::Owned(name.to_owned())
    } else {
        Cow::Borrowed("this method")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbound::http_response::METHOD_NOT_ALLOWED;
    use lambda_http::http::StatusCode;
    use serde_json::json;

    const ID: &str = "11111111-2222-3333-4444-555555555555";

    /// A sample event from `events/` (the one source of fixtures), to be varied by each test.
    fn sample(json: &str) -> serde_json::Value {
        serde_json::from_str(json).unwrap()
    }

    fn request(event: serde_json::Value) -> Request {
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    /// `events/http-api-v2.json` for this path, path parameters, query and domain.
    fn v2(raw_path: &str, path_parameters: serde_json::Value, raw_query: &str, domain: &str) -> Request {
        let mut event = sample(include_str!("../../events/http-api-v2.json"));
        event["rawPath"] = json!(raw_path);
        event["requestContext"]["http"]["path"] = json!(raw_path);
        event["rawQueryString"] = json!(raw_query);
        event["queryStringParameters"] = serde_json::Value::Null;
        event["pathParameters"] = path_parameters;
        event["headers"]["host"] = json!(domain);
        event["requestContext"]["domainName"] = json!(domain);
        request(event)
    }

    /// `events/rest-api-v1.json` for this method, path, path parameters and query.
    fn v1(method: &str, path: &str, path_parameters: serde_json::Value, multi_query: serde_json::Value) -> Request {
        let mut event = sample(include_str!("../../events/rest-api-v1.json"));
        event["path"] = json!(path);
        event["httpMethod"] = json!(method);
        event["requestContext"]["httpMethod"] = json!(method);
        event["requestContext"]["path"] = json!(format!("/prod{path}"));
        event["pathParameters"] = path_parameters;
        event["queryStringParameters"] = serde_json::Value::Null;
        event["multiValueQueryStringParameters"] = multi_query;
        request(event)
    }

    /// `events/alb.json` for this path and query.
    fn alb(path: &str, multi_query: serde_json::Value) -> Request {
        let mut event = sample(include_str!("../../events/alb.json"));
        event["path"] = json!(path);
        event["multiValueQueryStringParameters"] = multi_query;
        request(event)
    }

    fn types(query: &ReferenceQuery) -> Vec<&str> {
        query.reference_types.iter().map(|t| t.as_str()).collect()
    }

    #[test]
    fn http_api_ids_come_from_path_parameters_and_are_not_decoded_again() {
        // API Gateway hands the id over decoded: a `%2D` in it is the caller's literal text, refused by
        // shape, where decoding it again would have let it through as `-`.
        let path_parameters = |contact: &str| {
            let request = v2(
                &format!("/contact/references/{ID}/{contact}"),
                json!({"InstanceId": ID, "ContactId": contact}),
                "referenceTypes=URL",
                "abc.execute-api.us-east-1.amazonaws.com",
            );
            parse_request(&request).map(|query| query.contact_id)
        };
        assert_eq!(path_parameters("a-b").unwrap(), "a-b");
        assert_eq!(path_parameters("a%2Db").unwrap_err().code(), "VALIDATION_ERROR");
    }

    #[test]
    fn http_api_raw_path_is_used_as_is_without_path_parameters() {
        let raw_path = |contact: &str| {
            let request = v2(
                &format!("/prod/contact/references/{ID}/{contact}"),
                json!(null),
                "",
                "abc.execute-api.us-east-1.amazonaws.com",
            );
            parse_request(&request).map(|query| (query.instance_id, query.contact_id))
        };
        assert_eq!(raw_path("100-a").unwrap(), (ID.to_owned(), "100-a".to_owned()));
        assert_eq!(raw_path("100%2D").unwrap_err().code(), "VALIDATION_ERROR", "not decoded again");
    }

    #[test]
    fn an_http_api_v2_event_without_an_api_id_is_a_local_function_url() {
        let mut event: serde_json::Value = serde_json::from_str(&format!(
            r#"{{"version":"2.0","routeKey":"$default","rawPath":"/contact/references/{ID}/100%2D","rawQueryString":null,
            "headers":{{"host":"127.0.0.1:9000"}},"requestContext":{{"routeKey":"$default","accountId":null,"stage":"$default",
            "requestId":"r","apiId":null,"domainName":"localhost","domainPrefix":"f","time":"t","timeEpoch":1,
            "http":{{"method":"GET","path":"/x","protocol":"http","sourceIp":"127.0.0.1","userAgent":"cargo-lambda"}}}},
            "isBase64Encoded":false}}"#
        ))
        .unwrap();
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(parse_request(&request).unwrap().contact_id, "100-", "a function URL's path is decoded");
        event["requestContext"]["apiId"] = "api".into();
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(parse_request(&request).unwrap_err().code(), "VALIDATION_ERROR", "HTTP API's is not");
    }

    #[test]
    fn function_url_paths_are_decoded_once() {
        let function_url = |contact: &str| {
            let request =
                v2(&format!("/contact/references/{ID}/{contact}"), json!(null), "", "xyz.lambda-url.us-east-1.on.aws");
            parse_request(&request).map(|query| query.contact_id)
        };
        assert_eq!(function_url("a%2Db").unwrap(), "a-b");
        assert_eq!(function_url("a%252Db").unwrap_err().code(), "VALIDATION_ERROR", "decoded once: `%2D`, refused");
    }

    #[test]
    fn rest_path_parameters_are_decoded_once() {
        let arn = format!("arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F{ID}");
        let request = v1(
            "GET",
            &format!("/contact/references/{arn}/c%2D"),
            json!({"InstanceId": arn, "ContactId": "c%2D"}),
            json!({"referenceTypes": ["url", "ATTACHMENT,email"]}),
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(query.instance_id, ID);
        assert_eq!(query.contact_id, "c-");
        let twice =
            v1("GET", "/contact/references/x/c%252D", json!({"InstanceId": ID, "ContactId": "c%252D"}), json!({}));
        assert_eq!(parse_request(&twice).unwrap_err().code(), "VALIDATION_ERROR", "decoded once: `%2D`, refused");
        assert_eq!(types(&query), ["URL", "ATTACHMENT", "EMAIL"]);
    }

    #[test]
    fn http_api_repeated_and_comma_joined_types_are_both_read() {
        let request = v2(
            &format!("/contact/references/{ID}/c"),
            json!(null),
            "referenceTypes=url&referenceTypes=date,Email&nextToken=abc%3D%3D",
            "abc.execute-api.us-east-1.amazonaws.com",
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(types(&query), ["URL", "DATE", "EMAIL"]);
        assert_eq!(query.next_token.as_deref(), Some("abc=="));
    }

    #[test]
    fn alb_query_values_are_decoded_once() {
        let request = alb(
            &format!("/base/contact/references/{ID}/c%2Dd"),
            json!({"referenceTypes": ["URL%2CDATE"], "nextToken": ["a%2Bb"]}),
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(query.contact_id, "c-d");
        assert_eq!(types(&query), ["URL", "DATE"]);
        assert_eq!(query.next_token.as_deref(), Some("a+b"));
    }

    #[test]
    fn route_tail_matches_under_any_base_path_only() {
        assert_eq!(route_tail("/contact/references/i/c"), Some(RouteTail::List("i", "c")));
        assert_eq!(route_tail("/stage/x/contact/references/i/c/"), Some(RouteTail::List("i", "c")));
        assert_eq!(route_tail("/contact/references/i"), None);
        assert_eq!(route_tail("/contact/other/i/c"), None);
        assert_eq!(route_tail("/"), None);
        assert_eq!(route_tail("/contact/attachments/i/c/f"), Some(RouteTail::Download("i", "c", "f")));
        assert_eq!(route_tail("/stage/contact/attachments/i/c/f/"), Some(RouteTail::Download("i", "c", "f")));
        assert_eq!(route_tail("/contact/attachments/i/c"), None);
        assert_eq!(route_tail("/contact/references/i/c/f"), None);
        assert_eq!(route_tail("/stage/contact/recordings/i/c"), Some(RouteTail::Recordings("i", "c")));
        assert_eq!(route_tail("/contact/recordings/i/c/r/"), Some(RouteTail::Recording("i", "c", "r")));
        assert_eq!(route_tail("/contact/recordings/i/c/r/x"), None);
    }

    #[test]
    fn the_recordings_list_is_told_from_the_references_list_by_the_matched_route() {
        let path = format!("/contact/recordings/{ID}/c");
        let params = json!({"InstanceId": ID, "ContactId": "c"});
        let mut event = sample(include_str!("../../events/http-api-v2.json"));
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!("");
        event["queryStringParameters"] = serde_json::Value::Null;
        event["pathParameters"] = params.clone();
        event["routeKey"] = json!(format!("GET {RECORDINGS_ROUTE}"));
        event["requestContext"]["routeKey"] = json!(format!("GET {RECORDINGS_ROUTE}"));
        let recordings = request(event.clone());
        let expected = RecordingsQuery { instance_id: ID.into(), contact_id: "c".into() };
        assert_eq!(parse(&recordings).unwrap(), HttpQuery::Recordings(expected));
        // The references list's route key decides, whatever the path says.
        event["requestContext"]["routeKey"] = json!(format!("GET {ROUTE}"));
        assert!(matches!(parse(&request(event)).unwrap(), HttpQuery::List(_)));
        // A REST API names the matched resource; the path's tail decides without one.
        let mut rest = sample(include_str!("../../events/rest-api-v1.json"));
        rest["path"] = json!(path);
        rest["pathParameters"] = params.clone();
        rest["multiValueQueryStringParameters"] = serde_json::Value::Null;
        rest["queryStringParameters"] = serde_json::Value::Null;
        rest["requestContext"]["resourcePath"] = json!(RECORDINGS_ROUTE);
        assert!(matches!(parse(&request(rest.clone())).unwrap(), HttpQuery::Recordings(_)));
        rest["requestContext"]["resourcePath"] = json!("/{proxy+}");
        assert!(matches!(parse(&request(rest)).unwrap(), HttpQuery::Recordings(_)), "the path's tail");
        let open = v1(
            "GET",
            &format!("{path}/{}", "a".repeat(32)),
            json!({"InstanceId": ID, "ContactId": "c", "RecordingId": "a".repeat(32)}),
            json!({"disposition": ["inline"]}),
        );
        assert!(matches!(
            parse(&open).unwrap(),
            HttpQuery::Recording(RecordingQuery {
                disposition: crate::domain::download_request::Disposition::Inline,
                ..
            })
        ));
    }

    #[test]
    fn an_instance_arn_decoded_into_an_http_api_path_is_not_found_never_another_instance() {
        // HTTP APIs hand the path over decoded: an ARN's %2F becomes a slash and the path one segment longer.
        let arn = format!("arn:aws:connect:us-east-1:123456789012:instance/{ID}");
        let request =
            v2(&format!("/contact/references/{arn}/c"), json!(null), "", "abc.execute-api.us-east-1.amazonaws.com");
        let refusal = parse_request(&request).unwrap_err();
        assert_eq!(refusal.code(), "NOT_FOUND");
        assert!(refusal.message().contains(ROUTE), "{}", refusal.message());
    }

    #[test]
    fn an_unknown_route_is_not_found() {
        let request = v1("GET", "/somewhere/else", json!(null), json!(null));
        assert_eq!(parse_request(&request).unwrap_err().code(), "NOT_FOUND");
    }

    #[test]
    fn methods_other_than_get_and_head_are_refused() {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let request = v1(method, &format!("/contact/references/{ID}/c"), json!(null), json!(null));
            let refusal = parse_request(&request).unwrap_err();
            assert_eq!((refusal.code(), refusal.status()), (METHOD_NOT_ALLOWED, StatusCode::METHOD_NOT_ALLOWED));
        }
        let head = v1("HEAD", &format!("/contact/references/{ID}/c"), json!(null), json!(null));
        assert!(parse_request(&head).is_ok());
    }

    #[test]
    fn invalid_utf8_after_decoding_is_a_validation_error() {
        let request = v1("GET", &format!("/contact/references/{ID}/%FF"), json!(null), json!(null));
        assert_eq!(parse_request(&request).unwrap_err().code(), "VALIDATION_ERROR");
    }
}
