//! The HTTP contract: in this process through the whole entry point (`handler::service`), or, with
//! `CONNECT_REFERENCES_BINARY` set (scripts/test-arm64), on that binary under the Lambda Runtime Interface
//! Emulator; either way the real SDK signs real requests to the local Connect stand-in. The smoke tests
//! that need a real process (every sample event, a crash-prone request, serving after failures) always
//! run the binary under the emulator.

use crate::support;

use connect_local::{Seed, TransferredListing};
use serde_json::{json, Value};
use support::*;

fn success(contact: &str, references: Value) -> Value {
    json!({"success": true, "data": {"instanceId": INSTANCE, "contactId": contact,
           "references": references, "nextToken": null}})
}

fn assert_json_headers(reply: &HttpReply) {
    assert_eq!(reply.header("content-type").as_deref(), Some("application/json"), "{:?}", reply.raw);
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
}

fn assert_error(reply: &HttpReply, status: u16, code: &str) {
    assert_http_failure(reply, status, code);
}

/// Asserts the whole answer to `events/<name>`: status, headers and body, as `tests/expected/<name>` records it.
fn assert_expected_answer(function: &impl Invoke, name: &str) {
    assert_eq!(function.answer_to(name), expected_answer(name), "{name}");
}

#[test]
fn http_api_event_returns_the_requested_references_in_the_envelope() {
    // As sam local runs it (downloads enabled: the attachment carries its downloadPath).
    let function = Function::with(Options { env: sam_local_env(), ..Options::default() });
    assert_expected_answer(&function, "http-api-v2.json");
    let seen = function.stand_in().requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].listing().unwrap().reference_types, ["URL", "ATTACHMENT"]);
    assert!(seen[0].signed, "the SDK signs with SigV4 for the connect service");
}

#[test]
fn rest_event_with_an_encoded_instance_arn_calls_connect_with_the_bare_id() {
    let function = Function::with(Options { env: sam_local_env(), ..Options::default() });
    assert_expected_answer(&function, "rest-api-v1.json");
    let seen = function.stand_in().requests();
    assert_eq!(seen[0].instance_id(), INSTANCE);
    assert_eq!(seen[0].listing().unwrap().reference_types, ["URL", "ATTACHMENT", "CONTACT_ANALYSIS"]);
}

#[test]
fn function_url_event_decodes_the_path_before_the_id_is_checked() {
    let function = Function::start();
    assert_expected_answer(&function, "function-url.json");
    assert_eq!(function.stand_in().requests()[0].contact_id(), Some("100-contact"));
}

#[test]
fn alb_event_is_answered_in_alb_shape_with_comma_joined_types() {
    let function = Function::start();
    assert_expected_answer(&function, "alb.json");
    assert_eq!(function.stand_in().requests()[0].listing().unwrap().reference_types, ["URL", "STRING"]);
}

#[test]
fn omitted_types_fetch_every_kind_in_two_batches_and_list_them_in_sdk_order() {
    let function = Function::start();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), ""));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let types: Vec<&str> =
        reply.body["data"]["references"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "ATTACHMENT",
            "CONTACT_ANALYSIS",
            "DATE",
            "EMAIL",
            "EMAIL_MESSAGE",
            "EMAIL_MESSAGE_PLAIN_TEXT",
            "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
            "EMAIL_MESSAGE_REDACTED",
            "NUMBER",
            "STRING",
            "URL"
        ]
    );
    let email = &reply.body["data"]["references"][4];
    assert_eq!(
        *email,
        json!({"type": "EMAIL_MESSAGE", "name": "inboundEmail", "arn": format!("{}/email/SEED-msg-1", instance_arn())})
    );
    let mut batch_sizes: Vec<usize> =
        function.stand_in().requests().iter().map(|r| r.listing().unwrap().reference_types.len()).collect();
    batch_sizes.sort();
    assert_eq!(batch_sizes, [5, 6]);
}

#[test]
fn references_follow_the_callers_type_order_and_unknown_kinds_come_last() {
    let function = Function::start();
    let query = "referenceTypes=date&referenceTypes=URL,attachment,date";
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), query));
    let types: Vec<&str> =
        reply.body["data"]["references"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["DATE", "URL", "ATTACHMENT"]);

    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, NEWER_KINDS), "referenceTypes=URL"));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body["data"]["references"],
        json!([{"type": "URL", "name": "caseUrl", "value": "https://crm.example.com/case/SEED-9"}, {"type": "UNKNOWN"}])
    );
}

#[test]
fn a_contact_without_references_is_an_empty_list() {
    let function = Function::start();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EMPTY), "referenceTypes=URL"));
    assert_eq!(reply.body, success(EMPTY, json!([])));
}

#[test]
fn next_token_is_passed_to_connect() {
    let function = Function::start();
    let query = "referenceTypes=URL&nextToken=page%2B2%3D%3D";
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), query));
    assert_eq!(reply.status, 200);
    assert_eq!(function.stand_in().requests()[0].listing().unwrap().next_token.as_deref(), Some("page+2=="));
}

