//! The HTTP adapter (API Gateway REST and HTTP APIs, function URLs, ALB): the request read by
//! [`http_request`](crate::inbound::http_request), the use case asked through [`App`], the outcome answered by
//! [`http_response`](crate::inbound::http_response). Also who the caller is, as API Gateway authenticated them.

use lambda_http::http::{header, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

use crate::app::{record_usage, App, Invocation, Outcome};
use crate::domain::caller::Caller;
use crate::domain::download_request::DownloadQuery;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::query::{ContactScope, ReferenceQuery};
use crate::domain::recording::{RecordingQuery, RecordingsQuery};
use crate::inbound::envelope;
pub use crate::inbound::http_request::parse_request;
use crate::inbound::http_request::{route, HttpQuery, Origin};
pub(crate) use crate::inbound::http_response::refusal_response;
pub use crate::inbound::http_response::{codes_and_statuses, Refusal};
use crate::inbound::http_response::{redirect, respond};
use crate::telemetry::metrics::{EventKind, Measurements};
use crate::use_case::ConnectApi;

/// Answers one HTTP request. Never fails: every problem becomes an envelope with its status. The route
/// decides the entry point, which this function must serve before anything else is read.
pub(crate) async fn answer_http<C: ConnectApi>(app: &App<C>, request: &Request) -> Outcome<Response<Body>> {
    let head_only = request.method() == Method::HEAD;
    let invocation = Invocation {
        api_request_id: api_request_id(request),
        ..Invocation::from_context(request.lambda_context_ref(), None, caller(request))
    };
    let mut measured = Measurements::of(EventKind::Http);
    let origin = Origin::of(request);
    let parsed = route(request, origin)
        .map_err(Refusal::from)
        .and_then(|route| app.admit(route.entry_point()).map(|()| route).map_err(Refusal::from))
        .and_then(|route| crate::inbound::http_request::parse_route(request, origin, route));
    let result = match parsed {
        Ok(HttpQuery::List(query)) => list(app, query, &invocation, head_only, &mut measured).await,
        Ok(HttpQuery::Download(query)) => download(app, request, &query, &invocation, head_only, &mut measured).await,
        Ok(HttpQuery::Recordings(query)) => recordings(app, &query, &invocation, head_only, &mut measured).await,
        Ok(HttpQuery::Recording(query)) => {
            open_recording(app, request, &query, &invocation, head_only, &mut measured).await
        }
        Err(refusal) => Err(refusal),
    };
    let answer = match result {
        Ok(answer) => answer,
        Err(refusal) => {
            measured.error_code = Some(refusal.code());
            refusal_response(&refusal, Some(invocation.request_id).filter(|id| !id.is_empty()), head_only)
        }
    };
    Outcome { answer, measured }
}

/// The list route: the envelope with the references. Never makes links (its parse refuses `include`,
/// and the use case makes links for contact flows only).
async fn list<C: ConnectApi>(
    app: &App<C>,
    query: ReferenceQuery,
    invocation: &Invocation<'_>,
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
async fn download<C: ConnectApi>(
    app: &App<C>,
    request: &Request,
    query: &DownloadQuery,
    invocation: &Invocation<'_>,
    head_only: bool,
    measured: &mut Measurements,
) -> Result<Response<Body>, Refusal> {
    if head_only {
        app.admit_download(query)?;
        return Ok(respond(StatusCode::OK, String::new(), true));
    }
    let (opened, usage) = app.open_file(query, invocation).await;
    record_usage(measured, &usage);
    let file = opened?;
    if wants_json(request) {
        Ok(respond(StatusCode::OK, envelope::opened(&file), false))
    } else {
        redirect(file.download_url.as_deref().unwrap_or_default())
    }
}

/// The recordings list: the envelope with the contact's recordings (no link; a `downloadPath` each where
/// one can be opened). `HEAD` checks the gates only.
async fn recordings<C: ConnectApi>(
    app: &App<C>,
    query: &RecordingsQuery,
    invocation: &Invocation<'_>,
    head_only: bool,
    measured: &mut Measurements,
) -> Result<Response<Body>, Refusal> {
    if head_only {
        app.admit_recordings(&query.instance_id)?;
        return Ok(respond(StatusCode::OK, String::new(), true));
    }
    let (listed, usage) = app.list_recordings(query, invocation).await;
    record_usage(measured, &usage);
    let listed = listed?;
    measured.references = listed.len();
    Ok(respond(StatusCode::OK, envelope::recordings(query, &listed), false))
}

/// Opening a recording: `302` to a fresh pre-signed S3 URL, or with `Accept: application/json` the
/// envelope with the URL; `HEAD` checks the request and the gates and makes no call.
async fn open_recording<C: ConnectApi>(
    app: &App<C>,
    request: &Request,
    query: &RecordingQuery,
    invocation: &Invocation<'_>,
    head_only: bool,
    measured: &mut Measurements,
) -> Result<Response<Body>, Refusal> {
    if head_only {
        app.admit_recordings(&query.instance_id)?;
        return Ok(respond(StatusCode::OK, String::new(), true));
    }
    let (opened, usage) = app.open_recording(query, invocation).await;
    record_usage(measured, &usage);
    let opened = opened?;
    if wants_json(request) {
        Ok(respond(StatusCode::OK, envelope::opened_recording(&opened), false))
    } else {
        redirect(&opened.url)
    }
}

/// Who is asking, as API Gateway authenticated them: the IAM principal's ARN, or the JWT's `sub` and
/// client (`client_id`, else `azp`), as separate fields; unauthenticated when the request carries
/// neither (a function URL without auth, ALB).
pub(crate) fn caller(request: &Request) -> Caller {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            let authorizer = context.authorizer.as_ref();
            if let Some(arn) = authorizer.and_then(|a| a.iam.as_ref()).and_then(|iam| iam.user_arn.as_deref()) {
                return Caller::iam(arn);
            }
            if let Some(jwt) = authorizer.and_then(|a| a.jwt.as_ref()) {
                let claim = |name: &str| jwt.claims.get(name).map(String::as_str).filter(|c| !c.is_empty());
                return Caller::jwt(claim("sub").unwrap_or(""), claim("client_id").or(claim("azp")).unwrap_or(""));
            }
            Caller::Unauthenticated
        }
        Some(RequestContext::ApiGatewayV1(context)) => {
            context.identity.user_arn.as_deref().map_or(Caller::Unauthenticated, Caller::iam)
        }
        _ => Caller::Unauthenticated,
    }
}

/// API Gateway's request id (`requestContext.requestId`), the key of its access log. API Gateway's ids
/// are short printable ASCII; anything else (a hand-made event) is left out of the audit line.
fn api_request_id(request: &Request) -> Option<&str> {
    let id = match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.request_id.as_deref(),
        RequestContext::ApiGatewayV1(context) => context.request_id.as_deref(),
        _ => None,
    };
    id.filter(|id| !id.is_empty() && id.len() <= MAX_API_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic()))
}

/// The longest API Gateway request id the audit line carries (API Gateway's are 36 characters or fewer).
const MAX_API_REQUEST_ID_LEN: usize = 64;

fn wants_json(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.to_ascii_lowercase().contains("application/json"))
}

/// Connect keys references by the initial contact: when a contact is not found and the deployment
/// can resolve transfers, the message says how.
fn hint_at_transfers<C>(error: Error, query: &ReferenceQuery, app: &App<C>) -> Error {
    let hint = error.kind == ErrorKind::NotFound
        && query.contact_scope == ContactScope::AsGiven
        && app.features.resolve_transferred_contacts;
    if hint {
        Error::new(error.kind, format!("{}; for a transferred contact, ask with contact=initial", error.message))
    } else {
        error
    }
}
