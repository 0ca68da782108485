//! The messages callers read: the one table of them, for every adapter and the SDK adapter. Each says
//! what happened and what to do, and never carries Connect's own text, SDK internals or more of the
//! caller's input than `error::quote` allows.

use crate::domain::error::{Error, ErrorKind};

/// What a caller reads when Connect refused the function's own role (`AccessDeniedException`): the
/// deployment lacks a permission; the caller's request was not refused.
pub(crate) const ROLE_REFUSED: &str =
    "Amazon Connect refused this function's role; the deployment is missing a permission (its operator is alerted)";

/// The message a caller reads when Connect failed in this way: the one table of them, shared with the
/// SDK adapter. It never carries Connect's own text.
pub(crate) fn connect_failed(kind: ErrorKind) -> Error {
    let message = match kind {
        ErrorKind::Validation => {
            "Amazon Connect rejected the request: check the instance id, contact id and reference types"
        }
        // Connect refusing the function's role is this deployment's fault, not the caller's: the SDK
        // adapter reports it as `Internal` with `ROLE_REFUSED`; this arm is for completeness.
        ErrorKind::AccessDenied => ROLE_REFUSED,
        ErrorKind::NotFound => "Amazon Connect has no such contact in that instance",
        ErrorKind::Throttled => "Amazon Connect is throttling requests; retry later",
        ErrorKind::Upstream => "Amazon Connect failed or could not be reached",
        ErrorKind::UpstreamTimeout => "Amazon Connect did not answer in time",
        ErrorKind::Internal => "internal error",
        ErrorKind::FileNotReady => "the file is not ready yet (Connect is still processing it); retry later",
        ErrorKind::FileUnavailable => "the file cannot be opened: Connect rejected, failed or deleted it",
        ErrorKind::RecordingsNotConfigured => RECORDINGS_NOT_CONFIGURED,
        ErrorKind::RecordingDeleted => "the recording was deleted",
        ErrorKind::RecordingOutOfScope => {
            "the recording is stored outside this deployment's recordings bucket and prefix: it is never signed"
        }
    };
    Error::new(kind, message)
}

/// What the list route answers to `include` or `urlExpiry`: it never makes links. Each attachment's
/// `downloadPath` opens it through the download route, whose own permission (IAM or JWT scope) is the
/// only way to a file.
pub(crate) const LIST_ROUTE_MAKES_NO_LINKS: &str =
    "the list route makes no download links (include, urlExpiry): open an \
     attachment with its downloadPath, GET /contact/attachments/{InstanceId}/{ContactId}/{FileId}, which needs \
     the download route's own permission";

/// The download route where the deployment did not enable downloads.
pub(crate) const DOWNLOADS_NOT_ENABLED: &str =
    "this deployment does not open attachments (deploy with EnableAttachmentDownloads=true)";

/// A contact flow asking for links where the deployment did not enable them for flows.
pub(crate) const FLOW_LINKS_NOT_ENABLED: &str = "this deployment makes no links for contact flows (deploy with \
     FlowAttachmentLinks=true); ask without include=downloadUrl";

/// `contact=initial` where the deployment does not resolve transfers.
pub(crate) const TRANSFERS_NOT_RESOLVED: &str = "this deployment does not resolve transferred contacts (deploy with \
     ResolveTransferredContacts=true); ask without contact=initial";

/// An event for the list route at a function that does not serve it.
pub(crate) const LIST_ROUTE_NOT_SERVED: &str =
    "this function does not serve the list route (GET /contact/references/...); call it through the API";
/// An event for the download route at a function that does not serve it.
pub(crate) const DOWNLOAD_ROUTE_NOT_SERVED: &str =
    "this function does not serve the download route (GET /contact/attachments/...); call it through the API";
/// A contact-flow event at a function that does not serve flows.
pub(crate) const CONTACT_FLOWS_NOT_SERVED: &str =
    "this function does not serve contact flows; invoke the stack's contact-flow function (output FunctionArn)";
/// An event for the recordings routes at a function that does not serve them.
pub(crate) const RECORDINGS_ROUTES_NOT_SERVED: &str =
    "this function does not serve the recordings routes (GET /contact/recordings/...); call it through the API";
/// The recordings routes where the deployment configured no recordings bucket.
pub(crate) const RECORDINGS_NOT_CONFIGURED: &str = "this deployment opens no recordings (deploy with \
     EnableRecordings=true and RecordingsBucket, RecordingsPrefix: the function's RECORDINGS_BUCKET, RECORDINGS_PREFIX)";
/// An id that names none of the contact's recordings in Connect's answer.
pub(crate) const NO_SUCH_RECORDING: &str =
    "the contact has no recording with that id; list its recordings for their ids (GET /contact/recordings/...)";
