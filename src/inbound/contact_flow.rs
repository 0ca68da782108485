//! The Amazon Connect contact-flow adapter: a `ContactFlowEvent` → [`ReferenceQuery`], and the outcome
//! → the flat string map that Connect's default `STRING_MAP` validation accepts (or the JSON envelope).

use std::collections::HashMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use std::time::Duration;

use crate::app::{record_usage, App, Invocation, Outcome};
use crate::domain::caller::Caller;
use crate::domain::config::EntryPoint;
use crate::domain::connect_id::check_contact_or_file_id;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::query::{RawQuery, ReferenceQuery};
use crate::domain::reference::{keyed_within_budget, ReferencePage};
use crate::inbound::envelope;
use crate::telemetry::metrics::{EventKind, Measurements};
use crate::use_case::ConnectApi;

/// The time limit when the flow does not give `timeoutSeconds`: short enough for a block left at a
/// short Timeout (the block's documentation gives no default), long enough for Connect's usual answer.
pub(crate) const DEFAULT_FLOW_TIMEOUT_SECONDS: u64 = 3;
/// A block waits 1..8 s in synchronous mode and at most 60 s in asynchronous mode.
const FLOW_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=60;

/// Connect refuses a Lambda response of 32 KB or more, without saying whether it means 32,000 or
/// 32,768 bytes: the answer stays under the smaller.
pub(crate) const MAX_RESPONSE_BYTES: usize = 32_000;
/// The prefix of each reference's key: a flow reads `$.External.ref_<key>`.
pub(crate) const REFERENCE_KEY_PREFIX: &str = "ref_";
/// The prefix of the entry holding a reference's original name, when its key had to change it.
pub(crate) const NAME_KEY_PREFIX: &str = "name_";
/// The prefix of the entry holding an attachment's download link (`include=downloadUrl`).
pub(crate) const URL_KEY_PREFIX: &str = "url_";

/// The parts of Connect's event we read. Lenient on purpose: endpoints and queue may be null or
/// missing, unknown fields are ignored, and `Name` is not checked (real events say `ContactFlowEvent`
/// or `ContactFlowExecution`). What makes an event a contact-flow event is `Details.ContactData`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContactFlowEvent {
    pub(crate) details: Details,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Details {
    pub(crate) contact_data: ContactData,
    #[serde(default)]
    pub(crate) parameters: Option<HashMap<String, Value>>,
}

/// Read as any JSON so that a malformed value (a number, an object) is the flow's failure map naming
/// the field, not an unrecognised event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContactData {
    #[serde(rename = "InstanceARN", default)]
    pub(crate) instance_arn: Option<Value>,
    #[serde(default)]
    pub(crate) contact_id: Option<Value>,
    #[serde(default)]
    pub(crate) initial_contact_id: Option<Value>,
}

/// How the flow wants its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseFormat {
    /// A flat map of strings, for `STRING_MAP` validation (the default).
    StringMap,
    /// The HTTP envelope, for `JSON` validation.
    Json,
}

impl ContactFlowEvent {
    /// Reads an event if it has the contact-flow shape, `None` otherwise.
    pub(crate) fn from_json(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }

