//! The contact-flow contract, on the same harness as the HTTP one (tests/it/http_end_to_end.rs): in this
//! process, or on `CONNECT_REFERENCES_BINARY` under the emulator.

use crate::support;

use serde_json::{json, Value};
use support::*;

/// The answer to `contact-flow.json` (every kind of the initial contact, as a flat map), as recorded.
fn every_kind_map() -> Value {
    expected_answer("contact-flow.json")
}

#[test]
fn a_full_event_lists_the_initial_contacts_references_as_a_string_map() {
    let function = Function::start();
    let reply = function.invoke(&event("contact-flow.json"));
    assert_eq!(reply, every_kind_map());
    let seen = function.stand_in().requests();
    assert!(seen.iter().all(|r| r.contact_id() == Some(EVERY_KIND) && r.instance_id() == INSTANCE));
}

#[test]
fn events_without_queue_or_with_null_endpoints_and_empty_parameters_work() {
    let function = Function::start();
    assert_eq!(function.invoke(&event("contact-flow-without-queue.json")), every_kind_map());
    assert_eq!(function.invoke(&event("contact-flow-minimal.json")), every_kind_map());
}

#[test]
fn the_current_contact_is_used_when_there_is_no_initial_one() {
    let function = Function::start();
    let mut event = event("contact-flow-minimal.json");
    let data = event["Details"]["ContactData"].as_object_mut().unwrap();
    data.remove("InitialContactId");
    data.insert("ContactId".into(), json!(DUPLICATES));
    let reply = function.invoke(&event);
    assert_eq!(reply["success"], "true");
    assert_eq!(function.stand_in().requests()[0].contact_id(), Some(DUPLICATES));
}

#[test]
fn parameters_choose_contact_types_and_the_json_envelope() {
    let function = Function::start();
    assert_eq!(function.answer_to("contact-flow-parameters.json"), expected_answer("contact-flow-parameters.json"));
    assert_eq!(function.stand_in().requests()[0].listing().unwrap().reference_types, ["URL", "STRING"]);
}

#[test]
fn when_two_references_share_a_name_the_first_wins() {
    let function = Function::start();
    let reply = function.invoke(&flow_event_with(json!({"contactId": DUPLICATES, "referenceTypes": "URL,STRING"})));
    assert_eq!(
        reply,
        json!({"success": "true", "count": "2", "ref_case": "https://first.example.com/SEED-1", "ref_tier": "SEED-gold"})
    );
}

#[test]
fn a_failure_is_returned_as_success_false_not_raised() {
    let function = Function::start();
    assert_eq!(function.answer_to("contact-flow-fails.json"), expected_answer("contact-flow-fails.json"));
    let reply = function.invoke(&flow_event_with(json!({"referenceTypes": "PHOTO"})));
    assert_eq!(reply["success"], "false");
    assert_eq!(reply["errorCode"], "VALIDATION_ERROR");
    assert!(reply["errorMessage"].as_str().unwrap().contains("\"PHOTO\""));
    let reply = function.invoke(&flow_event_with(json!({"responseFormat": "XML"})));
    assert_eq!(reply["errorCode"], "VALIDATION_ERROR");
    assert_eq!(function.invoke(&event("contact-flow.json"))["success"], "true");
}

#[test]
fn a_json_flow_failure_is_the_http_failure_envelope() {
    let function = Function::start();
    let reply = function.invoke(&flow_event_with(json!({"contactId": "missing", "responseFormat": "JSON"})));
    assert_eq!(reply["success"], false);
    assert_eq!(reply["error"]["code"], "NOT_FOUND");
    assert!(reply["error"]["requestId"].is_string());
}

#[test]
fn references_beyond_32_kb_are_dropped_from_the_end_and_marked_truncated() {
    let function = Function::start();
    let raw = function.invoke_raw(&flow_event_with(json!({"contactId": MANY})).to_string());
    assert!(raw.len() < 32 * 1024, "the reply is {} bytes", raw.len());
    assert!(raw.len() > 31 * 1024, "the reply is {} bytes: too much was dropped", raw.len());
    let reply: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(reply["truncated"], "true");
    let count: usize = reply["count"].as_str().unwrap().parse().unwrap();
    assert!(count > 100 && count < 300, "{count}");
    let object = reply.as_object().unwrap();
    assert_eq!(object.len(), count + 3);
    assert!(object.values().all(Value::is_string));
    for kept in 0..count {
        assert!(object.contains_key(&format!("ref_link{kept:03}")), "link{kept:03} is missing");
    }
}

#[test]
fn the_allow_list_applies_to_flows_without_calling_connect() {
    let function = Function::with(Options {
        env: vec![("ALLOWED_INSTANCE_IDS".into(), OTHER_INSTANCE.into())],
        ..Options::default()
    });
    let reply = function.invoke(&event("contact-flow.json"));
    assert_eq!(reply["success"], "false");
    assert_eq!(reply["errorCode"], "ACCESS_DENIED");
    assert!(function.stand_in().requests().is_empty());
}

#[test]
fn other_direct_invocations_get_a_validation_envelope_and_the_function_keeps_serving() {
    let function = Function::start();
    for payload in [json!({"Details": {}}), json!([1, 2]), json!("text"), json!(null), json!({"httpMethod": "GET"})] {
        let reply = function.invoke(&payload);
        assert_eq!(reply["success"], false, "{payload}: {reply}");
        assert_eq!(reply["error"]["code"], "VALIDATION_ERROR");
        assert!(reply["error"]["message"].as_str().unwrap().contains("Details.ContactData"));
    }
    assert_eq!(function.invoke(&event("contact-flow.json")), every_kind_map());
}
