//! The stand-in's data: instances, their contacts' references as Connect puts them on the wire,
//! transfers (for `DescribeContact`) and attached files (for `GetAttachedFile`).

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
}
