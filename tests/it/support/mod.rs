//! Test support: the function's real binary under the AWS Lambda Runtime Interface Emulator, with the
//! local Connect stand-in behind `AWS_ENDPOINT_URL_CONNECT`.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_connect::config::{Credentials, Region};
use connect_local::{Seed, StandIn};
use connect_references::app::App;
use connect_references::domain::access::AllowedInstances;
use connect_references::domain::config::{EntryPoints, Features};
use connect_references::inbound::handler;
use connect_references::outbound::connect_sdk::{retry_config, timeout_config, SdkConnect};
use connect_references::telemetry::logging::{EventLog, Output};
use connect_references::telemetry::metrics::Namespace;
use lambda_http::request::LambdaRequest;
use lambda_http::Service;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;

pub const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
pub const OTHER_INSTANCE: &str = "99999999-8888-7777-6666-555555555555";
pub const EVERY_KIND: &str = "c0ffee00-0000-4000-8000-000000000001";
pub const MANY: &str = "c0ffee00-0000-4000-8000-000000000002";
pub const DUPLICATES: &str = "c0ffee00-0000-4000-8000-000000000003";
pub const NEWER_KINDS: &str = "c0ffee00-0000-4000-8000-000000000004";
pub const EMPTY: &str = "c0ffee00-0000-4000-8000-000000000005";
/// A transfer of [`EVERY_KIND`], and a transfer of that transfer (seed `transfers`).
pub const TRANSFERRED: &str = "c0ffee00-0000-4000-8000-000000000006";
pub const TRANSFERRED_TWICE: &str = "c0ffee00-0000-4000-8000-000000000007";
/// Attachments in every state: two APPROVED files, each non-APPROVED status, a non-file ARN, another
/// instance's file, a file Connect does not know (seed `files`).
pub const ATTACHMENTS: &str = "c0ffee00-0000-4000-8000-000000000008";

/// The function ARN the Runtime Interface Emulator gives every invocation; in-process invocations get it too.
pub const EMULATED_FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:012345678912:function:function";

pub fn instance_arn() -> String {
    format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}")
}

/// The project's root, read when the test runs (cargo sets it then too): a test binary reused from a
/// shared target directory must read this clone's events and expectations, not those of the clone that
/// compiled it.
pub fn project_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn project_file(path: &str) -> String {
    let path = project_root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn event_file(name: &str) -> String {
    project_file(&format!("events/{name}"))
}

/// The names of the files in a folder of the project, sorted.
pub fn file_names(folder: &str) -> Vec<String> {
    let directory = project_root().join(folder);
    let mut names: Vec<String> =
        std::fs::read_dir(directory).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// What the function answers to `events/<name>`, as recorded in `tests/expected/<name>`: the one copy of
/// that fact, shared with `tests/sam_local_test.py`, which checks the same files through `sam local invoke`.
pub fn expected_answer(name: &str) -> Value {
    serde_json::from_str(&project_file(&format!("tests/expected/{name}"))).unwrap()
}

/// The form the expectations are written in: an HTTP response's JSON body parsed, a failure
/// envelope's request id (non-empty, different every time) replaced by `<request id>`, and a
/// pre-signed link's moving parts (the stand-in's address, the signing time, the expiry) by
/// `<stand-in>` and `<time>` (see [`without_link_times`]).
pub fn comparable(mut answer: Value) -> Value {
    answer = comparable_envelope(answer);
    without_link_times(&mut answer);
    answer
}

/// Replaces, in every string of `value`, what a pre-signed link from the stand-in holds that changes
/// from run to run: `http://HOST:PORT/_files/` becomes `<stand-in>/_files/`, `X-Amz-Date=N` becomes
/// `X-Amz-Date=<time>`; and the value of every `expiresAt` and `downloadUrlExpiresAt` becomes `<time>`.
/// (`tests/sam_local_test.py` applies the same rule.)
pub fn without_link_times(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("X-Amz-Signature=") && !text.contains("/_files/") => {
            *text = without_signing_moment(text);
        }
        Value::String(text) if text.contains("/_files/") => {
            let (_, tail) = text.split_once("/_files/").unwrap();
            let mut link = format!("<stand-in>/_files/{tail}");
            if let Some((head, rest)) = link.split_once("X-Amz-Date=") {
                let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                link = format!("{head}X-Amz-Date=<time>{rest}");
            }
            *text = link;
        }
        Value::Array(items) => items.iter_mut().for_each(without_link_times),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "expiresAt" || key == "downloadUrlExpiresAt" {
                    *item = "<time>".into();
                } else {
                    without_link_times(item);
                }
            }
        }
        _ => {}
    }
}

