//! The adapters, the gates, the audit line and the metrics through the whole entry point
//! (`handler::service`: lambda_http's adapter, the guard, the handler), with Connect in memory: no SDK,
//! no stand-in, no network, in milliseconds. `App` is generic over the use case's `ConnectApi` port, here
//! the library's `InMemoryConnect` (the one the use case's unit tests use, behind the `test-support`
//! feature); the suites under the emulator prove the same against the real SDK and the stand-in.

use crate::support;

use std::collections::HashMap;

use connect_references::app::App;
use connect_references::domain::access::AllowedInstances;
use connect_references::domain::config::{EntryPoint, EntryPoints, Features};
use connect_references::domain::error::ErrorKind;
use connect_references::domain::recording::{Recording, RecordingStore};
use connect_references::domain::reference::{Reference, ReferenceStatus, ReferenceType};
use connect_references::telemetry::logging::{EventLog, Output};
use connect_references::telemetry::metrics::Namespace;
use connect_references::use_case::in_memory::{InMemoryConnect, InMemorySigner};
use connect_references::use_case::AttachedFile;
use lambda_runtime::Context;
use serde_json::{json, Value};
use support::*;

const RECORDED: &str = "c0ffee00-0000-4000-8000-00000000000c";

/// A good recording and one in someone else's bucket, for contact [`RECORDED`].
fn recorded() -> InMemoryConnect {
    let recording = |location: &str| Recording {
        storage_type: Some("S3".into()),
        location: Some(location.into()),
        media_stream_type: Some("AUDIO".into()),
        status: Some("AVAILABLE".into()),
        ..Recording::default()
    };
    InMemoryConnect {
        recordings: HashMap::from([(
            RECORDED.to_owned(),
            vec![recording("recordings-bucket/connect/i/a.wav"), recording("someone-elses-bucket/connect/i/a.wav")],
        )]),
        ..seeded()
    }
}

fn recordings_app(connect: InMemoryConnect, configured: bool) -> App<InMemoryConnect> {
    let store = RecordingStore::from_settings(Some("recordings-bucket"), Some("connect/i")).unwrap().unwrap();
    let recordings = configured
        .then(|| connect_references::app::Recordings { store, signer: std::sync::Arc::new(InMemorySigner::default()) });
    app(connect, EntryPoints::only(EntryPoint::Recordings)).with_recordings(recordings)
}

fn seeded() -> InMemoryConnect {
    let file = |id: &str| Reference {
        reference_type: Some(ReferenceType::Attachment),
        name: Some(format!("{id}.pdf")),
        value: Some("https://files.example.com/x".into()),
        status: Some(ReferenceStatus::Approved),
        arn: Some(format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/file/{id}")),
        ..Reference::default()
    };
    let url = Reference {
        reference_type: Some(ReferenceType::Url),
        name: Some("caseUrl".into()),
        value: Some("https://crm.example.com/case/1".into()),
        ..Reference::default()
    };
    InMemoryConnect {
        references: HashMap::from([(ATTACHMENTS.to_owned(), vec![url, file("f-1")])]),
        files: HashMap::from([(
            "f-1".to_owned(),
            Ok(AttachedFile { download_url: Some("https://s3.example.com/f-1?sig".into()), ..AttachedFile::default() }),
        )]),
        ..InMemoryConnect::default()
    }
}

fn app(connect: InMemoryConnect, entry_points: EntryPoints) -> App<InMemoryConnect> {
    App::new(connect, AllowedInstances::any())
        .with_entry_points(entry_points)
        .with_features(Features { attachment_downloads: true, ..Features::default() })
        .with_event_log(EventLog::new(Namespace::default(), Output::Memory(Default::default())))
}

/// One event through the whole entry point; the answer and the lines it wrote.
fn invoke(app: &App<InMemoryConnect>, event: &Value) -> (Value, Vec<Value>) {
    let mut context = Context::default();
    context.request_id = "req-in-memory".into();
    context.invoked_function_arn = EMULATED_FUNCTION_ARN.into();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let answer = runtime.block_on(invoke_in_process(app, event, context));
    let lines = app.event_log.take_lines().iter().map(|line| serde_json::from_str(line).unwrap()).collect();
    (answer, lines)
}

fn body(answer: &Value) -> Value {
    serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
}

#[test]
fn the_list_route_answers_from_connect_with_paths_and_counts_one_call() {
    let app = app(seeded(), EntryPoints::only(EntryPoint::List));
    let event = http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), "referenceTypes=URL,ATTACHMENT");
    let (answer, lines) = invoke(&app, &event);
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let references = body(&answer)["data"]["references"].clone();
    assert_eq!(references[0]["name"], "caseUrl");
    assert_eq!(references[1]["downloadPath"], format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/f-1"));
    assert!(references[1].get("downloadUrl").is_none(), "the list route never links");
    assert_eq!(app.connect_api.calls(), [format!("ListContactReferences {ATTACHMENTS} URL,ATTACHMENT None")]);
    let metrics = assert_valid_emf(&lines[0]);
    assert_eq!((metrics["ConnectCalls"].clone(), metrics["References"].clone()), (json!(1), json!(2)));
}

