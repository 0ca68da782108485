//! Hostile and malformed input, property-based: whatever the event, the entry point (lambda_http's
//! adapter, our guard and handler, the real SDK against the local stand-in) never panics and always
//! answers a well-formed envelope with a documented status and only constant headers.
//!
//! Cases per property: `PROPTEST_CASES` (CI uses the default below; docs/operations.md documents a longer run).

use crate::support;

use std::collections::HashMap;
use std::sync::OnceLock;

use connect_local::{Seed, StandIn};
use connect_references::app::App;
use connect_references::domain::access::AllowedInstances;
use connect_references::telemetry::logging::{EventLog, Output};
use connect_references::telemetry::metrics::Namespace;
use lambda_runtime::Context;
use proptest::prelude::*;
use serde_json::{json, Value};

const CASES: u32 = 1000;
const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
/// Constant headers, and the download route's `location` (a pre-signed URL from Connect).
const ALLOWED_HEADERS: [&str; 6] =
    ["content-type", "cache-control", "x-content-type-options", "allow", "retry-after", "location"];

struct World {
    runtime: tokio::runtime::Runtime,
    stand_in: StandIn,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        // As in production: the guard's expected probe panics stay quiet (proptest still reports real ones).
        connect_references::inbound::request_guard::install_panic_hook();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let stand_in = runtime.block_on(StandIn::start(Seed::shipped())).unwrap();
        World { runtime, stand_in }
    })
}

thread_local! {
    /// One app per test thread, so that the properties run in parallel and each line stays with its event.
    static APP: App = app_recording(&world().stand_in);
}

/// Runs one raw event through the whole entry point, as the runtime would, and returns the JSON it sends back.
fn invoke(event: &Value) -> Value {
    APP.with(|app| invoke_app(app, event))
}

/// The function's state calling `stand_in`, keeping its event lines in memory.
fn app_recording(stand_in: &StandIn) -> App {
    support::app_calling(stand_in, AllowedInstances::any())
        .with_event_log(EventLog::new(Namespace::default(), Output::Memory(Default::default())))
}

/// One invocation; also checks that it wrote exactly one line, with valid metrics whose dimensions
/// stay within their bounded sets whatever the input.
fn invoke_app(app: &App, event: &Value) -> Value {
    let mut context = Context::default();
    context.request_id = "req-prop".into();
    let reply = world().runtime.block_on(support::invoke_in_process(app, event, context));
    let lines = app.event_log.take_lines();
    assert_eq!(lines.len(), 1, "one line per event: {lines:?}");
    support::assert_valid_emf(&serde_json::from_str(&lines[0]).expect("the line is JSON"));
    reply
}

/// The envelope, and a failure names this invocation's request.
fn assert_envelope(body: &Value, status: Option<u16>) {
    if support::assert_envelope(body, status).is_some() {
        assert_eq!(body["error"]["requestId"], "req-prop");
    }
}

