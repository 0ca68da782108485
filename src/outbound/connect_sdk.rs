//! The SDK adapter: [`ConnectApi`](crate::use_case::ConnectApi) implemented with `aws-sdk-connect`. Four calls,
//! the SDK's types turned into the domain's, its failures mapped onto error kinds with one WARN line,
//! and every request counted. What to ask, and when, is the use case's business (`use_case.rs`).
//!
//! `ListContactReferences` has an SDK paginator (`into_paginator()`), but the use case asks for one page
//! at a time: it bounds the pages and the deadline itself, which is what its paused-clock tests pin.

use std::time::Duration;

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::config::BehaviorVersion;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_connect::operation::describe_contact::DescribeContactError;
use aws_sdk_connect::operation::get_attached_file::GetAttachedFileError;
use aws_sdk_connect::operation::list_contact_references::ListContactReferencesError;
use aws_sdk_connect::operation::RequestId;
use aws_sdk_connect::types::{self as sdk, RecordingInfo, ReferenceSummary};
use aws_sdk_connect::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{dyn_dispatch_hint, Intercept};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::date_time::{DateTime, Format};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages::{connect_failed, ROLE_REFUSED};
use crate::domain::recording::Recording;
use crate::domain::reference::{Reference, ReferenceStatus, ReferenceType};
use crate::use_case::{AttachedFile, Calls, ConnectApi, FileRequest, Page, PageRequest};

/// The SDK's defaults this function is built and tested against: a dated behavior version, so that a
/// dependency update cannot change them silently (the "latest" version moves with every SDK release).
/// v2026_01_12 enables the standard retries and a 3.1 s connect timeout by default; this function sets
/// both itself ([`retry_config`], [`timeout_config`]).
pub fn behavior_version() -> BehaviorVersion {
    BehaviorVersion::v2026_01_12()
}

/// The SDK's standard retry policy, made explicit: three attempts with jittered exponential
/// backoff. The first backoff is short because a flow waits at most 8 seconds.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(2))
}

/// Per-attempt limits; the whole call is further bounded by the invocation's deadline.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .read_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(3))
        .build()
}

/// Connect through the SDK client built once at start-up.
#[derive(Clone, Debug)]
pub struct SdkConnect {
    client: Client,
}

impl SdkConnect {
    pub fn new(client: Client) -> Self {
        SdkConnect { client }
    }
}

impl SdkConnect {
    /// One `DescribeContact`, each attempt counted: the contact, for the initial contact and the recordings.
    async fn describe_contact(
        &self,
        instance_id: &str,
        contact_id: &str,
        calls: &Calls,
    ) -> Result<Option<aws_sdk_connect::types::Contact>, Error> {
        let output = self
            .client
            .describe_contact()
            .instance_id(instance_id)
            .contact_id(contact_id)
            .customize()
            .interceptor(AttemptCounter(calls.clone()))
            .send()
            .await
            .map_err(|error| role_refusal(classify("DescribeContact", error), calls))?;
        Ok(output.contact)
    }
}

impl ConnectApi for SdkConnect {
    async fn references_page(&self, request: PageRequest<'_>, calls: &Calls) -> Result<Page, Error> {
        let output = self
            .client
            .list_contact_references()
            .instance_id(request.instance_id)
            .contact_id(request.contact_id)
            .set_reference_types(Some(request.types.iter().map(|t| sdk::ReferenceType::from(t.as_str())).collect()))
            .set_next_token(request.next_token.map(str::to_owned))
            .customize()
            .interceptor(AttemptCounter(calls.clone()))
            .send()
            .await
            .map_err(|error| role_refusal(classify("ListContactReferences", error), calls))?;
        let references = output.reference_summary_list.unwrap_or_default().into_iter().map(Reference::from).collect();
        Ok(Page { references, next_token: output.next_token })
    }

    async fn initial_contact(
        &self,
        instance_id: &str,
        contact_id: &str,
        calls: &Calls,
    ) -> Result<Option<String>, Error> {
        Ok(self.describe_contact(instance_id, contact_id, calls).await?.and_then(|contact| contact.initial_contact_id))
    }