#[test]
fn a_connect_failure_is_its_status_and_its_outcome_in_the_metrics() {
    let failing = InMemoryConnect { failing: Some(ErrorKind::Throttled), ..seeded() };
    let app = app(failing, EntryPoints::all());
    let (answer, lines) = invoke(&app, &http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), ""));
    assert_eq!(answer["statusCode"], 429, "{answer}");
    assert_eq!(answer["headers"]["retry-after"], "1");
    assert_eq!(lines[0]["Outcome"], "THROTTLED");
    assert_valid_emf(&lines[0]);
}

#[test]
fn a_flows_link_and_a_click_each_leave_one_audit_line_written_by_the_app() {
    let app = app(seeded(), EntryPoints::all());
    let flow =
        flow_event_with(json!({"contactId": ATTACHMENTS, "include": "downloadUrl", "referenceTypes": "ATTACHMENT"}));
    let (answer, lines) = invoke(&app, &flow);
    assert_eq!(answer["url_f_1_pdf"], "https://s3.example.com/f-1?sig", "{answer}");
    let audit: Vec<&Value> = lines.iter().filter(|line| line["message"] == "attachment link").collect();
    assert_eq!(audit.len(), 1, "{lines:?}");
    assert_eq!(audit[0]["caller"]["type"], "contact-flow", "{}", audit[0]);
    assert!(audit[0]["caller"]["instance_arn"].as_str().unwrap().starts_with("arn:aws:connect:"), "{}", audit[0]);
    let mut click = http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/f-1"), "");
    click["headers"]["accept"] = "application/json".into();
    let (answer, lines) = invoke(&app, &click);
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let audit: Vec<&Value> = lines.iter().filter(|line| line["message"] == "attachment link").collect();
    assert_eq!(
        audit[0]["caller"],
        json!({"type": "iam", "principal_arn": "arn:aws:iam::123456789012:user/contact-centre-engineer"})
    );
    assert_eq!(audit[0]["api_request_id"], click["requestContext"]["requestId"], "joins API Gateway's access log");
    assert!(!lines.iter().any(|line| line.to_string().contains("?sig")), "no link in any line");
}

/// A click on the download route by a JWT caller, asking for the link as JSON.
fn click_by(sub: &str, client_id: &str) -> Value {
    let mut click = http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/f-1"), "");
    click["headers"]["accept"] = "application/json".into();
    click["requestContext"]["authorizer"] =
        json!({"jwt": {"claims": {"sub": sub, "client_id": client_id}, "scopes": []}});
    click
}

#[test]
fn the_audit_line_names_a_jwt_caller_in_separate_fields_that_a_claim_cannot_forge() {
    let app = app(seeded(), EntryPoints::all());
    let (answer, lines) = invoke(&app, &click_by("alice client_id=admin-console", "agent-panel"));
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let audit = lines.iter().find(|line| line["message"] == "attachment link").expect("an audit line");
    assert_eq!(
        audit["caller"],
        json!({"type": "jwt", "sub": "alice client_id=admin-console", "client_id": "agent-panel"})
    );
}

#[test]
fn a_caller_over_its_share_is_throttled_while_another_callers_click_is_served() {
    // The environment's default rate (2 a second, a burst of 5); each caller's share: 1 a second, a burst of 5.
    let app = app(seeded(), EntryPoints::all());
    let statuses = |sub: &str, clicks: usize| -> Vec<u64> {
        (0..clicks).map(|_| invoke(&app, &click_by(sub, "panel")).0["statusCode"].as_u64().unwrap()).collect()
    };
    let alice = statuses("alice", 6);
    assert_eq!(alice[..5], [200; 5], "alice's burst");
    assert_eq!(alice[5], 429, "alice's sixth click at once is over her share");
    assert_eq!(statuses("bob", 1), [200], "bob's click is served: alice's refused click spent nothing of the rate");
    let calls = app.connect_api.calls();
    assert_eq!(calls.len(), 6, "the throttled click never reached Connect: {calls:?}");
}

#[test]
fn a_function_serving_one_entry_point_refuses_the_others_before_any_call() {
    for (only, refused) in [
        (EntryPoint::List, flow_event_with(json!({}))),
        (EntryPoint::ContactFlow, http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), "")),
        (EntryPoint::Download, http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), "")),
        (EntryPoint::List, http_api_event("GET", &format!("/contact/recordings/{INSTANCE}/{RECORDED}"), "")),
        (
            EntryPoint::Download,
            http_api_event("GET", &format!("/contact/recordings/{INSTANCE}/{RECORDED}/{}", "a".repeat(32)), ""),
        ),
        (EntryPoint::ContactFlow, http_api_event("GET", &format!("/contact/recordings/{INSTANCE}/{RECORDED}"), "")),
        (EntryPoint::Recordings, http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), "")),
        (
            EntryPoint::Recordings,
            http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/f-1"), ""),
        ),
        (EntryPoint::Recordings, flow_event_with(json!({}))),
    ] {
        let app = app(seeded(), EntryPoints::only(only));
        let (answer, _) = invoke(&app, &refused);
        let refusal = answer["statusCode"].as_u64().map_or_else(|| answer["errorCode"].clone(), |s| json!(s));
        assert!(refusal == json!(404) || refusal == "VALIDATION_ERROR", "{only:?}: {answer}");
        assert!(app.connect_api.calls().is_empty(), "{only:?}");
    }
}

