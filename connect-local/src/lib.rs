//! A local stand-in for Amazon Connect's `ListContactReferences`, speaking its REST-JSON wire format
//! on loopback so that the real SDK, real HTTP and real SigV4 signing run in every test and local run.
//!
//! - `GET /contact/references/{InstanceId}/{ContactId}?referenceTypes=A&referenceTypes=B[&nextToken=…]`
//!   answers from a seed file (`seed.json`), filtering by the requested types as Connect does.
//! - Errors follow rest-json: an `x-amzn-ErrorType` header and a `{"message": …}` body.
//! - Faults are injected per test, in process ([`StandIn::inject`]) or over HTTP (`POST /_faults`).
//! - Every API request is recorded ([`StandIn::requests`], `GET /_requests`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// The seed shipped with the crate: one contact per reference kind and a few edge cases.
pub const DEFAULT_SEED: &str = include_str!("../seed.json");

/// Connect's limit of reference types per call.
const MAX_TYPES: usize = 6;

/// Union member name on the wire → reference type, as in the Connect API model.
const UNION_MEMBERS: [(&str, &str); 11] = [
    ("Url", "URL"),
    ("Attachment", "ATTACHMENT"),
    ("ContactAnalysis", "CONTACT_ANALYSIS"),
    ("String", "STRING"),
    ("Number", "NUMBER"),
    ("Date", "DATE"),
    ("Email", "EMAIL"),
    ("EmailMessage", "EMAIL_MESSAGE"),
    ("EmailMessageRedacted", "EMAIL_MESSAGE_REDACTED"),
    ("EmailMessagePlainText", "EMAIL_MESSAGE_PLAIN_TEXT"),
    ("EmailMessagePlainTextRedacted", "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED"),
];

/// Reference types Connect accepts; the service model is ahead of the Rust SDK here.
const SERVICE_TYPES: [&str; 15] = [
    "URL",
    "ATTACHMENT",
    "CONTACT_ANALYSIS",
    "STRING",
    "NUMBER",
    "DATE",
    "EMAIL",
    "EMAIL_MESSAGE",
    "EMAIL_MESSAGE_REDACTED",
    "EMAIL_MESSAGE_PLAIN_TEXT",
    "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
    "VOICEMAIL_RECORDING",
    "VOICEMAIL_RECORDING_REDACTED",
    "VOICEMAIL_ANALYSIS",
    "VOICEMAIL_ANALYSIS_REDACTED",
];

/// Sample data: instance id → contact id → references as Connect puts them on the wire
/// (`{"Url": {"Name": …, "Value": …}}`). A member this table does not know (a kind newer than the
/// SDK) is returned whatever types are asked for, so that clients can be tested on it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Seed {
    pub instances: HashMap<String, HashMap<String, Vec<Value>>>,
    /// Instance id → contact id → where a transferred contact came from (for `DescribeContact`).
    #[serde(default)]
    pub transfers: HashMap<String, HashMap<String, Transfer>>,
    /// Instance id → file id → an attached file (for `GetAttachedFile`).
    #[serde(default)]
    pub files: HashMap<String, HashMap<String, AttachedFile>>,
}

/// An attached file: what `GetAttachedFile` tells about it, and (when APPROVED) the text served at its
/// download URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachedFile {
    pub name: String,
    pub size_in_bytes: u64,
    /// APPROVED, REJECTED, PROCESSING, FAILED or DRAFTING.
    pub status: String,
}

/// A contact made by a transfer: its initial contact and the one before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub initial_contact_id: String,
    pub previous_contact_id: String,
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn shipped() -> Seed {
        Seed::from_json(DEFAULT_SEED).expect("the shipped seed is valid JSON")
    }
}

/// A fault to inject into the next answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// 429 ThrottlingException.
    Throttle,
    /// 500 InternalServiceException.
    Internal,
    /// 403 AccessDeniedException (not modeled for this operation: the SDK sees it as unhandled).
    AccessDenied,
    /// 400 InvalidParameterException.
    InvalidParameter,
    /// 400 InvalidRequestException.
    InvalidRequest,
    /// 404 ResourceNotFoundException.
    NotFound,
    /// 403 UnrecognizedClientException: what Connect says to bad credentials.
    UnrecognizedClient,
    /// The normal answer, after a delay.
    Slow { millis: u64 },
    /// 200 with a body that is not JSON.
    Garbage,
    /// Headers and half a body, then the connection is dropped.
    Drop,
}

