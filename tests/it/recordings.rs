//! Recordings and email messages end to end: the function's real binary under the Lambda Runtime
//! Interface Emulator, Connect's stand-in answering `DescribeContact` with its seeded recordings, and
//! every link followed to `scripts/lib/s3_local.py`, a local S3 that serves an object only when botocore's
//! own S3 query signer confirms the URL's signature (made with the credentials this test gave the
//! function), its token and its expiry, and that answers the `response-*` overrides.

use crate::support;

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

/// Contact `…000c`: every kind of recording (connect-local/README.md, "Recordings").
const RECORDED: &str = "c0ffee00-0000-4000-8000-00000000000c";
/// Contact `…000b`: an email with the four EMAIL_MESSAGE* references, each an attached file.
const EMAILED: &str = "c0ffee00-0000-4000-8000-00000000000b";
const BUCKET: &str = "connect-recordings-local";
const PREFIX: &str = "connect/local-instance/";

/// Temporary-looking credentials made for this run, given to the function and to the local S3 alike.
struct TestCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

impl TestCredentials {
    fn random() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let seed = format!("{nanos:x}{:x}", std::process::id());
        TestCredentials {
            access_key_id: format!("ASIA{}", seed.to_ascii_uppercase().chars().rev().take(16).collect::<String>()),
            secret_access_key: format!("secret/{seed}+local"),
            session_token: format!("token/{seed}=="),
        }
    }

    fn environment(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID".into(), self.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY".into(), self.secret_access_key.clone()),
            ("AWS_SESSION_TOKEN".into(), self.session_token.clone()),
        ]
    }
}

/// `scripts/lib/s3_local.py` as a process of its own, run by the tools venv's Python; stopped on drop.
struct S3Local {
    child: Child,
    url: String,
}

impl S3Local {
    fn start(credentials: &TestCredentials) -> S3Local {
        let venv = std::env::var_os("CONNECT_REFERENCES_VENV").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/connect-references/venv")
        });
        let port = free_port();
        let child = Command::new(venv.join("bin/python"))
            .arg(project_root().join("scripts/lib/s3_local.py"))
            .args(["--port", &port.to_string(), "--region", "us-east-1"])
            .args(["--access-key-id", &credentials.access_key_id])
            .args(["--secret-access-key", &credentials.secret_access_key])
            .args(["--session-token", &credentials.session_token])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the tools venv's python runs scripts/lib/s3_local.py (run ./scripts/test or scripts/setup)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            assert!(Instant::now() < deadline, "s3_local.py did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        S3Local { child, url: format!("http://127.0.0.1:{port}") }
    }

    /// Every request it received: method, bucket, key, the non-auth query, status, code and reason.
    fn requests(&self) -> Vec<Value> {
        let mut reply = ureq::get(&format!("{}/_requests", self.url)).call().unwrap();
        serde_json::from_str(&reply.body_mut().read_to_string().unwrap()).unwrap()
    }
}