    async fn recordings(&self, instance_id: &str, contact_id: &str, calls: &Calls) -> Result<Vec<Recording>, Error> {
        let contact = self.describe_contact(instance_id, contact_id, calls).await?;
        let recordings = contact.and_then(|contact| contact.recordings).unwrap_or_default();
        Ok(recordings.into_iter().map(Recording::from).collect())
    }

    async fn attached_file(&self, request: FileRequest<'_>, calls: &Calls) -> Result<AttachedFile, Error> {
        let output = self
            .client
            .get_attached_file()
            .instance_id(request.instance_id)
            .file_id(request.file_id)
            .associated_resource_arn(request.associated_resource_arn)
            .url_expiry_in_seconds(i32::from(request.expiry.seconds()))
            .url_content_disposition(sdk::ContentDisposition::from(request.disposition.as_str()))
            .customize()
            .interceptor(AttemptCounter(calls.clone()))
            .send()
            .await
            .map_err(|error| file_refusal(role_refusal(classify("GetAttachedFile", error), calls)))?;
        let (download_url, url_expires_at) = match output.download_url_metadata {
            Some(metadata) => (metadata.url, metadata.url_expiry),
            None => (None, None),
        };
        Ok(AttachedFile {
            download_url,
            url_expires_at,
            file_name: output.file_name,
            file_size_in_bytes: Some(output.file_size_in_bytes).filter(|size| *size > 0),
            status: output.file_status.as_ref().map(|status| ReferenceStatus::from_name(status.as_str())),
        })
    }
}

/// Connect's `AccessDeniedException` means this function's role lacks a right: counted for the
/// operator's metric and alarm, and answered as this deployment's fault (`INTERNAL_ERROR`), not as a
/// refusal of the caller.
fn role_refusal(error: Error, calls: &Calls) -> Error {
    if error.kind != ErrorKind::AccessDenied {
        return error;
    }
    calls.denied();
    Error::new(ErrorKind::Internal, ROLE_REFUSED)
}

/// What a caller reads when Connect refuses to open a file with `InvalidRequestException`: most likely
/// a chat's attachment (Connect documents Cases, Email and Task as the resources files belong to).
pub(crate) const FILE_REFUSED: &str =
    "Amazon Connect refused to open this file: GetAttachedFile opens files of cases, emails and \
     tasks; a chat's attachments are read through the Amazon Connect Participant Service";

fn file_refusal(error: Error) -> Error {
    match error.kind {
        ErrorKind::Validation => Error::new(ErrorKind::Validation, FILE_REFUSED),
        _ => error,
    }
}

/// The SDK's union as the domain's reference: the one place SDK references become domain references.
impl From<ReferenceSummary> for Reference {
    /// Moves the SDK's strings rather than copying them.
    fn from(summary: ReferenceSummary) -> Self {
        use ReferenceSummary as S;
        let named = |reference_type, name, value| Reference {
            reference_type: Some(reference_type),
            name,
            value,
            ..Reference::default()
        };
        let email_message = |reference_type, r: sdk::EmailMessageReference| Reference {
            arn: r.arn,
            ..named(reference_type, r.name, None)
        };
        match summary {
            S::Url(r) => named(ReferenceType::Url, r.name, r.value),
            S::String(r) => named(ReferenceType::String, r.name, r.value),
            S::Number(r) => named(ReferenceType::Number, r.name, r.value),
            S::Date(r) => named(ReferenceType::Date, r.name, r.value),
            S::Email(r) => named(ReferenceType::Email, r.name, r.value),
            S::Attachment(r) => Reference {
                status: r.status.as_ref().map(status),
                arn: r.arn,
                ..named(ReferenceType::Attachment, r.name, r.value)
            },
            S::ContactAnalysis(r) => Reference {
                status: r.status.as_ref().map(status),
                arn: r.arn,
                analytics_mode: r.analytics_mode.map(|mode| mode.as_str().to_owned()),
                is_redacted: r.is_redacted,
                ..named(ReferenceType::ContactAnalysis, r.name, r.value)
            },
            S::EmailMessage(r) => email_message(ReferenceType::EmailMessage, r),
            S::EmailMessageRedacted(r) => email_message(ReferenceType::EmailMessageRedacted, r),
            S::EmailMessagePlainText(r) => email_message(ReferenceType::EmailMessagePlainText, r),
            S::EmailMessagePlainTextRedacted(r) => email_message(ReferenceType::EmailMessagePlainTextRedacted, r),
            _ => Reference::default(),
        }
    }
}

