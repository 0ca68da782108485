//! The threat model's claims that the binary itself keeps (docs/security.md): each entry point refuses
//! the others' events, the list route never hands out a link, and ids are strict. Always on the real
//! binary under the emulator, with the stand-in recording every call it receives.

use crate::support;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use support::*;

fn function(entry_point: &str) -> Emulator {
    Emulator::with(Options {
        env: vec![
            ("ENTRY_POINT".into(), entry_point.into()),
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("RESOLVE_TRANSFERRED_CONTACTS".into(), "true".into()),
        ],
        ..Options::default()
    })
}

fn list_event(query: &str) -> Value {
    http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), query)
}

fn download_event() -> Value {
    let mut event =
        http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved"), "");
    event["headers"]["accept"] = "application/json".into();
    event
}

fn links_flow() -> Value {
    flow_event_with(json!({"contactId": ATTACHMENTS, "referenceTypes": "ATTACHMENT", "include": "downloadUrl"}))
}

fn calls(function: &Emulator) -> Vec<&'static str> {
    function.stand_in.requests().iter().map(|r| r.name()).collect()
}

#[test]
fn the_list_function_serves_only_the_list_route_and_never_opens_a_file() {
    let list = function("list");
    let listed = list.http(&list_event("referenceTypes=ATTACHMENT"));
    assert_eq!(listed.status, 200, "{}", listed.raw);
    let references = listed.body["data"]["references"].as_array().unwrap();
    assert!(references.iter().any(|r| r["downloadPath"].is_string()), "paths, at no call");
    let with_links = list.http(&list_event("referenceTypes=ATTACHMENT&include=downloadUrl"));
    assert!(assert_http_failure(&with_links, 400, "VALIDATION_ERROR").contains("downloadPath"));
    let download = list.http(&download_event());
    assert!(assert_http_failure(&download, 404, "NOT_FOUND").contains("does not serve the download route"));
    let mut head = download_event();
    head["requestContext"]["http"]["method"] = "HEAD".into();
    assert_eq!(list.http(&head).status, 404, "a HEAD of the download route too");
    let flow = list.invoke(&links_flow());
    assert_eq!((flow["success"].as_str(), flow["errorCode"].as_str()), (Some("false"), Some("VALIDATION_ERROR")));
    assert!(flow["errorMessage"].as_str().unwrap().contains("does not serve contact flows"), "{flow}");
    assert_eq!(calls(&list), ["ListContactReferences"], "one listing; nothing for the refused events");
    assert!(!list.logs().contains("attachment link"), "no GetAttachedFile, so no audit line");
}

#[test]
fn the_download_function_serves_only_the_download_route() {
    let download = function("download");
    let opened = download.http(&download_event());
    assert_eq!(opened.status, 200, "{}", opened.raw);
    assert!(opened.body["data"]["url"].is_string(), "{}", opened.body);
    let listed = download.http(&list_event("referenceTypes=URL"));
    assert!(assert_http_failure(&listed, 404, "NOT_FOUND").contains("does not serve the list route"));
    let flow = download.invoke(&links_flow());
    assert_eq!(flow["errorCode"], "VALIDATION_ERROR", "{flow}");
    assert_eq!(calls(&download), ["GetAttachedFile"]);
}

#[test]
fn the_flow_function_serves_only_contact_flows() {
    let flows = function("contact-flow");
    let answer = flows.invoke(&links_flow());
    assert_eq!(answer["success"], "true", "{answer}");
    assert!(answer["url_approved_pdf"].is_string(), "flows keep include=downloadUrl: {answer}");
    let before = flows.stand_in.requests().len();
    assert_http_failure(&flows.http(&list_event("referenceTypes=URL")), 404, "NOT_FOUND");
    assert_http_failure(&flows.http(&download_event()), 404, "NOT_FOUND");
    assert_eq!(flows.stand_in.requests().len(), before, "the refused HTTP events called nothing");
}

