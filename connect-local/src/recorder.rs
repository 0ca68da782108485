//! What the stand-in received: each API request as its operation with its own typed parameters, and
//! whether it was signed. Tests read it through `StandIn::requests`, people through `GET /_requests`.

use std::sync::Mutex;

use serde::Serialize;

use crate::lock;

/// One API request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    #[serde(flatten)]
    pub operation: Operation,
    /// SigV4-signed for the `connect` service.
    pub signed: bool,
}

/// The operation and the parameters it was asked with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "operation")]
pub enum Operation {
    ListContactReferences(ListContactReferences),
    DescribeContact(DescribeContact),
    GetAttachedFile(GetAttachedFile),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListContactReferences {
    pub instance_id: String,
    pub contact_id: String,
    pub reference_types: Vec<String>,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeContact {
    pub instance_id: String,
    pub contact_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAttachedFile {
    pub instance_id: String,
    pub file_id: String,
    pub associated_resource_arn: Option<String>,
    /// As sent: a number is checked by the operation, not here.
    pub url_expiry_in_seconds: Option<String>,
    pub url_content_disposition: Option<String>,
}

impl Recorded {
    /// The operation's name, as Connect's API reference spells it.
    pub fn name(&self) -> &'static str {
        match self.operation {
            Operation::ListContactReferences(_) => "ListContactReferences",
            Operation::DescribeContact(_) => "DescribeContact",
            Operation::GetAttachedFile(_) => "GetAttachedFile",
        }
    }

    pub fn instance_id(&self) -> &str {
        match &self.operation {
            Operation::ListContactReferences(request) => &request.instance_id,
            Operation::DescribeContact(request) => &request.instance_id,
            Operation::GetAttachedFile(request) => &request.instance_id,
        }
    }

    /// The contact a `ListContactReferences` or `DescribeContact` was about.
    pub fn contact_id(&self) -> Option<&str> {
        match &self.operation {
            Operation::ListContactReferences(request) => Some(&request.contact_id),
            Operation::DescribeContact(request) => Some(&request.contact_id),
            Operation::GetAttachedFile(_) => None,
        }
    }

    pub fn listing(&self) -> Option<&ListContactReferences> {
        match &self.operation {
            Operation::ListContactReferences(request) => Some(request),
            _ => None,
        }
    }

    pub fn attached_file(&self) -> Option<&GetAttachedFile> {
        match &self.operation {
            Operation::GetAttachedFile(request) => Some(request),
            _ => None,
        }
    }
}

/// Every request, in the order received.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<Recorded>>);

impl Recorder {
    pub fn record(&self, request: Recorded) {
        lock(&self.0).push(request);
    }

    pub fn recorded(&self) -> Vec<Recorded> {
        lock(&self.0).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_request_serialises_as_its_operation_with_its_own_parameters() {
        let recorded = Recorded {
            operation: Operation::GetAttachedFile(GetAttachedFile {
                instance_id: "i".into(),
                file_id: "f".into(),
                associated_resource_arn: Some("arn:c".into()),
                url_expiry_in_seconds: Some("60".into()),
                url_content_disposition: None,
            }),
            signed: true,
        };
        assert_eq!(
            serde_json::to_value(&recorded).unwrap(),
            serde_json::json!({"operation": "GetAttachedFile", "instanceId": "i", "fileId": "f",
                "associatedResourceArn": "arn:c", "urlExpiryInSeconds": "60", "urlContentDisposition": null,
                "signed": true})
        );
        assert_eq!((recorded.name(), recorded.contact_id()), ("GetAttachedFile", None));
    }
}