/// The SDK's `RecordingInfo` as the domain's recording: the one place they meet. Enumerations keep
/// Connect's names (a value newer than the SDK keeps its own); timestamps become ISO 8601 in UTC.
impl From<RecordingInfo> for Recording {
    fn from(info: RecordingInfo) -> Self {
        let time = |t: Option<DateTime>| t.and_then(|t| t.fmt(Format::DateTime).ok());
        Recording {
            storage_type: info.storage_type.map(|t| t.as_str().to_owned()),
            location: info.location,
            media_stream_type: info.media_stream_type.map(|t| t.as_str().to_owned()),
            participant_type: info.participant_type.map(|t| t.as_str().to_owned()),
            fragment_start_number: info.fragment_start_number,
            fragment_stop_number: info.fragment_stop_number,
            start_timestamp: time(info.start_timestamp),
            stop_timestamp: time(info.stop_timestamp),
            status: info.status.map(|s| s.as_str().to_owned()),
            deletion_reason: info.deletion_reason,
        }
    }
}

/// The SDK's status as the domain's: the same names, so a status newer than the SDK keeps its own.
fn status(status: &sdk::ReferenceStatus) -> ReferenceStatus {
    ReferenceStatus::from_name(status.as_str())
}

/// Counts the requests one listing sends, retries included: an interceptor added to each operation,
/// so concurrent listings never share a count.
#[derive(Debug, Clone)]
struct AttemptCounter(Calls);

#[dyn_dispatch_hint]
impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "AttemptCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.sent();
        Ok(())
    }
}

/// An operation's modeled errors, read by their type: `None` for an error the model does not list for
/// the operation (it arrives as `Unhandled`, known only by its code and status).
pub(crate) trait ModeledError: ProvideErrorMetadata + std::error::Error + 'static {
    fn modeled_kind(&self) -> Option<ErrorKind>;
}

/// ListContactReferences and DescribeContact model the same five errors.
macro_rules! lists_and_describes {
    ($($error:ident),*) => {$(
        impl ModeledError for $error {
            fn modeled_kind(&self) -> Option<ErrorKind> {
                use $error as E;
                match self {
                    E::InvalidParameterException(_) | E::InvalidRequestException(_) => Some(ErrorKind::Validation),
                    E::ResourceNotFoundException(_) => Some(ErrorKind::NotFound),
                    E::ThrottlingException(_) => Some(ErrorKind::Throttled),
                    E::InternalServiceException(_) => Some(ErrorKind::Upstream),
                    _ => None,
                }
            }
        }
    )*};
}

lists_and_describes!(ListContactReferencesError, DescribeContactError);

impl ModeledError for GetAttachedFileError {
    fn modeled_kind(&self) -> Option<ErrorKind> {
        use GetAttachedFileError as E;
        match self {
            E::AccessDeniedException(_) => Some(ErrorKind::AccessDenied),
            E::InvalidRequestException(_) => Some(ErrorKind::Validation),
            E::ResourceNotFoundException(_) => Some(ErrorKind::NotFound),
            E::ThrottlingException(_) => Some(ErrorKind::Throttled),
            E::InternalServiceException(_) => Some(ErrorKind::Upstream),
            _ => None,
        }
    }
}

/// Maps an SDK failure of `operation` onto an error kind with a message that reveals nothing of the
/// SDK's internals: the operation's modeled errors by type, others by code and status.
pub(crate) fn classify<E: ModeledError>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Error {
    classify_with(operation, error, |service, http_status| {
        service.modeled_kind().unwrap_or_else(|| kind_of_unmodeled_error(service.code(), http_status))
    })
}

/// The one mapping of an SDK failure onto an error kind; `service_kind` reads a service's own error.
fn classify_with<E>(
    operation: &'static str,
    error: SdkError<E, HttpResponse>,
    service_kind: impl FnOnce(&E, u16) -> ErrorKind,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let kind = match &error {
        SdkError::ServiceError(service) => service_kind(service.err(), service.raw().status().as_u16()),
        SdkError::TimeoutError(_) => ErrorKind::UpstreamTimeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ErrorKind::UpstreamTimeout,
        SdkError::DispatchFailure(failure) if failure.is_user() => ErrorKind::Internal,
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => ErrorKind::Upstream,
        _ => ErrorKind::Internal,
    };
    log_failure(operation, kind, &error);
    connect_failed(kind)
}