/// A fault and how many answers it applies to (`None`: all of them until cleared).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Injection {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default)]
    pub times: Option<u32>,
    /// Only `GetAttachedFile` for this file id (for "some files throttled, others not"); absent: any request.
    #[serde(default)]
    pub file: Option<String>,
}

/// One API request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// `ListContactReferences`, `DescribeContact` or `GetAttachedFile` (whose file id is in `contact_id`'s
    /// place, and the URL expiry asked for in `next_token`'s).
    pub operation: &'static str,
    pub instance_id: String,
    pub contact_id: String,
    pub reference_types: Vec<String>,
    pub next_token: Option<String>,
    pub signed: bool,
}

#[derive(Default)]
struct Shared {
    seed: Seed,
    faults: Mutex<VecDeque<Injection>>,
    requests: Mutex<Vec<Recorded>>,
}

/// Locks a mutex, taking over from a thread that panicked while holding it (a test's assertion).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The operations the control routes and [`StandIn`]'s methods share.
impl Shared {
    fn add_fault(&self, injection: Injection) {
        lock(&self.faults).push_back(injection);
    }

    fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    fn record(&self, request: Recorded) {
        lock(&self.requests).push(request);
    }

    fn recorded(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }

    /// The first injected fault that applies to this request (`file`: the file a `GetAttachedFile` asks for).
    fn next_fault(&self, file: Option<&str>) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let position = faults.iter().position(|injection| match &injection.file {
            Some(only) => file == Some(only.as_str()),
            None => true,
        })?;
        let injection = &mut faults[position];
        let fault = injection.fault.clone();
        match &mut injection.times {
            Some(1) => {
                faults.remove(position);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }
}

/// A running stand-in; dropping it stops the server.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    /// Serves `seed` on an ephemeral loopback port.
    pub async fn start(seed: Seed) -> std::io::Result<StandIn> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), seed).await
    }

    pub async fn start_on(addr: SocketAddr, seed: Seed) -> std::io::Result<StandIn> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared { seed, ..Shared::default() });
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`, the value for `AWS_ENDPOINT_URL_CONNECT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What `POST /_faults` does.
    pub fn inject(&self, fault: Fault, times: Option<u32>) {
        self.shared.add_fault(Injection { fault, times, file: None });
    }

    /// A fault for `GetAttachedFile` of one file only.
    pub fn inject_for_file(&self, file: &str, fault: Fault, times: Option<u32>) {
        self.shared.add_fault(Injection { fault, times, file: Some(file.to_owned()) });
    }

    /// What `DELETE /_faults` does.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// What `GET /_requests` answers.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorded()
    }

    /// Waits until the server task ends (for the binary).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/contact/references/{instance}/{contact}", get(list_contact_references))
        .route("/contacts/{instance}/{contact}", get(describe_contact))
        .route("/attached-files/{instance}/{file}", get(get_attached_file))
        .route("/_files/{instance}/{file}", get(download_file))
        .route("/_faults", post(add_fault).delete(clear_faults))
        .route("/_requests", get(recorded_requests))
        .with_state(shared)
}

async fn add_fault(State(shared): State<Arc<Shared>>, Json(injection): Json<Injection>) -> StatusCode {
    shared.add_fault(injection);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.clear_faults();
    StatusCode::NO_CONTENT
}

async fn recorded_requests(State(shared): State<Arc<Shared>>) -> Json<Vec<Recorded>> {
    Json(shared.recorded())
}

async fn list_contact_references(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, contact_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut reference_types = Vec::new();
    let mut next_token = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "referenceTypes" => reference_types.push(value.into_owned()),
            "nextToken" => next_token = Some(value.into_owned()),
            _ => {}
        }
    }
    let request = Recorded {
        operation: "ListContactReferences",
        instance_id: instance_id.clone(),
        contact_id: contact_id.clone(),
        reference_types: reference_types.clone(),
        next_token,
        signed: false, // admit() reads the signature
    };
    if let Some(refusal) = admit(&shared, &headers, request, None).await {
        return refusal;
    }
    answer(&shared.seed, &instance_id, &contact_id, &reference_types)
}