/// A REST API (payload 1.0) event whose path parameters hold these ids, percent-encoded as a client
/// sends them: REST APIs keep the encoding, so an id can carry `/`, `:` or any character.
fn rest_event(instance: &str, contact: &str) -> Value {
    let encode = |id: &str| utf8_percent_encode(id, NON_ALPHANUMERIC).to_string();
    let mut event = event("rest-api-v1.json");
    let (instance, contact) = (encode(instance), encode(contact));
    event["path"] = format!("/contact/references/{instance}/{contact}").into();
    event["pathParameters"] = json!({"InstanceId": instance, "ContactId": contact});
    event
}

#[test]
fn loose_arns_and_invisible_characters_are_refused_with_400_before_any_call() {
    let function = function("all");
    let arn =
        |partition: &str, region: &str| format!("arn:{partition}:connect:{region}:123456789012:instance/{INSTANCE}");
    let cases = [
        ("a partition holding a path", arn("aws/GET/contact/references/x", "us-east-1"), EVERY_KIND.to_owned()),
        ("a region holding a slash", arn("aws", "us-east-1/x"), EVERY_KIND.to_owned()),
        ("a contact id with a bidi override", INSTANCE.to_owned(), format!("{EVERY_KIND}\u{202e}fdp.exe")),
        ("an instance id with a zero-width space", format!("{INSTANCE}\u{200b}"), EVERY_KIND.to_owned()),
    ];
    for (case, instance, contact) in &cases {
        let reply = function.http(&rest_event(instance, contact));
        let message = assert_http_failure(&reply, 400, "VALIDATION_ERROR");
        assert!(message.contains("InstanceId") || message.contains("ContactId"), "{case}: {message}");
    }
    // The same through a flow's event and a flow's parameter, and the download route's file id.
    let mut flow = event("contact-flow.json");
    flow["Details"]["ContactData"]["InstanceARN"] = arn("aws/GET/contact/references/x", "us-east-1").into();
    assert_eq!(function.invoke(&flow)["errorCode"], "VALIDATION_ERROR");
    let invisible = function.invoke(&flow_event_with(json!({"contactId": format!("{EVERY_KIND}\u{2066}")})));
    assert!(invisible["errorMessage"].as_str().unwrap().contains("not an Amazon Connect id"), "{invisible}");
    // A flow's own ids, whether or not its parameters name the contact: checked by shape, never logged raw.
    for field in ["ContactId", "InitialContactId"] {
        for bad in ["..", "c\u{2800}", "caf\u{e9}", &"c".repeat(300)] {
            let mut flow = flow_event_with(json!({"contactId": EVERY_KIND}));
            flow["Details"]["ContactData"][field] = bad.into();
            let refused = function.invoke(&flow);
            assert_eq!(refused["errorCode"], "VALIDATION_ERROR", "{field} {bad:?}: {refused}");
        }
    }
    // File ids: invisible characters of any category, non-ASCII, `.` and `..`, never reach Connect's path.
    for file_id in
        ["SEED-att-approved\u{200b}", "SEED-att-approved\u{2800}", "SEED-att-\u{3164}", ".", "..", "caf\u{e9}"]
    {
        let mut click = http_api_event("GET", &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/x"), "");
        click["pathParameters"] = json!({"InstanceId": INSTANCE, "ContactId": ATTACHMENTS, "FileId": file_id});
        let refused = function.http(&click);
        assert!(assert_http_failure(&refused, 400, "VALIDATION_ERROR").contains("FileId"), "{file_id:?}");
    }
    assert!(function.stand_in.requests().is_empty(), "every case refused before calling Connect");
    // And a well-formed ARN of another partition's shape is still read.
    let good = function.http(&rest_event(&arn("aws", "us-east-1"), EVERY_KIND));
    assert_eq!(good.status, 200, "{}", good.raw);
}