/// The SDK's kind of failure, as the operator reads it in a log line.
pub(crate) fn sdk_failure<E, R>(error: &SdkError<E, R>) -> &'static str {
    match error {
        SdkError::ConstructionFailure(_) => "construction failure",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch failure",
        SdkError::ResponseError(_) => "unreadable response",
        SdkError::ServiceError(_) => "service error",
        _ => "other",
    }
}

/// What an operator needs to act on a failed call, and nothing a caller sent or Connect wrote: the
/// SDK's kind of failure, Connect's error code and request id, and, for failures before any reply
/// (DNS, TLS, a refused connection, a timeout), the chain of causes. A service error's message is never
/// logged (it may quote ids). WARN for what an operator should look at; DEBUG for a caller's mistake.
fn log_failure<E>(operation: &'static str, kind: ErrorKind, error: &SdkError<E, HttpResponse>)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let sdk_error = sdk_failure(error);
    let causes = match error {
        SdkError::ServiceError(_) => String::new(),
        other => cause_chain(other),
    };
    let connect_error_code = error.code().unwrap_or("none");
    let connect_request_id = error.request_id().unwrap_or("none");
    if matches!(kind, ErrorKind::Validation | ErrorKind::NotFound) {
        tracing::debug!(
            operation,
            error_code = kind.code(),
            sdk_error,
            connect_error_code,
            connect_request_id,
            "Connect call failed"
        );
    } else {
        tracing::warn!(
            operation,
            error_code = kind.code(),
            sdk_error,
            connect_error_code,
            connect_request_id,
            causes,
            "Connect call failed"
        );
    }
}

/// Every source below `error`, outermost first, joined by ": ".
fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut causes = Vec::new();
    let mut next = error.source();
    while let Some(cause) = next {
        causes.push(cause.to_string());
        next = cause.source();
    }
    causes.join(": ")
}