    fn parameter(&self, key: &str) -> Result<Option<&str>, Error> {
        match self.details.parameters.as_ref().and_then(|p| p.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) if value.is_empty() => Ok(None),
            Some(Value::String(value)) => Ok(Some(value)),
            Some(_) => Err(Error::validation(format!("parameter {key} must be a string"))),
        }
    }

    /// `Parameters.responseFormat`: `JSON` for the envelope; absent or `STRING_MAP` for the flat map.
    pub(crate) fn response_format(&self) -> Result<ResponseFormat, Error> {
        match self.parameter("responseFormat")? {
            None => Ok(ResponseFormat::StringMap),
            Some(value) if value.eq_ignore_ascii_case("JSON") => Ok(ResponseFormat::Json),
            Some(value) if value.eq_ignore_ascii_case("STRING_MAP") => Ok(ResponseFormat::StringMap),
            Some(_) => Err(Error::validation("parameter responseFormat must be JSON or STRING_MAP")),
        }
    }

    /// `Parameters.timeoutSeconds`: how long the flow's block waits, which the answer must beat. The
    /// block's Timeout is the flow author's choice, 1..8 s in synchronous mode and up to 60 s in
    /// asynchronous mode; Connect's event says neither, so the flow tells the function. Absent:
    /// [`DEFAULT_FLOW_TIMEOUT_SECONDS`].
    pub(crate) fn time_limit(&self) -> Result<Duration, Error> {
        let seconds = match self.parameter("timeoutSeconds")? {
            None => DEFAULT_FLOW_TIMEOUT_SECONDS,
            Some(raw) => raw.trim().parse::<u64>().ok().filter(|s| FLOW_TIMEOUT_RANGE.contains(s)).ok_or_else(|| {
                Error::validation(format!(
                    "parameter timeoutSeconds {} must be the block's Timeout: 1 to 8 seconds (synchronous), up to 60 (asynchronous)",
                    crate::domain::error::quote(raw)
                ))
            })?,
        };
        Ok(Duration::from_secs(seconds))
    }

    /// The instance from `InstanceARN`; the contact from `Parameters.contactId`, else the initial
    /// contact (what ListContactReferences wants), else the current one; types from
    /// `Parameters.referenceTypes`, else all.
    pub(crate) fn query(&self) -> Result<ReferenceQuery, Error> {
        let data = &self.details.contact_data;
        let instance = text(&data.instance_arn, "InstanceARN")?
            .ok_or_else(|| Error::validation("the event has no Details.ContactData.InstanceARN"))?;
        // The event's own ids are checked by shape whether or not the query uses them: the current
        // contact names the flow in the audit line, and nothing unchecked reaches a log or Connect.
        let current = contact_id(&data.contact_id, "ContactId")?;
        let initial = contact_id(&data.initial_contact_id, "InitialContactId")?;
        let contact = match self.parameter("contactId")? {
            Some(contact) => contact,
            None => initial.or(current).ok_or_else(|| Error::validation("the event has no contact id"))?,
        };
        let query = ReferenceQuery::parse(RawQuery {
            instance_id: instance,
            contact_id: contact,
            reference_types: self.parameter("referenceTypes")?.map(|types| vec![types]),
            include: self.parameter("include")?.map(|include| vec![include]),
            url_expiry: self.parameter("urlExpiry")?,
            ..RawQuery::default()
        })?;
        Ok(query)
    }
}

impl ContactFlowEvent {
    /// The flow as the audit line names it: the event's instance and current contact.
    pub(crate) fn caller(&self) -> Caller {
        let data = &self.details.contact_data;
        fn field(value: &Option<Value>) -> &str {
            value.as_ref().and_then(Value::as_str).unwrap_or("unknown")
        }
        Caller::contact_flow(field(&data.instance_arn), field(&data.contact_id))
    }
}

/// A `ContactData` contact id: absent, null or empty is `None`; otherwise it has a Connect id's shape.
fn contact_id<'a>(value: &'a Option<Value>, field: &str) -> Result<Option<&'a str>, Error> {
    let id = text(value, field)?;
    if let Some(id) = id {
        check_contact_or_file_id(&format!("Details.ContactData.{field}"), id)?;
    }
    Ok(id)
}

/// A `ContactData` field: absent, null or empty is `None`; anything but a string is refused.
fn text<'a>(value: &'a Option<Value>, field: &str) -> Result<Option<&'a str>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str()).filter(|t| !t.is_empty())),
        Some(_) => Err(Error::validation(format!("Details.ContactData.{field} must be a string"))),
    }
}

/// The flat answer: `success`, `count`, `ref_<key>` per reference (and `name_<key>` with the original
/// name when [`flow_key`](crate::domain::reference::flow_key) changed it), then `nextToken` and `truncated` when they apply. Built to stay under [`MAX_RESPONSE_BYTES`] by dropping whole references from the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlatResponse {
    entries: Vec<(String, String)>,
}

