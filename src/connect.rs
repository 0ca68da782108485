//! The call to Amazon Connect: one `ListContactReferences` per batch of at most six types, bounded
//! by a deadline, with the SDK's errors mapped onto our error kinds.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_connect::operation::list_contact_references::ListContactReferencesError;
use aws_sdk_connect::operation::RequestId;
use aws_sdk_connect::types::{ReferenceStatus, ReferenceSummary, ReferenceType};
use aws_sdk_connect::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{dyn_dispatch_hint, Intercept};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use futures_util::future::try_join_all;
use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use crate::attachments::{file_id, ArnScope, UrlExpiry, CONCURRENT_LINKS};
use crate::error::{Error, ErrorKind};
use crate::query::{ContactScope, ReferenceQuery};
use crate::reference::{group_by_requested_type, Reference, ReferencePage};

/// How many pages one batch may follow when several batches are merged (Connect documents
/// `NextToken` as always null today, so this only guards against a runaway loop).
const MAX_PAGES_PER_BATCH: usize = 10;

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

/// Lists references through the SDK client built once at start-up.
#[derive(Clone, Debug)]
pub struct ConnectReferences {
    client: Client,
}

impl ConnectReferences {
    pub fn new(client: Client) -> Self {
        ConnectReferences { client }
    }

    /// Fetches every batch of the query and merges them, or gives up with `UPSTREAM_TIMEOUT` at `deadline`.
    pub async fn fetch(&self, query: &ReferenceQuery, deadline: Instant) -> Result<ReferencePage, Error> {
        self.fetch_measured(query, deadline).await.0
    }

    /// [`fetch`](Self::fetch), and what it cost in requests to Connect and time spent waiting.
    pub async fn fetch_measured(
        &self,
        query: &ReferenceQuery,
        deadline: Instant,
    ) -> (Result<ReferencePage, Error>, ConnectUsage) {
        let attempts = AttemptCounter::default();
        let started = Instant::now();
        let result = match tokio::time::timeout_at(deadline, self.fetch_in_scope(query, &attempts)).await {
            Ok(Ok(mut page)) => {
                if let Some(expiry) = query.download_links {
                    self.add_download_links(&mut page, query, expiry, deadline, &attempts).await;
                }
                Ok(page)
            }
            Ok(Err(error)) => Err(error),
            Err(_) => {
                tracing::warn!(
                    error_code = ErrorKind::UpstreamTimeout.code(),
                    "Connect did not answer before the deadline"
                );
                Err(Error::new(ErrorKind::UpstreamTimeout, message_for(ErrorKind::UpstreamTimeout)))
            }
        };
        (result, ConnectUsage { calls: attempts.count(), waited: Some(started.elapsed()) })
    }

    /// For [`ContactScope::Initial`], asks `DescribeContact` for the contact's initial contact first and
    /// lists that one's references (Connect keys references by the initial contact).
    async fn fetch_in_scope(&self, query: &ReferenceQuery, attempts: &AttemptCounter) -> Result<ReferencePage, Error> {
        if query.contact_scope == ContactScope::AsGiven {
            return self.fetch_all(query, attempts).await;
        }
        let initial = self.initial_contact(&query.instance_id, &query.contact_id, attempts).await?;
        let resolved = ReferenceQuery { contact_id: initial.clone(), ..query.clone() };
        let page = self.fetch_all(&resolved, attempts).await?;
        Ok(ReferencePage { initial_contact_id: Some(initial), ..page })
    }

