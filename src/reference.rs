//! A contact reference as callers see it. (`connect.rs` makes them from the SDK's `ReferenceSummary` union.)

use aws_sdk_connect::types::{ReferenceStatus, ReferenceType};
use serde::{Serialize, Serializer};

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
    /// With `include=downloadUrl`, for an ATTACHMENT without a link: why, as an error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url_error: Option<&'static str>,
}

/// What a reference is called when its kind is newer than this SDK.
pub const UNKNOWN_TYPE: &str = "UNKNOWN";

impl Reference {
    /// The name callers see in `type`.
    pub fn type_name(&self) -> &str {
        self.reference_type.as_ref().map_or(UNKNOWN_TYPE, ReferenceType::as_str)
    }

    /// What a contact flow reads for this reference: its value, or its ARN for kinds that have no value.
    pub fn value_or_arn(&self) -> Option<&str> {
        self.value.as_deref().or(self.arn.as_deref())
    }
}

/// A page of references as one caller asked for them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferencePage {
    pub references: Vec<Reference>,
    pub next_token: Option<String>,
    /// The initial contact whose references these are, when the caller asked for it (`contact=initial`).
    pub initial_contact_id: Option<String>,
}

/// Orders references by the position of their type in `requested` (stable within a type);
/// references of unknown kinds go last, in the order Connect sent them.
pub fn group_by_requested_type(references: &mut [Reference], requested: &[ReferenceType]) {
    references.sort_by_key(|reference| {
        reference.reference_type.as_ref().and_then(|t| requested.iter().position(|r| r == t)).unwrap_or(requested.len())
    });
}

fn type_name<S: Serializer>(reference_type: &Option<ReferenceType>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(reference_type.as_ref().map_or(UNKNOWN_TYPE, ReferenceType::as_str))
}

fn status_name<S: Serializer>(status: &Option<ReferenceStatus>, serializer: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => serializer.serialize_str(status.as_str()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_connect::types::{
        AnalyticsMode, AttachmentReference, ContactAnalysisReference, DateReference, EmailMessageReference,
        EmailReference, NumberReference, ReferenceSummary, StringReference, UrlReference,
    };
    use serde_json::{json, Value};

    fn shape(summary: ReferenceSummary) -> Value {
        serde_json::to_value(Reference::from(summary)).unwrap()
    }

    #[test]
    fn name_value_kinds_keep_type_name_and_value() {
        let cases = [
            (ReferenceSummary::Url(UrlReference::builder().name("case").value("https://x/1").build()), "URL"),
            (ReferenceSummary::String(StringReference::builder().name("case").value("https://x/1").build()), "STRING"),
            (ReferenceSummary::Number(NumberReference::builder().name("case").value("https://x/1").build()), "NUMBER"),
            (ReferenceSummary::Date(DateReference::builder().name("case").value("https://x/1").build()), "DATE"),
            (ReferenceSummary::Email(EmailReference::builder().name("case").value("https://x/1").build()), "EMAIL"),
        ];
        for (summary, type_name) in cases {
            assert_eq!(shape(summary), json!({"type": type_name, "name": "case", "value": "https://x/1"}));
        }
    }

    #[test]
    fn attachment_keeps_status_and_arn() {
        let summary = ReferenceSummary::Attachment(
            AttachmentReference::builder()
                .name("scan.pdf")
                .value("https://files/scan.pdf")
                .status(ReferenceStatus::Approved)
                .arn("arn:aws:connect:us-east-1:123456789012:instance/i/file/f")
                .build(),
        );
        assert_eq!(
            shape(summary),
            json!({"type": "ATTACHMENT", "name": "scan.pdf", "value": "https://files/scan.pdf",
                   "status": "APPROVED", "arn": "arn:aws:connect:us-east-1:123456789012:instance/i/file/f"})
        );
    }

    #[test]
    fn contact_analysis_keeps_every_field_including_false_redaction() {
        let summary = ReferenceSummary::ContactAnalysis(
            ContactAnalysisReference::builder()
                .name("analysis")
                .value("v")
                .status(ReferenceStatus::Processing)
                .arn("arn:a")
                .analytics_mode(AnalyticsMode::from("PostContact"))
                .is_redacted(false)
                .build(),
        );
        assert_eq!(
            shape(summary),
            json!({"type": "CONTACT_ANALYSIS", "name": "analysis", "value": "v", "status": "PROCESSING",
                   "arn": "arn:a", "analyticsMode": "PostContact", "isRedacted": false})
        );
    }

    #[test]
    fn the_four_email_message_kinds_carry_name_and_arn_only() {
        let message = || EmailMessageReference::builder().name("mail").arn("arn:m").build();
        let cases = [
            (ReferenceSummary::EmailMessage(message()), "EMAIL_MESSAGE"),
            (ReferenceSummary::EmailMessageRedacted(message()), "EMAIL_MESSAGE_REDACTED"),
            (ReferenceSummary::EmailMessagePlainText(message()), "EMAIL_MESSAGE_PLAIN_TEXT"),
            (ReferenceSummary::EmailMessagePlainTextRedacted(message()), "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED"),
        ];
        for (summary, type_name) in cases {
            assert_eq!(shape(summary), json!({"type": type_name, "name": "mail", "arn": "arn:m"}));
        }
    }

    #[test]
    fn a_reference_of_no_known_kind_is_a_bare_unknown_type() {
        // The SDK's `ReferenceSummary::Unknown` cannot be built outside the SDK; the wire test in
        // `connect` feeds it a newer union member and checks it arrives as this.
        assert_eq!(serde_json::to_value(Reference::default()).unwrap(), json!({"type": "UNKNOWN"}));
    }

    #[test]
    fn fields_connect_did_not_return_are_omitted() {
        let summary = ReferenceSummary::Attachment(AttachmentReference::builder().name("only-name").build());
        assert_eq!(shape(summary), json!({"type": "ATTACHMENT", "name": "only-name"}));
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
