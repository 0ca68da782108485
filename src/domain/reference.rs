//! A contact reference as callers see it, with the domain's own kinds and statuses. (`connect.rs`
//! makes them from the SDK's `ReferenceSummary` union; nothing here knows the SDK.)

use serde::{Serialize, Serializer};

use crate::domain::error::ErrorKind;

/// The kinds of reference Connect lists, in the order the SDK lists them (`ReferenceType::values()`,
/// which a test in `connect.rs` compares with [`ReferenceType::ALL`]): a query that names no types asks
/// for all of them, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceType {
    Attachment,
    ContactAnalysis,
    Date,
    Email,
    EmailMessage,
    EmailMessagePlainText,
    EmailMessagePlainTextRedacted,
    EmailMessageRedacted,
    Number,
    String,
    Url,
}

impl ReferenceType {
    /// Every kind, in the SDK's order: the one table of kinds and their names.
    pub(crate) const ALL: [ReferenceType; 11] = [
        ReferenceType::Attachment,
        ReferenceType::ContactAnalysis,
        ReferenceType::Date,
        ReferenceType::Email,
        ReferenceType::EmailMessage,
        ReferenceType::EmailMessagePlainText,
        ReferenceType::EmailMessagePlainTextRedacted,
        ReferenceType::EmailMessageRedacted,
        ReferenceType::Number,
        ReferenceType::String,
        ReferenceType::Url,
    ];

    /// The name on Connect's wire and in answers.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            ReferenceType::Attachment => "ATTACHMENT",
            ReferenceType::ContactAnalysis => "CONTACT_ANALYSIS",
            ReferenceType::Date => "DATE",
            ReferenceType::Email => "EMAIL",
            ReferenceType::EmailMessage => "EMAIL_MESSAGE",
            ReferenceType::EmailMessagePlainText => "EMAIL_MESSAGE_PLAIN_TEXT",
            ReferenceType::EmailMessagePlainTextRedacted => "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
            ReferenceType::EmailMessageRedacted => "EMAIL_MESSAGE_REDACTED",
            ReferenceType::Number => "NUMBER",
            ReferenceType::String => "STRING",
            ReferenceType::Url => "URL",
        }
    }

    /// Whether a reference of this kind is an attached file of its contact, opened through the download
    /// route (`GetAttachedFile`): an ATTACHMENT, and the four `EMAIL_MESSAGE*` kinds (each an email's
    /// body as a JSON file, `{contentType, messageContent}`).
    ///
    /// An email message's reference carries only a name and an ARN, no status. It means nothing is
    /// known of the file until it is opened: it gets its `downloadPath` like an attachment of any
    /// status, and the status that decides is the one `GetAttachedFile` reports at the click (APPROVED
    /// gives the link; PROCESSING, DRAFTING `FILE_NOT_READY`; REJECTED, FAILED, DELETED
    /// `FILE_UNAVAILABLE`; a file Connect does not know `NOT_FOUND`), exactly as for an attachment.
    pub(crate) const fn opens_as_file(self) -> bool {
        matches!(
            self,
            ReferenceType::Attachment
                | ReferenceType::EmailMessage
                | ReferenceType::EmailMessagePlainText
                | ReferenceType::EmailMessagePlainTextRedacted
                | ReferenceType::EmailMessageRedacted
        )
    }

    /// The kind with this name, in any case.
    pub(crate) fn from_name(name: &str) -> Option<ReferenceType> {
        ReferenceType::ALL.into_iter().find(|kind| kind.as_str().eq_ignore_ascii_case(name))
    }

    /// Every name, comma-separated, for messages that list the valid ones.
    pub(crate) fn names() -> String {
        ReferenceType::ALL.map(ReferenceType::as_str).join(", ")
    }
}

/// A reference's status, as Connect reports it. Connect may add statuses: an unknown one is kept as
/// Connect spelled it, so callers still see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReferenceStatus {
    Approved,
    Available,
    Deleted,
    Drafting,
    Failed,
    Processing,
    Rejected,
    Other(String),
}

impl ReferenceStatus {
    const KNOWN: [ReferenceStatus; 7] = [
        ReferenceStatus::Approved,
        ReferenceStatus::Available,
        ReferenceStatus::Deleted,
        ReferenceStatus::Drafting,
        ReferenceStatus::Failed,
        ReferenceStatus::Processing,
        ReferenceStatus::Rejected,
    ];

