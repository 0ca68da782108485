//! What the function logs, end to end under the emulator: one structured line per event with the
//! request id and a cold-start flag, and never a reference's name, value or ARN, nor a whole event —
//! even at TRACE.

mod support;

use std::collections::BTreeSet;

use connect_local::{Fault, Seed};
use serde_json::Value;
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
    for contact in [EVERY_KIND, MANY, DUPLICATES, NEWER_KINDS, "100%25-contact"] {
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
}

#[test]
fn the_log_level_is_honoured() {
    let emulator =
        Emulator::with(Options { env: vec![("AWS_LAMBDA_LOG_LEVEL".into(), "WARN".into())], ..Options::default() });
    emulator.http_file("http-api-v2.json");
    assert!(handled_lines(&emulator.logs()).is_empty());
}