#[test]
fn the_recordings_function_lists_opens_and_audits_each_link_naming_the_caller_never_the_link() {
    let app = recordings_app(recorded(), true);
    let (answer, lines) =
        invoke(&app, &http_api_event("GET", &format!("/contact/recordings/{INSTANCE}/{RECORDED}"), ""));
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let listed = body(&answer)["data"]["recordings"].as_array().unwrap().clone();
    let paths: Vec<Option<&str>> = listed.iter().map(|r| r["downloadPath"].as_str()).collect();
    assert!(paths[0].is_some() && paths[1].is_none(), "{listed:?}");
    assert!(!answer.to_string().contains("bucket"), "never the S3 location: {answer}");
    assert_eq!(assert_valid_emf(&lines[0])["References"], json!(2));
    let mut open = http_api_event("GET", paths[0].unwrap(), "disposition=inline");
    open["headers"].as_object_mut().unwrap().remove("accept");
    let (opened, lines) = invoke(&app, &open);
    assert_eq!(opened["statusCode"], 302, "{opened}");
    assert_eq!(opened["headers"]["location"], "https://s3.example/recordings-bucket/connect/i/a.wav?sig");
    let audit: Vec<&Value> = lines.iter().filter(|line| line["message"] == "recording link").collect();
    assert_eq!(audit.len(), 1, "{lines:?}");
    assert_eq!(
        audit[0]["caller"],
        json!({"type": "iam", "principal_arn": "arn:aws:iam::123456789012:user/contact-centre-engineer"})
    );
    assert_eq!((audit[0]["outcome"].as_str(), audit[0]["audit"].as_str()), (Some("OK"), Some("RecordingLink")));
    assert_eq!(audit[0]["recording_id"], listed[0]["recordingId"]);
    assert!(!lines.iter().any(|line| line.to_string().contains("?sig") || line.to_string().contains(".wav")));
    let foreign = format!("/contact/recordings/{INSTANCE}/{RECORDED}/{}", listed[1]["recordingId"].as_str().unwrap());
    let (refused, lines) = invoke(&app, &http_api_event("GET", &foreign, ""));
    assert_eq!(refused["statusCode"], 403, "{refused}");
    assert_eq!(body(&refused)["error"]["code"], "RECORDING_OUT_OF_SCOPE");
    let audit: Vec<&Value> = lines.iter().filter(|line| line["message"] == "recording link").collect();
    assert_eq!(audit[0]["outcome"], "RECORDING_OUT_OF_SCOPE", "a refused link is audited too");
}

#[test]
fn without_a_recordings_bucket_the_recordings_routes_say_so_before_any_call() {
    let app = recordings_app(recorded(), false);
    for path in [
        format!("/contact/recordings/{INSTANCE}/{RECORDED}"),
        format!("/contact/recordings/{INSTANCE}/{RECORDED}/{}", "a".repeat(32)),
    ] {
        for method in ["GET", "HEAD"] {
            let (answer, _) = invoke(&app, &http_api_event(method, &path, ""));
            assert_eq!(answer["statusCode"], 501, "{method} {path}: {answer}");
            if method == "GET" {
                assert_eq!(body(&answer)["error"]["code"], "RECORDINGS_NOT_CONFIGURED");
            }
        }
    }
    assert!(app.connect_api.calls().is_empty());
}

#[test]
fn email_messages_of_this_instance_carry_a_download_path_like_attachments() {
    let message = |kind, id: &str| Reference {
        reference_type: Some(kind),
        name: Some(id.into()),
        arn: Some(format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/file/{id}")),
        ..Reference::default()
    };
    let elsewhere = Reference {
        arn: Some(format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/email/m-1")),
        ..message(ReferenceType::EmailMessage, "old")
    };
    let connect = InMemoryConnect {
        references: HashMap::from([(
            ATTACHMENTS.to_owned(),
            vec![
                message(ReferenceType::EmailMessage, "m-html"),
                message(ReferenceType::EmailMessagePlainTextRedacted, "m-plain"),
                elsewhere,
            ],
        )]),
        ..InMemoryConnect::default()
    };
    let app = app(connect, EntryPoints::only(EntryPoint::List));
    let event = http_api_event(
        "GET",
        &references_path(INSTANCE, ATTACHMENTS),
        "referenceTypes=EMAIL_MESSAGE,EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
    );
    let (answer, _) = invoke(&app, &event);
    let paths: Vec<Value> =
        body(&answer)["data"]["references"].as_array().unwrap().iter().map(|r| r["downloadPath"].clone()).collect();
    assert_eq!(
        paths,
        [
            json!(format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/m-html")),
            json!(null),
            json!(format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/m-plain")),
        ],
        "grouped by the requested type; an ARN that names no attached file gets no path"
    );
}