/// `DescribeContact`: the contact's id and ARN, and for a transferred contact (seed `transfers`) its
/// initial and previous contact. A contact the seed knows neither way is a 404.
async fn describe_contact(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, contact_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let request = Recorded {
        operation: "DescribeContact",
        instance_id: instance_id.clone(),
        contact_id: contact_id.clone(),
        reference_types: Vec::new(),
        next_token: None,
        signed: false, // admit() reads the signature
    };
    if let Some(refusal) = admit(&shared, &headers, request, None).await {
        return refusal;
    }
    let transfer = shared.seed.transfers.get(&instance_id).and_then(|contacts| contacts.get(&contact_id));
    let listed = shared.seed.instances.get(&instance_id).is_some_and(|contacts| contacts.contains_key(&contact_id));
    if transfer.is_none() && !listed {
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Contact not found");
    }
    let mut contact = json!({
        "Id": contact_id,
        "Arn": format!("arn:aws:connect:us-east-1:123456789012:instance/{instance_id}/contact/{contact_id}"),
    });
    if let Some(transfer) = transfer {
        contact["InitialContactId"] = json!(transfer.initial_contact_id);
        contact["PreviousContactId"] = json!(transfer.previous_contact_id);
    }
    json_response(StatusCode::OK, Body::from(json!({ "Contact": contact }).to_string()))
}

/// `GetAttachedFile`: the file's metadata and, when it is APPROVED, a fake pre-signed URL on this
/// stand-in (`/_files/…?X-Amz-Expires=…`) that answers until it expires. `associatedResourceArn` is
/// required and `urlExpiryInSeconds` must be 5..300, as Connect's model says.
async fn get_attached_file(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, file_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut expiry = None;
    let mut associated = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "urlExpiryInSeconds" => expiry = Some(value.into_owned()),
            "associatedResourceArn" => associated = Some(value.into_owned()),
            _ => {}
        }
    }
    let request = Recorded {
        operation: "GetAttachedFile",
        instance_id: instance_id.clone(),
        contact_id: file_id.clone(),
        reference_types: associated.iter().cloned().collect(),
        next_token: expiry.clone(),
        signed: false, // admit() reads the signature
    };
    if let Some(refusal) = admit(&shared, &headers, request, Some(&file_id)).await {
        return refusal;
    }
    let Some(associated) = associated.filter(|arn| arn.starts_with("arn:")) else {
        return error(StatusCode::BAD_REQUEST, "InvalidRequestException", "AssociatedResourceArn must be a valid ARN");
    };
    let seconds: u64 = match expiry.as_deref().map(str::parse) {
        None => 300,
        Some(Ok(seconds @ 5..=300)) => seconds,
        Some(_) => {
            return error(StatusCode::BAD_REQUEST, "InvalidRequestException", "UrlExpiryInSeconds must be 5 to 300")
        }
    };
    let Some(file) = shared.seed.files.get(&instance_id).and_then(|files| files.get(&file_id)) else {
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "File not found");
    };
    let mut body = json!({
        "FileArn": format!("arn:aws:connect:us-east-1:123456789012:instance/{instance_id}/file/{file_id}"),
        "FileId": file_id,
        "FileName": file.name,
        "FileSizeInBytes": file.size_in_bytes,
        "FileStatus": file.status,
        "AssociatedResourceArn": associated,
        "CreationTime": "2026-11-28T17:40:00.000Z",
    });
    if file.status == "APPROVED" {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        body["DownloadUrlMetadata"] = json!({
            "Url": format!(
                "http://{host}/_files/{instance_id}/{file_id}?X-Amz-Date={now}&X-Amz-Expires={seconds}&X-Amz-Signature=local-{file_id}"
            ),
            "UrlExpiry": iso8601(now + seconds),
        });
    }
    json_response(StatusCode::OK, Body::from(body.to_string()))
}

/// The fake pre-signed URL: the file's text until `X-Amz-Date + X-Amz-Expires`, then 403 as S3 answers.
async fn download_file(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, file_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut issued = None;
    let mut expires = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "X-Amz-Date" => issued = value.parse::<u64>().ok(),
            "X-Amz-Expires" => expires = value.parse::<u64>().ok(),
            _ => {}
        }
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let file = shared.seed.files.get(&instance_id).and_then(|files| files.get(&file_id));
    match (file, issued.zip(expires)) {
        (Some(file), Some((issued, expires))) if file.status == "APPROVED" && now <= issued + expires => {
            (StatusCode::OK, format!("connect-local: the content of {}\n", file.name)).into_response()
        }
        _ => (StatusCode::FORBIDDEN, "Request has expired or is not signed\n").into_response(),
    }
}