    pub(crate) fn as_str(&self) -> &str {
        match self {
            ReferenceStatus::Approved => "APPROVED",
            ReferenceStatus::Available => "AVAILABLE",
            ReferenceStatus::Deleted => "DELETED",
            ReferenceStatus::Drafting => "DRAFTING",
            ReferenceStatus::Failed => "FAILED",
            ReferenceStatus::Processing => "PROCESSING",
            ReferenceStatus::Rejected => "REJECTED",
            ReferenceStatus::Other(name) => name,
        }
    }

    /// The status Connect calls `name`; anything unknown is [`ReferenceStatus::Other`].
    pub(crate) fn from_name(name: &str) -> ReferenceStatus {
        ReferenceStatus::KNOWN
            .into_iter()
            .find(|status| status.as_str() == name)
            .unwrap_or_else(|| ReferenceStatus::Other(name.to_owned()))
    }
}

/// One reference. Fields Connect did not return stay `None` and are left out of the JSON;
/// `reference_type` is `None` for a union member this SDK does not know, shown as `"UNKNOWN"`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(rename = "type", serialize_with = "type_name")]
    pub reference_type: Option<ReferenceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "status_name")]
    pub status: Option<ReferenceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_redacted: Option<bool>,
    /// Where downloads are enabled, for an ATTACHMENT or an `EMAIL_MESSAGE*` that is a file of this
    /// instance ([`ReferenceType::opens_as_file`]): the download route's path for it, relative to the API's base (no call to Connect is made for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_path: Option<String>,
    /// With `include=downloadUrl`, for an ATTACHMENT: a pre-signed URL (a bearer credential for the file:
    /// never logged), when it expires, and what Connect says of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size_in_bytes: Option<i64>,
    /// With `include=downloadUrl`, for an ATTACHMENT without a link: why, shown as its error code.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "error_code")]
    pub download_url_error: Option<ErrorKind>,
}

/// What a reference is called when its kind is newer than this SDK.
pub(crate) const UNKNOWN_TYPE: &str = "UNKNOWN";

impl Reference {
    /// What a contact flow reads for this reference: its value, or its ARN for kinds that have no value.
    pub(crate) fn value_or_arn(&self) -> Option<&str> {
        self.value.as_deref().or(self.arn.as_deref())
    }
}

/// The key a flow can address for a reference name: every character outside `[A-Za-z0-9_]` (a dot,
/// which `$.External.a.b` reads as nesting, a space, a slash, any non-ASCII letter) becomes `_`, one for
/// one. Deterministic, so a flow author can work the key out from the name (`scan.pdf` → `scan_pdf`).
pub(crate) fn flow_key(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// What a flow's answer holds of a page: each named reference under its flow key (the first of each
/// key wins; references without a name have none), rendered by `entry` as an item and the bytes it
/// takes, for as long as the items fit in `budget` bytes; and whether whole references were dropped
/// from the end to stay within it. The one rule of a flow's byte budget, for both answer formats.
pub(crate) fn keyed_within_budget<'a, T>(
    references: &'a [Reference],
    mut budget: usize,
    mut entry: impl FnMut(String, &'a str, &'a Reference) -> (T, usize),
) -> (Vec<T>, bool) {
    let mut kept = Vec::new();
    let mut keys_seen = std::collections::HashSet::new();
    for reference in references {
        let Some(name) = reference.name.as_deref() else { continue };
        let key = flow_key(name);
        if !keys_seen.insert(key.clone()) {
            continue;
        }
        let (item, len) = entry(key, name, reference);
        if len > budget {
            return (kept, true);
        }
        budget -= len;
        kept.push(item);
    }
    (kept, false)
}

/// A page of references as one caller asked for them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferencePage {
    pub references: Vec<Reference>,
    pub next_token: Option<String>,
    /// The initial contact whose references these are, when the caller asked for it (`contact=initial`).
    pub initial_contact_id: Option<String>,
}

impl ReferencePage {
    /// How many references say why they have no download link.
    pub(crate) fn download_url_errors(&self) -> usize {
        self.references.iter().filter(|reference| reference.download_url_error.is_some()).count()
    }
}

