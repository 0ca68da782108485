//! Attachments on the contract harness (in this process, or on `CONNECT_REFERENCES_BINARY` under the
//! emulator): links inside a contact flow's answer (`include=downloadUrl`, flows only), the list
//! route's `downloadPath` and its refusal of `include`, and the download route. The stand-in answers
//! `GetAttachedFile` and serves the links it hands out.

use crate::support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use connect_local::recorder::GetAttachedFile;
use connect_local::{AttachedFile, Fault, Seed};
use serde_json::{json, Value};
use support::*;

/// A function that opens files, at a rate no test here reaches (Connect's own 2/s would make each test
/// wait for its turn in real time): the rate has its own tests, which set it
/// (`clicks_beyond_the_deployments_rate_are_throttled_without_calling_connect`, and the use case's on a
/// paused clock).
fn opening_attachments() -> Function {
    Function::with(Options {
        env: vec![
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("ATTACHED_FILE_RATE".into(), "100".into()),
            ("ATTACHED_FILE_BURST".into(), "100".into()),
        ],
        ..Options::default()
    })
}

fn attachments(function: &Function, query: &str) -> HttpReply {
    function.http(&http_api_event("GET", &references_path(INSTANCE, ATTACHMENTS), query))
}

/// A contact flow listing the seeded attachments' contact with these parameters, answered as JSON.
fn flow_links(function: &Function, parameters: Value) -> Value {
    let mut parameters = parameters;
    parameters["contactId"] = ATTACHMENTS.into();
    parameters["responseFormat"] = "JSON".into();
    function.invoke(&flow_event_with(parameters))
}

