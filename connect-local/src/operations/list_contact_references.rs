//! `ListContactReferences`: `GET /contact/references/{InstanceId}/{ContactId}?referenceTypes=…[&nextToken=…]`,
//! answered from the seed, filtered by the requested types as Connect does.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::{admit, query_pairs};
use crate::recorder::{ListContactReferences, Operation};
use crate::seed::{Seed, TransferredListing};
use crate::wire::{error, json_response};
use crate::Shared;

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

pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, contact_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut request = ListContactReferences { instance_id, contact_id, reference_types: Vec::new(), next_token: None };
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "referenceTypes" => request.reference_types.push(value),
            "nextToken" => request.next_token = Some(value),
            _ => {}
        }
    }
    if let Some(refusal) = admit(&shared, &headers, Operation::ListContactReferences(request.clone()), None).await {
        return refusal;
    }
    answer(&shared.seed, &request)
}

/// What Connect would answer for this request and seed.
fn answer(seed: &Seed, request: &ListContactReferences) -> Response {
    let ListContactReferences { instance_id, contact_id, reference_types, .. } = request;
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
    let none = Vec::new();
    let references = match seed.references(instance_id, contact_id) {
        Some(references) => references,
        None if seed.transfer(instance_id, contact_id).is_some()
            && seed.transferred_contact_listing == TransferredListing::Empty =>
        {
            &none
        }
        None => return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Contact not found"),
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