    /// Gives each ATTACHMENT reference its download link, or the code saying why it has none. At most
    /// [`CONCURRENT_LINKS`] `GetAttachedFile` calls at once, each bounded by the same `deadline` as the
    /// listing: a link not had by then is `UPSTREAM_TIMEOUT`, and the answer is still on time.
    async fn add_download_links(
        &self,
        page: &mut ReferencePage,
        query: &ReferenceQuery,
        expiry: UrlExpiry,
        deadline: Instant,
        attempts: &AttemptCounter,
    ) {
        let contact = page.initial_contact_id.clone().unwrap_or_else(|| query.contact_id.clone());
        // The futures are made by a method, not an async closure, so that the stream stays `Send`.
        let calls: Vec<_> = page
            .references
            .iter()
            .enumerate()
            .filter(|(_, reference)| reference.reference_type == Some(ReferenceType::Attachment))
            .map(|(index, reference)| {
                let request = link_request(reference, query, &contact);
                self.link(index, request, &query.instance_id, expiry, deadline, attempts)
            })
            .collect();
        let links: Vec<(usize, Link)> = stream::iter(calls).buffer_unordered(CONCURRENT_LINKS).collect().await;
        for (index, link) in links {
            let reference = &mut page.references[index];
            match link {
                Ok(link) => {
                    reference.download_url = Some(link.url);
                    reference.download_url_expires_at = link.expires_at;
                    reference.file_name = link.file_name;
                    reference.file_size_in_bytes = link.file_size_in_bytes;
                }
                Err(code) => reference.download_url_error = Some(code),
            }
        }
    }

    /// One reference's link, by the deadline.
    async fn link(
        &self,
        index: usize,
        request: LinkRequest,
        instance_id: &str,
        expiry: UrlExpiry,
        deadline: Instant,
        attempts: &AttemptCounter,
    ) -> (usize, Link) {
        let (file_id, contact_arn) = match request {
            Ok(request) => request,
            Err(code) => return (index, Err(code)),
        };
        let call = self.attached_file(instance_id, &file_id, &contact_arn, expiry, attempts);
        let link = match tokio::time::timeout_at(deadline, call).await {
            Ok(link) => link.map_err(|error| error.code()),
            Err(_) => Err(ErrorKind::UpstreamTimeout.code()),
        };
        (index, link)
    }

    /// `GetAttachedFile` for one file; a reply without a link (the file is not APPROVED) is `NOT_FOUND`.
    async fn attached_file(
        &self,
        instance_id: &str,
        file_id: &str,
        contact_arn: &str,
        expiry: UrlExpiry,
        attempts: &AttemptCounter,
    ) -> Result<AttachedFileLink, Error> {
        let output = self
            .client
            .get_attached_file()
            .instance_id(instance_id)
            .file_id(file_id)
            .associated_resource_arn(contact_arn)
            .url_expiry_in_seconds(i32::from(expiry.seconds()))
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
            .map_err(|error| classify_other("GetAttachedFile", error))?;
        let (url, expires_at) = match output.download_url_metadata {
            Some(metadata) => (metadata.url, metadata.url_expiry),
            None => (None, None),
        };
        let url = url
            .filter(|url| !url.is_empty())
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "the file has no download link"))?;
        Ok(AttachedFileLink {
            url,
            expires_at,
            file_name: output.file_name,
            file_size_in_bytes: Some(output.file_size_in_bytes).filter(|size| *size > 0),
        })
    }

    /// The contact's initial contact, or the contact itself when it was not transferred.
    async fn initial_contact(
        &self,
        instance_id: &str,
        contact_id: &str,
        attempts: &AttemptCounter,
    ) -> Result<String, Error> {
        let output = self
            .client
            .describe_contact()
            .instance_id(instance_id)
            .contact_id(contact_id)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
            .map_err(|error| classify_other("DescribeContact", error))?;
        let initial = output.contact.and_then(|contact| contact.initial_contact_id).filter(|id| !id.is_empty());
        Ok(initial.unwrap_or_else(|| contact_id.to_owned()))
    }

    async fn fetch_all(&self, query: &ReferenceQuery, attempts: &AttemptCounter) -> Result<ReferencePage, Error> {
        if query.reference_types.len() <= crate::query::TYPES_PER_CALL {
            // One call: the caller's token goes in and Connect's comes back out.
            let (mut references, next_token) =
                self.call(query, &query.reference_types, query.next_token.as_deref(), attempts).await?;
            group_by_requested_type(&mut references, &query.reference_types);
            return Ok(ReferencePage { references, next_token, initial_contact_id: None });
        }
        // Several calls: each batch is followed to its end, so the merged answer is complete.
        let batches = try_join_all(query.batches().map(|types| self.call_all_pages(query, types, attempts))).await?;
        let mut references: Vec<Reference> = batches.into_iter().flatten().collect();
        group_by_requested_type(&mut references, &query.reference_types);
        Ok(ReferencePage { references, next_token: None, initial_contact_id: None })
    }

    async fn call_all_pages(
        &self,
        query: &ReferenceQuery,
        types: &[ReferenceType],
        attempts: &AttemptCounter,
    ) -> Result<Vec<Reference>, Error> {
        let mut all = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES_PER_BATCH {
            let (references, next) = self.call(query, types, token.as_deref(), attempts).await?;
            all.extend(references);
            match next {
                Some(next) => token = Some(next),
                None => return Ok(all),
            }
        }
        Err(Error::new(ErrorKind::Upstream, "Amazon Connect returned more pages than expected"))
    }

    async fn call(
        &self,
        query: &ReferenceQuery,
        types: &[ReferenceType],
        token: Option<&str>,
        attempts: &AttemptCounter,
    ) -> Result<(Vec<Reference>, Option<String>), Error> {
        let output = self
            .client
            .list_contact_references()
            .instance_id(&query.instance_id)
            .contact_id(&query.contact_id)
            .set_reference_types(Some(types.to_vec()))
            .set_next_token(token.map(str::to_owned))
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
            .map_err(classify)?;
        let references = output.reference_summary_list.unwrap_or_default().into_iter().map(Reference::from).collect();
        Ok((references, output.next_token))
    }
}