/// A SigV4 pre-signed URL (a recording's link) without what changes from run to run or host to host:
/// the access key and signing date in `X-Amz-Credential` become `<access key>` and `<date>`, `X-Amz-Date`
/// `<time>`, the signature `<signature>`, and a session token is dropped (`sam local` signs with the
/// host's credentials). Whether the link is signed right is S3's to say: `tests/it/recordings.rs` has
/// the local S3 endpoint check it. (`tests/sam_local_test.py` applies the same rule.)
pub fn without_signing_moment(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else { return url.to_owned() };
    let parameters: Vec<String> = query
        .split('&')
        .map(|parameter| match parameter.split_once('=') {
            Some(("X-Amz-Date", _)) => "X-Amz-Date=<time>".to_owned(),
            Some(("X-Amz-Signature", _)) => "X-Amz-Signature=<signature>".to_owned(),
            Some(("X-Amz-Credential", value)) => {
                let mut scope: Vec<&str> = value.split("%2F").collect();
                if scope.len() == 5 {
                    scope[0] = "<access key>";
                    scope[1] = "<date>";
                }
                format!("X-Amz-Credential={}", scope.join("%2F"))
            }
            _ => parameter.to_owned(),
        })
        .filter(|parameter| !parameter.starts_with("X-Amz-Security-Token="))
        .collect();
    format!("{head}?{}", parameters.join("&"))
}

fn comparable_envelope(mut answer: Value) -> Value {
    if let Some(text) = answer.get("statusCode").and(answer.get("body")).and_then(Value::as_str) {
        answer["body"] = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("body not JSON ({e}): {text}"))
        };
    }
    let envelope = if answer.get("statusCode").is_some() { &mut answer["body"] } else { &mut answer };
    if let Some(request_id) = envelope.get_mut("error").and_then(|error| error.get_mut("requestId")) {
        assert!(request_id.as_str().is_some_and(|id| !id.is_empty()), "an empty request id: {request_id}");
        *request_id = "<request id>".into();
    }
    answer
}

/// The function's environment in `sam-local-env.json` (what `sam local` gives it), less the endpoint:
/// there it names the stand-in's container, here the in-process stand-in.
pub fn sam_local_env() -> Vec<(String, String)> {
    let file: Value = serde_json::from_str(&project_file("sam-local-env.json")).unwrap();
    let variables = file["Parameters"].as_object().expect("sam-local-env.json gives every function its Parameters");
    variables
        .iter()
        .filter(|(name, _)| *name != "AWS_ENDPOINT_URL_CONNECT")
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
        .collect()
}

/// The function binary the tests run: `$CONNECT_REFERENCES_BINARY` (e.g. the sam-built arm64
/// `bootstrap`), else the one cargo built for these tests.
pub fn function_binary() -> PathBuf {
    std::env::var_os("CONNECT_REFERENCES_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_connect-references")))
}

/// A command the binary is run through, from `$CONNECT_REFERENCES_BINARY_RUNNER` (words separated by
/// spaces), e.g. `qemu-aarch64-static -L /usr/aarch64-linux-gnu` for an arm64 binary on x86_64.
pub fn binary_runner() -> Vec<String> {
    std::env::var("CONNECT_REFERENCES_BINARY_RUNNER")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The emulator binary from the aws-sam-cli wheel: `$AWS_LAMBDA_RIE`, or found in the project's venv.
pub fn emulator_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("AWS_LAMBDA_RIE") {
        return PathBuf::from(path);
    }
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "x86_64" };
    let venv = std::env::var_os("CONNECT_REFERENCES_VENV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/connect-references/venv")
    });
    let lib = venv.join("lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path().join(format!("site-packages/samcli/local/rapid/aws-lambda-rie-{arch}")))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the Lambda Runtime Interface Emulator was not found under {}; run ./scripts/test (it installs aws-sam-cli) or set AWS_LAMBDA_RIE",
            lib.display()
        )
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How to start the function.
pub struct Options {
    /// The function timeout the emulator enforces (`AWS_LAMBDA_FUNCTION_TIMEOUT`), in seconds.
    pub timeout_seconds: u32,
    /// Extra environment for the function.
    pub env: Vec<(String, String)>,
    /// Where the function sends Connect calls; the in-process stand-in when `None`.
    pub endpoint: Option<String>,
    pub seed: Seed,
}