/// Errors the model does not list for this operation arrive as `Unhandled`, known by their code, or
/// only by their status when the reply could not be read at all. A code this table does not know is
/// read by its status: 408 and 504 are Connect not answering in time, any other 5xx is Connect failing
/// (e.g. `ServiceUnavailable`, 503); only a 4xx (or no status) is left as this function's own fault.
fn kind_of_unmodeled_error(code: Option<&str>, http_status: u16) -> ErrorKind {
    match code {
        Some("AccessDeniedException") => ErrorKind::AccessDenied,
        Some("ThrottlingException" | "TooManyRequestsException" | "LimitExceededException") => ErrorKind::Throttled,
        Some("ServiceUnavailableException" | "InternalServiceException" | "InternalFailure") => ErrorKind::Upstream,
        Some("RequestTimeout" | "RequestTimeoutException" | "GatewayTimeout" | "GatewayTimeoutException") => {
            ErrorKind::UpstreamTimeout
        }
        Some("InvalidParameterException" | "InvalidRequestException" | "ValidationException") => ErrorKind::Validation,
        Some("ResourceNotFoundException") => ErrorKind::NotFound,
        _ if http_status == 408 || http_status == 504 => ErrorKind::UpstreamTimeout,
        _ if http_status >= 500 => ErrorKind::Upstream,
        // A success we could not read: Connect's side.
        None if (200..300).contains(&http_status) => ErrorKind::Upstream,
        // Anything else (an unknown 4xx, bad credentials): this function's side.
        _ => ErrorKind::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_connect::operation::describe_contact::{DescribeContactError, DescribeContactOutput};
    use aws_sdk_connect::operation::get_attached_file::{GetAttachedFileError, GetAttachedFileOutput};
    use aws_sdk_connect::operation::list_contact_references::ListContactReferencesOutput;
    use aws_sdk_connect::types::error::{
        InternalServiceException, InvalidParameterException, InvalidRequestException, ResourceNotFoundException,
        ThrottlingException,
    };
    use aws_sdk_connect::types::{
        AnalyticsMode, AttachmentReference, Contact, ContactAnalysisReference, DateReference, DownloadUrlMetadata,
        EmailMessageReference, EmailReference, NumberReference, StringReference, UrlReference,
    };
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use aws_smithy_types::error::ErrorMetadata;
    use serde_json::{json, Value};

    use crate::domain::attached_file::parse_download_links;
    use crate::domain::query::{RawQuery, ReferenceQuery};
    use crate::use_case;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";

    fn url(name: &str) -> ReferenceSummary {
        ReferenceSummary::Url(UrlReference::builder().name(name).value("v").build())
    }

    fn page_request<'a>(types: &'a [ReferenceType], next_token: Option<&'a str>) -> PageRequest<'a> {
        PageRequest { instance_id: INSTANCE, contact_id: "contact-1", types, next_token }
    }

    async fn one_page(client: Client, next_token: Option<&str>) -> (Result<Page, Error>, u32) {
        let calls = Calls::default();
        let page =
            SdkConnect::new(client).references_page(page_request(&[ReferenceType::Url], next_token), &calls).await;
        (page, calls.count())
    }

    fn shape(summary: ReferenceSummary) -> Value {
        serde_json::to_value(Reference::from(summary)).unwrap()
    }

    #[test]
    fn the_domains_kinds_and_statuses_are_the_sdks_in_the_sdks_order() {
        let kinds: Vec<&str> = ReferenceType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(kinds, sdk::ReferenceType::values(), "a new SDK kind needs a domain kind (reference.rs)");
        for name in sdk::ReferenceStatus::values() {
            assert_eq!(status(&sdk::ReferenceStatus::from(*name)).as_str(), *name);
            assert!(!matches!(ReferenceStatus::from_name(name), ReferenceStatus::Other(_)), "{name} is known");
        }
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
                .status(sdk::ReferenceStatus::Approved)
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
    fn a_status_newer_than_the_sdk_keeps_its_name() {
        let summary = ReferenceSummary::Attachment(
            AttachmentReference::builder().name("a").status(sdk::ReferenceStatus::from("QUARANTINED")).build(),
        );
        assert_eq!(shape(summary), json!({"type": "ATTACHMENT", "name": "a", "status": "QUARANTINED"}));
    }

    #[test]
    fn contact_analysis_keeps_every_field_including_false_redaction() {
        let summary = ReferenceSummary::ContactAnalysis(
            ContactAnalysisReference::builder()
                .name("analysis")
                .value("v")
                .status(sdk::ReferenceStatus::Processing)
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
    fn fields_connect_did_not_return_are_omitted() {
        let summary = ReferenceSummary::Attachment(AttachmentReference::builder().name("only-name").build());
        assert_eq!(shape(summary), json!({"type": "ATTACHMENT", "name": "only-name"}));
    }

    #[tokio::test]
    async fn each_modeled_error_maps_to_its_kind_and_message() {
        use ListContactReferencesError as E;
        let cases: Vec<(fn() -> E, ErrorKind)> = vec![
            (|| E::InvalidParameterException(InvalidParameterException::builder().build()), ErrorKind::Validation),
            (|| E::InvalidRequestException(InvalidRequestException::builder().build()), ErrorKind::Validation),
            (|| E::ResourceNotFoundException(ResourceNotFoundException::builder().build()), ErrorKind::NotFound),
            (|| E::ThrottlingException(ThrottlingException::builder().build()), ErrorKind::Throttled),
            (|| E::InternalServiceException(InternalServiceException::builder().build()), ErrorKind::Upstream),
            (|| E::generic(ErrorMetadata::builder().code("UnrecognizedClientException").build()), ErrorKind::Internal),
        ];
        for (make, expected) in cases {
            let rule = mock!(Client::list_contact_references).then_error(make);
            let client =
                mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&rule], |c| c.retry_config(RetryConfig::disabled()));
            let error = one_page(client, None).await.0.unwrap_err();
            assert_eq!(error, connect_failed(expected), "{error}");
        }
    }

    #[tokio::test]
    async fn connect_refusing_the_role_is_this_deployments_fault_and_counted_for_the_operator() {
        let rule = mock!(Client::list_contact_references).then_error(|| {
            ListContactReferencesError::generic(ErrorMetadata::builder().code("AccessDeniedException").build())
        });
        let client =
            mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&rule], |c| c.retry_config(RetryConfig::disabled()));
        let calls = Calls::default();
        let connect = SdkConnect::new(client);
        let error = connect.references_page(page_request(&[ReferenceType::Url], None), &calls).await.unwrap_err();
        assert_eq!((error.kind, error.message.as_str()), (ErrorKind::Internal, ROLE_REFUSED));
        assert!(!error.message.contains("not allowed to read"), "the caller was not the one refused");
        assert_eq!((calls.count(), calls.denied_count()), (1, 1));
    }

    #[tokio::test]
    async fn messages_never_carry_connects_own_text() {
        let rule = mock!(Client::list_contact_references).then_error(|| {
            ListContactReferencesError::InvalidParameterException(
                InvalidParameterException::builder().message("internal detail 42").build(),
            )
        });
        let client = mock_client!(aws_sdk_connect, [&rule]);
        let error = one_page(client, None).await.0.unwrap_err();
        assert!(!error.message.contains("42"));
    }

    #[tokio::test]
    async fn one_page_passes_the_token_both_ways_and_counts_its_request() {
        let rule = mock!(Client::list_contact_references)
            .match_requests(|r| {
                r.next_token() == Some("in")
                    && r.instance_id() == Some(INSTANCE)
                    && r.reference_types() == [sdk::ReferenceType::Url]
            })
            .then_output(|| {
                ListContactReferencesOutput::builder().reference_summary_list(url("a")).next_token("out").build()
            });
        let client = mock_client!(aws_sdk_connect, [&rule]);
        let (page, calls) = one_page(client, Some("in")).await;
        let page = page.unwrap();
        assert_eq!(page.next_token.as_deref(), Some("out"));
        assert_eq!(page.references.len(), 1);
        assert_eq!((rule.num_calls(), calls), (1, 1));
    }

    #[tokio::test]
    async fn the_wire_request_carries_the_bare_id_and_repeated_types() {
        use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
        use aws_smithy_types::body::SdkBody;
        let replay = StaticReplayClient::new(vec![ReplayEvent::new(
            http::Request::builder().uri("http://unused").body(SdkBody::empty()).unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(
                    r#"{"ReferenceSummaryList":[{"VoicemailRecording":{"Name":"vm","Arn":"a"}}],"NextToken":null}"#,
                ))
                .unwrap(),
        )]);
        let config = aws_sdk_connect::Config::builder()
            .behavior_version(behavior_version())
            .region(aws_sdk_connect::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_connect::config::Credentials::for_tests())
            .http_client(replay.clone())
            .build();
        let arn = format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}");
        let query = ReferenceQuery::parse(RawQuery {
            instance_id: &arn,
            contact_id: "contact-1",
            reference_types: Some(vec!["url,attachment"]),
            ..RawQuery::default()
        })
        .unwrap();
        let far = tokio::time::Instant::now() + Duration::from_secs(30);
        let rate = crate::domain::rate::RateLimit::default();
        let policy = use_case::Policy {
            arn_scope: None,
            file_rate: &rate,
            caller_share: None,
            download_paths: false,
            inline_links: false,
        };
        let (page, usage) = use_case::list(&SdkConnect::new(Client::from_conf(config)), &query, policy, far).await;
        assert_eq!(page.unwrap().references, [Reference::default()], "a newer union member is an UNKNOWN reference");
        assert_eq!(usage.calls, 1);
        let requests = replay.actual_requests().collect::<Vec<_>>();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method(), "GET");
        assert_eq!(
            requests[0].uri(),
            format!(
                "https://connect.us-east-1.amazonaws.com/contact/references/{INSTANCE}/contact-1?referenceTypes=URL&referenceTypes=ATTACHMENT"
            )
        );
        let auth = requests[0].headers().get("authorization").unwrap();
        assert!(auth.contains("/us-east-1/connect/aws4_request"), "{auth}");
    }

    #[test]
    fn every_operations_modeled_errors_are_read_by_their_type() {
        let not_found = || ResourceNotFoundException::builder().build();
        let throttled = || ThrottlingException::builder().build();
        let kinds = [
            ListContactReferencesError::ResourceNotFoundException(not_found()).modeled_kind(),
            DescribeContactError::ResourceNotFoundException(not_found()).modeled_kind(),
            DescribeContactError::InvalidParameterException(InvalidParameterException::builder().build())
                .modeled_kind(),
            DescribeContactError::ThrottlingException(throttled()).modeled_kind(),
            GetAttachedFileError::ThrottlingException(throttled()).modeled_kind(),
            GetAttachedFileError::InvalidRequestException(InvalidRequestException::builder().build()).modeled_kind(),
            GetAttachedFileError::AccessDeniedException(
                aws_sdk_connect::types::error::AccessDeniedException::builder().build(),
            )
            .modeled_kind(),
            GetAttachedFileError::InternalServiceException(InternalServiceException::builder().build()).modeled_kind(),
        ];
        use ErrorKind::*;
        let expected = [NotFound, NotFound, Validation, Throttled, Throttled, Validation, AccessDenied, Upstream];
        assert_eq!(kinds, expected.map(Some), "no code string is read for a modeled error");
    }

    #[test]
    fn unlisted_error_codes_fall_back_sensibly() {
        assert_eq!(kind_of_unmodeled_error(Some("AccessDeniedException"), 403), ErrorKind::AccessDenied);
        assert_eq!(kind_of_unmodeled_error(Some("TooManyRequestsException"), 429), ErrorKind::Throttled);
        assert_eq!(kind_of_unmodeled_error(Some("ServiceUnavailableException"), 503), ErrorKind::Upstream);
        assert_eq!(kind_of_unmodeled_error(Some("UnrecognizedClientException"), 403), ErrorKind::Internal);
        assert_eq!(kind_of_unmodeled_error(None, 200), ErrorKind::Upstream, "an unreadable success");
        assert_eq!(kind_of_unmodeled_error(None, 503), ErrorKind::Upstream);
        assert_eq!(kind_of_unmodeled_error(None, 418), ErrorKind::Internal);
    }

    #[test]
    fn an_unknown_code_with_a_5xx_is_connect_failing_and_a_408_or_504_is_connect_not_answering() {
        for (code, status) in
            [(Some("ServiceUnavailable"), 503), (Some("SomethingNew"), 500), (Some("BadGateway"), 502)]
        {
            assert_eq!(kind_of_unmodeled_error(code, status), ErrorKind::Upstream, "{code:?} {status}");
        }
        for (code, status) in [
            (Some("RequestTimeout"), 408),
            (Some("RequestTimeoutException"), 400),
            (None, 504),
            (Some("Whatever"), 408),
        ] {
            assert_eq!(kind_of_unmodeled_error(code, status), ErrorKind::UpstreamTimeout, "{code:?} {status}");
        }
        assert_eq!(kind_of_unmodeled_error(Some("SomethingNew"), 400), ErrorKind::Internal);
    }

    fn describe(initial: Option<&'static str>) -> aws_smithy_mocks::Rule {
        mock!(Client::describe_contact).match_requests(|r| r.contact_id() == Some("contact-1")).then_output(move || {
            DescribeContactOutput::builder()
                .contact(Contact::builder().id("contact-1").set_initial_contact_id(initial.map(str::to_owned)).build())
                .build()
        })
    }

    #[tokio::test]
    async fn describe_contact_gives_the_initial_contact_or_none() {
        for initial in [Some("first"), None] {
            let described = describe(initial);
            let client = mock_client!(aws_sdk_connect, [&described]);
            let calls = Calls::default();
            let found = SdkConnect::new(client).initial_contact(INSTANCE, "contact-1", &calls).await.unwrap();
            assert_eq!(found.as_deref(), initial);
            assert_eq!(calls.count(), 1);
        }
    }

    #[tokio::test]
    async fn describe_contact_gives_the_recordings_in_domain_terms() {
        use aws_sdk_connect::types::{MediaStreamType, ParticipantType, RecordingStatus, StorageType};
        let described = mock!(Client::describe_contact).then_output(|| {
            let recording = RecordingInfo::builder()
                .storage_type(StorageType::S3)
                .location("bucket/connect/i/CallRecordings/a.wav")
                .media_stream_type(MediaStreamType::Audio)
                .participant_type(ParticipantType::Agent)
                .start_timestamp(DateTime::from_millis(1_795_887_600_125))
                .stop_timestamp(DateTime::from_secs(1_795_887_781))
                .status(RecordingStatus::from("ARCHIVED"))
                .deletion_reason("r")
                .build();
            DescribeContactOutput::builder()
                .contact(Contact::builder().id("contact-1").recordings(recording).build())
                .build()
        });
        let client = mock_client!(aws_sdk_connect, [&described]);
        let calls = Calls::default();
        let found = SdkConnect::new(client).recordings(INSTANCE, "contact-1", &calls).await.unwrap();
        assert_eq!(
            found,
            [Recording {
                storage_type: Some("S3".into()),
                location: Some("bucket/connect/i/CallRecordings/a.wav".into()),
                media_stream_type: Some("AUDIO".into()),
                participant_type: Some("AGENT".into()),
                fragment_start_number: None,
                fragment_stop_number: None,
                start_timestamp: Some("2026-11-28T17:40:00.125Z".into()),
                stop_timestamp: Some("2026-11-28T17:43:01Z".into()),
                status: Some("ARCHIVED".into()),
                deletion_reason: Some("r".into()),
            }],
            "a status newer than the SDK keeps its name"
        );
        assert_eq!(calls.count(), 1);
        let none = mock!(Client::describe_contact)
            .then_output(|| DescribeContactOutput::builder().contact(Contact::builder().id("c").build()).build());
        let client = mock_client!(aws_sdk_connect, [&none]);
        assert_eq!(SdkConnect::new(client).recordings(INSTANCE, "c", &Calls::default()).await.unwrap(), []);
    }

    #[tokio::test]
    async fn an_unknown_contact_is_not_found_from_describe_contact() {
        let described = mock!(Client::describe_contact).then_error(|| {
            DescribeContactError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(ErrorMetadata::builder().code("ResourceNotFoundException").build())
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_connect, [&described]);
        let error = SdkConnect::new(client).initial_contact(INSTANCE, "x", &Calls::default()).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
    }

    fn file_request(file_id: &str) -> FileRequest<'_> {
        FileRequest {
            instance_id: INSTANCE,
            file_id,
            associated_resource_arn: "arn:aws:connect:us-east-1:123456789012:instance/i/contact/contact-1",
            expiry: parse_download_links(Some(["downloadUrl"]), Some("30")).unwrap().unwrap(),
            disposition: crate::domain::download_request::Disposition::Inline,
        }
    }

    #[tokio::test]
    async fn get_attached_file_gives_the_link_and_what_connect_says_of_the_file() {
        let linked = mock!(Client::get_attached_file)
            .match_requests(|r| {
                r.file_id() == Some("f-a")
                    && r.url_expiry_in_seconds() == Some(30)
                    && r.url_content_disposition() == Some(&sdk::ContentDisposition::Inline)
                    && r.associated_resource_arn()
                        == Some("arn:aws:connect:us-east-1:123456789012:instance/i/contact/contact-1")
            })
            .then_output(|| {
                GetAttachedFileOutput::builder()
                    .file_name("a.pdf")
                    .file_size_in_bytes(7)
                    .download_url_metadata(
                        DownloadUrlMetadata::builder()
                            .url("https://s3/a?sig")
                            .url_expiry("2026-11-29T00:00:30.000Z")
                            .build(),
                    )
                    .build()
                    .expect("the required fields are set")
            });
        let client = mock_client!(aws_sdk_connect, [&linked]);
        let file = SdkConnect::new(client).attached_file(file_request("f-a"), &Calls::default()).await.unwrap();
        assert_eq!(
            file,
            AttachedFile {
                download_url: Some("https://s3/a?sig".into()),
                url_expires_at: Some("2026-11-29T00:00:30.000Z".into()),
                file_name: Some("a.pdf".into()),
                file_size_in_bytes: Some(7),
                status: None,
            }
        );
    }

    #[tokio::test]
    async fn a_throttled_file_is_throttled_after_the_sdks_attempts_each_counted() {
        let throttled = mock!(Client::get_attached_file).then_error(|| {
            GetAttachedFileError::ThrottlingException(
                ThrottlingException::builder()
                    .meta(ErrorMetadata::builder().code("ThrottlingException").build())
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&throttled], |c| c
            .retry_config(RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(1))));
        let calls = Calls::default();
        let error = SdkConnect::new(client).attached_file(file_request("f-b"), &calls).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Throttled);
        assert_eq!((throttled.num_calls(), calls.count()), (3, 3));
    }
}
