//! What the function logs, end to end under the emulator: one structured line per event with the
//! request id, a cold-start flag and the event's metrics (Embedded Metric Format), and never a
//! reference's name, value or ARN, nor a whole event — even at TRACE.

use crate::support;

use std::collections::BTreeSet;

use connect_local::{Fault, Seed};
use serde_json::{json, Value};
use support::*;

/// Every name, value and ARN in the seeded data (long enough not to be an ordinary word).
fn seeded_secrets() -> BTreeSet<String> {
    fn collect(value: &Value, into: &mut BTreeSet<String>) {
        match value {
            Value::String(text) if text.len() >= 6 => {
                into.insert(text.clone());
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, into)),
            Value::Object(map) => map.values().for_each(|v| collect(v, into)),
            _ => {}
        }
    }
    let mut secrets = BTreeSet::new();
    for contacts in Seed::shipped().instances.values() {
        for references in contacts.values() {
            references.iter().for_each(|r| collect(r, &mut secrets));
        }
    }
    secrets.retain(|s| !["APPROVED", "AVAILABLE", "PostContact"].contains(&s.as_str()));
    secrets
}

fn handled_lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "handled")
        .collect()
}

#[test]
fn logs_are_one_json_line_per_event_and_never_hold_customer_data() {
    let emulator =
        Emulator::with(Options { env: vec![("AWS_LAMBDA_LOG_LEVEL".into(), "TRACE".into())], ..Options::default() });
    let mut invocations = 0;
    for name in [
        "http-api-v2.json",
        "rest-api-v1.json",
        "function-url.json",
        "alb.json",
        "bad-unknown-type.json",
        "contact-flow.json",
        "contact-flow-parameters.json",
        "contact-flow-fails.json",
    ] {
        emulator.invoke_raw(&event_file(name));
        invocations += 1;
    }
    for contact in [EVERY_KIND, MANY, DUPLICATES, NEWER_KINDS, "100-contact"] {
        emulator.http(&http_api_event("GET", &references_path(INSTANCE, contact), ""));
        invocations += 1;
    }
    emulator.stand_in.inject(Fault::Garbage, Some(1));
    emulator.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL"));
    invocations += 1;

    let logs = emulator.logs();
    let secrets = seeded_secrets();
    assert!(secrets.len() > 300, "the check covers the seed ({} strings)", secrets.len());
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "the logs contain seeded data {secret:?}:\n{logs}");
    }
    for event_marker in ["ContactData", "rawPath", "multiValueHeaders", "ReferenceSummaryList"] {
        assert!(!logs.contains(event_marker), "the logs contain a whole event or reply ({event_marker})");
    }

    let handled = handled_lines(&logs);
    assert_eq!(handled.len(), invocations, "one line per event:\n{logs}");
    let ids: BTreeSet<&str> = handled.iter().map(|l| l["request_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), invocations, "each line names its own request");
    let cold: Vec<bool> = handled.iter().map(|l| l["cold_start"].as_bool().unwrap()).collect();
    assert!(cold[0] && cold[1..].iter().all(|c| !c), "{cold:?}");
    assert!(handled.iter().all(|l| l["level"] == "INFO" && l["status"].is_u64()));

    // The same line carries the metrics: valid EMF, one cold start, the log fields and metrics agreeing.
    let metric_lines = metric_lines(&logs);
    assert_eq!(metric_lines.len(), invocations, "no metrics on a line of their own at INFO in JSON");
    for line in &handled {
        let values = assert_valid_emf(line);
        assert_eq!(values["ColdStarts"], u64::from(line["cold_start"].as_bool().unwrap()));
        assert_eq!(values["References"], line["references"]);
        assert_eq!(values["Errors"], u64::from(line.get("error_code").is_some()));
        assert_eq!(line["Outcome"], *line.get("error_code").unwrap_or(&"OK".into()));
        assert_eq!(line["EventKind"], line["event"]);
    }
    let cold_starts: u64 = handled.iter().map(|l| l["ColdStarts"].as_u64().unwrap()).sum();
    assert_eq!(cold_starts, 1);
}

/// Every JSON line that carries EMF metrics.
fn metric_lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.get("_aws").is_some())
        .collect()
}

