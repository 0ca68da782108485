//! The stand-in's data: instances, their contacts' references as Connect puts them on the wire,
//! transfers and contact details such as recordings (for `DescribeContact`) and attached files (for
//! `GetAttachedFile`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The seed shipped with the crate: one contact per reference kind and a few edge cases.
pub const DEFAULT_SEED: &str = include_str!("../seed.json");

/// Sample data: instance id → contact id → references as Connect puts them on the wire
/// (`{"Url": {"Name": …, "Value": …}}`). A member the stand-in does not know (a kind newer than the
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
    /// Instance id → contact id → what `DescribeContact` tells beyond the id, the ARN and transfers:
    /// the channel and the recordings.
    #[serde(default)]
    pub contacts: HashMap<String, HashMap<String, ContactDetails>>,
    /// What `ListContactReferences` answers for a transferred contact's own id, which Connect does not
    /// document: a 404 (the default) or an empty list. Tests run the function against both.
    #[serde(default)]
    pub transferred_contact_listing: TransferredListing,
}

/// The two plausible answers of `ListContactReferences` for a transferred contact's own id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferredListing {
    #[default]
    NotFound,
    Empty,
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
    /// The contact the file is attached to: `GetAttachedFile` answers only when asked with that
    /// contact's ARN as the associated resource. Absent: any contact of the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// `CHAT` for a chat attachment, which `GetAttachedFile` refuses (Connect documents Cases, Email
    /// and Task as the resources attached files belong to; chat files are read through the participant
    /// service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `FileUseCaseType` as `GetAttachedFile` answers it (`ATTACHMENT`, `EMAIL_MESSAGE`,
    /// `EMAIL_MESSAGE_PLAIN_TEXT`, …). Absent: not in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_case: Option<String>,
    /// What the download URL serves, when not the default line naming the file: an email message's
    /// JSON (`{"contentType", "messageContent"}`), served as `application/json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// What `DescribeContact` answers about a contact beyond its id, ARN and transfers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactDetails {
    /// `Channel`: VOICE, CHAT, TASK or EMAIL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `Recordings`, in the order Connect lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<Recording>,
}

/// One of `Contact.Recordings` (Connect's `RecordingInfo`), named as on the wire, so the seed holds
/// exactly what the stand-in answers. `deny_unknown_fields` turns a misspelt member into a seed error
/// instead of a field the client silently never sees.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Recording {
    /// S3, KINESIS_VIDEO_STREAM, KINESIS_STREAM or KINESIS_FIREHOSE.
    pub storage_type: String,
    /// For S3 `bucket/key` with no `s3://`; for the Kinesis kinds the stream's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// AUDIO or VIDEO (a screen recording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_stream_type: Option<String>,
    /// ALL, MANAGER, AGENT, CUSTOMER or THIRDPARTY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment_start_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment_stop_number: Option<String>,
    /// Seconds since the epoch, as rest-json puts a timestamp on the wire (a JSON number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timestamp: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timestamp: Option<f64>,
    /// AVAILABLE or DELETED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unprocessed_transcript_location: Option<String>,
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

    /// A contact's references, when the seed lists the contact.
    pub fn references(&self, instance_id: &str, contact_id: &str) -> Option<&Vec<Value>> {
        self.instances.get(instance_id)?.get(contact_id)
    }

    pub fn transfer(&self, instance_id: &str, contact_id: &str) -> Option<&Transfer> {
        self.transfers.get(instance_id)?.get(contact_id)
    }

    pub fn file(&self, instance_id: &str, file_id: &str) -> Option<&AttachedFile> {
        self.files.get(instance_id)?.get(file_id)
    }

    pub fn contact_details(&self, instance_id: &str, contact_id: &str) -> Option<&ContactDetails> {
        self.contacts.get(instance_id)?.get(contact_id)
    }
}