impl FlatResponse {
    pub(crate) fn success(page: &ReferencePage) -> Self {
        let tail: Vec<(String, String)> =
            page.next_token.iter().map(|token| ("nextToken".to_owned(), token.clone())).collect();
        // Room for the fixed keys: `{"success":"true","count":"NNNNN","truncated":"true"}` and the tail.
        let fixed = r#"{"success":"true","count":"99999","truncated":"true"}"#.len()
            + tail.iter().map(|(k, v)| entry_len(k, v)).sum::<usize>();
        let budget = MAX_RESPONSE_BYTES.saturating_sub(1 + fixed);
        let (kept, truncated) = keyed_within_budget(&page.references, budget, |key, name, reference| {
            let value = reference.value_or_arn().unwrap_or_default();
            let mut kept = vec![(format!("{REFERENCE_KEY_PREFIX}{key}"), value.to_owned())];
            if key != name {
                kept.push((format!("{NAME_KEY_PREFIX}{key}"), name.to_owned()));
            }
            if let Some(url) = &reference.download_url {
                kept.push((format!("{URL_KEY_PREFIX}{key}"), url.clone()));
            }
            let len: usize = kept.iter().map(|(k, v)| entry_len(k, v)).sum();
            (kept, len)
        });
        let count = kept.len();
        let references: Vec<(String, String)> = kept.into_iter().flatten().collect();
        let mut entries = vec![("success".to_owned(), "true".to_owned()), ("count".to_owned(), count.to_string())];
        entries.extend(references);
        entries.extend(tail);
        if truncated {
            entries.push(("truncated".to_owned(), "true".to_owned()));
        }
        FlatResponse { entries }
    }

    pub(crate) fn failure(error: &Error) -> Self {
        FlatResponse {
            entries: vec![
                ("success".to_owned(), "false".to_owned()),
                ("errorCode".to_owned(), error.code().to_owned()),
                ("errorMessage".to_owned(), error.message.clone()),
            ],
        }
    }

    /// Whether references were dropped to stay under Connect's limit.
    pub(crate) fn is_truncated(&self) -> bool {
        self.entries.last().is_some_and(|(key, _)| key == "truncated")
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"success":"false","errorCode":"INTERNAL_ERROR","errorMessage":"internal error"}"#.to_owned()
        })
    }
}

impl Serialize for FlatResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The bytes `"key":"value",` takes in the serialised map.
fn entry_len(key: &str, value: &str) -> usize {
    json_string_len(key) + json_string_len(value) + 2
}

fn json_string_len(text: &str) -> usize {
    serde_json::to_string(text).map_or(usize::MAX / 4, |quoted| quoted.len())
}

/// The JSON a flow gets back, and whether it had to drop references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlowAnswer {
    pub(crate) body: String,
    pub(crate) truncated: bool,
}

/// Renders the outcome in the format the flow asked for.
pub(crate) fn render(
    outcome: &Result<(ReferenceQuery, ReferencePage), Error>,
    format: ResponseFormat,
    request_id: Option<&str>,
) -> FlowAnswer {
    let whole = |body| FlowAnswer { body, truncated: false };
    match (format, outcome) {
        (ResponseFormat::Json, Ok((query, page))) => {
            let (body, truncated) = envelope::flow_success(query, page, MAX_RESPONSE_BYTES);
            FlowAnswer { body, truncated }
        }
        (ResponseFormat::Json, Err(error)) => whole(envelope::error(error, request_id)),
        (ResponseFormat::StringMap, Ok((_, page))) => {
            let flat = FlatResponse::success(page);
            FlowAnswer { body: flat.to_json(), truncated: flat.is_truncated() }
        }
        (ResponseFormat::StringMap, Err(error)) => whole(FlatResponse::failure(error).to_json()),
    }
}

/// Answers one contact-flow event: the flat map, or the envelope when the flow asks for JSON. Never
/// fails: every problem is the flow's failure answer. `context` is the invocation's Lambda context.
pub(crate) async fn answer_flow<C: ConnectApi>(
    app: &App<C>,
    event: &ContactFlowEvent,
    context: Option<&lambda_runtime::Context>,
) -> Outcome<String> {
    let mut measured = Measurements::of(EventKind::ContactFlow);
    let request_id = context.map(|c| c.request_id.as_str());
    let format = match app.admit(EntryPoint::ContactFlow).and_then(|()| event.response_format()) {
        Ok(format) => format,
        Err(error) => {
            measured.error_code = Some(error.code());
            return Outcome { answer: FlatResponse::failure(&error).to_json(), measured };
        }
    };
    let outcome = match event.time_limit().and_then(|limit| Ok((limit, event.query()?))) {
        Ok((limit, query)) => {
            let invocation = Invocation::from_context(context, Some(limit), event.caller());
            let (page, usage) = app.list(&query, &invocation).await;
            record_usage(&mut measured, &usage);
            page.map(|page| (query, page))
        }
        Err(error) => Err(error),
    };
    measured.error_code = outcome.as_ref().err().map(Error::code);
    measured.references = outcome.as_ref().map_or(0, |(_, page)| page.references.len());
    measured.download_url_errors = outcome.as_ref().map_or(0, |(_, page)| page.download_url_errors());
    let rendered = render(&outcome, format, request_id);
    measured.truncated = rendered.truncated;
    Outcome { answer: rendered.body, measured }
}

