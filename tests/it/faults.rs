//! Faults from Connect, end to end under the emulator: each returns its exact envelope, in HTTP and
//! in contact-flow form, and the next normal invocation still succeeds.

use crate::support;

use std::time::{Duration, Instant};

use connect_local::Fault;
use serde_json::{json, Value};
use support::*;

fn request() -> Value {
    http_api_event("GET", &references_path(INSTANCE, EVERY_KIND), "referenceTypes=URL")
}

fn flow_event() -> Value {
    event("contact-flow-minimal.json")
}

/// Asserts the exact failure envelope (the request id aside, which the emulator makes up).
fn assert_envelope(reply: &HttpReply, status: u16, code: &str, message: &str) {
    assert_eq!(assert_http_failure(reply, status, code), message);
}

const UPSTREAM_FAILED: &str = "Amazon Connect failed or could not be reached";

fn assert_recovers(emulator: &Emulator) {
    emulator.stand_in.clear_faults();
    assert_eq!(emulator.http(&request()).status, 200, "the next invocation succeeds");
}

#[test]
fn throttled_once_is_retried_and_succeeds() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Throttle, Some(1));
    let reply = emulator.http(&request());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(emulator.stand_in.requests().len(), 2);
}

#[test]
fn throttled_always_is_429_with_retry_after_after_three_attempts() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Throttle, None);
    let reply = emulator.http(&request());
    assert_envelope(&reply, 429, "THROTTLED", "Amazon Connect is throttling requests; retry later");
    assert_eq!(reply.header("retry-after").as_deref(), Some("1"));
    assert_eq!(emulator.stand_in.requests().len(), 3);
    assert_recovers(&emulator);
}

#[test]
fn internal_service_errors_are_retried_then_502() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Internal, None);
    let reply = emulator.http(&request());
    assert_envelope(&reply, 502, "UPSTREAM_ERROR", UPSTREAM_FAILED);
    assert_eq!(emulator.stand_in.requests().len(), 3);
    assert_recovers(&emulator);
}

#[test]
fn a_garbage_body_is_502() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Garbage, None);
    assert_envelope(&emulator.http(&request()), 502, "UPSTREAM_ERROR", UPSTREAM_FAILED);
    assert_recovers(&emulator);
}

#[test]
fn a_connection_dropped_mid_reply_is_502() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Drop, None);
    assert_envelope(&emulator.http(&request()), 502, "UPSTREAM_ERROR", UPSTREAM_FAILED);
    assert_recovers(&emulator);
}

#[test]
fn connect_not_listening_is_502() {
    let emulator =
        Emulator::with(Options { endpoint: Some(format!("http://127.0.0.1:{}", free_port())), ..Options::default() });
    assert_envelope(&emulator.http(&request()), 502, "UPSTREAM_ERROR", UPSTREAM_FAILED);
    let flow = emulator.invoke(&flow_event());
    assert_eq!(flow["success"], "false");
    assert_eq!(flow["errorCode"], "UPSTREAM_ERROR");
}

#[test]
fn a_reply_slower_than_the_remaining_time_is_504_before_the_lambda_timeout() {
    let emulator = Emulator::with(Options { timeout_seconds: 2, ..Options::default() });
    emulator.stand_in.inject(Fault::Slow { millis: 5_000 }, Some(1));
    let started = Instant::now();
    let reply = emulator.http(&request());
    let took = started.elapsed();
    assert_envelope(&reply, 504, "UPSTREAM_TIMEOUT", "Amazon Connect did not answer in time");
    assert!(took < Duration::from_secs(2), "answered after {took:?}, past the 2 s function timeout");
    assert!(took >= Duration::from_millis(1_500), "gave up early, after {took:?}");
    assert_recovers(&emulator);
}

#[test]
fn connect_refusals_map_to_their_codes() {
    let emulator = Emulator::start();
    let cases = [
        // Connect refusing the function's role: the deployment's fault, not a refusal of the caller.
        (Fault::AccessDenied, 500, "INTERNAL_ERROR"),
        (Fault::InvalidParameter, 400, "VALIDATION_ERROR"),
        (Fault::InvalidRequest, 400, "VALIDATION_ERROR"),
        (Fault::NotFound, 404, "NOT_FOUND"),
    ];
    for (fault, status, code) in cases {
        emulator.stand_in.inject(fault.clone(), Some(1));
        let reply = emulator.http(&request());
        assert_eq!((reply.status, reply.body["error"]["code"].as_str()), (status, Some(code)), "{fault:?}");
        assert_recovers(&emulator);
    }
}

#[test]
fn in_flow_mode_faults_come_back_as_string_maps_within_the_default_three_seconds() {
    let emulator = Emulator::start();
    let cases = [
        (Fault::Throttle, "THROTTLED"),
        (Fault::Internal, "UPSTREAM_ERROR"),
        (Fault::Garbage, "UPSTREAM_ERROR"),
        (Fault::Drop, "UPSTREAM_ERROR"),
        // Connect refusing the function's role is the deployment's fault, not the flow's.
        (Fault::AccessDenied, "INTERNAL_ERROR"),
        (Fault::NotFound, "NOT_FOUND"),
    ];
    for (fault, code) in cases {
        emulator.stand_in.inject(fault.clone(), None);
        let started = Instant::now();
        let reply = emulator.invoke(&flow_event());
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "{fault:?}: the flow waited {took:?}, beyond the block's 3 s");
        assert_eq!(reply["success"], "false", "{fault:?}: {reply}");
        assert_eq!(reply["errorCode"], code, "{fault:?}");
        assert!(reply.as_object().unwrap().values().all(Value::is_string));
        emulator.stand_in.clear_faults();
        assert_eq!(emulator.invoke(&flow_event())["success"], "true");
    }
}

#[test]
fn in_flow_mode_a_slow_connect_is_cut_before_the_blocks_timeout() {
    // The function may run for 30 s, but the block waits only its Timeout, which the flow says with
    // timeoutSeconds (3 s unless given: src/inbound/contact_flow.rs, on a paused clock in src/use_case/mod.rs). The flow
    // gets `success: "false"` before the block gives up. The one real-time flow timeout of the suite.
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Slow { millis: 12_000 }, None);
    let parameters = json!({"timeoutSeconds": "2"});
    let mut flow = flow_event();
    flow["Details"]["Parameters"] = parameters.clone();
    let started = Instant::now();
    let reply = emulator.invoke(&flow);
    let took = started.elapsed();
    assert_eq!(reply["success"], "false", "{parameters}");
    assert_eq!(reply["errorCode"], "UPSTREAM_TIMEOUT", "{parameters}");
    assert!(took < Duration::from_millis(2_000), "answered after {took:?}");
    assert!(took >= Duration::from_millis(1_500), "gave up early, after {took:?}");
    assert_recovers(&emulator);
}

#[test]
fn a_stalled_attempt_is_abandoned_after_three_seconds_and_retried() {
    let emulator = Emulator::start();
    emulator.stand_in.inject(Fault::Slow { millis: 10_000 }, Some(1));
    let started = Instant::now();
    let reply = emulator.http(&request());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(emulator.stand_in.requests().len(), 2);
}
