//! The HTTP adapter (API Gateway REST and HTTP APIs, function URLs, ALB):
//! request → [`ReferenceQuery`], outcome → response with the envelope.

use std::borrow::Cow;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use percent_encoding::percent_decode_str;

use crate::app::{record_usage, App, Caller, Invocation, Outcome};
use crate::config::EntryPoint;
use crate::download::{DownloadQuery, RawDownload, DOWNLOAD_ROUTE, DOWNLOAD_ROUTE_PREFIX, RETRY_NOT_READY_SECONDS};
use crate::envelope;
use crate::error::{Error, ErrorKind};
use crate::metrics::{EventKind, Measurements};
use crate::query::{ContactScope, RawQuery, ReferenceQuery};

/// The route's fixed segments; it may sit under a stage or a base path.
const ROUTE_PREFIX: [&str; 2] = ["contact", "references"];
pub const ROUTE: &str = "/contact/references/{InstanceId}/{ContactId}";
const ALLOW: &str = "GET, HEAD";
/// Connect's rate quota (10 ListContactReferences a second by default) refills within a second: the honest wait.
const RETRY_AFTER_SECONDS: &str = "1";

/// The code of the one refusal only HTTP knows: a method the route does not have.
pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";

/// The HTTP status of each error kind: the HTTP half of the README's table of codes.
pub const fn status_of(kind: ErrorKind) -> StatusCode {
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
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Failed(error) => error.code(),
            Refusal::MethodNotAllowed(_) => METHOD_NOT_ALLOWED,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Failed(error) => status_of(error.kind),
            Refusal::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Refusal::Failed(error) => &error.message,
            Refusal::MethodNotAllowed(message) => message,
        }
    }
}

/// Answers one HTTP request. Never fails: every problem becomes an envelope with its status. The route
/// decides the entry point, which this function must serve before anything else is read.
pub async fn handle(app: &App, request: &Request) -> Outcome<Response<Body>> {
    let head_only = request.method() == Method::HEAD;
    let invocation = Invocation::from_context(request.lambda_context_ref(), None, Caller::Http(caller(request)));
    let mut measured = Measurements::of(EventKind::Http);
    let origin = Origin::of(request);
    let parsed = route(request, origin)
        .map_err(Refusal::from)
        .and_then(|route| app.admit(route.entry_point()).map(|()| route).map_err(Refusal::from))
        .and_then(|route| parse_route(request, origin, route));
    let result = match parsed {
        Ok(HttpQuery::List(query)) => list(app, query, &invocation, head_only, &mut measured).await,
        Ok(HttpQuery::Download(query)) => open(app, request, &query, &invocation, head_only, &mut measured).await,
        Err(refusal) => Err(refusal),
    };
    let answer = match result {
        Ok(answer) => answer,
        Err(refusal) => {
            measured.error_code = Some(refusal.code());
            refusal_response(
                &refusal,
                Some(&invocation.request_id).filter(|id| !id.is_empty()).map(String::as_str),
                head_only,
            )
        }
    };
    Outcome { answer, measured }
}

/// The list route: the envelope with the references. Never makes links (its parse refuses `include`,
/// and the use case makes links for contact flows only).
async fn list(
    app: &App,
    query: ReferenceQuery,
    invocation: &Invocation,
    head_only: bool,
    measured: &mut Measurements,
) -> Result<Response<Body>, Refusal> {
    let (page, usage) = app.list(&query, invocation).await;
    record_usage(measured, &usage);
    let page = page.map_err(|error| hint_at_transfers(error, &query, app))?;
    measured.references = page.references.len();
    measured.download_url_errors = page.download_url_errors();
    Ok(respond(StatusCode::OK, envelope::success(&query, &page), head_only))
}

/// The download route: `302` to a fresh pre-signed URL, or with `Accept: application/json` the
/// envelope with the URL; `HEAD` checks the request and the deployment's gates and makes no call.
async fn open(
    app: &App,
    request: &Request,
    query: &DownloadQuery,
    invocation: &Invocation,
    head_only: bool,
    measured: &mut Measurements,
) -> Result<Response<Body>, Refusal> {
    if head_only {
        app.admit_download(query)?;
        return Ok(respond(StatusCode::OK, String::new(), true));
    }
    let (opened, usage) = app.open(query, invocation).await;
    record_usage(measured, &usage);
    let file = opened?;
    if wants_json(request) {
        Ok(respond(StatusCode::OK, envelope::opened(&file), false))
    } else {
        redirect(file.download_url.as_deref().unwrap_or_default())
    }
}

