//! A soak under the emulator: many mixed good and bad invocations, with zero crashes, zero answers
//! that are not envelopes, and no growth of the function's peak memory after warm-up.
//!
//! `SOAK_INVOCATIONS` sets the count (CI: the default below; the documented soak run uses 10,000).

use crate::support;

use connect_local::Fault;
use serde_json::{json, Value};
use support::*;

const DEFAULT_INVOCATIONS: usize = 1_500;
const WARM_UP: usize = 300;

/// One of a fixed mix of events, and whether it is an HTTP event.
fn mixed_event(i: usize) -> (Value, bool) {
    let flow = |parameters: Value| (flow_event_with(parameters), false);
    let http = |path: String, query: &str| (http_api_event("GET", &path, query), true);
    match i % 10 {
        0 => http(references_path(INSTANCE, EVERY_KIND), ""),
        1 => http(references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL,PHOTO"),
        2 => http(references_path(INSTANCE, "missing"), "referenceTypes=URL"),
        3 => (http_api_event("POST", &references_path(INSTANCE, EVERY_KIND), ""), true),
        4 => flow(json!({})),
        5 => flow(json!({"contactId": MANY})),
        6 => flow(json!({"contactId": "missing", "responseFormat": "JSON"})),
        7 => (json!({"unexpected": [1, 2, 3]}), false),
        8 => http(references_path(INSTANCE, &"x".repeat(300)), ""),
        _ => http(references_path(INSTANCE, DUPLICATES), "referenceTypes=url&referenceTypes=string"),
    }
}

/// An answer, never an invocation error: the envelope (with its status, for HTTP) or a flow's flat map.
fn assert_answer(reply: &Value, http: bool) {
    assert!(reply.get("errorType").is_none(), "an invocation error: {reply}");
    if http {
        let body: Value = serde_json::from_str(reply["body"].as_str().expect("a body")).expect("a JSON body");
        let status = reply["statusCode"].as_u64().expect("a status") as u16;
        assert_envelope(&body, Some(status));
    } else if reply["success"].is_string() {
        assert!(reply.as_object().unwrap().values().all(Value::is_string), "{reply}");
        assert!(reply["success"] == "true" || reply["errorCode"].as_str().is_some_and(|c| status_of(c) > 0), "{reply}");
    } else {
        assert_envelope(reply, None);
    }
}

#[test]
fn mixed_invocations_never_crash_and_memory_stays_flat() {
    let invocations: usize =
        std::env::var("SOAK_INVOCATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_INVOCATIONS);
    let emulator = Emulator::start();
    for i in 0..WARM_UP {
        let (event, http) = mixed_event(i);
        assert_answer(&emulator.invoke(&event), http);
    }
    let pid = emulator.function_pid().expect("the function runs");
    let warm_peak = emulator.function_peak_rss_kb().expect("its memory is readable");
    for i in 0..invocations {
        if i % 97 == 0 {
            emulator.stand_in.inject(Fault::Throttle, Some(1));
        }
        let (event, http) = mixed_event(i);
        assert_answer(&emulator.invoke(&event), http);
    }
    assert_eq!(emulator.function_pid(), Some(pid), "the function process was never restarted");
    let final_peak = emulator.function_peak_rss_kb().unwrap();
    println!("soak: {invocations} invocations after {WARM_UP} warm-up; peak RSS {warm_peak} kB after warm-up, {final_peak} kB at the end");
    assert!(final_peak < warm_peak + 1024, "peak RSS grew from {warm_peak} kB to {final_peak} kB");
}
