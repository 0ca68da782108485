//! `DescribeContact`: `GET /contacts/{InstanceId}/{ContactId}`: the contact's id and ARN, for a
//! transferred contact (seed `transfers`) its initial and previous contact, and the seed's `contacts`
//! details: `Channel` and `Recordings` (Connect's `RecordingInfo`, timestamps as epoch seconds). A
//! contact the seed knows no way is a 404.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::admit;
use crate::recorder::{DescribeContact, Operation};
use crate::wire::{error, json_response};
use crate::Shared;

pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((instance_id, contact_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let request = DescribeContact { instance_id: instance_id.clone(), contact_id: contact_id.clone() };
    if let Some(refusal) = admit(&shared, &headers, Operation::DescribeContact(request), None).await {
        return refusal;
    }
    let transfer = shared.seed.transfer(&instance_id, &contact_id);
    let details = shared.seed.contact_details(&instance_id, &contact_id);
    if transfer.is_none() && details.is_none() && shared.seed.references(&instance_id, &contact_id).is_none() {
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
    if let Some(details) = details {
        if let Some(channel) = &details.channel {
            contact["Channel"] = json!(channel);
        }
        if !details.recordings.is_empty() {
            contact["Recordings"] = json!(details.recordings);
        }
    }
    json_response(StatusCode::OK, Body::from(json!({ "Contact": contact }).to_string()))
}