/// Who is asking, as API Gateway authenticated them: the IAM principal's ARN, or the JWT's `sub` and
/// client id; `unauthenticated` when the request carries neither (a function URL without auth, ALB).
pub fn caller(request: &Request) -> String {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            let authorizer = context.authorizer.as_ref();
            if let Some(arn) = authorizer.and_then(|a| a.iam.as_ref()).and_then(|iam| iam.user_arn.clone()) {
                return arn;
            }
            if let Some(jwt) = authorizer.and_then(|a| a.jwt.as_ref()) {
                let claim = |name: &str| jwt.claims.get(name).cloned().unwrap_or_default();
                let client = Some(claim("client_id")).filter(|c| !c.is_empty()).unwrap_or_else(|| claim("azp"));
                return format!("jwt sub={} client_id={client}", claim("sub"));
            }
            "unauthenticated".to_owned()
        }
        Some(RequestContext::ApiGatewayV1(context)) => {
            context.identity.user_arn.clone().unwrap_or_else(|| "unauthenticated".to_owned())
        }
        _ => "unauthenticated".to_owned(),
    }
}

fn wants_json(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.to_ascii_lowercase().contains("application/json"))
}

/// `302 Found` to the file's fresh pre-signed URL; never cached (the URL is a short-lived credential).
/// A URL that cannot be a header is Connect answering garbage: `UPSTREAM_ERROR`, as an envelope.
fn redirect(url: &str) -> Result<Response<Body>, Refusal> {
    let location = HeaderValue::from_str(url)
        .map_err(|_| Error::new(ErrorKind::Upstream, "Amazon Connect answered a download link that is not a URL"))?;
    let mut response = respond(StatusCode::FOUND, String::new(), true);
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// The failure envelope with the refusal's status and headers (`Allow` for 405, `Retry-After` for 429).
pub fn refusal_response(refusal: &Refusal, request_id: Option<&str>, head_only: bool) -> Response<Body> {
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

/// A validated request for one of the two routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpQuery {
    List(ReferenceQuery),
    Download(DownloadQuery),
}

/// Reads the route, method, query string and body into a validated request, reading the route once.
pub fn parse(request: &Request) -> Result<HttpQuery, Refusal> {
    let origin = Origin::of(request);
    let route = route(request, origin)?;
    parse_route(request, origin, route)
}

/// What the list route answers to `include` or `urlExpiry`: it never makes links. Each attachment's
/// `downloadPath` opens it through the download route, whose own permission (IAM or JWT scope) is the
/// only way to a file.
pub const LIST_ROUTE_MAKES_NO_LINKS: &str = "the list route makes no download links (include, urlExpiry): open an \
     attachment with its downloadPath, GET /contact/attachments/{InstanceId}/{ContactId}/{FileId}, which needs \
     the download route's own permission";

/// The method, query string and body of a request whose route is known.
fn parse_route(request: &Request, origin: Origin, route: Route) -> Result<HttpQuery, Refusal> {
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
    match route {
        Route::List { instance, contact } => {
            if first("include").is_some() || url_expiry.is_some() {
                return Err(Error::validation(LIST_ROUTE_MAKES_NO_LINKS).into());
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
        HttpQuery::Download(_) => {
            Err(Error::new(ErrorKind::NotFound, format!("no such route; use GET {ROUTE}")).into())
        }
    }
}

/// Both routes answer `GET` and `HEAD` only, without a body.
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

/// Connect keys references by the initial contact: when a contact is not found and the deployment
/// can resolve transfers, the message says how.
fn hint_at_transfers(error: Error, query: &ReferenceQuery, app: &App) -> Error {
    let hint = error.kind == ErrorKind::NotFound
        && query.contact_scope == ContactScope::AsGiven
        && app.features.resolve_transferred_contacts;
    if hint {
        Error::new(error.kind, format!("{}; for a transferred contact, ask with contact=initial", error.message))
    } else {
        error
    }
}

/// Where the request came from decides what is still percent-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// HTTP API (payload 2.0): path and path parameters arrive decoded.
    HttpApi,
    /// REST API (payload 1.0) and function URLs: the path keeps the client's encoding, the query is decoded.
    EncodedPath,
    /// ALB: path and query string both keep the client's encoding.
    Alb,
}

impl Origin {
    fn of(request: &Request) -> Origin {
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

/// Which of the two routes a request is for, with its ids decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    List { instance: String, contact: String },
    Download { instance: String, contact: String, file: String },
}

impl Route {
    fn entry_point(&self) -> EntryPoint {
        match self {
            Route::List { .. } => EntryPoint::List,
            Route::Download { .. } => EntryPoint::Download,
        }
    }
}

/// The ids, from API Gateway's `pathParameters` when it gives them, else from the path's tail.
fn route(request: &Request, origin: Origin) -> Result<Route, Error> {
    let parameters = request.path_parameters_ref();
    let given = |name| parameters.and_then(|p| p.first(name));
    let found = match (given("InstanceId"), given("ContactId"), given("FileId")) {
        (Some(instance), Some(contact), Some(file)) => Some(RouteTail::Download(instance, contact, file)),
        (Some(instance), Some(contact), None) => Some(RouteTail::List(instance, contact)),
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
        None => Err(Error::new(
            ErrorKind::NotFound,
            format!("no such route; use GET {ROUTE}?referenceTypes=URL or GET {DOWNLOAD_ROUTE}"),
        )),
    }
}

/// The route's segments as they are in the path (still encoded where the origin encodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteTail<'a> {
    List(&'a str, &'a str),
    Download(&'a str, &'a str, &'a str),
}

/// Matches `…/contact/references/{InstanceId}/{ContactId}` or
/// `…/contact/attachments/{InstanceId}/{ContactId}/{FileId}` (a trailing slash allowed).
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

/// Builds a response from constants and the already-serialised envelope only.
fn respond(status: StatusCode, body: String, head_only: bool) -> Response<Body> {
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
        let mut event = sample(include_str!("../events/http-api-v2.json"));
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
        let mut event = sample(include_str!("../events/rest-api-v1.json"));
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
        let mut event = sample(include_str!("../events/alb.json"));
        event["path"] = json!(path);
        event["multiValueQueryStringParameters"] = multi_query;
        request(event)
    }

    fn types(query: &ReferenceQuery) -> Vec<&str> {
        query.reference_types.iter().map(|t| t.as_str()).collect()
    }

    #[test]
    fn http_api_ids_come_from_path_parameters_and_are_not_decoded_again() {
        let request = v2(
            &format!("/contact/references/{ID}/a%b"),
            json!({"InstanceId": ID, "ContactId": "a%25b"}),
            "referenceTypes=URL",
            "abc.execute-api.us-east-1.amazonaws.com",
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(query.contact_id, "a%25b");
    }

    #[test]
    fn http_api_raw_path_is_used_as_is_without_path_parameters() {
        let request = v2(
            &format!("/prod/contact/references/{ID}/100%"),
            json!(null),
            "",
            "abc.execute-api.us-east-1.amazonaws.com",
        );
        let query = parse_request(&request).unwrap();
        assert_eq!((query.instance_id.as_str(), query.contact_id.as_str()), (ID, "100%"));
    }

    #[test]
    fn an_http_api_v2_event_without_an_api_id_is_a_local_function_url() {
        let mut event: serde_json::Value = serde_json::from_str(&format!(
            r#"{{"version":"2.0","routeKey":"$default","rawPath":"/contact/references/{ID}/100%25","rawQueryString":null,
            "headers":{{"host":"127.0.0.1:9000"}},"requestContext":{{"routeKey":"$default","accountId":null,"stage":"$default",
            "requestId":"r","apiId":null,"domainName":"localhost","domainPrefix":"f","time":"t","timeEpoch":1,
            "http":{{"method":"GET","path":"/x","protocol":"http","sourceIp":"127.0.0.1","userAgent":"cargo-lambda"}}}},
            "isBase64Encoded":false}}"#
        ))
        .unwrap();
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(parse_request(&request).unwrap().contact_id, "100%");
        event["requestContext"]["apiId"] = "api".into();
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(parse_request(&request).unwrap().contact_id, "100%25");
    }

    #[test]
    fn function_url_paths_are_decoded_once() {
        let request =
            v2(&format!("/contact/references/{ID}/a%2525b"), json!(null), "", "xyz.lambda-url.us-east-1.on.aws");
        assert_eq!(parse_request(&request).unwrap().contact_id, "a%25b");
    }

    #[test]
    fn rest_path_parameters_are_decoded_once() {
        let arn = format!("arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F{ID}");
        let request = v1(
            "GET",
            &format!("/contact/references/{arn}/c%2525"),
            json!({"InstanceId": arn, "ContactId": "c%2525"}),
            json!({"referenceTypes": ["url", "ATTACHMENT,email"]}),
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(query.instance_id, ID);
        assert_eq!(query.contact_id, "c%25");
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
            &format!("/base/contact/references/{ID}/c%20d"),
            json!({"referenceTypes": ["URL%2CDATE"], "nextToken": ["a%2Bb"]}),
        );
        let query = parse_request(&request).unwrap();
        assert_eq!(query.contact_id, "c d");
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
                ("METHOD_NOT_ALLOWED", 405),
            ]
        );
    }
}