/// Orders references by the position of their type in `requested` (stable within a type);
/// references of unknown kinds go last, in the order Connect sent them.
pub fn group_by_requested_type(references: &mut [Reference], requested: &[ReferenceType]) {
    references.sort_by_key(|reference| {
        reference.reference_type.and_then(|t| requested.iter().position(|r| *r == t)).unwrap_or(requested.len())
    });
}

fn type_name<S: Serializer>(reference_type: &Option<ReferenceType>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(reference_type.map_or(UNKNOWN_TYPE, ReferenceType::as_str))
}

fn status_name<S: Serializer>(status: &Option<ReferenceStatus>, serializer: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => serializer.serialize_str(status.as_str()),
        None => serializer.serialize_none(),
    }
}

fn error_code<S: Serializer>(kind: &Option<ErrorKind>, serializer: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(kind) => serializer.serialize_str(kind.code()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_has_one_name_and_is_found_by_it_in_any_case() {
        for kind in ReferenceType::ALL {
            assert_eq!(ReferenceType::from_name(kind.as_str()), Some(kind));
            assert_eq!(ReferenceType::from_name(&kind.as_str().to_lowercase()), Some(kind));
        }
        assert_eq!(ReferenceType::from_name("VOICEMAIL"), None);
        assert!(ReferenceType::names().starts_with("ATTACHMENT, CONTACT_ANALYSIS"));
    }

    #[test]
    fn attachments_and_the_four_email_message_kinds_open_as_files() {
        let files: Vec<&str> =
            ReferenceType::ALL.into_iter().filter(|k| k.opens_as_file()).map(ReferenceType::as_str).collect();
        assert_eq!(
            files,
            [
                "ATTACHMENT",
                "EMAIL_MESSAGE",
                "EMAIL_MESSAGE_PLAIN_TEXT",
                "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
                "EMAIL_MESSAGE_REDACTED"
            ]
        );
    }

    #[test]
    fn an_unknown_status_is_kept_as_connect_spelled_it() {
        assert_eq!(ReferenceStatus::from_name("APPROVED"), ReferenceStatus::Approved);
        assert_eq!(ReferenceStatus::from_name("QUARANTINED").as_str(), "QUARANTINED");
        for status in ReferenceStatus::KNOWN {
            assert_eq!(ReferenceStatus::from_name(status.as_str()), status);
        }
    }

    #[test]
    fn an_attachment_shows_its_status_and_a_link_error_as_its_code() {
        let reference = Reference {
            reference_type: Some(ReferenceType::Attachment),
            name: Some("scan.pdf".into()),
            status: Some(ReferenceStatus::Rejected),
            download_url_error: Some(ErrorKind::NotFound),
            ..Reference::default()
        };
        assert_eq!(
            serde_json::to_value(reference).unwrap(),
            json!({"type": "ATTACHMENT", "name": "scan.pdf", "status": "REJECTED", "downloadUrlError": "NOT_FOUND"})
        );
    }

    #[test]
    fn a_reference_of_no_known_kind_is_a_bare_unknown_type() {
        // The wire test in `connect` feeds the SDK a newer union member and checks it arrives as this.
        assert_eq!(serde_json::to_value(Reference::default()).unwrap(), json!({"type": "UNKNOWN"}));
    }

    #[test]
    fn value_or_arn_prefers_the_value() {
        let with_both = Reference { value: Some("v".into()), arn: Some("a".into()), ..Reference::default() };
        let arn_only = Reference { arn: Some("a".into()), ..Reference::default() };
        assert_eq!(with_both.value_or_arn(), Some("v"));
        assert_eq!(arn_only.value_or_arn(), Some("a"));
        assert_eq!(Reference::default().value_or_arn(), None);
    }

    #[test]
    fn grouping_follows_the_requested_order_and_puts_unknown_kinds_last() {
        let of = |t: Option<ReferenceType>, name: &str| Reference {
            reference_type: t,
            name: Some(name.into()),
            ..Reference::default()
        };
        let mut refs = vec![
            of(None, "u"),
            of(Some(ReferenceType::Url), "url1"),
            of(Some(ReferenceType::Attachment), "att"),
            of(Some(ReferenceType::Url), "url2"),
        ];
        group_by_requested_type(&mut refs, &[ReferenceType::Attachment, ReferenceType::Url]);
        let names: Vec<_> = refs.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["att", "url1", "url2", "u"]);
    }
}