#[test]
fn bad_input_is_a_400_naming_the_problem_and_connect_is_not_called() {
    let function = Function::start();
    assert_expected_answer(&function, "bad-unknown-type.json");

    let long_contact = "c".repeat(257);
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, &long_contact), ""));
    assert_error(&reply, 400, "VALIDATION_ERROR");
    let reply = function.http(&http_api_event("GET", &references_path("arn:aws:connect:bad", EVERY_KIND), ""));
    assert_error(&reply, 400, "VALIDATION_ERROR");
    assert!(function.stand_in().requests().is_empty());
}

#[test]
fn other_methods_get_405_with_allow() {
    let function = Function::start();
    assert_expected_answer(&function, "bad-method.json");
    assert!(function.stand_in().requests().is_empty());
}

#[test]
fn head_answers_headers_without_a_body() {
    let function = Function::start();
    let reply = function.http(&http_api_event("HEAD", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL"));
    assert_eq!(reply.status, 200);
    assert_json_headers(&reply);
    assert_eq!(reply.body, Value::Null);
}

#[test]
fn an_unknown_route_is_404() {
    let function = Function::start();
    assert_expected_answer(&function, "bad-route.json");
}

#[test]
fn an_unknown_contact_is_404_from_connect() {
    let function = Function::start();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, "no-such-contact"), ""));
    assert_error(&reply, 404, "NOT_FOUND");
}

#[test]
fn instances_outside_the_allow_list_are_refused_without_calling_connect() {
    let function =
        Function::with(Options { env: vec![("ALLOWED_INSTANCE_IDS".into(), instance_arn())], ..Options::default() });
    let reply = function.http(&http_api_event("GET", &references_path(OTHER_INSTANCE, EVERY_KIND), ""));
    assert_error(&reply, 403, "ACCESS_DENIED");
    assert!(function.stand_in().requests().is_empty());
    let allowed = function.http_file("http-api-v2.json");
    assert_eq!(allowed.status, 200);
}

#[test]
fn a_query_string_that_is_not_a_valid_uri_is_a_400_not_a_crash() {
    // In a real process: with `panic = "abort"` this crashed the shipped binary (see Cargo.toml).
    let function = Emulator::start();
    let reply = function.http(&http_api_event(
        "GET",
        &references_path(INSTANCE, EVERY_KIND),
        "referenceTypes=URL ATTACHMENT\"<>",
    ));
    assert_error(&reply, 400, "VALIDATION_ERROR");
    assert_eq!(function.http_file("http-api-v2.json").status, 200);
}

#[test]
fn the_runtime_keeps_serving_after_every_kind_of_failure() {
    let function = Emulator::start();
    for name in ["bad-unknown-type.json", "bad-method.json", "bad-route.json"] {
        assert!(function.http_file(name).status >= 400);
        assert_eq!(function.http_file("http-api-v2.json").status, 200, "after {name}");
    }
    let reply = function.invoke(&json!({"hello": "world"}));
    assert_eq!(reply["success"], false);
    assert_eq!(reply["error"]["code"], "VALIDATION_ERROR");
    assert!(reply["error"]["message"].as_str().unwrap().contains("contact-flow event"));
    assert_eq!(function.http_file("http-api-v2.json").status, 200);
}

#[test]
fn every_sample_event_gets_its_expected_answer_with_the_sam_local_environment() {
    // The binary under the emulator, as sam local runs it: the smoke test of the whole contract.
    let function = Emulator::with(Options { env: sam_local_env(), ..Options::default() });
    let names = file_names("events");
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        assert_expected_answer(&function, name);
    }
    assert_eq!(
        file_names("tests/expected"),
        names,
        "every event has one expected answer, and every expected answer an event"
    );
}