impl Drop for S3Local {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The recordings function (`ENTRY_POINT=recordings`) under the emulator, signing for `s3`.
fn recordings_function(credentials: &TestCredentials, s3: &S3Local) -> Emulator {
    let mut env = credentials.environment();
    env.extend([
        ("ENTRY_POINT".into(), "recordings".into()),
        ("RECORDINGS_BUCKET".into(), BUCKET.into()),
        ("RECORDINGS_PREFIX".into(), PREFIX.into()),
        ("AWS_ENDPOINT_URL_S3".into(), s3.url.clone()),
        ("ALLOWED_INSTANCE_IDS".into(), INSTANCE.into()),
    ]);
    Emulator::with(Options { env, ..Options::default() })
}

/// An HTTP API event for `path` and `query`, asking for JSON or not.
fn get(path: &str, query: &str, json: bool) -> Value {
    let mut event = http_api_event("GET", path, query);
    if !json {
        event["headers"].as_object_mut().unwrap().remove("accept");
    }
    event
}

fn recordings_path(contact: &str) -> String {
    format!("/contact/recordings/{INSTANCE}/{contact}")
}

/// GETs a link the way a browser follows it.
fn fetch(url: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut reply = agent.get(url).call().unwrap();
    let headers =
        reply.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
    let body = reply.body_mut().read_to_vec().unwrap();
    (reply.status().as_u16(), headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn a_recording_opens_through_a_link_s3_accepts_and_every_recording_outside_the_store_is_refused_unsigned() {
    let credentials = TestCredentials::random();
    let s3 = S3Local::start(&credentials);
    let function = recordings_function(&credentials, &s3);

    // The list: all eleven, in Connect's order, never a location, a path only where a recording opens.
    let listed = function.http(&get(&recordings_path(RECORDED), "", true));
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        (listed.body["data"]["instanceId"].as_str(), listed.body["data"]["contactId"].as_str()),
        (Some(INSTANCE), Some(RECORDED))
    );
    let recordings = listed.body["data"]["recordings"].as_array().unwrap().clone();
    assert_eq!(recordings.len(), 11);
    let openable: Vec<bool> = recordings.iter().map(|r| r.get("downloadPath").is_some()).collect();
    assert_eq!(openable, [true, true, false, true, false, false, false, false, false, false, false]);
    assert!(!listed.body.to_string().contains(BUCKET) && !listed.body.to_string().contains("arn:aws:kinesis"));
    assert_eq!(recordings[2]["status"], "DELETED");
    assert!(recordings[2]["deletionReason"].as_str().is_some());
    assert_eq!(recordings[0]["startTimestamp"], "2026-11-28T17:40:00.125Z");
    assert_eq!(
        recordings.iter().map(|r| r["storageType"].as_str().unwrap()).collect::<Vec<_>>()[3..7],
        ["S3", "KINESIS_VIDEO_STREAM", "KINESIS_STREAM", "KINESIS_FIREHOSE"]
    );

    // A good call recording: 302 to a link S3 serves, inline, as audio/wav.
    let path = recordings[0]["downloadPath"].as_str().unwrap();
    let opened = function.http(&get(path, "disposition=inline&urlExpiry=30", false));
    assert_eq!(opened.status, 302, "{:?}", opened.raw);
    let location = opened.header("location").unwrap();
    assert!(location.starts_with(&format!("{}/{BUCKET}/{PREFIX}CallRecordings/", s3.url)), "{location}");
    assert!(location.contains("%3A40_UTC.wav?"), "the key's ':' encoded once: {location}");
    assert!(location.contains("X-Amz-Expires=30&"), "{location}");
    assert_eq!(opened.header("cache-control").as_deref(), Some("no-store"));
    let (status, headers, body) = fetch(&location);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(header(&headers, "content-type"), Some("audio/wav"));
    assert_eq!(header(&headers, "content-disposition"), Some("inline"));
    assert_eq!(&body[..4], b"RIFF");

    // The screen recording, as JSON: a link S3 authenticates (the local S3 holds no video without one given).
    let screen = function.http(&get(recordings[3]["downloadPath"].as_str().unwrap(), "disposition=inline", true));
    assert_eq!(screen.status, 200, "{}", screen.body);
    let data = &screen.body["data"];
    assert_eq!((data["mediaStreamType"].as_str(), data["contentType"].as_str()), (Some("VIDEO"), Some("video/webm")));
    assert_eq!(data["recordingId"], recordings[3]["recordingId"]);
    assert!(data["expiresAt"].as_str().unwrap().ends_with('Z'));
    let (status, _, _) = fetch(data["url"].as_str().unwrap());
    assert_eq!(status, 404, "authenticated, then NoSuchKey");

    // Every other recording: its code, no link; deleted is gone, the rest out of scope.
    for (index, code, status) in [
        (2, "RECORDING_DELETED", 410),
        (4, "RECORDING_OUT_OF_SCOPE", 403),
        (5, "RECORDING_OUT_OF_SCOPE", 403),
        (6, "RECORDING_OUT_OF_SCOPE", 403),
        (7, "RECORDING_OUT_OF_SCOPE", 403),
        (8, "RECORDING_OUT_OF_SCOPE", 403),
        (9, "RECORDING_OUT_OF_SCOPE", 403),
        (10, "RECORDING_OUT_OF_SCOPE", 403),
    ] {
        let id = recordings[index]["recordingId"].as_str().unwrap();
        let refused = function.http(&get(&format!("{}/{id}", recordings_path(RECORDED)), "", false));
        assert_http_failure(&refused, status, code);
        assert!(refused.header("location").is_none(), "#{index}: no link");
        assert!(!refused.raw.to_string().contains("X-Amz-Signature"), "#{index}: nothing signed");
    }
    // An id that names none of the contact's recordings, and one that is not an id at all.
    let unknown = function.http(&get(&format!("{}/{}", recordings_path(RECORDED), "0".repeat(32)), "", false));
    assert_http_failure(&unknown, 404, "NOT_FOUND");
    let not_an_id = function.http(&get(&format!("{}/{BUCKET}%2Fx.wav", recordings_path(RECORDED)), "", false));
    assert_http_failure(&not_an_id, 400, "VALIDATION_ERROR");

    // S3 saw exactly the two links followed, both authenticated; nothing for the refused recordings.
    let requests = s3.requests();
    let seen: Vec<(u64, &str)> =
        requests.iter().map(|r| (r["status"].as_u64().unwrap(), r["key"].as_str().unwrap())).collect();
    assert_eq!(seen.len(), 2, "{requests:?}");
    assert!(seen[0].1.ends_with("_UTC.wav") && seen[0].0 == 200, "{requests:?}");
    assert!(seen[1].1.ends_with("_UTC.webm") && seen[1].0 == 404, "{requests:?}");
    assert!(requests.iter().all(|r| r["bucket"] == BUCKET && r["reason"] != "signature does not match"));

    // One audit line per link asked for, naming the caller, never the link or the location.
    let logs = function.logs();
    let audit: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "recording link")
        .collect();
    let outcomes: Vec<&str> = audit.iter().map(|line| line["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        ["OK", "OK", "RECORDING_DELETED"]
            .into_iter()
            .chain(["RECORDING_OUT_OF_SCOPE"; 7])
            .chain(["NOT_FOUND"])
            .collect::<Vec<_>>()
    );
    let engineer = json!({"type": "iam", "principal_arn": "arn:aws:iam::123456789012:user/contact-centre-engineer"});
    assert!(audit.iter().all(|line| line["caller"] == engineer));
    assert!(!logs.contains("X-Amz-Signature") && !logs.contains("_UTC.wav"), "no link, no key in the logs");
}

#[test]
fn the_link_is_signed_for_its_expiry_and_a_tampered_link_is_refused_by_s3() {
    let credentials = TestCredentials::random();
    let s3 = S3Local::start(&credentials);
    let function = recordings_function(&credentials, &s3);
    let listed = function.http(&get(&recordings_path(RECORDED), "", true));
    let path = listed.body["data"]["recordings"][1]["downloadPath"].as_str().unwrap().to_owned();
    let opened = function.http(&get(&path, "", true));
    let url = opened.body["data"]["url"].as_str().unwrap().to_owned();
    assert!(url.contains("response-content-disposition=attachment&"), "{url}");
    assert!(!url.contains("response-content-type"), "attachment keeps S3's stored type: {url}");
    let (status, headers, _) = fetch(&url);
    assert_eq!((status, header(&headers, "content-disposition")), (200, Some("attachment")));
    // A caller turning it into an inline link breaks the signature.
    let tampered = url.replace("response-content-disposition=attachment", "response-content-disposition=inline");
    assert_eq!(fetch(&tampered).0, 403);
    // Beyond its urlExpiry, S3 refuses it.
    let short = function.http(&get(&path, "urlExpiry=5", true));
    let short_url = short.body["data"]["url"].as_str().unwrap().to_owned();
    ureq::post(&format!("{}/_clock", s3.url))
        .header("content-type", "application/json")
        .send(json!({"advanceSeconds": 6}).to_string())
        .unwrap();
    assert_eq!(fetch(&short_url).0, 403);
    let reasons: Vec<String> =
        s3.requests().iter().filter(|r| r["status"] == 403).map(|r| r["reason"].to_string()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("signature"), "{reasons:?}");
    assert!(reasons[1].contains("expired"), "{reasons:?}");
}

#[test]
fn each_function_refuses_the_routes_of_the_others_and_an_unconfigured_one_says_so() {
    let id = "0".repeat(32);
    for (entry_point, paths) in [
        ("list", vec![recordings_path(RECORDED), format!("{}/{id}", recordings_path(RECORDED))]),
        ("download", vec![recordings_path(RECORDED), format!("{}/{id}", recordings_path(RECORDED))]),
        (
            "recordings",
            vec![
                references_path(INSTANCE, EMAILED),
                format!("/contact/attachments/{INSTANCE}/{EMAILED}/SEED-email-html"),
            ],
        ),
    ] {
        let function = Emulator::with(Options {
            env: vec![
                ("ENTRY_POINT".into(), entry_point.into()),
                ("RECORDINGS_BUCKET".into(), BUCKET.into()),
                ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ],
            ..Options::default()
        });
        for path in paths {
            let refused = function.http(&get(&path, "", true));
            let message = assert_http_failure(&refused, 404, "NOT_FOUND");
            assert!(message.contains("does not serve"), "{entry_point} {path}: {message}");
        }
        if entry_point == "recordings" {
            let flow = function.invoke(&flow_event_with(json!({"contactId": EMAILED})));
            assert_eq!(flow["errorCode"], "VALIDATION_ERROR", "{flow}");
        }
        assert!(function.stand_in.requests().is_empty(), "{entry_point}: no call");
    }
    // Recordings not configured: 501 before any call.
    let unconfigured =
        Emulator::with(Options { env: vec![("ENTRY_POINT".into(), "recordings".into())], ..Options::default() });
    let refused = unconfigured.http(&get(&recordings_path(RECORDED), "", true));
    assert_http_failure(&refused, 501, "RECORDINGS_NOT_CONFIGURED");
    assert!(unconfigured.stand_in.requests().is_empty());
}

#[test]
fn an_invalid_recordings_setting_stops_start_up() {
    for (name, value) in [
        ("RECORDINGS_BUCKET", "Not_A_Bucket"),
        ("RECORDINGS_PREFIX", "connect/../x"),
        ("AWS_ENDPOINT_URL_S3", "s3.local"),
    ] {
        let mut env = vec![("RECORDINGS_BUCKET".into(), BUCKET.to_owned())];
        env.push((name.into(), value.into()));
        let function = Emulator::with(Options { env, ..Options::default() });
        let raw = function.invoke_raw(&event_file("http-api-v2.json"));
        assert!(!raw.contains("\"statusCode\":200"), "{name}={value}: {raw}");
        assert!(function.logs().contains(name), "{name}: the log names the setting: {}", function.logs());
    }
}

#[test]
fn each_email_message_opens_through_the_download_route_and_its_json_is_served() {
    let function = Emulator::with(Options {
        env: vec![("ENTRY_POINT".into(), "list".into()), ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into())],
        ..Options::default()
    });
    let types = "referenceTypes=EMAIL_MESSAGE,EMAIL_MESSAGE_REDACTED,EMAIL_MESSAGE_PLAIN_TEXT,EMAIL_MESSAGE_PLAIN_TEXT_REDACTED";
    let listed = function.http(&get(&references_path(INSTANCE, EMAILED), types, true));
    assert_eq!(listed.status, 200, "{}", listed.body);
    let references = listed.body["data"]["references"].as_array().unwrap().clone();
    assert_eq!(references.len(), 4, "{references:?}");
    let downloads = Emulator::with(Options {
        env: vec![
            ("ENTRY_POINT".into(), "download".into()),
            ("ENABLE_ATTACHMENT_DOWNLOADS".into(), "true".into()),
            ("ATTACHED_FILE_RATE".into(), "100".into()),
            ("ATTACHED_FILE_BURST".into(), "100".into()),
        ],
        ..Options::default()
    });
    for reference in &references {
        let path = reference["downloadPath"].as_str().unwrap_or_else(|| panic!("no downloadPath: {reference}"));
        assert!(path.starts_with(&format!("/contact/attachments/{INSTANCE}/{EMAILED}/SEED-email-")), "{path}");
        let opened = downloads.http(&get(path, "", true));
        assert_eq!(opened.status, 200, "{}", opened.body);
        let (status, headers, body) = fetch(opened.body["data"]["url"].as_str().unwrap());
        assert_eq!((status, header(&headers, "content-type")), (200, Some("application/json")), "{path}");
        let message: Value = serde_json::from_slice(&body).unwrap();
        assert!(message["contentType"] == "text/html" || message["contentType"] == "text/plain", "{message}");
        assert!(message["messageContent"].as_str().unwrap().contains("never arrived"), "{message}");
    }
    let audit = downloads.logs().lines().filter(|line| line.contains("\"message\":\"attachment link\"")).count();
    assert_eq!(audit, 4, "each message opened leaves the download route's audit line");
}