/// The invariant: an HTTP response carrying the envelope, or (for events lambda_http does not take for
/// HTTP) the envelope or the flat map as the raw result.
fn assert_well_formed(reply: &Value, head: bool) {
    if let Some(status) = reply.get("statusCode") {
        let status = status.as_u64().expect("numeric status") as u16;
        assert!([200, 302, 400, 403, 404, 405, 409, 410, 429, 500, 502, 504].contains(&status), "{reply}");
        let mut names: Vec<String> = Vec::new();
        for key in ["headers", "multiValueHeaders"] {
            if let Some(map) = reply[key].as_object() {
                names.extend(map.keys().cloned());
            }
        }
        for name in &names {
            assert!(ALLOWED_HEADERS.contains(&name.as_str()), "header {name} in {reply}");
        }
        let content_type =
            reply["headers"]["content-type"].as_str().or(reply["multiValueHeaders"]["content-type"][0].as_str());
        assert_eq!(content_type, Some("application/json"));
        match reply["body"].as_str() {
            Some(text) if !text.is_empty() => {
                assert!(!head, "a HEAD answer has no body");
                assert_envelope(&serde_json::from_str(text).expect("a JSON body"), Some(status))
            }
            _ => assert!(head, "only HEAD answers have no body: {reply}"),
        }
    } else if reply.get("success").is_some_and(Value::is_string) {
        let map = reply.as_object().unwrap();
        assert!(map.values().all(Value::is_string), "{reply}");
        assert!(["true", "false"].contains(&reply["success"].as_str().unwrap()));
        if reply["success"] == "false" {
            support::status_of(reply["errorCode"].as_str().unwrap());
        }
        assert!(reply.to_string().len() < 32_000);
    } else {
        // A direct invocation answered with the envelope as the raw result: no HTTP status to check.
        assert_envelope(reply, None);
    }
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(INSTANCE.to_string()),
        Just("c0ffee00-0000-4000-8000-000000000001".to_string()),
        "[a-zA-Z0-9%:/._~-]{0,40}",
        any::<String>(),
        "(%[0-9A-Fa-f]{2}){1,8}",
        Just("a".repeat(300)),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (segment(), segment()).prop_map(|(i, c)| format!("/contact/references/{i}/{c}")),
        1 => (segment(), segment()).prop_map(|(i, c)| format!("/stage/contact/references/{i}/{c}/")),
        1 => any::<String>(),
        1 => "/[ -~]{0,60}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let pair = prop_oneof![
        "(URL|url|ATTACHMENT|PHOTO|EMAIL_MESSAGE|,| |%2C){0,6}".prop_map(|v| format!("referenceTypes={v}")),
        "[ -~]{0,30}".prop_map(|v| format!("nextToken={v}")),
        "[ -~]{0,30}",
        any::<String>(),
    ];
    prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("GET".to_string()),
        1 => Just("HEAD".to_string()),
        1 => prop::sample::select(vec!["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]).prop_map(str::to_string),
        1 => "[A-Z]{1,10}",
    ]
}

fn headers() -> impl Strategy<Value = HashMap<String, String>> {
    prop::collection::hash_map("[a-z][a-z0-9-]{0,15}", "[ -~]{0,40}", 0..5)
}