#[test]
fn a_caller_cannot_forge_the_guards_marker() {
    let function = Function::start();
    let mut event: Value = serde_json::from_str(&event_file("http-api-v2.json")).unwrap();
    event["headers"]["x-connect-references-unconvertible"] = "1".into();
    let reply = function.http(&event);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn resolving_transfers() -> Function {
    Function::with(Options { env: vec![("RESOLVE_TRANSFERRED_CONTACTS".into(), "true".into())], ..Options::default() })
}

fn operations(function: &Function) -> Vec<(&'static str, String)> {
    function
        .stand_in()
        .requests()
        .into_iter()
        .map(|r| (r.name(), r.contact_id().unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn contact_initial_lists_a_transferred_contacts_references_from_its_initial_contact() {
    let function = resolving_transfers();
    for transferred in [TRANSFERRED, TRANSFERRED_TWICE] {
        let reply = function.http(&http_api_event(
            "GET",
            &references_path(INSTANCE, transferred),
            "referenceTypes=URL&contact=initial",
        ));
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["data"]["contactId"], transferred, "the id the caller asked about");
        assert_eq!(reply.body["data"]["initialContactId"], EVERY_KIND);
        let direct =
            function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL"));
        assert_eq!(reply.body["data"]["references"], direct.body["data"]["references"]);
    }
    assert_eq!(
        operations(&function),
        [
            ("DescribeContact", TRANSFERRED.to_owned()),
            ("ListContactReferences", EVERY_KIND.to_owned()),
            ("ListContactReferences", EVERY_KIND.to_owned()),
            ("DescribeContact", TRANSFERRED_TWICE.to_owned()),
            ("ListContactReferences", EVERY_KIND.to_owned()),
            ("ListContactReferences", EVERY_KIND.to_owned()),
        ]
    );
}

/// Connect does not document what ListContactReferences answers for a transferred contact's own id:
/// with `contact=initial` the answer is the initial contact's references either way; without it, a
/// 404 (with the hint) or an empty list, as Connect answers.
#[test]
fn a_transferred_contact_is_answered_right_whether_connect_lists_its_own_id_as_404_or_empty() {
    for (listing, status_without_option) in [(TransferredListing::NotFound, 404), (TransferredListing::Empty, 200)] {
        let function = Function::with(Options {
            env: vec![("RESOLVE_TRANSFERRED_CONTACTS".into(), "true".into())],
            seed: Seed { transferred_contact_listing: listing, ..Seed::shipped() },
            ..Options::default()
        });
        let path = references_path(INSTANCE, TRANSFERRED);
        let resolved = function.http(&http_api_event("GET", &path, "referenceTypes=URL&contact=initial"));
        assert_eq!(resolved.status, 200, "{listing:?}: {}", resolved.body);
        let direct =
            function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL"));
        assert_eq!(resolved.body["data"]["references"], direct.body["data"]["references"], "{listing:?}");
        assert!(!direct.body["data"]["references"].as_array().unwrap().is_empty());
        let as_given = function.http(&http_api_event("GET", &path, "referenceTypes=URL"));
        assert_eq!(as_given.status, status_without_option, "{listing:?}: {}", as_given.body);
        match listing {
            TransferredListing::NotFound => {
                let message = assert_http_failure(&as_given, 404, "NOT_FOUND");
                assert!(message.ends_with("for a transferred contact, ask with contact=initial"), "{message}");
            }
            TransferredListing::Empty => assert_eq!(as_given.body["data"]["references"], json!([])),
        }
    }
}

#[test]
fn a_contact_that_was_not_transferred_is_its_own_initial_contact() {
    let function = resolving_transfers();
    let reply = function.http(&http_api_event(
        "GET",
        &references_path(INSTANCE, EVERY_KIND),
        "referenceTypes=URL&contact=Initial",
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["data"]["initialContactId"], EVERY_KIND);
}

#[test]
fn an_unknown_contact_with_contact_initial_is_404_from_describe_contact() {
    let function = resolving_transfers();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, "no-such-contact"), "contact=initial"));
    let message = assert_http_failure(&reply, 404, "NOT_FOUND");
    assert_eq!(message, "Amazon Connect has no such contact in that instance");
    assert_eq!(operations(&function), [("DescribeContact", "no-such-contact".to_owned())]);
}

#[test]
fn without_the_option_nothing_changes_and_a_missing_contact_hints_at_it() {
    let function = resolving_transfers();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL"));
    assert!(reply.body["data"].get("initialContactId").is_none(), "{}", reply.body);
    let missing = function.http(&http_api_event("GET", &references_path(INSTANCE, TRANSFERRED), "referenceTypes=URL"));
    let message = assert_http_failure(&missing, 404, "NOT_FOUND");
    assert!(message.ends_with("; for a transferred contact, ask with contact=initial"), "{message}");
    assert!(operations(&function).iter().all(|(operation, _)| *operation == "ListContactReferences"));
}

#[test]
fn a_deployment_that_does_not_resolve_transfers_refuses_the_option_with_a_400_and_calls_nothing() {
    let function = Function::start();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, TRANSFERRED), "contact=initial"));
    let message = assert_http_failure(&reply, 400, "VALIDATION_ERROR");
    assert!(message.contains("ResolveTransferredContacts=true"), "{message}");
    assert!(function.stand_in().requests().is_empty());
    // And no hint at an option it would refuse.
    let missing = function.http(&http_api_event("GET", &references_path(INSTANCE, TRANSFERRED), "referenceTypes=URL"));
    assert_eq!(assert_http_failure(&missing, 404, "NOT_FOUND"), "Amazon Connect has no such contact in that instance");
}

#[test]
fn an_unknown_contact_scope_is_a_400_naming_it() {
    let function = resolving_transfers();
    let reply = function.http(&http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "contact=previous"));
    let message = assert_http_failure(&reply, 400, "VALIDATION_ERROR");
    assert!(message.contains("\"previous\"") && message.contains("contact=initial"), "{message}");
}