#[test]
fn the_log_level_is_honoured_and_the_metrics_are_written_whatever_it_is() {
    let emulator =
        Emulator::with(Options { env: vec![("AWS_LAMBDA_LOG_LEVEL".into(), "WARN".into())], ..Options::default() });
    emulator.http_file("http-api-v2.json");
    emulator.invoke_raw(&event_file("contact-flow.json"));
    let logs = emulator.logs();
    assert!(handled_lines(&logs).is_empty());
    let metrics = metric_lines(&logs);
    assert_eq!(metrics.len(), 2, "{logs}");
    for line in &metrics {
        assert_valid_emf(line);
        assert!(line.get("request_id").is_none() && line["message"] == "metrics", "metrics only: {line}");
        // Lambda filters JSON lines by `level` (a line without one counts as INFO): WARN survives WARN.
        assert_eq!(line["level"], "WARN");
    }
    assert_eq!([&metrics[0]["EventKind"], &metrics[1]["EventKind"]], ["http", "contact_flow"]);
}

#[test]
fn text_logs_keep_a_readable_line_and_put_the_metrics_on_their_own_json_line() {
    let emulator =
        Emulator::with(Options { env: vec![("AWS_LAMBDA_LOG_FORMAT".into(), "Text".into())], ..Options::default() });
    emulator.http_file("http-api-v2.json");
    let logs = emulator.logs();
    let text: Vec<&str> = logs.lines().filter(|l| l.contains("handled") && !l.starts_with('{')).collect();
    assert_eq!(text.len(), 1, "{logs}");
    assert!(text[0].contains("status=200"), "{}", text[0]);
    let metrics = metric_lines(&logs);
    assert_eq!(metrics.len(), 1, "{logs}");
    assert_eq!(assert_valid_emf(&metrics[0])["ColdStarts"], 1);
}

#[test]
fn the_metrics_namespace_comes_from_the_environment_and_a_bad_one_stops_start_up() {
    let emulator = Emulator::with(Options {
        env: vec![("METRICS_NAMESPACE".into(), "Team/ConnectRefs".into())],
        ..Options::default()
    });
    emulator.http_file("http-api-v2.json");
    let lines = metric_lines(&emulator.logs());
    let namespaces: Vec<&Value> =
        lines[0]["_aws"]["CloudWatchMetrics"].as_array().unwrap().iter().map(|d| &d["Namespace"]).collect();
    assert_eq!(namespaces, ["Team/ConnectRefs", "Team/ConnectRefs"]);

    assert_refuses_to_start("METRICS_NAMESPACE", "AWS/Lambda");
}

#[test]
fn a_malformed_allow_list_stops_start_up() {
    assert_refuses_to_start("ALLOWED_INSTANCE_IDS", "arn:aws:connect:us-east-1:123456789012:queue/q");
}

#[test]
fn an_unknown_entry_point_stops_start_up() {
    assert_refuses_to_start("ENTRY_POINT", "everything");
}

#[test]
fn in_lambda_an_unset_entry_point_stops_start_up_instead_of_serving_every_entry_point() {
    // The emulator, as Lambda, sets AWS_LAMBDA_FUNCTION_NAME; empty is unset.
    assert_refuses_to_start("ENTRY_POINT", "");
}

/// With this setting the function does not serve: the invocation fails at init, and the log says which
/// variable is wrong, in one structured ERROR line.
fn assert_refuses_to_start(variable: &str, value: &str) {
    let refused = Emulator::with(Options { env: vec![(variable.into(), value.into())], ..Options::default() });
    let reply = refused.invoke_raw(&event_file("http-api-v2.json"));
    assert!(!reply.contains("\"statusCode\""), "the function must not serve: {reply}");
    let logs = refused.logs();
    let refusal = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["message"] == "invalid configuration")
        .unwrap_or_else(|| panic!("no configuration error logged:\n{logs}"));
    assert_eq!(refusal["level"], "ERROR");
    assert!(refusal["error"].as_str().unwrap().starts_with(&format!("{variable}: ")), "{refusal}");
    assert!(metric_lines(&logs).is_empty(), "nothing was served");
}