impl Default for Options {
    fn default() -> Self {
        Options { timeout_seconds: 30, env: Vec::new(), endpoint: None, seed: Seed::shipped() }
    }
}

/// The function under the emulator, and the stand-in it calls. Both stop when this is dropped.
pub struct Emulator {
    pub stand_in: StandIn,
    runtime: tokio::runtime::Runtime,
    child: Child,
    invoke_url: String,
    log: PathBuf,
    /// One client for every invocation: a kept-alive connection to the emulator, not one per call.
    agent: ureq::Agent,
}

/// What an HTTP-shaped invocation returned.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Value,
    pub body: Value,
    pub raw: Value,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<String> {
        let single = self.headers.get(name).and_then(Value::as_str).map(str::to_owned);
        let multi = self.raw["multiValueHeaders"][name][0].as_str().map(str::to_owned);
        single.or(multi)
    }
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::with(Options::default())
    }

    pub fn with(options: Options) -> Emulator {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let stand_in = runtime.block_on(StandIn::start(options.seed)).unwrap();
        let endpoint = options.endpoint.unwrap_or_else(|| stand_in.url());
        let (rie_port, api_port) = (free_port(), free_port());
        let log = std::env::temp_dir().join(format!("connect-references-rie-{rie_port}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(emulator_binary());
        command
            .arg("--runtime-interface-emulator-address")
            .arg(format!("127.0.0.1:{rie_port}"))
            .arg("--runtime-api-address")
            .arg(format!("127.0.0.1:{api_port}"))
            .args(binary_runner())
            .arg(function_binary())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("AWS_REGION", "us-east-1")
            // Lambda needs it said; a test's own `ENTRY_POINT` (in `options.env`) replaces it.
            .env("ENTRY_POINT", "all")
            .env("AWS_ACCESS_KEY_ID", "AKIDLOCALSTANDIN")
            .env("AWS_SECRET_ACCESS_KEY", "local-stand-in-secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_CONNECT", endpoint)
            .env("AWS_LAMBDA_FUNCTION_TIMEOUT", options.timeout_seconds.to_string())
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .envs(options.env)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file);
        let child = command.spawn().expect("the emulator starts");
        wait_for_port(rie_port);
        Emulator {
            stand_in,
            runtime,
            child,
            invoke_url: format!("http://127.0.0.1:{rie_port}/2015-03-31/functions/function/invocations"),
            log,
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(60)))
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }

    /// Invokes the function with a raw payload and returns its raw result. When the emulator drops the
    /// connection instead (it may, when the function fails its init), the result says so in words, so
    /// that a caller expecting an answer fails on it and one expecting no service sees none.
    fn emulated_invoke(&self, payload: &str) -> String {
        let sent = self.agent.post(&self.invoke_url).header("content-type", "application/json").send(payload);
        match sent {
            Ok(mut response) => response.body_mut().read_to_string().unwrap(),
            Err(error) => format!("no answer from the emulator: {error}"),
        }
    }

    /// Everything the function and the emulator printed so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The function process's id: the emulator's child (it may have been started from any of its threads).
    pub fn function_pid(&self) -> Option<u32> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).ok()?;
        tasks
            .filter_map(Result::ok)
            .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
            .flat_map(|children| children.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .find_map(|pid| pid.parse().ok())
    }

    /// The function process's peak resident set, in kB (from /proc), if it is running.
    pub fn function_peak_rss_kb(&self) -> Option<u64> {
        let pid = self.function_pid()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

/// Invoking the function, whichever way it runs: one raw call, and the conveniences built on it.
pub trait Invoke {
    /// Invokes the function with a raw payload and returns its raw result.
    fn invoke_raw(&self, payload: &str) -> String;

    fn invoke(&self, payload: &Value) -> Value {
        let raw = self.invoke_raw(&payload.to_string());
        serde_json::from_str(&raw).unwrap_or_else(|e| panic!("not JSON ({e}): {raw}"))
    }

    /// Invokes with an HTTP event and unpacks the API Gateway / ALB response.
    fn http(&self, event: &Value) -> HttpReply {
        let raw = self.invoke(event);
        let status = raw["statusCode"].as_u64().unwrap_or_else(|| panic!("not an HTTP response: {raw}")) as u16;
        let body = match raw["body"].as_str() {
            Some(text) if !text.is_empty() => {
                serde_json::from_str(text).unwrap_or_else(|e| panic!("body not JSON ({e}): {text}"))
            }
            _ => Value::Null,
        };
        HttpReply { status, headers: raw["headers"].clone(), body, raw }
    }

    fn http_file(&self, name: &str) -> HttpReply {
        self.http(&serde_json::from_str(&event_file(name)).unwrap())
    }

    /// Invokes with `events/<name>` and returns the answer in the form of `tests/expected/<name>`.
    fn answer_to(&self, name: &str) -> Value {
        let raw = self.invoke_raw(&event_file(name));
        comparable(serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {raw}")))
    }
}

impl Invoke for Emulator {
    fn invoke_raw(&self, payload: &str) -> String {
        self.emulated_invoke(payload)
    }
}

/// The function in this process, through the whole entry point (`handler::service`: lambda_http's
/// adapter, the guard, the handler) with the real SDK client and the stand-in: what the runtime does
/// with an event, without the process and the emulator's round trip. Contract tests run here;
/// what needs a real process (crashes, stdout, memory, the shipped binary) runs under [`Emulator`].
pub struct InProcess {
    pub stand_in: StandIn,
    runtime: tokio::runtime::Runtime,
    app: App,
    timeout: Duration,
    invocations: std::sync::atomic::AtomicU64,
}

impl InProcess {
    /// Options as for the emulator: `env` may set `ALLOWED_INSTANCE_IDS`, `METRICS_NAMESPACE` and
    /// `RESOLVE_TRANSFERRED_CONTACTS` and `ENABLE_ATTACHMENT_DOWNLOADS`.
    pub fn with(options: Options) -> InProcess {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let stand_in = runtime.block_on(StandIn::start(options.seed)).unwrap();
        let setting = |name: &str| options.env.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        let allowed = AllowedInstances::from_setting(setting("ALLOWED_INSTANCE_IDS")).expect("a valid allow-list");
        let namespace = Namespace::from_setting(setting("METRICS_NAMESPACE")).expect("a valid namespace");
        let endpoint = options.endpoint.unwrap_or_else(|| stand_in.url());
        let features =
            Features::from_settings(setting("RESOLVE_TRANSFERRED_CONTACTS"), setting("ENABLE_ATTACHMENT_DOWNLOADS"))
                .expect("valid features");
        let rate = connect_references::domain::config::FileRate::from_settings(
            setting("ATTACHED_FILE_RATE"),
            setting("ATTACHED_FILE_BURST"),
        )
        .expect("a valid file rate");
        let entry_points = EntryPoints::from_setting(setting("ENTRY_POINT"), false).expect("a valid entry point");
        let app = app_sending_to(&endpoint, allowed)
            .with_entry_points(entry_points)
            .with_event_log(EventLog::new(namespace, Output::Memory(Default::default())))
            .with_features(features)
            .with_file_rate(rate.per_second, rate.burst);
        let timeout = Duration::from_secs(options.timeout_seconds.into());
        InProcess { stand_in, runtime, app, timeout, invocations: Default::default() }
    }
}

impl Invoke for InProcess {
    fn invoke_raw(&self, payload: &str) -> String {
        let event: Value = serde_json::from_str(payload).expect("a JSON payload");
        let mut context = Context::default();
        let n = self.invocations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        context.request_id = format!("in-process-{n}");
        context.invoked_function_arn = EMULATED_FUNCTION_ARN.to_owned();
        let deadline = std::time::SystemTime::now() + self.timeout;
        context.deadline = deadline.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let reply = self.runtime.block_on(invoke_in_process(&self.app, &event, context));
        let _ = self.app.event_log.take_lines();
        reply.to_string()
    }
}

/// The function for a contract test: in this process, unless `CONNECT_REFERENCES_BINARY` names a binary
/// to test (`scripts/test-arm64`: the shipped bootstrap), which then runs under the emulator, so that one
/// suite of contract tests checks both.
pub enum Function {
    InProcess(InProcess),
    Emulated(Emulator),
}

impl Function {
    pub fn start() -> Function {
        Function::with(Options::default())
    }

    pub fn with(options: Options) -> Function {
        if std::env::var_os("CONNECT_REFERENCES_BINARY").is_some() {
            Function::Emulated(Emulator::with(options))
        } else {
            Function::InProcess(InProcess::with(options))
        }
    }

    pub fn stand_in(&self) -> &StandIn {
        match self {
            Function::InProcess(function) => &function.stand_in,
            Function::Emulated(emulator) => &emulator.stand_in,
        }
    }
}

impl Invoke for Function {
    fn invoke_raw(&self, payload: &str) -> String {
        match self {
            Function::InProcess(function) => function.invoke_raw(payload),
            Function::Emulated(emulator) => emulator.invoke_raw(payload),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn wait_for_port(port: u16) {
    // Generous: under a loaded CI machine (or qemu) the emulator can take seconds to listen.
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
        assert!(Instant::now() < deadline, "the emulator did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An HTTP API (payload 2.0) event for `path` and `raw_query`, without path parameters.
pub fn http_api_event(method: &str, path: &str, raw_query: &str) -> Value {
    let mut event: Value = serde_json::from_str(&event_file("http-api-v2.json")).unwrap();
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["rawQueryString"] = raw_query.into();
    event.as_object_mut().unwrap().remove("pathParameters");
    event.as_object_mut().unwrap().remove("queryStringParameters");
    event
}

pub fn references_path(instance: &str, contact: &str) -> String {
    format!("/contact/references/{instance}/{contact}")
}

/// `tests/expected-metrics.json`: the metric directives, units and dimension values every EMF line must
/// match. `tests/template_test.py` reads the same file to prove each alarm watches an emitted metric.
pub fn expected_metrics() -> &'static Value {
    static EXPECTED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EXPECTED.get_or_init(|| serde_json::from_str(&project_file("tests/expected-metrics.json")).unwrap())
}

/// The units CloudWatch accepts in an EMF directive.
const CLOUDWATCH_UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Checks one log line against the Embedded Metric Format specification and against
/// `tests/expected-metrics.json`, and returns its metric values by name.
///
/// Valid means: `_aws.Timestamp` in milliseconds (now, give or take a day), directives with a namespace,
/// dimension sets that name string members of the line, metrics with a CloudWatch unit and a numeric
/// member each; and exactly the expected directives (less `ConnectLatency` when Connect was not called),
/// with dimension values from the expected, bounded sets.
pub fn assert_valid_emf(line: &Value) -> serde_json::Map<String, Value> {
    let expected = expected_metrics();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let timestamp = line["_aws"]["Timestamp"].as_u64().unwrap_or_else(|| panic!("no _aws.Timestamp: {line}"));
    assert!(timestamp.abs_diff(now_ms) < 86_400_000, "Timestamp {timestamp} is not milliseconds since the epoch");
    let directives = line["_aws"]["CloudWatchMetrics"].as_array().unwrap_or_else(|| panic!("no directives: {line}"));
    let called_connect = line["ConnectCalls"].as_u64().unwrap_or_else(|| panic!("no ConnectCalls: {line}")) > 0;
    let mut values = serde_json::Map::new();
    let mut shapes = Vec::new();
    for directive in directives {
        assert_eq!(directive["Namespace"], expected["namespace"], "{line}");
        for set in directive["Dimensions"].as_array().unwrap() {
            for dimension in set.as_array().unwrap() {
                let name = dimension.as_str().unwrap();
                let value = line[name].as_str().unwrap_or_else(|| panic!("dimension {name} has no string member"));
                let allowed = expected["dimensionValues"][name].as_array().unwrap();
                assert!(allowed.iter().any(|v| v == value), "{name}={value} is not one of {allowed:?}");
            }
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            let unit = metric["Unit"].as_str().unwrap();
            assert!(CLOUDWATCH_UNITS.contains(&unit), "{name} has unit {unit}");
            let value =
                line.get(name).filter(|v| v.is_number()).unwrap_or_else(|| panic!("{name} has no value: {line}"));
            values.insert(name.to_owned(), value.clone());
        }
        let mut shape = directive.clone();
        shape.as_object_mut().unwrap().remove("Namespace");
        shapes.push(shape);
    }
    let mut wanted = expected["directives"].clone();
    if !called_connect {
        let optional: Vec<Value> = expected["onlyWhenConnectWasCalled"].as_array().unwrap().clone();
        for directive in wanted.as_array_mut().unwrap() {
            directive["Metrics"].as_array_mut().unwrap().retain(|m| !optional.contains(&m["Name"]));
        }
    }
    assert_eq!(Value::Array(shapes), wanted, "the directives of {line}");
    values
}

/// The function's state in this process, with the real SDK client (the deployed retry and timeout
/// settings) sending to `stand_in`.
pub fn app_calling(stand_in: &StandIn, allowed: AllowedInstances) -> App {
    app_sending_to(&stand_in.url(), allowed)
}

/// The function's state in this process, sending Connect calls to `endpoint`.
pub fn app_sending_to(endpoint: &str, allowed: AllowedInstances) -> App {
    let config = aws_sdk_connect::Config::builder()
        .behavior_version(connect_references::outbound::connect_sdk::behavior_version())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url(endpoint)
        .retry_config(retry_config())
        .timeout_config(timeout_config())
        .build();
    App::new(SdkConnect::new(aws_sdk_connect::Client::from_conf(config)), allowed)
}

/// Runs one raw event through the whole entry point in this process (lambda_http's adapter, the guard,
/// the handler), as the runtime would, and returns the JSON it would send back.
pub async fn invoke_in_process<C: connect_references::use_case::ConnectApi>(
    app: &App<C>,
    event: &Value,
    context: Context,
) -> Value {
    let payload: LambdaRequest = serde_json::from_value(event.clone()).expect("any JSON is some LambdaRequest");
    let mut service = handler::service(app);
    let reply = service.call(LambdaEvent::new(payload, context)).await.unwrap();
    serde_json::to_value(&reply).unwrap()
}

/// The HTTP status docs/http-api.md's table gives an error code; panics on an undocumented code.
pub fn status_of(code: &str) -> u16 {
    connect_references::inbound::http::codes_and_statuses()
        .find(|(known, _)| *known == code)
        .unwrap_or_else(|| panic!("undocumented error code {code}"))
        .1
        .as_u16()
}

/// The envelope's invariants, for every answer that carries it (the one copy every test uses): a
/// success has `data` with both ids, a `references` array and `nextToken`; a failure has a documented
/// `code`, a non-empty `message` and `requestId`, and nothing else. With an HTTP `status`, a success is
/// 200 and a failure has its code's status. Returns a failure's code.
pub fn assert_envelope(body: &Value, status: Option<u16>) -> Option<String> {
    let object = body.as_object().unwrap_or_else(|| panic!("not an envelope: {body}"));
    assert_eq!(object.len(), 2, "success and one of data or error: {body}");
    match body["success"].as_bool() {
        Some(true) => {
            assert!(status.is_none_or(|s| s == 200), "a success with status {status:?}");
            let data = &body["data"];
            assert!(data["instanceId"].is_string() && data["contactId"].is_string(), "{body}");
            // HTTP answers list references in an array; a flow's JSON answer keys them by flow key
            // (a flow cannot index an array).
            match status {
                Some(_) => assert!(data["references"].is_array(), "{body}"),
                None => assert!(data["references"].is_object(), "{body}"),
            }
            assert!(data.get("nextToken").is_some(), "{body}");
            None
        }
        Some(false) => {
            let error = &body["error"];
            let code = error["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}"));
            if let Some(status) = status {
                assert_eq!(status_of(code), status, "{body}");
            } else {
                status_of(code);
            }
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
            assert!(error["requestId"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
            assert_eq!(error.as_object().map(|e| e.len()), Some(3), "code, message and requestId only: {body}");
            Some(code.to_owned())
        }
        None => panic!("not an envelope: {body}"),
    }
}

/// An HTTP failure answer: this status and code in the envelope, with the constant headers. Returns
/// the message.
pub fn assert_http_failure(reply: &HttpReply, status: u16, code: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(assert_envelope(&reply.body, Some(status)).as_deref(), Some(code), "{}", reply.body);
    for (name, value) in
        [("content-type", "application/json"), ("cache-control", "no-store"), ("x-content-type-options", "nosniff")]
    {
        assert_eq!(reply.header(name).as_deref(), Some(value), "{name}: {:?}", reply.raw);
    }
    reply.body["error"]["message"].as_str().unwrap().to_owned()
}

/// `events/<name>`, parsed: the one source of event fixtures.
pub fn event(name: &str) -> Value {
    serde_json::from_str(&event_file(name)).unwrap_or_else(|e| panic!("events/{name}: {e}"))
}

/// `events/contact-flow.json` with these block parameters: the one flow event the tests vary.
pub fn flow_event_with(parameters: Value) -> Value {
    let mut flow = event("contact-flow.json");
    flow["Details"]["Parameters"] = parameters;
    flow
}