/// The answer to a direct invocation that is neither an HTTP request nor a contact-flow event.
pub(crate) fn unrecognised_event() -> Error {
    Error::new(
        ErrorKind::Validation,
        "unrecognised event: expected an API Gateway (REST or HTTP API), ALB or function-URL request, \
         or an Amazon Connect contact-flow event with Details.ContactData",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{deadline_from, Now};
    use crate::domain::reference::Reference;
    use crate::domain::reference::ReferenceType;
    use serde_json::json;

    const ID: &str = "11111111-2222-3333-4444-555555555555";

    fn event(contact_data: Value, parameters: Value) -> ContactFlowEvent {
        let event =
            json!({"Name": "ContactFlowEvent", "Details": {"ContactData": contact_data, "Parameters": parameters}});
        ContactFlowEvent::from_json(&event.to_string()).expect("a contact-flow event")
    }

    fn arn() -> String {
        format!("arn:aws:connect:us-east-1:123456789012:instance/{ID}")
    }

    fn reference(name: &str, value: Option<&str>, arn: Option<&str>) -> Reference {
        Reference {
            reference_type: Some(ReferenceType::Url),
            name: Some(name.into()),
            value: value.map(Into::into),
            arn: arn.map(Into::into),
            ..Reference::default()
        }
    }

    fn parsed(flat: &FlatResponse) -> Value {
        serde_json::from_str(&flat.to_json()).unwrap()
    }

    #[test]
    fn null_endpoints_queue_and_parameters_are_accepted() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c", "CustomerEndpoint": null,
                          "SystemEndpoint": null, "Queue": null, "MediaStreams": {"Customer": {}}});
        let query = event(data, Value::Null).query().unwrap();
        assert_eq!(query.instance_id, ID);
        assert_eq!(query.contact_id, "c");
        assert_eq!(query.reference_types.len(), ReferenceType::ALL.len());
    }

    #[test]
    fn the_initial_contact_is_preferred_and_the_parameter_wins() {
        let data = json!({"InstanceARN": arn(), "ContactId": "transfer", "InitialContactId": "initial"});
        assert_eq!(event(data.clone(), json!({})).query().unwrap().contact_id, "initial");
        let with_param = event(data, json!({"contactId": "chosen"}));
        assert_eq!(with_param.query().unwrap().contact_id, "chosen");
    }

    #[test]
    fn reference_types_parameter_follows_the_http_rules() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c"});
        let query = event(data.clone(), json!({"referenceTypes": "url, Attachment,url"})).query().unwrap();
        let types: Vec<_> = query.reference_types.iter().map(|t| t.as_str()).collect();
        assert_eq!(types, ["URL", "ATTACHMENT"]);
        let error = event(data, json!({"referenceTypes": "PHOTO"})).query().unwrap_err();
        assert!(error.message.contains("\"PHOTO\""));
    }

    #[test]
    fn a_missing_instance_or_a_non_string_parameter_is_a_validation_error() {
        let missing = event(json!({"ContactId": "c"}), json!({})).query().unwrap_err();
        assert!(missing.message.contains("InstanceARN"));
        let non_string = event(json!({"InstanceARN": arn(), "ContactId": "c"}), json!({"contactId": 7}));
        assert_eq!(non_string.query().unwrap_err().kind, ErrorKind::Validation);
    }

    #[test]
    fn a_non_string_contact_data_field_is_the_flows_failure_not_an_unrecognised_event() {
        for (field, value) in [("InstanceARN", json!(42)), ("InitialContactId", json!({})), ("ContactId", json!([1]))] {
            let mut data = json!({"InstanceARN": arn(), "ContactId": "c", "InitialContactId": "i"});
            data[field] = value;
            let error = event(data, json!({})).query().unwrap_err();
            assert_eq!(error.kind, ErrorKind::Validation);
            assert_eq!(error.message, format!("Details.ContactData.{field} must be a string"));
        }
    }

    #[test]
    fn an_empty_parameter_counts_as_absent() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c", "InitialContactId": "initial"});
        let flow = event(data, json!({"contactId": "", "referenceTypes": "", "responseFormat": ""}));
        let query = flow.query().unwrap();
        assert_eq!(query.contact_id, "initial");
        assert_eq!(query.reference_types.len(), ReferenceType::ALL.len());
        assert_eq!(flow.response_format().unwrap(), ResponseFormat::StringMap);
    }

    #[test]
    fn events_without_contact_data_are_not_contact_flow_events() {
        assert!(ContactFlowEvent::from_json(r#"{"Name": "ContactFlowEvent", "Details": {}}"#).is_none());
        assert!(ContactFlowEvent::from_json(r#"{"hello": "world"}"#).is_none());
        assert!(ContactFlowEvent::from_json(r#""text""#).is_none());
    }

    #[test]
    fn the_time_limit_is_the_blocks_timeout_from_1_to_60_seconds_and_3_by_default() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c"});
        let limit = |parameters| event(data.clone(), parameters).time_limit();
        assert_eq!(limit(Value::Null).unwrap(), Duration::from_secs(DEFAULT_FLOW_TIMEOUT_SECONDS));
        assert_eq!(limit(json!({"timeoutSeconds": "1"})).unwrap(), Duration::from_secs(1));
        assert_eq!(limit(json!({"timeoutSeconds": "8"})).unwrap(), Duration::from_secs(8));
        // Asynchronous mode: the block may wait up to 60 s, and the function does not cut it at 8.
        assert_eq!(limit(json!({"timeoutSeconds": "45"})).unwrap(), Duration::from_secs(45));
        for bad in ["0", "61", "2.5", "soon", "-1"] {
            let error = limit(json!({"timeoutSeconds": bad})).unwrap_err();
            assert!(error.message.starts_with("parameter timeoutSeconds"), "{bad}: {}", error.message);
        }
    }

    #[test]
    fn an_asynchronous_blocks_limit_is_not_cut_at_eight_seconds() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c"});
        let limit = event(data, json!({"timeoutSeconds": "45"})).time_limit().unwrap();
        let now = Now { epoch_ms: 1_796_392_800_000, instant: tokio::time::Instant::now() };
        let left = deadline_from(now, now.epoch_ms + 60_000, Some(limit)) - now.instant;
        assert_eq!(left, Duration::from_millis(44_700));
    }

    #[test]
    fn response_format_is_json_or_string_map() {
        let data = json!({"InstanceARN": arn(), "ContactId": "c"});
        assert_eq!(
            event(data.clone(), json!({"responseFormat": "json"})).response_format().unwrap(),
            ResponseFormat::Json
        );
        assert_eq!(event(data.clone(), json!({})).response_format().unwrap(), ResponseFormat::StringMap);
        assert!(event(data, json!({"responseFormat": "xml"})).response_format().is_err());
    }

    #[test]
    fn flat_success_lists_value_or_arn_and_counts_references() {
        let page = ReferencePage {
            references: vec![
                reference("case", Some("https://x"), None),
                reference("mail", None, Some("arn:m")),
                reference("case", Some("second"), None),
            ],
            next_token: Some("t".into()),
            initial_contact_id: None,
        };
        assert_eq!(
            parsed(&FlatResponse::success(&page)),
            json!({"success": "true", "count": "2", "ref_case": "https://x", "ref_mail": "arn:m", "nextToken": "t"})
        );
    }

    #[test]
    fn flat_failure_has_code_and_message() {
        let error = Error::new(ErrorKind::NotFound, "gone");
        assert_eq!(
            parsed(&FlatResponse::failure(&error)),
            json!({"success": "false", "errorCode": "NOT_FOUND", "errorMessage": "gone"})
        );
    }

    #[test]
    fn oversized_answers_drop_whole_references_from_the_end() {
        let references =
            (0..100).map(|i| reference(&format!("r{i:03}"), Some(&"\u{e9}\"".repeat(200)), None)).collect();
        let page = ReferencePage { references, next_token: None, initial_contact_id: None };
        let flat = FlatResponse::success(&page);
        let json = flat.to_json();
        assert!(json.len() < MAX_RESPONSE_BYTES, "{} bytes", json.len());
        let body = parsed(&flat);
        assert_eq!(body["truncated"], "true");
        assert!(flat.is_truncated());
        let count: usize = body["count"].as_str().unwrap().parse().unwrap();
        assert!(count > 10 && count < 100, "{count}");
        assert_eq!(body.as_object().unwrap().len(), count + 3);
        assert!(body.get(format!("ref_r{:03}", count - 1)).is_some());
        assert!(body.get(format!("ref_r{count:03}")).is_none());
        // One more reference would not have fitted.
        let next = entry_len(&format!("ref_r{count:03}"), &"\u{e9}\"".repeat(200));
        assert!(json.len() + next >= MAX_RESPONSE_BYTES - r#","truncated":"true""#.len() - 8);
    }

    #[test]
    fn every_key_is_addressable_and_the_original_name_stays_available() {
        let page = ReferencePage {
            references: vec![
                reference("caseUrl", Some("u"), None),
                reference("scan.pdf", Some("s"), None),
                reference("Claim form 2", Some("c"), None),
                reference("docs/terms", Some("t"), None),
                reference("Überweisung-€", Some("m"), None),
            ],
            next_token: None,
            initial_contact_id: None,
        };
        let answer = parsed(&FlatResponse::success(&page));
        assert_eq!(
            answer,
            json!({"success": "true", "count": "5", "ref_caseUrl": "u",
                   "ref_scan_pdf": "s", "name_scan_pdf": "scan.pdf",
                   "ref_Claim_form_2": "c", "name_Claim_form_2": "Claim form 2",
                   "ref_docs_terms": "t", "name_docs_terms": "docs/terms",
                   "ref__berweisung__": "m", "name__berweisung__": "Überweisung-€"})
        );
        for key in answer.as_object().unwrap().keys() {
            assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{key} is not addressable");
        }
    }

    #[test]
    fn names_that_map_to_the_same_key_are_resolved_like_duplicates_the_first_wins() {
        let page = ReferencePage {
            references: vec![
                reference("scan.pdf", Some("first"), None),
                reference("scan pdf", Some("second"), None),
                reference("scan_pdf", Some("third"), None),
            ],
            next_token: None,
            initial_contact_id: None,
        };
        assert_eq!(
            parsed(&FlatResponse::success(&page)),
            json!({"success": "true", "count": "1", "ref_scan_pdf": "first", "name_scan_pdf": "scan.pdf"})
        );
    }

    #[test]
    fn the_32_kb_cap_counts_the_name_entries_and_drops_a_reference_with_both() {
        let references =
            (0..200).map(|i| reference(&format!("file {i:03}.pdf"), Some(&"v".repeat(150)), None)).collect();
        let flat = FlatResponse::success(&ReferencePage { references, next_token: None, initial_contact_id: None });
        let json = flat.to_json();
        assert!(json.len() < MAX_RESPONSE_BYTES, "{} bytes", json.len());
        assert!(flat.is_truncated());
        let body = parsed(&flat);
        let count: usize = body["count"].as_str().unwrap().parse().unwrap();
        assert!(count > 50 && count < 200, "{count}");
        // success, count, truncated, and two entries per reference kept: never one without the other.
        assert_eq!(body.as_object().unwrap().len(), 3 + 2 * count);
        let last = format!("file_{:03}_pdf", count - 1);
        assert_eq!(body[format!("name_{last}")], format!("file {:03}.pdf", count - 1));
        assert!(body.get(format!("ref_file_{count:03}_pdf")).is_none());
    }

    #[test]
    fn small_answers_are_not_marked_truncated() {
        let page = ReferencePage {
            references: vec![reference("a", Some("b"), None)],
            next_token: None,
            initial_contact_id: None,
        };
        assert!(parsed(&FlatResponse::success(&page)).get("truncated").is_none());
        assert!(!FlatResponse::success(&page).is_truncated());
    }
}