/// What connect-local says in a 500's body.
const STAND_IN_INTERNAL_MESSAGE: &str = "Internal service error";

/// The WARN lines of the failed Connect calls.
fn connect_failures(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "Connect call failed" && line["level"] == "WARN")
        .collect()
}

#[test]
fn a_failed_connect_call_is_logged_at_warn_with_what_an_operator_needs_and_no_message() {
    // Nothing listening: the cause chain names the refused connection.
    let unreachable =
        Emulator::with(Options { endpoint: Some(format!("http://127.0.0.1:{}", free_port())), ..Options::default() });
    unreachable.http_file("http-api-v2.json");
    let failures = connect_failures(&unreachable.logs());
    let failure = failures.first().unwrap_or_else(|| panic!("no WARN line:\n{}", unreachable.logs()));
    assert_eq!(failure["error_code"], "UPSTREAM_ERROR");
    assert_eq!(failure["operation"], "ListContactReferences");
    assert_eq!(failure["sdk_error"], "dispatch failure");
    assert!(failure["causes"].as_str().unwrap().to_lowercase().contains("connection refused"), "{failure}");

    // Connect's own error: its code and request id, never its message.
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Internal, None);
    emulator.http_file("http-api-v2.json");
    let logs = emulator.logs();
    let failure = connect_failures(&logs).into_iter().next().unwrap_or_else(|| panic!("no WARN line:\n{logs}"));
    assert_eq!(failure["sdk_error"], "service error");
    assert_eq!(failure["connect_error_code"], "InternalServiceException");
    assert_eq!(failure["connect_request_id"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(failure["causes"], "");
    assert!(!logs.contains(STAND_IN_INTERNAL_MESSAGE), "Connect's message was logged:\n{logs}");
}

#[test]
fn download_links_are_never_logged() {
    let emulator = Emulator::with(Options {
        env: vec![
            ("AWS_LAMBDA_LOG_LEVEL".into(), "TRACE".into()),
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
        ],
        ..Options::default()
    });
    emulator.stand_in.inject_for_file("SEED-att-second", Fault::Throttle, None);
    let answer = emulator.invoke(&flow_event_with(json!({"contactId": ATTACHMENTS, "referenceTypes": "ATTACHMENT",
        "include": "downloadUrl", "responseFormat": "JSON"})));
    let links: Vec<&str> =
        answer["data"]["references"].as_object().unwrap().values().filter_map(|r| r["downloadUrl"].as_str()).collect();
    assert!(!links.is_empty(), "{answer}");
    let logs = emulator.logs();
    assert!(!connect_failures(&logs).is_empty(), "the throttled file was logged at WARN:\n{logs}");
    for link in links {
        let signature = link.split("X-Amz-Signature=").nth(1).unwrap();
        assert!(!logs.contains(link) && !logs.contains(signature), "a download link was logged:\n{logs}");
    }
    assert!(!logs.contains("X-Amz-Signature"), "{logs}");
}

fn audit_lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "attachment link")
        .collect()
}