fn body() -> impl Strategy<Value = Option<String>> {
    prop_oneof![3 => Just(None), 1 => Just(Some(String::new())), 1 => any::<String>().prop_map(Some)]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::hash_map("[A-Za-z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `events/http-api-v2.json` with the request's parts replaced by arbitrary ones.
fn http_api_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &HashMap<String, String>,
    body: &Option<String>,
) -> Value {
    let mut event = support::http_api_event(method, path, query);
    event["headers"] = json!(headers);
    event["body"] = json!(body);
    event
}

/// `events/rest-api-v1.json` or `events/alb.json` with the request's parts replaced by arbitrary ones.
fn rest_or_alb_event(
    alb: bool,
    method: &str,
    path: &str,
    params: &HashMap<String, Vec<String>>,
    path_parameters: Option<(String, String)>,
    headers: &HashMap<String, String>,
    body: &Option<String>,
) -> Value {
    let multi_headers: HashMap<_, _> = headers.iter().map(|(k, v)| (k.clone(), vec![v.clone()])).collect();
    let mut event = support::event(if alb { "alb.json" } else { "rest-api-v1.json" });
    event["httpMethod"] = json!(method);
    event["path"] = json!(path);
    event["multiValueQueryStringParameters"] = json!(params);
    event["multiValueHeaders"] = json!(multi_headers);
    event["body"] = json!(body);
    if !alb {
        event["headers"] = json!(headers);
        event["queryStringParameters"] = Value::Null;
        event["pathParameters"] = json!(path_parameters.map(|(i, c)| json!({"InstanceId": i, "ContactId": c})));
        event["requestContext"]["httpMethod"] = json!(method);
        event["requestContext"]["path"] = json!(path);
    }
    event
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(CASES)))]

    #[test]
    fn http_api_events_always_get_a_well_formed_envelope(
        method in method(), path in path(), query in query(), headers in headers(), body in body()
    ) {
        let reply = invoke(&http_api_event(&method, &path, &query, &headers, &body));
        assert_well_formed(&reply, method == "HEAD");
        prop_assert!(reply.get("statusCode").is_some(), "an HTTP API event gets an HTTP answer: {}", reply);
    }

    #[test]
    fn rest_and_alb_events_always_get_a_well_formed_envelope(
        alb in any::<bool>(), method in method(), path in path(),
        params in prop::collection::hash_map("[a-zA-Z]{1,14}", prop::collection::vec(any::<String>(), 0..4), 0..4),
        path_parameters in prop::option::of((segment(), segment())),
        headers in headers(), body in body(),
    ) {
        let event = rest_or_alb_event(alb, &method, &path, &params, path_parameters, &headers, &body);
        let reply = invoke(&event);
        assert_well_formed(&reply, method == "HEAD");
        prop_assert!(reply.get("statusCode").is_some(), "{}", reply);
    }

    #[test]
    fn contact_flow_events_always_get_a_flat_map_or_an_envelope(
        instance in prop_oneof![Just(Value::from(format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}"))), json_value()],
        contact in prop_oneof![Just(Value::from("c0ffee00-0000-4000-8000-000000000001")), json_value()],
        parameters in prop::collection::hash_map(
            prop::sample::select(vec!["contactId", "referenceTypes", "responseFormat", "other"]).prop_map(str::to_string),
            prop_oneof![Just(Value::from("JSON")), Just(Value::from("url,attachment")), json_value()], 0..4),
        name in prop_oneof![Just("ContactFlowEvent"), Just("ContactFlowExecution"), Just("Other")],
    ) {
        let mut event = support::flow_event_with(json!(parameters));
        event["Name"] = json!(name);
        let data = &mut event["Details"]["ContactData"];
        data["InstanceARN"] = instance;
        data["ContactId"] = contact.clone();
        data["InitialContactId"] = contact;
        data["CustomerEndpoint"] = Value::Null;
        data["Queue"] = Value::Null;
        let reply = invoke(&event);
        assert_well_formed(&reply, false);
    }

    #[test]
    fn any_json_payload_gets_a_well_formed_answer(payload in json_value()) {
        let reply = invoke(&payload);
        assert_well_formed(&reply, false);
    }
}

#[test]
fn header_and_json_injection_attempts_stay_inside_the_body() {
    let hostile = "a%0D%0ASet-Cookie:%20x=1%22,%22success%22:true";
    let event = http_api_event(
        "GET",
        &format!("/contact/references/{INSTANCE}/{hostile}"),
        "referenceTypes=URL%0D%0AX-Injected:%201",
        &HashMap::new(),
        &None,
    );
    let reply = invoke(&event);
    assert_well_formed(&reply, false);
    let body: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
}

#[test]
fn oversized_inputs_are_refused_with_400_before_calling_connect() {
    let long_id = "c".repeat(100_000);
    // Just over Connect's shape (256 characters): past the request's size guard, so the id check itself
    // must refuse it (a panic or a pass there fails this test).
    let just_over = "c".repeat(257);
    let many_types = vec!["referenceTypes=URL"; 10_000].join("&");
    let huge_body = Some("x".repeat(1_000_000));
    let cases = [
        http_api_event("GET", &format!("/contact/references/{INSTANCE}/{long_id}"), "", &HashMap::new(), &None),
        http_api_event("GET", &format!("/contact/references/{long_id}/c"), "", &HashMap::new(), &None),
        http_api_event("GET", &format!("/contact/references/{INSTANCE}/{just_over}"), "", &HashMap::new(), &None),
        http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/c/{just_over}"), "", &HashMap::new(), &None),
        http_api_event("GET", &format!("/contact/references/{INSTANCE}/c"), &many_types, &HashMap::new(), &None),
        http_api_event(
            "GET",
            &format!("/contact/references/{INSTANCE}/c"),
            &format!("nextToken={long_id}&referenceTypes=URL"),
            &HashMap::new(),
            &None,
        ),
        http_api_event("GET", &format!("/contact/references/{INSTANCE}/c"), "", &HashMap::new(), &huge_body),
    ];
    let own_stand_in = world().runtime.block_on(StandIn::start(Seed::shipped())).unwrap();
    let app = app_recording(&own_stand_in);
    for event in cases {
        let started = std::time::Instant::now();
        let reply = invoke_app(&app, &event);
        assert_eq!(reply["statusCode"], 400, "{}", &reply.to_string()[..200.min(reply.to_string().len())]);
        let body: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
        assert!(body.to_string().len() < 1_000, "the answer stays small");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
    }
    assert!(own_stand_in.requests().is_empty(), "Connect was not called");
}
