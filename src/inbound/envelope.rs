//! The JSON envelope every HTTP caller (and a flow asking for JSON) receives:
//! `{"success": true, "data": …}` or `{"success": false, "error": …}`.

use serde::Serialize;

use crate::domain::error::Error;
use crate::domain::query::ReferenceQuery;
use crate::domain::recording::{ListedRecording, RecordingsQuery};
use crate::domain::reference::{keyed_within_budget, Reference, ReferencePage};
use crate::use_case::recordings::OpenedRecording;
use crate::use_case::AttachedFile;

#[derive(Serialize)]
struct Success<'a> {
    success: bool,
    data: Data<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    instance_id: &'a str,
    contact_id: &'a str,
    references: &'a [Reference],
    next_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_contact_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Failure<'a> {
    success: bool,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

/// `{"success": true, "data": {"instanceId", "contactId", "references", "nextToken"}}`.
pub fn success(query: &ReferenceQuery, page: &ReferencePage) -> String {
    to_json(&Success {
        success: true,
        data: Data {
            instance_id: &query.instance_id,
            contact_id: &query.contact_id,
            references: &page.references,
            next_token: page.next_token.as_deref(),
            initial_contact_id: page.initial_contact_id.as_deref(),
        },
    })
}

#[derive(Serialize)]
struct Opened<'a> {
    success: bool,
    data: OpenedData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenedData<'a> {
    url: &'a str,
    expires_at: Option<&'a str>,
    file_name: Option<&'a str>,
    file_size_in_bytes: Option<i64>,
}

/// `{"success": true, "data": {"url", "expiresAt", "fileName", "fileSizeInBytes"}}`: an opened file,
/// for a download-route caller that asked for JSON.
pub(crate) fn opened(file: &AttachedFile) -> String {
    to_json(&Opened {
        success: true,
        data: OpenedData {
            url: file.download_url.as_deref().unwrap_or_default(),
            expires_at: file.url_expires_at.as_deref(),
            file_name: file.file_name.as_deref(),
            file_size_in_bytes: file.file_size_in_bytes,
        },
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordingsData<'a> {
    instance_id: &'a str,
    contact_id: &'a str,
    recordings: &'a [ListedRecording],
}

/// `{"success": true, "data": {"instanceId", "contactId", "recordings"}}`: a contact's recordings.
pub(crate) fn recordings(query: &RecordingsQuery, recordings: &[ListedRecording]) -> String {
    to_json(&serde_json::json!({
        "success": true,
        "data": RecordingsData {
            instance_id: &query.instance_id,
            contact_id: &query.contact_id,
            recordings,
        },
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenedRecordingData<'a> {
    url: &'a str,
    expires_at: &'a str,
    recording_id: &'a str,
    media_stream_type: Option<&'a str>,
    content_type: Option<&'a str>,
}

/// `{"success": true, "data": {"url", "expiresAt", "recordingId", "mediaStreamType", "contentType"}}`: an
/// opened recording, for a caller that asked for JSON (the download route's answer, for a recording).
pub(crate) fn opened_recording(opened: &OpenedRecording) -> String {
    to_json(&serde_json::json!({
        "success": true,
        "data": OpenedRecordingData {
            url: &opened.url,
            expires_at: &opened.expires_at,
            recording_id: &opened.recording_id,
            media_stream_type: opened.media_stream_type.as_deref(),
            content_type: opened.content_type,
        },
    }))
}

/// The envelope for a flow with JSON response validation: `data.references` is an object keyed by the
/// same flow key as the flat map's `ref_<key>` (a flow cannot index an array: read
/// `$.External.data.references.<key>.value`). References without a name have no key and are left out;
/// when two share a key the first wins. References are dropped from the end until the answer fits in
/// `max_bytes`, and `data.truncated` then says so; the second value is whether that happened.
pub(crate) fn flow_success(query: &ReferenceQuery, page: &ReferencePage, max_bytes: usize) -> (String, bool) {
    // The answer without references, with room for `"truncated":true`.
    let fixed = flow_envelope(query, page, serde_json::Map::new(), true).len();
    let (keyed, truncated) =
        keyed_within_budget(&page.references, max_bytes.saturating_sub(fixed + 1), |key, _, reference| {
            let value = serde_json::to_value(reference).unwrap_or_default();
            // `"key":{…},`
            let len = serde_json::to_string(&key).map_or(usize::MAX / 4, |k| k.len()) + value.to_string().len() + 2;
            ((key, value), len)
        });
    (flow_envelope(query, page, keyed.into_iter().collect(), truncated), truncated)
}

fn flow_envelope(
    query: &ReferenceQuery,
    page: &ReferencePage,
    references: serde_json::Map<String, serde_json::Value>,
    truncated: bool,
) -> String {
    let mut data = serde_json::json!({
        "instanceId": query.instance_id,
        "contactId": query.contact_id,
        "references": references,
        "nextToken": page.next_token,
    });
    if let Some(initial) = &page.initial_contact_id {
        data["initialContactId"] = serde_json::json!(initial);
    }
    if truncated {
        data["truncated"] = serde_json::json!(true);
    }
    to_json(&serde_json::json!({"success": true, "data": data}))
}

/// `{"success": false, "error": {"code", "message", "requestId"}}`.
pub(crate) fn failure(code: &str, message: &str, request_id: Option<&str>) -> String {
    to_json(&Failure { success: false, error: ErrorBody { code, message, request_id } })
}

/// [`failure`] for a domain error.
pub(crate) fn error(error: &Error, request_id: Option<&str>) -> String {
    failure(error.code(), &error.message, request_id)
}

fn to_json(value: &impl Serialize) -> String {
    // Serialising these plain structs cannot fail: every key is a string and every value is owned data.
    serde_json::to_string(value).unwrap_or_else(|_| {
        r#"{"success":false,"error":{"code":"INTERNAL_ERROR","message":"internal error"}}"#.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorKind;
    use crate::domain::query::RawQuery;
    use crate::domain::reference::ReferenceType;
    use serde_json::{json, Value};

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn success_has_every_documented_key_and_a_null_token() {
        let raw = RawQuery { instance_id: INSTANCE, contact_id: "contact", ..RawQuery::default() };
        let query = ReferenceQuery::parse(raw).unwrap();
        let page = ReferencePage {
            references: vec![Reference {
                reference_type: Some(ReferenceType::Url),
                name: Some("n".into()),
                value: Some("v".into()),
                ..Reference::default()
            }],
            next_token: None,
            initial_contact_id: None,
        };
        let body: Value = serde_json::from_str(&success(&query, &page)).unwrap();
        assert_eq!(
            body,
            json!({"success": true, "data": {"instanceId": INSTANCE, "contactId": "contact",
                "references": [{"type": "URL", "name": "n", "value": "v"}], "nextToken": null}})
        );
    }

    #[test]
    fn failure_carries_code_message_and_request_id() {
        let error = Error::new(ErrorKind::NotFound, "no such contact");
        let body: Value = serde_json::from_str(&super::error(&error, Some("req-1"))).unwrap();
        assert_eq!(
            body,
            json!({"success": false, "error": {"code": "NOT_FOUND", "message": "no such contact", "requestId": "req-1"}})
        );
    }

    #[test]
    fn messages_quoting_input_stay_valid_json() {
        let error = Error::validation("bad \"id\"}\n,\"x\":1");
        let body: Value = serde_json::from_str(&super::error(&error, None)).unwrap();
        assert_eq!(body["error"]["message"], "bad \"id\"}\n,\"x\":1");
    }
}
