//! The metrics each event emits (CloudWatch Embedded Metric Format), through the whole entry point in
//! this process with the real SDK against the stand-in: a valid EMF document for a success, for every
//! error kind and for flow answers, with the right values. `tests/it/logs.rs` checks the same lines end to
//! end (on stdout, merged with the log line, cold starts, log levels).

use crate::support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_local::{Fault, Seed, StandIn};
use connect_references::app::App;
use connect_references::domain::access::AllowedInstances;
use connect_references::inbound::http::codes_and_statuses;
use connect_references::telemetry::logging::{EventLog, Output};
use connect_references::telemetry::metrics::{EventKind, Namespace};
use lambda_runtime::Context;
use serde_json::{json, Map, Value};
use support::*;

struct World {
    stand_in: StandIn,
    app: App,
}

async fn world(allowed: AllowedInstances) -> World {
    let stand_in = StandIn::start(Seed::shipped()).await.unwrap();
    let app = app_calling(&stand_in, allowed)
        .with_event_log(EventLog::new(Namespace::default(), Output::Memory(Default::default())));
    World { stand_in, app }
}

impl World {
    /// Invokes with `event` and a deadline `budget` from now; returns the reply and the metric values
    /// of the one line the event wrote, checked against the EMF specification.
    async fn invoke(&self, event: &Value, budget: Duration) -> (Value, Map<String, Value>, Value) {
        let mut context = Context::default();
        context.request_id = "req-metrics".into();
        context.invoked_function_arn = EMULATED_FUNCTION_ARN.into();
        context.deadline = (SystemTime::now() + budget).duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        let reply = invoke_in_process(&self.app, event, context).await;
        let lines: Vec<String> =
            self.app.event_log.take_lines().into_iter().filter(|line| !line.contains(r#""audit":"#)).collect();
        assert_eq!(lines.len(), 1, "one line per event, besides audit lines: {lines:?}");
        let line: Value = serde_json::from_str(&lines[0]).unwrap();
        let values = assert_valid_emf(&line);
        (reply, values, line)
    }
}

const BUDGET: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_successful_http_request_counts_one_request_its_connect_call_latency_and_references() {
    let world = world(AllowedInstances::any()).await;
    let (reply, values, line) = world.invoke(&event("http-api-v2.json"), BUDGET).await;
    let body: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    let returned = body["data"]["references"].as_array().unwrap().len();
    assert!(returned > 0);
    assert_eq!((line["EventKind"].as_str(), line["Outcome"].as_str()), (Some("http"), Some("OK")));
    assert_eq!(values["Requests"], 1);
    assert_eq!(values["Errors"], 0);
    assert_eq!(values["ConnectCalls"], json!(world.stand_in.requests().len()));
    assert_eq!(values["ConnectCalls"], 1);
    assert!(values["ConnectLatency"].as_f64().unwrap() > 0.0);
    assert_eq!(values["References"], json!(returned));
    assert_eq!(values["TruncatedFlowAnswers"], 0);
}

#[tokio::test]
async fn every_error_kind_is_counted_under_its_code() {
    let world = world(AllowedInstances::any()).await;
    let contact = |contact: &str, query: &str| http_api_event("GET", &references_path(INSTANCE, contact), query);
    let mut seen = Vec::new();
    let cases: Vec<(&str, Option<Fault>, Value, u64)> = vec![
        ("VALIDATION_ERROR", None, event("bad-unknown-type.json"), 0),
        ("NOT_FOUND", None, contact("missing", "referenceTypes=URL"), 1),
        ("NOT_FOUND", None, event("bad-route.json"), 0),
        ("METHOD_NOT_ALLOWED", None, event("bad-method.json"), 0),
        // Retries count as calls: the SDK makes three attempts.
        ("THROTTLED", Some(Fault::Throttle), contact(EVERY_KIND, "referenceTypes=URL"), 3),
        ("UPSTREAM_ERROR", Some(Fault::Garbage), contact(EVERY_KIND, "referenceTypes=URL"), 1),
        // An error Connect's model does not list, with a 5xx: retried like any 5xx, then Connect's failure.
        ("UPSTREAM_ERROR", Some(Fault::Unavailable), contact(EVERY_KIND, "referenceTypes=URL"), 3),
        ("INTERNAL_ERROR", Some(Fault::UnrecognizedClient), contact(EVERY_KIND, "referenceTypes=URL"), 1),
        // Connect refusing the role: the deployment's fault, counted for the operator's alarm.
        ("INTERNAL_ERROR", Some(Fault::AccessDenied), contact(EVERY_KIND, "referenceTypes=URL"), 1),
    ];
    for (code, fault, event, calls) in cases {
        world.stand_in.clear_faults();
        let denied_to_the_role = fault == Some(Fault::AccessDenied);
        if let Some(fault) = fault {
            world.stand_in.inject(fault, None);
        }
        let before = world.stand_in.requests().len();
        let (reply, values, line) = world.invoke(&event, BUDGET).await;
        assert_eq!(reply["statusCode"], status_of(code), "{code}: {reply}");
        assert_eq!(line["Outcome"], code);
        assert_eq!(line["EventKind"], "http");
        assert_eq!((&values["Requests"], &values["Errors"]), (&json!(1), &json!(1)), "{code}");
        assert_eq!(values["ConnectCalls"], calls, "{code}");
        assert_eq!(values["ConnectCalls"], json!(world.stand_in.requests().len() - before), "{code}");
        assert_eq!(values.contains_key("ConnectLatency"), calls > 0, "{code}");
        assert_eq!(values["References"], 0);
        let denied = u64::from(denied_to_the_role);
        assert_eq!(values["ConnectAccessDenied"], denied, "{code}");
        seen.push(code);
    }
    world.stand_in.clear_faults();

    // A slow Connect and a near deadline: the function gives up itself and says how long it waited.
    world.stand_in.inject(Fault::Slow { millis: 3_000 }, None);
    let (_, values, line) = world.invoke(&contact(EVERY_KIND, "referenceTypes=URL"), Duration::from_secs(1)).await;
    world.stand_in.clear_faults();
    assert_eq!(line["Outcome"], "UPSTREAM_TIMEOUT");
    let waited = values["ConnectLatency"].as_f64().unwrap();
    assert!((500.0..1_000.0).contains(&waited), "waited {waited} ms for a 0.7 s budget");
    seen.push("UPSTREAM_TIMEOUT");

    // Refused by the allow-list: no call, so no latency.
    let refusing = self::world(AllowedInstances::from_setting(Some(OTHER_INSTANCE)).unwrap()).await;
    let (_, values, line) = refusing.invoke(&event("http-api-v2.json"), BUDGET).await;
    assert_eq!((line["Outcome"].as_str(), values["ConnectCalls"].as_u64()), (Some("ACCESS_DENIED"), Some(0)));
    assert_eq!(values["ConnectAccessDenied"], 0, "the allow-list refused the caller, not Connect the role");
    assert!(refusing.stand_in.requests().is_empty());
    seen.push("ACCESS_DENIED");

    // The download route: a file that is not ready yet, and one that will never open.
    let mut opening = self::world(AllowedInstances::any()).await;
    opening.app = opening.app.with_features(connect_references::domain::config::Features {
        attachment_downloads: true,
        ..Default::default()
    });
    for (file, code) in [("SEED-att-processing", "FILE_NOT_READY"), ("SEED-att-rejected", "FILE_UNAVAILABLE")] {
        let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/{file}");
        let (reply, values, line) = opening.invoke(&http_api_event("GET", &path, ""), BUDGET).await;
        assert_eq!(reply["statusCode"], status_of(code), "{code}: {reply}");
        assert_eq!(line["Outcome"], code);
        assert_eq!(values["ConnectCalls"], 1, "{code}");
        seen.push(code);
    }

    // The recordings routes: not configured, then a deleted recording and one in someone else's bucket.
    let recorded = "c0ffee00-0000-4000-8000-00000000000c";
    let list = format!("/contact/recordings/{INSTANCE}/{recorded}");
    let (reply, values, line) = opening.invoke(&http_api_event("GET", &list, ""), BUDGET).await;
    assert_eq!(reply["statusCode"], status_of("RECORDINGS_NOT_CONFIGURED"), "{reply}");
    assert_eq!(
        (line["Outcome"].as_str(), values["ConnectCalls"].as_u64()),
        (Some("RECORDINGS_NOT_CONFIGURED"), Some(0))
    );
    seen.push("RECORDINGS_NOT_CONFIGURED");
    let store = connect_references::domain::recording::RecordingStore::from_settings(
        Some("connect-recordings-local"),
        Some("connect/local-instance/"),
    )
    .unwrap()
    .unwrap();
    let credentials = aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::Credentials::new("AKIDTEST", "secret", None, None, "metrics"),
    );
    let signer = connect_references::outbound::s3_presign::S3Presigner::new(credentials, "us-east-1", None);
    opening.app = opening
        .app
        .with_recordings(Some(connect_references::app::Recordings { store, signer: std::sync::Arc::new(signer) }));
    let (reply, values, _) = opening.invoke(&http_api_event("GET", &list, ""), BUDGET).await;
    let listed: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    assert_eq!((values["References"].as_u64(), values["ConnectCalls"].as_u64()), (Some(11), Some(1)));
    for (index, code) in [(2, "RECORDING_DELETED"), (7, "RECORDING_OUT_OF_SCOPE")] {
        let id = listed["data"]["recordings"][index]["recordingId"].as_str().unwrap();
        let (reply, values, line) = opening.invoke(&http_api_event("GET", &format!("{list}/{id}"), ""), BUDGET).await;
        assert_eq!(reply["statusCode"], status_of(code), "{code}: {reply}");
        assert_eq!((line["Outcome"].as_str(), values["ConnectCalls"].as_u64()), (Some(code), Some(1)));
        seen.push(code);
    }

    for (code, _) in codes_and_statuses() {
        assert!(seen.contains(&code), "{code} was not exercised");
    }
}

#[tokio::test]
async fn flow_answers_are_counted_as_contact_flow_events_and_truncation_is_counted() {
    let world = world(AllowedInstances::any()).await;
    let (reply, values, line) = world.invoke(&event("contact-flow.json"), BUDGET).await;
    assert_eq!(reply["success"], "true");
    assert_eq!((line["EventKind"].as_str(), line["Outcome"].as_str()), (Some("contact_flow"), Some("OK")));
    let count: u64 = reply["count"].as_str().unwrap().parse().unwrap();
    assert_eq!((values["References"].as_u64(), values["TruncatedFlowAnswers"].as_u64()), (Some(count), Some(0)));
    assert_eq!(values["ConnectCalls"], 2, "all types: two batches of at most six");

    // More than 32 KB: the flow gets fewer references than Connect returned, and a truncation is counted.
    let (reply, values, _) = world.invoke(&flow_event_with(json!({"contactId": MANY})), BUDGET).await;
    assert_eq!(reply["truncated"], "true");
    assert_eq!(values["TruncatedFlowAnswers"], 1);
    let kept: u64 = reply["count"].as_str().unwrap().parse().unwrap();
    assert!(values["References"].as_u64().unwrap() > kept, "References counts what Connect returned");

    let (reply, values, line) = world.invoke(&event("contact-flow-fails.json"), BUDGET).await;
    assert_eq!(reply["success"], "false");
    assert_eq!(line["EventKind"], "contact_flow");
    assert_eq!(line["Outcome"], reply["errorCode"]);
    assert_eq!(values["Errors"], 1);

    let (_, values, line) = world.invoke(&flow_event_with(json!({"responseFormat": "JSON"})), BUDGET).await;
    assert_eq!((line["Outcome"].as_str(), values["Errors"].as_u64()), (Some("OK"), Some(0)));
}

#[tokio::test]
async fn stray_events_are_counted_as_unrecognised() {
    let world = world(AllowedInstances::any()).await;
    let (_, values, line) = world.invoke(&json!([1, 2]), BUDGET).await;
    assert_eq!(line["EventKind"], EventKind::Unrecognised.name());
    assert_eq!(line["Outcome"], "VALIDATION_ERROR");
    assert_eq!((values["Errors"].as_u64(), values["ConnectCalls"].as_u64()), (Some(1), Some(0)));
}

#[test]
fn the_expected_dimension_values_are_the_code_tables() {
    let expected = expected_metrics();
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(expected["dimensionValues"]["EventKind"], json!(kinds));
    let mut outcomes: Vec<&str> = codes_and_statuses().map(|(code, _)| code).chain(["OK"]).collect();
    let mut listed: Vec<&str> =
        expected["dimensionValues"]["Outcome"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    outcomes.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, outcomes);
    let names: Vec<Value> = connect_references::telemetry::metrics::METRICS
        .iter()
        .map(|m| json!({"Name": m.name, "Unit": m.unit}))
        .collect();
    assert_eq!(expected["directives"][0]["Metrics"], json!(names));
}

#[tokio::test]
async fn attachments_without_a_link_and_files_refused_to_the_role_reach_the_metrics() {
    let mut world = world(AllowedInstances::any()).await;
    world.app = world.app.with_features(connect_references::domain::config::Features {
        attachment_downloads: true,
        ..Default::default()
    });
    world.stand_in.inject_for_file("SEED-att-second", Fault::AccessDenied, None);
    let event = flow_event_with(json!({"contactId": ATTACHMENTS, "referenceTypes": "ATTACHMENT",
        "include": "downloadUrl", "responseFormat": "JSON"}));
    let (body, values, line) = world.invoke(&event, BUDGET).await;
    assert_eq!(line["Outcome"], "OK", "{body}");
    let without_link = body["data"]["references"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r.get("downloadUrlError").is_some())
        .count();
    assert!(without_link >= 2, "{body}");
    assert_eq!(values["DownloadUrlErrors"], json!(without_link));
    assert_eq!(values["ConnectAccessDenied"], 1, "one GetAttachedFile refused to the role");
}

#[tokio::test]
async fn a_resolved_transfer_counts_both_connect_calls() {
    let mut world = world(AllowedInstances::any()).await;
    world.app = world.app.with_features(connect_references::domain::config::Features {
        resolve_transferred_contacts: true,
        ..Default::default()
    });
    let event = http_api_event("GET", &references_path(INSTANCE, TRANSFERRED), "referenceTypes=URL&contact=initial");
    let (reply, values, _) = world.invoke(&event, BUDGET).await;
    assert_eq!(reply["statusCode"], 200, "{reply}");
    let operations: Vec<&str> = world.stand_in.requests().iter().map(|r| r.name()).collect();
    assert_eq!(operations, ["DescribeContact", "ListContactReferences"]);
    assert_eq!(values["ConnectCalls"], 2);
}