/// The SDK's union as the domain's reference: the one place SDK types become domain types.
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
        let email_message = |reference_type, r: aws_sdk_connect::types::EmailMessageReference| Reference {
            arn: r.arn,
            ..named(reference_type, r.name, None)
        };
        match summary {
            S::Url(r) => named(ReferenceType::Url, r.name, r.value),
            S::String(r) => named(ReferenceType::String, r.name, r.value),
            S::Number(r) => named(ReferenceType::Number, r.name, r.value),
            S::Date(r) => named(ReferenceType::Date, r.name, r.value),
            S::Email(r) => named(ReferenceType::Email, r.name, r.value),
            S::Attachment(r) => {
                Reference { status: r.status, arn: r.arn, ..named(ReferenceType::Attachment, r.name, r.value) }
            }
            S::ContactAnalysis(r) => Reference {
                status: r.status,
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

/// What to ask `GetAttachedFile` (file id, contact ARN), or the error code saying why not.
type LinkRequest = Result<(String, String), &'static str>;
/// A reference's link, or the error code saying why it has none.
type Link = Result<AttachedFileLink, &'static str>;

/// What `GetAttachedFile` gave for one file.
struct AttachedFileLink {
    url: String,
    expires_at: Option<String>,
    file_name: Option<String>,
    file_size_in_bytes: Option<i64>,
}

/// What to ask `GetAttachedFile` for an ATTACHMENT reference (its file id and the contact's ARN), or
/// the code saying why there is nothing to ask: not APPROVED (`NOT_FOUND`), not a file of this instance
/// (`VALIDATION_ERROR`). The contact's ARN takes partition, region and account from the query's scope
/// (the instance ARN, else the function's), else from the file's own ARN.
fn link_request(reference: &Reference, query: &ReferenceQuery, contact: &str) -> LinkRequest {
    if reference.status != Some(ReferenceStatus::Approved) {
        return Err(ErrorKind::NotFound.code());
    }
    let arn = reference.arn.as_deref().unwrap_or_default();
    let file_id = file_id(arn, &query.instance_id).ok_or(ErrorKind::Validation.code())?;
    let scope = query.arn_scope.clone().or_else(|| ArnScope::of(arn)).ok_or(ErrorKind::Internal.code())?;
    Ok((file_id.to_owned(), scope.contact_arn(&query.instance_id, contact)))
}

/// What one fetch cost, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectUsage {
    /// Requests sent to Connect: every attempt, so the SDK's retries count.
    pub calls: u32,
    /// Time from the first call to the answer (or to giving up); `None` when Connect was not asked.
    pub waited: Option<Duration>,
}

/// Counts the requests one fetch sends, retries included: an interceptor added to each operation,
/// so concurrent fetches never share a count.
#[derive(Debug, Clone, Default)]
struct AttemptCounter(Arc<AtomicU32>);

impl AttemptCounter {
    fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

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
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Maps an SDK failure onto an error kind with a message that reveals nothing of the SDK's internals.
pub fn classify(error: SdkError<ListContactReferencesError, HttpResponse>) -> Error {
    classify_with("ListContactReferences", error, kind_of_service_error)
}

/// Maps a failure of another operation than ListContactReferences by Connect's error code (its modeled
/// errors have the same names and meanings), with the same log line.
pub fn classify_other<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    classify_with(operation, error, |service, http_status| kind_of_unmodeled_error(service.code(), http_status))
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
    Error::new(kind, message_for(kind))
}

/// What an operator needs to act on a failed call, and nothing a caller sent or Connect wrote: the
/// SDK's kind of failure, Connect's error code and request id, and, for failures before any reply
/// (DNS, TLS, a refused connection, a timeout), the chain of causes. A service error's message is never
/// logged (it may quote ids). WARN for what an operator should look at; DEBUG for a caller's mistake.
fn log_failure<E>(operation: &'static str, kind: ErrorKind, error: &SdkError<E, HttpResponse>)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let sdk_error = match error {
        SdkError::ConstructionFailure(_) => "construction failure",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch failure",
        SdkError::ResponseError(_) => "unreadable response",
        SdkError::ServiceError(_) => "service error",
        _ => "other",
    };
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

fn kind_of_service_error(error: &ListContactReferencesError, http_status: u16) -> ErrorKind {
    use ListContactReferencesError as E;
    match error {
        E::InvalidParameterException(_) | E::InvalidRequestException(_) => ErrorKind::Validation,
        E::ResourceNotFoundException(_) => ErrorKind::NotFound,
        E::ThrottlingException(_) => ErrorKind::Throttled,
        E::InternalServiceException(_) => ErrorKind::Upstream,
        other => kind_of_unmodeled_error(other.code(), http_status),
    }
}

/// Errors the model does not list for this operation arrive as `Unhandled`, known by their code, or
/// only by their status when the reply could not be read at all.
fn kind_of_unmodeled_error(code: Option<&str>, http_status: u16) -> ErrorKind {
    match code {
        Some("AccessDeniedException") => ErrorKind::AccessDenied,
        Some("ThrottlingException" | "TooManyRequestsException" | "LimitExceededException") => ErrorKind::Throttled,
        Some("ServiceUnavailableException" | "InternalServiceException" | "InternalFailure") => ErrorKind::Upstream,
        Some("InvalidParameterException" | "InvalidRequestException" | "ValidationException") => ErrorKind::Validation,
        Some("ResourceNotFoundException") => ErrorKind::NotFound,
        // A success we could not read, or a server failure: Connect's side.
        None if (200..300).contains(&http_status) || http_status >= 500 => ErrorKind::Upstream,
        // Anything else (an unknown 4xx, bad credentials): this function's side.
        _ => ErrorKind::Internal,
    }
}

fn message_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Validation => {
            "Amazon Connect rejected the request: check the instance id, contact id and reference types"
        }
        ErrorKind::AccessDenied => "this function is not allowed to read that contact's references",
        ErrorKind::NotFound => "Amazon Connect has no such contact in that instance",
        ErrorKind::Throttled => "Amazon Connect is throttling requests; retry later",
        ErrorKind::Upstream => "Amazon Connect failed or could not be reached",
        ErrorKind::UpstreamTimeout => "Amazon Connect did not answer in time",
        ErrorKind::Internal => "internal error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_connect::operation::list_contact_references::ListContactReferencesOutput;
    use aws_sdk_connect::types::error::{
        InternalServiceException, InvalidParameterException, InvalidRequestException, ResourceNotFoundException,
        ThrottlingException,
    };
    use aws_sdk_connect::types::{ReferenceSummary, UrlReference};
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use aws_smithy_types::error::ErrorMetadata;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";

    fn query(types: Option<&str>, token: Option<&str>) -> ReferenceQuery {
        ReferenceQuery::parse(INSTANCE, "contact-1", types.map(|t| vec![t]), token).unwrap()
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

    fn url(name: &str) -> ReferenceSummary {
        ReferenceSummary::Url(UrlReference::builder().name(name).value("v").build())
    }

    #[tokio::test]
    async fn each_modeled_error_maps_to_its_kind() {
        use ListContactReferencesError as E;
        let cases: Vec<(fn() -> E, ErrorKind)> = vec![
            (|| E::InvalidParameterException(InvalidParameterException::builder().build()), ErrorKind::Validation),
            (|| E::InvalidRequestException(InvalidRequestException::builder().build()), ErrorKind::Validation),
            (|| E::ResourceNotFoundException(ResourceNotFoundException::builder().build()), ErrorKind::NotFound),
            (|| E::ThrottlingException(ThrottlingException::builder().build()), ErrorKind::Throttled),
            (|| E::InternalServiceException(InternalServiceException::builder().build()), ErrorKind::Upstream),
            (|| E::generic(ErrorMetadata::builder().code("AccessDeniedException").build()), ErrorKind::AccessDenied),
            (|| E::generic(ErrorMetadata::builder().code("UnrecognizedClientException").build()), ErrorKind::Internal),
        ];
        for (make, expected) in cases {
            let rule = mock!(Client::list_contact_references).then_error(make);
            let client =
                mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&rule], |c| c.retry_config(RetryConfig::disabled()));
            let error = ConnectReferences::new(client).fetch(&query(Some("URL"), None), far()).await.unwrap_err();
            assert_eq!(error.kind, expected, "{error}");
            assert_eq!(error.message, message_for(expected));
        }
    }

    #[tokio::test]
    async fn messages_never_carry_connects_own_text() {
        let rule = mock!(Client::list_contact_references).then_error(|| {
            ListContactReferencesError::InvalidParameterException(
                InvalidParameterException::builder().message("internal detail 42").build(),
            )
        });
        let client = mock_client!(aws_sdk_connect, [&rule]);
        let error = ConnectReferences::new(client).fetch(&query(Some("URL"), None), far()).await.unwrap_err();
        assert!(!error.message.contains("42"));
    }

    #[tokio::test]
    async fn one_batch_passes_the_token_both_ways() {
        let rule = mock!(Client::list_contact_references)
            .match_requests(|r| r.next_token() == Some("in") && r.instance_id() == Some(INSTANCE))
            .then_output(|| {
                ListContactReferencesOutput::builder().reference_summary_list(url("a")).next_token("out").build()
            });
        let client = mock_client!(aws_sdk_connect, [&rule]);
        let page = ConnectReferences::new(client).fetch(&query(Some("URL"), Some("in")), far()).await.unwrap();
        assert_eq!(page.next_token.as_deref(), Some("out"));
        assert_eq!(page.references.len(), 1);
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn omitted_types_are_fetched_in_batches_of_six_and_merged_in_sdk_order() {
        let first = mock!(Client::list_contact_references)
            .match_requests(|r| r.reference_types().len() == 6)
            .then_output(|| {
                ListContactReferencesOutput::builder()
                    .reference_summary_list(ReferenceSummary::Date(
                        aws_sdk_connect::types::DateReference::builder().name("d").build(),
                    ))
                    .reference_summary_list(ReferenceSummary::Attachment(
                        aws_sdk_connect::types::AttachmentReference::builder().name("a").build(),
                    ))
                    .build()
            });
        let second = mock!(Client::list_contact_references)
            .match_requests(|r| r.reference_types().len() == 5)
            .then_output(|| ListContactReferencesOutput::builder().reference_summary_list(url("u")).build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&first, &second]);
        let page = ConnectReferences::new(client).fetch(&query(None, None), far()).await.unwrap();
        let types: Vec<&str> = page.references.iter().map(Reference::type_name).collect();
        assert_eq!(types, ["ATTACHMENT", "DATE", "URL"]);
        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
        assert_eq!(page.next_token, None);
    }

    #[tokio::test]
    async fn a_batch_that_never_ends_stops_after_the_page_limit_with_upstream_error() {
        // Connect documents NextToken as always null; a reply that always carries one must not loop.
        let endless =
            mock!(Client::list_contact_references).match_requests(|r| r.reference_types().len() == 6).then_output(
                || ListContactReferencesOutput::builder().reference_summary_list(url("p")).next_token("again").build(),
            );
        let other = mock!(Client::list_contact_references)
            .match_requests(|r| r.reference_types().len() == 5)
            .then_output(|| ListContactReferencesOutput::builder().build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&endless, &other]);
        let error = ConnectReferences::new(client).fetch(&query(None, None), far()).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert_eq!(endless.num_calls(), 10, "the README promises at most 10 pages per batch");
    }

    #[tokio::test]
    async fn merged_batches_follow_their_own_pages() {
        let page1 = mock!(Client::list_contact_references)
            .match_requests(|r| r.reference_types().len() == 6 && r.next_token().is_none())
            .then_output(|| {
                ListContactReferencesOutput::builder().reference_summary_list(url("p1")).next_token("t2").build()
            });
        let page2 = mock!(Client::list_contact_references)
            .match_requests(|r| r.next_token() == Some("t2"))
            .then_output(|| ListContactReferencesOutput::builder().reference_summary_list(url("p2")).build());
        let other = mock!(Client::list_contact_references)
            .match_requests(|r| r.reference_types().len() == 5)
            .then_output(|| ListContactReferencesOutput::builder().build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&page1, &page2, &other]);
        let page = ConnectReferences::new(client).fetch(&query(None, None), far()).await.unwrap();
        let names: Vec<_> = page.references.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["p1", "p2"]);
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
            .behavior_version(aws_sdk_connect::config::BehaviorVersion::latest())
            .region(aws_sdk_connect::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_connect::config::Credentials::for_tests())
            .http_client(replay.clone())
            .build();
        let arn = format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}");
        let query = ReferenceQuery::parse(&arn, "contact-1", Some(["url,attachment"]), None).unwrap();
        let page = ConnectReferences::new(Client::from_conf(config)).fetch(&query, far()).await.unwrap();
        assert_eq!(page.references, [Reference::default()], "a newer union member is an UNKNOWN reference");
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
    fn unlisted_error_codes_fall_back_sensibly() {
        assert_eq!(kind_of_unmodeled_error(Some("AccessDeniedException"), 403), ErrorKind::AccessDenied);
        assert_eq!(kind_of_unmodeled_error(Some("TooManyRequestsException"), 429), ErrorKind::Throttled);
        assert_eq!(kind_of_unmodeled_error(Some("ServiceUnavailableException"), 503), ErrorKind::Upstream);
        assert_eq!(kind_of_unmodeled_error(Some("UnrecognizedClientException"), 403), ErrorKind::Internal);
        assert_eq!(kind_of_unmodeled_error(None, 200), ErrorKind::Upstream, "an unreadable success");
        assert_eq!(kind_of_unmodeled_error(None, 503), ErrorKind::Upstream);
        assert_eq!(kind_of_unmodeled_error(None, 418), ErrorKind::Internal);
    }

    fn initial_scope() -> ReferenceQuery {
        ReferenceQuery { contact_scope: ContactScope::Initial, ..query(Some("URL"), None) }
    }

    fn describe(initial: Option<&'static str>) -> aws_smithy_mocks::Rule {
        use aws_sdk_connect::operation::describe_contact::DescribeContactOutput;
        use aws_sdk_connect::types::Contact;
        mock!(Client::describe_contact).match_requests(|r| r.contact_id() == Some("contact-1")).then_output(move || {
            DescribeContactOutput::builder()
                .contact(Contact::builder().id("contact-1").set_initial_contact_id(initial.map(str::to_owned)).build())
                .build()
        })
    }

    #[tokio::test]
    async fn the_initial_scope_lists_the_initial_contact_found_by_describe_contact() {
        let described = describe(Some("first"));
        let listed = mock!(Client::list_contact_references)
            .match_requests(|r| r.contact_id() == Some("first"))
            .then_output(|| ListContactReferencesOutput::builder().reference_summary_list(url("u")).build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&described, &listed]);
        let page = ConnectReferences::new(client).fetch(&initial_scope(), far()).await.unwrap();
        assert_eq!(page.initial_contact_id.as_deref(), Some("first"));
        assert_eq!((described.num_calls(), listed.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_contact_without_an_initial_contact_is_its_own() {
        let described = describe(None);
        let listed = mock!(Client::list_contact_references)
            .match_requests(|r| r.contact_id() == Some("contact-1"))
            .then_output(|| ListContactReferencesOutput::builder().build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&described, &listed]);
        let page = ConnectReferences::new(client).fetch(&initial_scope(), far()).await.unwrap();
        assert_eq!(page.initial_contact_id.as_deref(), Some("contact-1"));
        assert_eq!(listed.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_unknown_contact_stops_at_describe_contact_with_not_found() {
        use aws_sdk_connect::operation::describe_contact::DescribeContactError;
        let described = mock!(Client::describe_contact).then_error(|| {
            DescribeContactError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(ErrorMetadata::builder().code("ResourceNotFoundException").build())
                    .build(),
            )
        });
        let listed =
            mock!(Client::list_contact_references).then_output(|| ListContactReferencesOutput::builder().build());
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&described, &listed]);
        let error = ConnectReferences::new(client).fetch(&initial_scope(), far()).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert_eq!(listed.num_calls(), 0);
    }

    #[tokio::test]
    async fn approved_files_get_links_a_throttled_one_its_code_and_others_no_call() {
        use aws_sdk_connect::operation::get_attached_file::{GetAttachedFileError, GetAttachedFileOutput};
        use aws_sdk_connect::types::{AttachmentReference, DownloadUrlMetadata, ReferenceStatus};
        let file = |name: &str, status: ReferenceStatus, id: &str| {
            ReferenceSummary::Attachment(
                AttachmentReference::builder()
                    .name(name)
                    .status(status)
                    .arn(format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/file/{id}"))
                    .build(),
            )
        };
        let listed = mock!(Client::list_contact_references).then_output(move || {
            ListContactReferencesOutput::builder()
                .reference_summary_list(file("a.pdf", ReferenceStatus::Approved, "f-a"))
                .reference_summary_list(file("b.pdf", ReferenceStatus::Approved, "f-b"))
                .reference_summary_list(file("c.pdf", ReferenceStatus::Rejected, "f-c"))
                .build()
        });
        let linked = mock!(Client::get_attached_file)
            .match_requests(|r| {
                r.file_id() == Some("f-a")
                    && r.url_expiry_in_seconds() == Some(30)
                    && r.associated_resource_arn()
                        == Some(&format!(
                            "arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/contact/contact-1"
                        ))
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
        let throttled =
            mock!(Client::get_attached_file).match_requests(|r| r.file_id() == Some("f-b")).then_error(|| {
                GetAttachedFileError::ThrottlingException(
                    ThrottlingException::builder()
                        .meta(ErrorMetadata::builder().code("ThrottlingException").build())
                        .build(),
                )
            });
        let client = mock_client!(aws_sdk_connect, RuleMode::MatchAny, [&listed, &linked, &throttled]);
        let links = crate::attachments::parse_download_links(Some(["downloadUrl"]), Some("30")).unwrap();
        let query = ReferenceQuery { download_links: links, ..query(Some("ATTACHMENT"), None) };
        let page = ConnectReferences::new(client).fetch(&query, far()).await.unwrap();
        let [a, b, c] = &page.references[..] else { panic!("{:?}", page.references) };
        assert_eq!(a.download_url.as_deref(), Some("https://s3/a?sig"));
        assert_eq!((a.file_name.as_deref(), a.file_size_in_bytes), (Some("a.pdf"), Some(7)));
        assert_eq!(a.download_url_expires_at.as_deref(), Some("2026-11-29T00:00:30.000Z"));
        assert_eq!((b.download_url.as_deref(), b.download_url_error), (None, Some("THROTTLED")));
        assert_eq!(c.download_url_error, Some("NOT_FOUND"));
        assert_eq!(linked.num_calls(), 1);
        assert!(throttled.num_calls() >= 1);
    }
}