/// Seconds since the epoch as `yyyy-MM-ddThh:mm:ss.000Z`, the form of `DownloadUrlMetadata.UrlExpiry`.
fn iso8601(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

/// What every operation does before its own work: records the request (with whether it was SigV4-signed
/// for `connect`), refuses an unsigned one as Connect refuses it, and serves an injected fault (the queue
/// is shared by all operations; `file` is the file a `GetAttachedFile` asks for).
async fn admit(shared: &Shared, headers: &HeaderMap, mut request: Recorded, file: Option<&str>) -> Option<Response> {
    let signed = is_sigv4_for_connect(headers);
    request.signed = signed;
    shared.record(request);
    if !signed {
        return Some(unrecognized_client());
    }
    let refused = match shared.next_fault(file)? {
        Fault::Slow { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            return None;
        }
        Fault::Throttle => error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded"),
        Fault::Internal => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServiceException", "Internal service error")
        }
        Fault::AccessDenied => {
            error(StatusCode::FORBIDDEN, "AccessDeniedException", "You do not have sufficient access")
        }
        Fault::InvalidParameter => error(StatusCode::BAD_REQUEST, "InvalidParameterException", "Invalid parameter"),
        Fault::InvalidRequest => error(StatusCode::BAD_REQUEST, "InvalidRequestException", "Invalid request"),
        Fault::NotFound => error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Not found"),
        Fault::UnrecognizedClient => unrecognized_client(),
        Fault::Garbage => json_response(StatusCode::OK, Body::from("<html>not json{")),
        Fault::Drop => dropped_mid_reply(),
    };
    Some(refused)
}

/// What Connect would answer for this request and seed.
fn answer(seed: &Seed, instance_id: &str, contact_id: &str, reference_types: &[String]) -> Response {
    if instance_id.is_empty() || instance_id.chars().count() > 100 || contact_id.chars().count() > 256 {
        return error(StatusCode::BAD_REQUEST, "InvalidParameterException", "Invalid InstanceId or ContactId");
    }
    if reference_types.is_empty() || reference_types.len() > MAX_TYPES {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterException",
            "ReferenceTypes must hold between 1 and 6 items",
        );
    }
    if let Some(unknown) = reference_types.iter().find(|t| !SERVICE_TYPES.contains(&t.as_str())) {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterException",
            &format!("Invalid reference type {unknown}"),
        );
    }
    let Some(references) = seed.instances.get(instance_id).and_then(|contacts| contacts.get(contact_id)) else {
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Contact not found");
    };
    let selected: Vec<&Value> = references
        .iter()
        .filter(|reference| match member_type(reference) {
            Some(reference_type) => reference_types.iter().any(|t| t == reference_type),
            None => true,
        })
        .collect();
    let body = json!({"ReferenceSummaryList": selected, "NextToken": null});
    json_response(StatusCode::OK, Body::from(body.to_string()))
}

fn member_type(reference: &Value) -> Option<&'static str> {
    let member = reference.as_object()?.keys().next()?;
    UNION_MEMBERS.iter().find(|(name, _)| name == member).map(|(_, t)| *t)
}

/// A SigV4 `Authorization` header scoped to the `connect` service, as the SDK sends it.
fn is_sigv4_for_connect(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|auth| auth.starts_with("AWS4-HMAC-SHA256 Credential=") && auth.contains("/connect/aws4_request"))
        && headers.contains_key("x-amz-date")
}

fn unrecognized_client() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

fn error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    let mut response = json_response(status, Body::from(json!({ "message": message }).to_string()));
    response.headers_mut().insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
    response
}

fn json_response(status: StatusCode, body: Body) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response.headers_mut().insert("x-amzn-RequestId", HeaderValue::from_static("00000000-0000-0000-0000-000000000000"));
    response
}

/// Promises a long body, sends a little of it, then fails the stream so the connection is cut.
fn dropped_mid_reply() -> Response {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = vec![
        Ok(bytes::Bytes::from_static(br#"{"ReferenceSummaryList":[{"Url":{"Na"#)),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped by fault injection")),
    ];
    let mut response = json_response(StatusCode::OK, Body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert("content-length", HeaderValue::from_static("4096"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_expiries_are_iso_8601_in_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_887_600), "2026-11-28T17:40:00.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn a_file_fault_applies_to_that_file_only_and_others_take_the_queue_in_order() {
        let shared = Shared::default();
        shared.add_fault(Injection { fault: Fault::Throttle, times: None, file: Some("f2".into()) });
        shared.add_fault(Injection { fault: Fault::Internal, times: Some(1), file: None });
        assert_eq!(shared.next_fault(Some("f1")), Some(Fault::Internal));
        assert_eq!(shared.next_fault(Some("f1")), None);
        assert_eq!(shared.next_fault(Some("f2")), Some(Fault::Throttle));
        assert_eq!(shared.next_fault(None), None);
    }
}
