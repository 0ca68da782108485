//! The function's entry point: one handler for every event, dispatching HTTP requests to the HTTP
//! adapter and everything else (contact flows, stray events) to the contact-flow adapter, with one
//! structured log line per event.
//!
//! Why `lambda_http` with `pass_through` rather than dispatching raw JSON ourselves: `lambda_http`
//! already knows the four HTTP event shapes and how each wants its response written, and with
//! `pass_through` it hands us any other event as `POST /events` with the raw JSON as body, and
//! returns our JSON body as the raw result. Its one weak spot is guarded in [`request_guard`].

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{service_fn, Adapter, Body, Request, RequestExt, Response, Service};
use lambda_runtime::LambdaEvent;

use crate::app::{App, Outcome};
use crate::domain::error::Error;
use crate::inbound::contact_flow::{self, ContactFlowEvent};
use crate::inbound::envelope;
use crate::inbound::http;
use crate::inbound::request_guard::{self, GuardedAdapter};
use crate::telemetry::logging::Handled;
use crate::telemetry::metrics::{EventKind, Measurements};
use crate::use_case::ConnectApi;

static COLD_START: AtomicBool = AtomicBool::new(true);

/// The whole entry point as one service: `lambda_http`'s adapter, guarded, around [`dispatch`].
/// `main` runs it; tests call it with events exactly as the runtime would.
pub fn service<C: ConnectApi>(
    app: &App<C>,
) -> impl Service<LambdaEvent<LambdaRequest>, Response: serde::Serialize, Error = Infallible, Future: Send> + '_ {
    let handler = service_fn(move |request: Request| async move { Ok::<_, Infallible>(dispatch(app, request).await) });
    GuardedAdapter::new(Adapter::from(handler))
}

/// Answers one event. Infallible by design: a client's mistake is an envelope, never an invocation error.
pub(crate) async fn dispatch<C: ConnectApi>(app: &App<C>, request: Request) -> Response<Body> {
    let started = Instant::now();
    let cold_start = COLD_START.swap(false, Ordering::Relaxed);
    let request_id = request.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default();
    let Outcome { answer, mut measured } = match request.request_context_ref() {
        Some(RequestContext::PassThrough) => {
            let outcome = direct_invocation(app, &request).await;
            Outcome { answer: Response::new(Body::Text(outcome.answer)), measured: outcome.measured }
        }
        _ if request_guard::is_placeholder(&request) => {
            let error = Error::validation("the request's path, query string or Host header is not a valid URI");
            let head_only = request.method() == lambda_http::http::Method::HEAD;
            Outcome {
                measured: Measurements { error_code: Some(error.code()), ..Measurements::of(EventKind::Http) },
                answer: http::refusal_response(&error.into(), Some(&request_id), head_only),
            }
        }
        _ => http::answer_http(app, &request).await,
    };
    measured.cold_start = cold_start;
    let handled = Handled { request_id: &request_id, status: answer.status().as_u16(), duration: started.elapsed() };
    app.event_log.write(handled, &measured);
    answer
}

/// A contact-flow event, or anything else that is not an HTTP request.
async fn direct_invocation<C: ConnectApi>(app: &App<C>, request: &Request) -> Outcome<String> {
    let context = request.lambda_context_ref();
    let payload = match request.body() {
        Body::Text(text) => text.as_str(),
        _ => "",
    };
    match ContactFlowEvent::from_json(payload) {
        Some(event) => contact_flow::answer_flow(app, &event, context).await,
        None => {
            let error = contact_flow::unrecognised_event();
            Outcome {
                answer: envelope::error(&error, context.map(|c| c.request_id.as_str())),
                measured: Measurements { error_code: Some(error.code()), ..Measurements::of(EventKind::Unrecognised) },
            }
        }
    }
}