#[test]
fn every_link_made_leaves_an_audit_line_with_the_caller_even_at_error_level_and_never_the_url() {
    // LogLevel ERROR: the handled lines are dropped, the audit lines are not (they carry the level).
    let emulator = Emulator::with(Options {
        env: vec![
            ("AWS_LAMBDA_LOG_LEVEL".into(), "ERROR".into()),
            ("AWS_LAMBDA_LOG_FORMAT".into(), "JSON".into()),
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
        ],
        ..Options::default()
    });
    let mut event =
        http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved"), "");
    event["headers"]["accept"] = "text/html".into();
    let click = emulator.http(&event);
    assert_eq!(click.status, 302, "{}", click.raw);
    let logs = emulator.logs();
    let lines = audit_lines(&logs);
    assert_eq!(lines.len(), 1, "one for the click:\n{logs}");
    let clicked = &lines[0];
    assert_eq!(clicked["level"], "ERROR", "labelled with the configured level, so Lambda keeps it");
    assert_eq!(
        clicked["caller"],
        json!({"type": "iam", "principal_arn": "arn:aws:iam::123456789012:user/contact-centre-engineer"}),
        "the IAM principal, in fields of its own"
    );
    assert_eq!(clicked["api_request_id"], event["requestContext"]["requestId"], "joins API Gateway's access log");
    assert_eq!(
        (clicked["instance_id"].as_str(), clicked["contact_id"].as_str(), clicked["file_id"].as_str()),
        (Some(INSTANCE), Some(ATTACHMENTS), Some("SEED-att-approved"))
    );
    assert_eq!(clicked["outcome"], "OK");
    assert!(clicked["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    let location = click.header("location").unwrap();
    assert!(!logs.contains(&location) && !logs.contains("X-Amz-Signature"), "a link was logged:\n{logs}");
}

#[test]
fn a_contact_flows_links_are_audited_with_the_flows_identity_in_both_answer_formats() {
    // Issue 22: links made for a flow leave the same audit line as a click, the flow (its instance and
    // contact) as the caller; one per GetAttachedFile (approved, second, gone), never the URL.
    let flow = event("contact-flow.json");
    let data = &flow["Details"]["ContactData"];
    let flow_caller =
        json!({"type": "contact-flow", "instance_arn": data["InstanceARN"], "contact_id": data["ContactId"]});
    for format in ["JSON", "STRING_MAP"] {
        let emulator = Emulator::with(Options {
            env: vec![
                ("AWS_LAMBDA_LOG_LEVEL".into(), "ERROR".into()),
                ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ],
            ..Options::default()
        });
        let answer = emulator
            .invoke(&flow_event_with(json!({"contactId": ATTACHMENTS, "referenceTypes": "ATTACHMENT",
            "include": "downloadUrl", "responseFormat": format})));
        assert!(answer["success"] == true || answer["success"] == "true", "{format}: {answer}");
        let logs = emulator.logs();
        let lines = audit_lines(&logs);
        let files: BTreeSet<&str> = lines.iter().map(|l| l["file_id"].as_str().unwrap()).collect();
        assert_eq!(
            files,
            BTreeSet::from(["SEED-att-approved", "SEED-att-gone", "SEED-att-second"]),
            "{format}:\n{logs}"
        );
        assert_eq!(lines.len(), emulator.stand_in.requests().iter().filter(|r| r.attached_file().is_some()).count());
        for line in &lines {
            assert_eq!(line["caller"], flow_caller, "{format}");
            assert!(line.get("api_request_id").is_none(), "a flow has no API Gateway request");
            assert_eq!(line["level"], "ERROR");
            assert_eq!(
                (line["instance_id"].as_str(), line["contact_id"].as_str()),
                (Some(INSTANCE), Some(ATTACHMENTS))
            );
            assert!(line["request_id"].as_str().is_some_and(|id| !id.is_empty()));
        }
        let outcomes: BTreeSet<&str> = lines.iter().map(|l| l["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, BTreeSet::from(["NOT_FOUND", "OK"]), "{format}");
        assert!(!logs.contains("X-Amz-Signature") && !logs.contains("/_files/"), "a link was logged:\n{logs}");
    }
}

#[test]
fn the_connection_is_warmed_at_init_against_the_stand_in_and_the_switch_turns_it_off() {
    // The stand-in answers the unsigned GET / with an error status, as Connect would; the function
    // serves normally after it. CONNECT_CONNECTION_WARMUP=false skips it.
    for (switch, warmed) in [(None, true), (Some("false"), false)] {
        let mut env = vec![("AWS_LAMBDA_LOG_LEVEL".to_owned(), "DEBUG".to_owned())];
        env.extend(switch.map(|value| ("CONNECT_CONNECTION_WARMUP".to_owned(), value.to_owned())));
        let emulator = Emulator::with(Options { env, ..Options::default() });
        assert_eq!(emulator.http_file("http-api-v2.json").status, 200);
        let logs = emulator.logs();
        let line = logs.lines().find(|line| line.contains("connection warm-up"));
        assert_eq!(line.is_some(), warmed, "{switch:?}:\n{logs}");
        if let Some(line) = line {
            assert!(line.contains("Answered(404)"), "{line}");
        }
        let operations: Vec<&str> = emulator.stand_in.requests().iter().map(|r| r.name()).collect();
        assert_eq!(operations, ["ListContactReferences"], "the warm-up is no Connect operation");
    }
}