/// Each ATTACHMENT reference of a flow's JSON answer (keyed by flow key), by name.
fn flow_by_name(answer: &Value) -> BTreeMap<String, Value> {
    let references = answer["data"]["references"].as_object().unwrap_or_else(|| panic!("not a listing: {answer}"));
    references
        .values()
        .filter(|r| r["type"] == "ATTACHMENT")
        .map(|r| (r["name"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

/// The message of a flow's JSON failure envelope with this code.
fn flow_failure(answer: &Value, code: &str) -> String {
    assert_eq!(answer["success"], false, "{answer}");
    assert_eq!(answer["error"]["code"], code, "{answer}");
    answer["error"]["message"].as_str().unwrap().to_owned()
}

/// Each ATTACHMENT reference by name.
fn by_name(reply: &HttpReply) -> BTreeMap<String, Value> {
    reply.body["data"]["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "ATTACHMENT")
        .map(|r| (r["name"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

fn get_attached_file_calls(function: &Function) -> Vec<GetAttachedFile> {
    function.stand_in().requests().iter().filter_map(|r| r.attached_file().cloned()).collect()
}

#[test]
fn approved_files_get_a_link_that_opens_and_every_other_attachment_says_why_not() {
    let function = opening_attachments();
    let answer = flow_links(&function, json!({"referenceTypes": "ATTACHMENT,URL", "include": "downloadUrl"}));
    assert_eq!(answer["success"], true, "{answer}");
    let found = flow_by_name(&answer);
    for (name, size) in [("approved.pdf", 1024), ("second.pdf", 2048)] {
        let reference = &found[name];
        let url = reference["downloadUrl"].as_str().unwrap_or_else(|| panic!("{name}: {reference}"));
        assert_eq!(reference["fileName"], name);
        assert_eq!(reference["fileSizeInBytes"], size);
        assert!(reference["downloadUrlExpiresAt"].as_str().unwrap().ends_with('Z'));
        assert!(reference.get("downloadUrlError").is_none());
        assert_eq!(reference["status"], "APPROVED", "the reference keeps its fields");
        // The stand-in's fake pre-signed URL answers with the file.
        let body = ureq::get(url).call().unwrap().body_mut().read_to_string().unwrap();
        assert_eq!(body, format!("connect-local: the content of {name}\n"));
    }
    let errors: BTreeMap<&str, &str> =
        found.iter().filter_map(|(name, r)| r["downloadUrlError"].as_str().map(|code| (name.as_str(), code))).collect();
    assert_eq!(
        errors,
        BTreeMap::from([
            ("drafting.txt", "NOT_FOUND"),
            ("elsewhere.pdf", "VALIDATION_ERROR"),
            ("failed.doc", "NOT_FOUND"),
            ("gone.pdf", "NOT_FOUND"),
            ("not-a-file.pdf", "VALIDATION_ERROR"),
            ("processing.png", "NOT_FOUND"),
            ("rejected.exe", "NOT_FOUND"),
        ])
    );
    assert!(found.values().all(|r| r.get("downloadUrl").is_none() || r.get("downloadUrlError").is_none()));
    let urls = answer["data"]["references"].as_object().unwrap().values().filter(|r| r["type"] == "URL");
    assert!(urls.clone().count() > 0 && urls.clone().all(|r| r.get("downloadUrlError").is_none()));
    // Only APPROVED files of this instance are asked for: approved, second and gone (unknown to Connect).
    let mut asked: Vec<String> = get_attached_file_calls(&function).into_iter().map(|call| call.file_id).collect();
    asked.sort();
    assert_eq!(asked, ["SEED-att-approved", "SEED-att-gone", "SEED-att-second"]);
}

#[test]
fn the_expiry_and_the_contact_arn_go_to_connect_and_the_bounds_are_5_to_300() {
    let function = opening_attachments();
    for (expiry, sent) in [(None, "60"), (Some("5"), "5"), (Some("300"), "300")] {
        let mut parameters = json!({"referenceTypes": "ATTACHMENT", "include": "downloadUrl"});
        if let Some(expiry) = expiry {
            parameters["urlExpiry"] = expiry.into();
        }
        let answer = flow_links(&function, parameters);
        assert_eq!(answer["success"], true, "{answer}");
        let calls = get_attached_file_calls(&function);
        let call = calls.last().unwrap();
        assert_eq!(call.url_expiry_in_seconds.as_deref(), Some(sent));
        // The instance id in the path is bare: partition, region and account come from the function's ARN.
        assert_eq!(
            call.associated_resource_arn,
            Some(format!("arn:aws:connect:us-east-1:012345678912:instance/{INSTANCE}/contact/{ATTACHMENTS}"))
        );
    }
    let before = function.stand_in().requests().len();
    for bad in ["4", "301", "sixty", " "] {
        let answer = flow_links(&function, json!({"include": "downloadUrl", "urlExpiry": bad}));
        assert!(flow_failure(&answer, "VALIDATION_ERROR").starts_with("urlExpiry"), "{bad}: {answer}");
    }
    let answer = flow_links(&function, json!({"urlExpiry": "60"}));
    assert_eq!(flow_failure(&answer, "VALIDATION_ERROR"), "urlExpiry needs include=downloadUrl");
    let answer = flow_links(&function, json!({"include": "downloadUrl,thumbnails"}));
    assert!(flow_failure(&answer, "VALIDATION_ERROR").contains("\"thumbnails\""));
    assert_eq!(function.stand_in().requests().len(), before, "refused before calling Connect");
}

#[test]
fn the_list_route_refuses_include_and_url_expiry_and_never_calls_get_attached_file() {
    // Issue 22: a caller allowed only to list must never receive a pre-signed URL, whatever it asks.
    let function = opening_attachments();
    for query in [
        "referenceTypes=ATTACHMENT&include=downloadUrl",
        "include=downloadUrl&urlExpiry=300",
        "urlExpiry=60",
        "include=anything",
        "referenceTypes=ATTACHMENT&include=",
    ] {
        for method in ["GET", "HEAD"] {
            let reply = function.http(&http_api_event(method, &references_path(INSTANCE, ATTACHMENTS), query));
            assert_eq!(reply.status, 400, "{method} {query}: {}", reply.raw);
            if method == "GET" {
                let message = assert_http_failure(&reply, 400, "VALIDATION_ERROR");
                assert!(message.contains("downloadPath") && message.contains("/contact/attachments/"), "{message}");
                assert!(!reply.raw.to_string().contains("/_files/"), "no link in any answer");
            }
        }
    }
    assert!(function.stand_in().requests().is_empty(), "refused before calling Connect");
    // Without include, the list answers paths, never links, and makes no GetAttachedFile.
    let reply = attachments(&function, "referenceTypes=ATTACHMENT");
    assert_eq!(reply.status, 200);
    assert!(by_name(&reply).values().all(|r| r.get("downloadUrl").is_none()));
    assert!(get_attached_file_calls(&function).is_empty());
}

#[test]
fn without_include_not_one_extra_call_is_made() {
    let function = opening_attachments();
    let reply = attachments(&function, "referenceTypes=ATTACHMENT");
    assert_eq!(reply.status, 200);
    let operations: Vec<&str> = function.stand_in().requests().iter().map(|r| r.name()).collect();
    assert_eq!(operations, ["ListContactReferences"]);
    assert!(by_name(&reply).values().all(|r| r.get("downloadUrl").is_none() && r.get("downloadUrlError").is_none()));
}

#[test]
fn a_throttled_file_gets_its_code_and_the_others_their_links() {
    let function = opening_attachments();
    function.stand_in().inject_for_file("SEED-att-second", Fault::Throttle, None);
    let answer = flow_links(&function, json!({"referenceTypes": "ATTACHMENT", "include": "downloadUrl"}));
    assert_eq!(answer["success"], true, "the answer as a whole succeeds: {answer}");
    let found = flow_by_name(&answer);
    assert_eq!(found["second.pdf"]["downloadUrlError"], "THROTTLED");
    assert!(found["approved.pdf"]["downloadUrl"].is_string());
    let second_calls =
        get_attached_file_calls(&function).iter().filter(|call| call.file_id == "SEED-att-second").count();
    assert_eq!(second_calls, 3, "the SDK's three attempts");
}

#[test]
fn connect_refusing_or_failing_a_file_is_a_per_reference_code() {
    for (fault, code) in [
        (Fault::AccessDenied, "INTERNAL_ERROR"),
        (Fault::Internal, "UPSTREAM_ERROR"),
        (Fault::Garbage, "UPSTREAM_ERROR"),
    ] {
        let function = opening_attachments();
        function.stand_in().inject_for_file("SEED-att-approved", fault.clone(), None);
        let answer = flow_links(&function, json!({"referenceTypes": "ATTACHMENT", "include": "downloadUrl"}));
        assert_eq!(answer["success"], true, "{fault:?}: {answer}");
        let found = flow_by_name(&answer);
        assert_eq!(found["approved.pdf"]["downloadUrlError"], code, "{fault:?}");
        assert!(found["second.pdf"]["downloadUrl"].is_string(), "{fault:?}");
    }
}

#[test]
fn a_deployment_that_makes_no_flow_links_refuses_include_and_calls_nothing() {
    let function = Function::start();
    let answer = flow_links(&function, json!({"include": "downloadUrl"}));
    let message = flow_failure(&answer, "VALIDATION_ERROR");
    assert!(message.contains("FlowAttachmentLinks=true"), "{message}");
    assert!(function.stand_in().requests().is_empty());
}

#[test]
fn flows_get_links_keyed_by_flow_key_in_json_and_as_url_entries_in_the_flat_map() {
    let function = opening_attachments();
    let json = function.invoke(&flow_event_with(
        json!({"contactId": ATTACHMENTS, "referenceTypes": "ATTACHMENT", "include": "downloadUrl", "urlExpiry": "30", "responseFormat": "JSON"}),
    ));
    assert_envelope(&json, None);
    // A flow cannot index an array: the references are keyed by the flat map's flow key.
    let approved = &json["data"]["references"]["approved_pdf"];
    assert_eq!(approved["name"], "approved.pdf");
    assert!(approved["downloadUrl"].is_string(), "{json}");
    let call = &get_attached_file_calls(&function)[0];
    assert_eq!(call.url_expiry_in_seconds.as_deref(), Some("30"));
    // The deployment's partition, region and account (the function's ARN here, where the configured
    // instance is a bare id) make the contact's ARN, not the event's.
    assert_eq!(
        call.associated_resource_arn,
        Some(format!("arn:aws:connect:us-east-1:012345678912:instance/{INSTANCE}/contact/{ATTACHMENTS}"))
    );

    // The flat map carries each link as url_<key>, beside ref_<key> and name_<key>.
    let flat = function.invoke(&flow_event_with(json!({"contactId": ATTACHMENTS, "include": "downloadUrl"})));
    assert_eq!(flat["success"], "true", "{flat}");
    assert!(flat["url_approved_pdf"].as_str().unwrap().contains("/_files/"), "{flat}");
    assert_eq!(flat["name_approved_pdf"], "approved.pdf");
    assert!(flat.get("url_rejected_exe").is_none(), "no link, no url_ entry: {flat}");
    assert!(flat.as_object().unwrap().values().all(Value::is_string));
}

#[test]
fn a_hundred_attachments_with_a_slow_connect_are_answered_before_the_deadline() {
    // A flow: 100 APPROVED files, every GetAttachedFile answered after 400 ms, a 3 s function timeout
    // (below the block's 8 s): the links that fit come back, the rest say UPSTREAM_TIMEOUT or THROTTLED,
    // and the answer beats the deadline.
    let mut seed = Seed::shipped();
    let contact = "c0ffee00-0000-4000-8000-000000000100";
    let files = seed.files.entry(INSTANCE.to_owned()).or_default();
    let mut references = Vec::new();
    for i in 0..100 {
        let id = format!("SEED-bulk-{i:03}");
        files.insert(
            id.clone(),
            AttachedFile {
                name: format!("bulk-{i:03}.pdf"),
                size_in_bytes: 10,
                status: "APPROVED".into(),
                ..AttachedFile::default()
            },
        );
        references.push(json!({"Attachment": {"Name": format!("bulk-{i:03}.pdf"), "Value": "v", "Status": "APPROVED",
            "Arn": format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/file/{id}")}}));
    }
    seed.instances.get_mut(INSTANCE).unwrap().insert(contact.to_owned(), references);
    let function = Emulator::with(Options {
        timeout_seconds: 3,
        seed,
        env: vec![("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into())],
        ..Options::default()
    });
    function.http_file("http-api-v2.json"); // warm: the cold start is not what is measured
    for i in 0..100 {
        function.stand_in.inject_for_file(&format!("SEED-bulk-{i:03}"), Fault::Slow { millis: 400 }, None);
    }
    let started = Instant::now();
    let answer = function.invoke(&flow_event_with(json!({"contactId": contact, "referenceTypes": "ATTACHMENT",
        "include": "downloadUrl", "responseFormat": "JSON", "timeoutSeconds": "8"})));
    let took = started.elapsed();
    assert_eq!(answer["success"], true, "{answer}");
    let references: Vec<&Value> = answer["data"]["references"].as_object().unwrap().values().collect();
    let linked = references.iter().filter(|r| r["downloadUrl"].is_string()).count();
    let timed_out = references.iter().filter(|r| r["downloadUrlError"] == "UPSTREAM_TIMEOUT").count();
    let throttled = references.iter().filter(|r| r["downloadUrlError"] == "THROTTLED").count();
    println!("100 attachments, GetAttachedFile 400 ms each, 3 s timeout: answered in {took:?}, {} in the answer, {linked} links, {timed_out} UPSTREAM_TIMEOUT, {throttled} THROTTLED", references.len());
    // A flow's answer stays under Connect's 32 KB: what does not fit is dropped whole, and said.
    assert!(references.len() < 100 && answer["data"]["truncated"] == true, "{}", references.len());
    assert_eq!(linked + timed_out + throttled, references.len());
    assert!((4..=10).contains(&linked), "{linked} linked: at most ten an answer");
    assert!(throttled >= references.len() - 10, "beyond ten links an answer, or beyond the rate: {throttled}");
    assert!(references.iter().all(|r| r["downloadPath"].is_string()), "every file keeps its downloadPath");
    assert!(took < Duration::from_secs(3), "answered after {took:?}, beyond the 3 s timeout");
}

// The download route: `GET /contact/attachments/{InstanceId}/{ContactId}/{FileId}`.

fn click(function: &Function, path: &str, query: &str, accept_json: bool) -> HttpReply {
    let mut event = http_api_event("GET", path, query);
    // What a browser sends for a link it follows; or what an app asking for JSON sends.
    event["headers"]["accept"] = json!(if accept_json { "application/json" } else { "text/html,*/*;q=0.8" });
    function.http(&event)
}

/// A click by one of several IAM principals (`agent` numbers them).
fn click_as(function: &Function, path: &str, agent: usize) -> HttpReply {
    let mut event = http_api_event("GET", path, "");
    event["headers"]["accept"] = json!("text/html,*/*;q=0.8");
    event["requestContext"]["authorizer"]["iam"]["userArn"] =
        json!(format!("arn:aws:iam::123456789012:user/agent-{agent}"));
    function.http(&event)
}

#[test]
fn a_caller_over_its_share_is_throttled_while_another_agents_click_is_served() {
    // The function's own default rate, said here: 2 a second, a burst of 5; each caller's share is 1 a
    // second with the same burst.
    let function = Function::with(Options {
        env: vec![
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("ATTACHED_FILE_RATE".into(), "2".into()),
            ("ATTACHED_FILE_BURST".into(), "5".into()),
        ],
        ..Options::default()
    });
    let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved");
    let greedy: Vec<u16> = (0..6).map(|_| click_as(&function, &path, 0).status).collect();
    assert_eq!(greedy, [302, 302, 302, 302, 302, 429], "the sixth click within a second is over the caller's share");
    assert_eq!(click_as(&function, &path, 1).status, 302, "another agent's click is served");
    assert_eq!(get_attached_file_calls(&function).len(), 6, "the throttled click never reached Connect");
}

fn download_path_of(reply: &HttpReply, name: &str) -> String {
    by_name(reply)[name]["downloadPath"].as_str().unwrap_or_else(|| panic!("{name} has no downloadPath")).to_owned()
}

#[test]
fn a_listed_download_path_opens_the_file_with_a_fresh_link_at_every_click() {
    let function = opening_attachments();
    // The agent desktop lists the contact: a path for each file, never a link.
    let listed = attachments(&function, "referenceTypes=ATTACHMENT");
    let path = download_path_of(&listed, "approved.pdf");
    assert_eq!(path, format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved"));
    // The first click's link lives 5 s.
    let first = click(&function, &path, "urlExpiry=5", false);
    assert_eq!(first.status, 302, "{}", first.raw);
    let stale_link = first.header("location").expect("a Location header");
    // Seven seconds later, on the stand-in's clock (no sleep): the link has expired.
    function.stand_in().advance_clock(Duration::from_secs(7));
    assert_eq!(ureq::get(&stale_link).call().map(|_| ()).unwrap_err().to_string(), "http status: 403");
    // The click, later: a fresh pre-signed URL, made now.
    let before = get_attached_file_calls(&function).len();
    let reply = click(&function, &path, "", false);
    assert_eq!(reply.status, 302, "{}", reply.raw);
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    let location = reply.header("location").expect("a Location header");
    let body = ureq::get(&location).call().unwrap().body_mut().read_to_string().unwrap();
    assert_eq!(body, "connect-local: the content of approved.pdf\n");
    assert_eq!(get_attached_file_calls(&function).len(), before + 1, "one GetAttachedFile per click");
    let again = click(&function, &path, "", false);
    assert_eq!(again.status, 302);
    assert_eq!(get_attached_file_calls(&function).len(), before + 2, "a fresh URL for every click");
}

#[test]
fn a_list_points_every_file_of_this_instance_at_the_route_without_calling_get_attached_file() {
    let function = opening_attachments();
    let reply = attachments(&function, "referenceTypes=ATTACHMENT");
    assert_eq!(reply.status, 200);
    let found = by_name(&reply);
    for (name, file) in [("approved.pdf", "SEED-att-approved"), ("processing.png", "SEED-att-processing")] {
        assert_eq!(found[name]["downloadPath"], format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/{file}"));
    }
    assert!(found["elsewhere.pdf"].get("downloadPath").is_none(), "not a file of this instance");
    assert!(found["not-a-file.pdf"].get("downloadPath").is_none());
    assert!(get_attached_file_calls(&function).is_empty(), "zero calls for the paths");
    let without = Function::start();
    let reply = attachments(&without, "referenceTypes=ATTACHMENT");
    assert!(by_name(&reply).values().all(|r| r.get("downloadPath").is_none()), "not where downloads are off");
}

#[test]
fn with_accept_json_the_route_answers_the_envelope_and_passes_expiry_and_disposition_to_connect() {
    let function = opening_attachments();
    let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-second");
    let reply = click(&function, &path, "urlExpiry=120&disposition=inline", true);
    assert_eq!(reply.status, 200, "{}", reply.raw);
    let data = &reply.body["data"];
    assert_eq!(reply.body["success"], true);
    assert!(data["url"].as_str().unwrap().contains("X-Amz-Expires=120"), "{data}");
    assert!(data["expiresAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!((data["fileName"].as_str(), data["fileSizeInBytes"].as_u64()), (Some("second.pdf"), Some(2048)));
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    let call = get_attached_file_calls(&function).pop().unwrap();
    assert_eq!(call.url_expiry_in_seconds.as_deref(), Some("120"));
    assert_eq!(call.url_content_disposition.as_deref(), Some("INLINE"));
    assert_eq!(
        call.associated_resource_arn,
        Some(format!("arn:aws:connect:us-east-1:012345678912:instance/{INSTANCE}/contact/{ATTACHMENTS}"))
    );
}

#[test]
fn a_file_not_ready_one_that_never_opens_and_an_unknown_one_are_told_apart() {
    let function = opening_attachments();
    let open =
        |file: &str| click(&function, &format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/{file}"), "", false);
    for file in ["SEED-att-processing", "SEED-att-drafting"] {
        let reply = open(file);
        assert_http_failure(&reply, 409, "FILE_NOT_READY");
        assert_eq!(reply.header("retry-after").as_deref(), Some("5"), "{file}");
    }
    for file in ["SEED-att-rejected", "SEED-att-failed"] {
        assert_http_failure(&open(file), 410, "FILE_UNAVAILABLE");
    }
    assert_http_failure(&open("SEED-att-gone"), 404, "NOT_FOUND");
    // A file of another contact: Connect does not find it for this contact's ARN.
    let other = click(&function, &format!("/contact/attachments/{INSTANCE}/{EVERY_KIND}/SEED-att-approved"), "", false);
    assert_http_failure(&other, 404, "NOT_FOUND");
    // A chat's attachment: Connect refuses GetAttachedFile for it; the message says why.
    let chat = click(
        &function,
        &format!("/contact/attachments/{INSTANCE}/c0ffee00-0000-4000-8000-000000000009/SEED-att-chat"),
        "",
        false,
    );
    let message = assert_http_failure(&chat, 400, "VALIDATION_ERROR");
    assert!(message.contains("chat"), "{message}");
}

#[test]
fn head_checks_the_request_and_makes_no_call_nor_does_a_head_of_a_list() {
    let function = opening_attachments();
    let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved");
    let reply = function.http(&http_api_event("HEAD", &path, ""));
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert!(reply.header("location").is_none());
    let bad = function.http(&http_api_event("HEAD", &path, "urlExpiry=900"));
    assert_eq!(bad.status, 400);
    let list =
        function.http(&http_api_event("HEAD", &references_path(INSTANCE, ATTACHMENTS), "referenceTypes=ATTACHMENT"));
    assert_eq!(list.status, 200);
    assert!(get_attached_file_calls(&function).is_empty(), "HEAD never calls GetAttachedFile");
}

#[test]
fn the_route_keeps_the_deployments_gates_and_refuses_bad_input_before_any_call() {
    let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved");
    let closed = Function::start();
    let message = assert_http_failure(&click(&closed, &path, "", false), 400, "VALIDATION_ERROR");
    assert!(message.contains("EnableAttachmentDownloads=true"), "{message}");
    let elsewhere = Function::with(Options {
        env: vec![
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("ALLOWED_INSTANCE_IDS".into(), OTHER_INSTANCE.into()),
        ],
        ..Options::default()
    });
    assert_http_failure(&click(&elsewhere, &path, "", false), 403, "ACCESS_DENIED");
    let open = opening_attachments();
    for query in ["urlExpiry=4", "urlExpiry=301", "disposition=download"] {
        assert_http_failure(&click(&open, &path, query, false), 400, "VALIDATION_ERROR");
    }
    let post = open.http(&http_api_event("POST", &path, ""));
    assert_eq!(post.status, 405);
    for function in [&closed, &elsewhere, &open] {
        assert!(function.stand_in().requests().is_empty(), "refused before calling Connect");
    }
}

#[test]
fn clicks_beyond_the_deployments_rate_are_throttled_without_calling_connect() {
    let function = Function::with(Options {
        env: vec![
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("ATTACHED_FILE_RATE".into(), "0.1".into()),
            ("ATTACHED_FILE_BURST".into(), "2".into()),
        ],
        ..Options::default()
    });
    let path = format!("/contact/attachments/{INSTANCE}/{ATTACHMENTS}/SEED-att-approved");
    // Four agents, one click each: each within its own share, together over the rate.
    let statuses: Vec<u16> = (0..4).map(|agent| click_as(&function, &path, agent).status).collect();
    assert_eq!(statuses, [302, 302, 429, 429], "a burst of two, then the next turn is 10 s away");
    let throttled = click_as(&function, &path, 4);
    assert_eq!(throttled.header("retry-after").as_deref(), Some("1"));
    assert_eq!(get_attached_file_calls(&function).len(), 2);
}
