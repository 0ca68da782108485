//! The use case: list one contact's references, and open one of its files. It decides everything
//! about what to ask Connect and when: whose references (the contact or its initial contact), batches
//! of six types, following pages, the deadline, and the download links with their concurrency cap. It talks to Connect only through
//! [`ConnectApi`], a trait of four calls in the domain's own types, so that it can be tested with an
//! in-memory fake and a paused clock, and the SDK adapter (`connect.rs`) decides nothing.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::try_join_all;
use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use crate::domain::attached_file::{file_id, unopened, ArnScope, UrlExpiry};
use crate::domain::download_request::{download_path, Disposition, DownloadQuery};
use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages::connect_failed;
use crate::domain::query::{ContactScope, ReferenceQuery, TYPES_PER_CALL};
use crate::domain::rate::{PerCallerRate, RateLimit};
use crate::domain::recording::Recording;
use crate::domain::reference::{group_by_requested_type, Reference, ReferencePage, ReferenceStatus, ReferenceType};

pub mod recordings;
/// Connect and the signer in memory, for tests: the use case's and the in-memory integration suite's.
#[cfg(any(test, feature = "test-support"))]
pub mod in_memory;

/// At most this many download links in one flow's answer (`include=downloadUrl`); the other attachments
/// say `THROTTLED` and keep their `downloadPath`, which opens them one click at a time.
pub(crate) const MAX_LINKS_PER_ANSWER: usize = 10;
/// Attachments whose link is fetched at once (`GetAttachedFile` calls in flight per request).
pub(crate) const CONCURRENT_LINKS: usize = 4;

/// How long a click on the download route may wait for its turn within the rate.
pub(crate) const MAX_CLICK_WAIT: Duration = Duration::from_secs(1);

/// How many pages one batch may follow when several batches are merged (Connect documents
/// `NextToken` as always null today, so this only guards against a runaway loop).
pub(crate) const MAX_PAGES_PER_BATCH: usize = 10;

/// Connect, as the use case needs it: four calls, in the domain's types. Each call counts every
/// request it sends (retries included) in `calls`, also when the use case stops waiting for it.
pub trait ConnectApi: Sync {
    /// One page of `ListContactReferences`.
    fn references_page(
        &self,
        request: PageRequest<'_>,
        calls: &Calls,
    ) -> impl Future<Output = Result<Page, Error>> + Send;

    /// `DescribeContact`'s `InitialContactId`: `None` when Connect names none.
    fn initial_contact(
        &self,
        instance_id: &str,
        contact_id: &str,
        calls: &Calls,
    ) -> impl Future<Output = Result<Option<String>, Error>> + Send;

    /// `GetAttachedFile` for one file.
    fn attached_file(
        &self,
        request: FileRequest<'_>,
        calls: &Calls,
    ) -> impl Future<Output = Result<AttachedFile, Error>> + Send;

    /// `DescribeContact`'s `Recordings`, in Connect's order (none: an empty list).
    fn recordings(
        &self,
        instance_id: &str,
        contact_id: &str,
        calls: &Calls,
    ) -> impl Future<Output = Result<Vec<Recording>, Error>> + Send;
}

/// What to ask for one page of references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) contact_id: &'a str,
    /// At most [`TYPES_PER_CALL`].
    pub(crate) types: &'a [ReferenceType],
    pub(crate) next_token: Option<&'a str>,
}

/// One page of references and Connect's token for the next.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub(crate) references: Vec<Reference>,
    pub(crate) next_token: Option<String>,
}

/// What to ask `GetAttachedFile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRequest<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) file_id: &'a str,
    /// The resource the file belongs to: the contact's ARN.
    pub(crate) associated_resource_arn: &'a str,
    pub(crate) expiry: UrlExpiry,
    pub(crate) disposition: Disposition,
}

/// What `GetAttachedFile` says of a file; `download_url` only for an APPROVED one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttachedFile {
    pub download_url: Option<String>,
    pub url_expires_at: Option<String>,
    pub file_name: Option<String>,
    pub file_size_in_bytes: Option<i64>,
    pub status: Option<ReferenceStatus>,
}

/// One `GetAttachedFile` the use case made, for the audit trail: which file of which contact, and how
/// it ended (`None`: a link was handed out). Never the link itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileCall {
    pub(crate) contact_id: String,
    pub(crate) file_id: String,
    pub(crate) outcome: Option<ErrorKind>,
}

/// What the deployment decides for every listing and download.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Partition, region and account of the contact ARNs files belong to (from configuration).
    pub arn_scope: Option<&'a ArnScope>,
    /// How often this execution environment may call `GetAttachedFile`.
    pub file_rate: &'a RateLimit,
    /// The caller's fair share of `file_rate` on the download route: its schedules and its key.
    pub caller_share: Option<(&'a PerCallerRate, &'a str)>,
    /// Downloads are enabled: each attachment of this instance carries its `downloadPath`.
    pub download_paths: bool,
    /// Whether this entry point may make links inside a listing (`include=downloadUrl`): contact flows
    /// only. The HTTP list route never does, whatever its query: its callers open files through the
    /// download route, behind that route's own permission.
    pub inline_links: bool,
}

/// Requests sent to Connect for one listing or download, and how many Connect refused for lack of
/// rights, shared by every call it makes (the SDK adapter's interceptor counts each attempt).
#[derive(Debug, Clone, Default)]
pub struct Calls(Arc<CallCounters>);

#[derive(Debug, Default)]
struct CallCounters {
    sent: AtomicU32,
    refused_to_the_role: AtomicU32,
}

impl Calls {
    /// One request is about to go out.
    pub(crate) fn sent(&self) {
        self.0.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Connect answered `AccessDeniedException`: the function's role lacks a right.
    pub(crate) fn denied(&self) {
        self.0.refused_to_the_role.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count(&self) -> u32 {
        self.0.sent.load(Ordering::Relaxed)
    }

    pub(crate) fn denied_count(&self) -> u32 {
        self.0.refused_to_the_role.load(Ordering::Relaxed)
    }

    /// What the listing or download that began at `started` cost, with the files it asked for.
    fn usage(&self, started: Instant, files: Vec<FileCall>) -> Usage {
        Usage {
            calls: self.count(),
            waited: Some(started.elapsed()),
            access_denied: self.denied_count(),
            files,
            recordings: Vec::new(),
        }
    }
}

/// What one listing or download cost, for the metrics and the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Requests sent to Connect: every attempt, so the SDK's retries count.
    pub(crate) calls: u32,
    /// Time from the start of the listing to its answer (or to giving up); `None` when Connect was not asked.
    pub(crate) waited: Option<Duration>,
    /// Calls Connect refused with `AccessDeniedException`: the role is missing a right, which the
    /// operator must hear of (metric `ConnectAccessDenied`).
    pub(crate) access_denied: u32,
    /// Every `GetAttachedFile` made, in the order they ended.
    pub(crate) files: Vec<FileCall>,
    /// Every recording a link was asked for (after `DescribeContact` answered), and how it ended.
    pub(crate) recordings: Vec<recordings::RecordingCall>,
}

/// Lists the query's references by `deadline`, with each attachment's `downloadPath` where downloads
/// are enabled (no call), and download links when the query asks for them; says what it cost.
pub async fn list<C: ConnectApi>(
    connect: &C,
    query: &ReferenceQuery,
    policy: Policy<'_>,
    deadline: Instant,
) -> (Result<ReferencePage, Error>, Usage) {
    let calls = Calls::default();
    let files = Mutex::new(Vec::new());
    let started = Instant::now();
    let result = match tokio::time::timeout_at(deadline, references_in_scope(connect, query, &calls)).await {
        Ok(Ok(mut page)) => {
            let contact = page.initial_contact_id.clone().unwrap_or_else(|| query.contact_id.clone());
            if policy.download_paths {
                point_at_downloads(&mut page.references, &query.instance_id, &contact);
            }
            if let Some(expiry) = query.download_links.filter(|_| policy.inline_links) {
                let links = Links { connect, query, policy, expiry, deadline, calls: &calls, files: &files };
                links.add_to(&mut page, &contact).await;
            }
            Ok(page)
        }
        Ok(Err(error)) => Err(error),
        Err(_) => {
            tracing::warn!(
                error_code = ErrorKind::UpstreamTimeout.code(),
                "Connect did not answer before the deadline"
            );
            Err(connect_failed(ErrorKind::UpstreamTimeout))
        }
    };
    let usage = calls.usage(started, files.into_inner().unwrap_or_else(PoisonError::into_inner));
    (result, usage)
}

/// Opens one file at the moment of the click: one `GetAttachedFile` within the rate and the deadline.
/// An APPROVED file gives its fresh link; any other status says whether to try again later.
pub(crate) async fn open_attached_file<C: ConnectApi>(
    connect: &C,
    query: &DownloadQuery,
    policy: Policy<'_>,
    deadline: Instant,
) -> (Result<AttachedFile, Error>, Usage) {
    let calls = Calls::default();
    let started = Instant::now();
    let Some(scope) = policy.arn_scope else {
        // Without the deployment's partition, region and account there is no contact ARN to ask with.
        return (Err(connect_failed(ErrorKind::Internal)), Usage::default());
    };
    // A click waits at most a second for its turn within the rate: beyond that, THROTTLED with
    // Retry-After is a better answer for a person than a spinner.
    // The caller's own share first, and at once: a caller over it is throttled now, without waiting
    // and without spending any of the environment's rate, which stays for the other callers.
    if let Some((shares, caller)) = policy.caller_share {
        if !shares.take_now(caller) {
            return (Err(connect_failed(ErrorKind::Throttled)), Usage::default());
        }
    }
    let Some(start) = policy.file_rate.reserve_by(deadline.min(Instant::now() + MAX_CLICK_WAIT)) else {
        return (Err(connect_failed(ErrorKind::Throttled)), Usage::default());
    };
    tokio::time::sleep_until(start).await;
    let contact_arn = scope.contact_arn(&query.instance_id, &query.contact_id);
    let request = FileRequest {
        instance_id: &query.instance_id,
        file_id: &query.file_id,
        associated_resource_arn: &contact_arn,
        expiry: query.expiry,
        disposition: query.disposition,
    };
    let result = match attached_file_by(connect, request, deadline, &calls).await {
        Ok(FileAnswer::Link(file)) => Ok(file),
        Ok(FileAnswer::NoLink(status)) => Err(connect_failed(unopened(status.as_ref()))),
        Err(error) => Err(error),
    };
    let call = FileCall {
        contact_id: query.contact_id.clone(),
        file_id: query.file_id.clone(),
        outcome: result.as_ref().err().map(|error| error.kind),
    };
    let files = if calls.count() > 0 { vec![call] } else { Vec::new() };
    (result, calls.usage(started, files))
}

/// What `GetAttachedFile` answered for one file.
enum FileAnswer {
    /// A download link (non-empty).
    Link(AttachedFile),
    /// No link; the file's status as Connect said it.
    NoLink(Option<ReferenceStatus>),
}

/// One `GetAttachedFile`, bounded by `deadline` (no answer by then is `UPSTREAM_TIMEOUT`): the one
/// rule of what counts as a link, for the route and for links inline.
async fn attached_file_by<C: ConnectApi>(
    connect: &C,
    request: FileRequest<'_>,
    deadline: Instant,
    calls: &Calls,
) -> Result<FileAnswer, Error> {
    match tokio::time::timeout_at(deadline, connect.attached_file(request, calls)).await {
        Ok(Ok(file)) if file.download_url.as_deref().is_some_and(|url| !url.is_empty()) => Ok(FileAnswer::Link(file)),
        Ok(Ok(file)) => Ok(FileAnswer::NoLink(file.status)),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(connect_failed(ErrorKind::UpstreamTimeout)),
    }
}

/// Gives each ATTACHMENT and `EMAIL_MESSAGE*` that is a file of this instance the download route's path
/// for it ([`ReferenceType::opens_as_file`]).
fn point_at_downloads(references: &mut [Reference], instance_id: &str, contact_id: &str) {
    for reference in references.iter_mut().filter(|r| r.reference_type.is_some_and(ReferenceType::opens_as_file)) {
        if let Some(file) = reference.arn.as_deref().and_then(|arn| file_id(arn, instance_id)) {
            reference.download_path = Some(download_path(instance_id, contact_id, file));
        }
    }
}

/// For [`ContactScope::Initial`], asks for the contact's initial contact first and lists that one's
/// references (Connect keys references by the initial contact).
async fn references_in_scope<C: ConnectApi>(
    connect: &C,
    query: &ReferenceQuery,
    calls: &Calls,
) -> Result<ReferencePage, Error> {
    if query.contact_scope == ContactScope::AsGiven {
        return references_of(connect, query, &query.contact_id, calls).await;
    }
    let initial = connect
        .initial_contact(&query.instance_id, &query.contact_id, calls)
        .await?
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| query.contact_id.clone());
    let page = references_of(connect, query, &initial, calls).await?;
    Ok(ReferencePage { initial_contact_id: Some(initial), ..page })
}

/// One call when the types fit in one: the caller's token goes in and Connect's comes back out.
/// Several calls otherwise, concurrently, each followed to its last page, so the merged answer is whole.
async fn references_of<C: ConnectApi>(
    connect: &C,
    query: &ReferenceQuery,
    contact_id: &str,
    calls: &Calls,
) -> Result<ReferencePage, Error> {
    let request = |types, next_token| PageRequest { instance_id: &query.instance_id, contact_id, types, next_token };
    if query.reference_types.len() <= TYPES_PER_CALL {
        let page = connect.references_page(request(&query.reference_types, query.next_token.as_deref()), calls).await?;
        let mut references = page.references;
        group_by_requested_type(&mut references, &query.reference_types);
        return Ok(ReferencePage { references, next_token: page.next_token, initial_contact_id: None });
    }
    let batches = query.batches().map(|types| every_page(connect, request(types, None), calls));
    let mut references: Vec<Reference> = try_join_all(batches).await?.into_iter().flatten().collect();
    group_by_requested_type(&mut references, &query.reference_types);
    Ok(ReferencePage { references, next_token: None, initial_contact_id: None })
}

/// Every page of one batch, at most [`MAX_PAGES_PER_BATCH`]; more is Connect misbehaving.
async fn every_page<C: ConnectApi>(
    connect: &C,
    first: PageRequest<'_>,
    calls: &Calls,
) -> Result<Vec<Reference>, Error> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES_PER_BATCH {
        let page = connect.references_page(PageRequest { next_token: token.as_deref(), ..first }, calls).await?;
        all.extend(page.references);
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(all),
        }
    }
    Err(Error::new(ErrorKind::Upstream, "Amazon Connect returned more pages than expected"))
}

/// The download links of one listing: at most [`MAX_LINKS_PER_ANSWER`], at most [`CONCURRENT_LINKS`]
/// `GetAttachedFile` calls at once, each within the deployment's rate and the listing's deadline; a
/// call whose turn comes after the deadline is not started.
struct Links<'a, C> {
    connect: &'a C,
    query: &'a ReferenceQuery,
    policy: Policy<'a>,
    expiry: UrlExpiry,
    deadline: Instant,
    calls: &'a Calls,
    files: &'a Mutex<Vec<FileCall>>,
}

/// The file to ask for and the contact's ARN it belongs to.
struct Wanted {
    file_id: String,
    contact_arn: String,
}

impl<C: ConnectApi> Links<'_, C> {
    /// Gives each ATTACHMENT reference its link, or the error kind saying why it has none.
    async fn add_to(&self, page: &mut ReferencePage, contact: &str) {
        let mut wanted = 0;
        // The futures are made by a method, not an async closure, so that the stream stays `Send`.
        let links: Vec<_> = page
            .references
            .iter()
            .enumerate()
            .filter(|(_, reference)| reference.reference_type == Some(ReferenceType::Attachment))
            .map(|(index, reference)| {
                let request = self.wanted(reference, contact).and_then(|request| {
                    wanted += 1;
                    if wanted > MAX_LINKS_PER_ANSWER {
                        Err(ErrorKind::Throttled)
                    } else {
                        Ok(request)
                    }
                });
                self.link(index, request, contact)
            })
            .collect();
        let links: Vec<(usize, Result<AttachedFile, ErrorKind>)> =
            stream::iter(links).buffer_unordered(CONCURRENT_LINKS).collect().await;
        for (index, link) in links {
            let reference = &mut page.references[index];
            match link {
                Ok(file) => {
                    reference.download_url = file.download_url;
                    reference.download_url_expires_at = file.url_expires_at;
                    reference.file_name = file.file_name;
                    reference.file_size_in_bytes = file.file_size_in_bytes;
                }
                Err(kind) => reference.download_url_error = Some(kind),
            }
        }
    }

    /// What to ask for an ATTACHMENT reference, or why there is nothing to ask: not APPROVED
    /// (`NOT_FOUND`), not a file of this instance (`VALIDATION_ERROR`). The contact's ARN takes
    /// partition, region and account from the configured scope, else from the file's own ARN.
    fn wanted(&self, reference: &Reference, contact: &str) -> Result<Wanted, ErrorKind> {
        if reference.status != Some(ReferenceStatus::Approved) {
            return Err(ErrorKind::NotFound);
        }
        let arn = reference.arn.as_deref().unwrap_or_default();
        let file_id = file_id(arn, &self.query.instance_id).ok_or(ErrorKind::Validation)?;
        let scope = self.policy.arn_scope.cloned().or_else(|| ArnScope::of(arn)).ok_or(ErrorKind::Internal)?;
        Ok(Wanted { file_id: file_id.to_owned(), contact_arn: scope.contact_arn(&self.query.instance_id, contact) })
    }

    /// One reference's link, by the deadline and within the rate; not started at all when its turn
    /// (the rate's, or the concurrency cap's) comes after the deadline.
    async fn link(
        &self,
        index: usize,
        wanted: Result<Wanted, ErrorKind>,
        contact: &str,
    ) -> (usize, Result<AttachedFile, ErrorKind>) {
        let wanted = match wanted {
            Ok(wanted) => wanted,
            Err(kind) => return (index, Err(kind)),
        };
        if Instant::now() >= self.deadline {
            return (index, Err(ErrorKind::UpstreamTimeout));
        }
        let Some(start) = self.policy.file_rate.reserve_by(self.deadline) else {
            return (index, Err(ErrorKind::Throttled));
        };
        tokio::time::sleep_until(start).await;
        if Instant::now() >= self.deadline {
            return (index, Err(ErrorKind::UpstreamTimeout));
        }
        let request = FileRequest {
            instance_id: &self.query.instance_id,
            file_id: &wanted.file_id,
            associated_resource_arn: &wanted.contact_arn,
            expiry: self.expiry,
            disposition: Disposition::Attachment,
        };
        // In a list, an attachment Connect gives no link for is NOT_FOUND whatever its status.
        let link = match attached_file_by(self.connect, request, self.deadline, self.calls).await {
            Ok(FileAnswer::Link(file)) => Ok(file),
            Ok(FileAnswer::NoLink(_)) => Err(ErrorKind::NotFound),
            Err(error) => Err(error.kind),
        };
        let call =
            FileCall { contact_id: contact.to_owned(), file_id: wanted.file_id, outcome: link.as_ref().err().copied() };
        self.files.lock().unwrap_or_else(PoisonError::into_inner).push(call);
        (index, link)
    }
}

#[cfg(test)]
mod tests {
    //! The use case against an in-memory Connect, on tokio's paused clock: time only moves when every
    //! task waits, so deadlines, delays and the fan-out are exact to the millisecond.

    use super::*;
    use crate::domain::query::RawQuery;
    use crate::use_case::in_memory::InMemoryConnect;
    use std::collections::HashMap;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const MS: Duration = Duration::from_millis(1);
    const SECOND: Duration = Duration::from_secs(1);

    /// The instant every test starts at (the paused clock's "now" when the test begins).
    fn epoch() -> Instant {
        thread_local!(static EPOCH: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) });
        EPOCH.with(|epoch| {
            let first = epoch.get().unwrap_or_else(Instant::now);
            epoch.set(Some(first));
            first
        })
    }

    fn reference(reference_type: ReferenceType, name: &str) -> Reference {
        Reference { reference_type: Some(reference_type), name: Some(name.into()), ..Reference::default() }
    }

    fn attachment(file: &str, status: ReferenceStatus) -> Reference {
        Reference {
            status: Some(status),
            arn: Some(format!("arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE}/file/{file}")),
            ..reference(ReferenceType::Attachment, file)
        }
    }

    fn approved(file: &str) -> Reference {
        attachment(file, ReferenceStatus::Approved)
    }

    fn link(file: &str) -> Result<AttachedFile, ErrorKind> {
        Ok(AttachedFile {
            download_url: Some(format!("https://files/{file}?sig")),
            url_expires_at: Some("2026-12-03T00:01:00.000Z".into()),
            file_name: Some(file.into()),
            file_size_in_bytes: Some(7),
            status: Some(ReferenceStatus::Approved),
        })
    }

    fn query(raw: RawQuery<'_>) -> ReferenceQuery {
        ReferenceQuery::parse(RawQuery { instance_id: INSTANCE, contact_id: "c1", ..raw }).unwrap()
    }

    fn with_links(types: &str) -> ReferenceQuery {
        query(RawQuery {
            reference_types: Some(vec![types]),
            include: Some(vec!["downloadUrl"]),
            ..RawQuery::default()
        })
    }

    fn scope() -> ArnScope {
        ArnScope::of("arn:aws:lambda:us-east-1:012345678912:function:f").unwrap()
    }

    /// A rate no test of the fan-out reaches.
    fn unlimited() -> RateLimit {
        RateLimit::new(1_000.0, 1_000)
    }

    async fn run(
        connect: &InMemoryConnect,
        query: &ReferenceQuery,
        budget: Duration,
    ) -> (Result<ReferencePage, Error>, Usage) {
        run_with(connect, query, &unlimited(), false, budget).await
    }

    async fn run_with(
        connect: &InMemoryConnect,
        query: &ReferenceQuery,
        rate: &RateLimit,
        download_paths: bool,
        budget: Duration,
    ) -> (Result<ReferencePage, Error>, Usage) {
        let scope = scope();
        let policy =
            Policy { arn_scope: Some(&scope), file_rate: rate, caller_share: None, download_paths, inline_links: true };
        list(connect, query, policy, epoch() + budget).await
    }

    #[tokio::test(start_paused = true)]
    async fn omitted_types_are_fetched_in_batches_of_six_concurrently_and_merged_in_the_sdk_order() {
        let connect = InMemoryConnect {
            references: HashMap::from([(
                "c1".into(),
                vec![
                    reference(ReferenceType::Url, "u"),
                    reference(ReferenceType::Attachment, "a"),
                    reference(ReferenceType::Date, "d"),
                ],
            )]),
            page_delay: 100 * MS,
            ..InMemoryConnect::default()
        };
        let (page, usage) = run(&connect, &query(RawQuery::default()), Duration::from_secs(5)).await;
        let names: Vec<_> = page.unwrap().references.into_iter().map(|r| r.name.unwrap()).collect();
        assert_eq!(names, ["a", "d", "u"]);
        let calls = connect.calls();
        assert_eq!(
            calls,
            [
                "ListContactReferences c1 ATTACHMENT,CONTACT_ANALYSIS,DATE,EMAIL,EMAIL_MESSAGE,EMAIL_MESSAGE_PLAIN_TEXT None",
                "ListContactReferences c1 EMAIL_MESSAGE_PLAIN_TEXT_REDACTED,EMAIL_MESSAGE_REDACTED,NUMBER,STRING,URL None",
            ]
        );
        assert_eq!(
            usage,
            Usage { calls: 2, waited: Some(100 * MS), ..Usage::default() },
            "both batches at once: 100 ms, not 200"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_batch_passes_the_callers_token_in_and_connects_token_out() {
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), vec![reference(ReferenceType::Url, "u")])]),
            endless_for: Some(ReferenceType::Url),
            ..InMemoryConnect::default()
        };
        let query =
            query(RawQuery { reference_types: Some(vec!["URL"]), next_token: Some("in"), ..RawQuery::default() });
        let (page, usage) = run(&connect, &query, Duration::from_secs(5)).await;
        assert_eq!(page.unwrap().next_token.as_deref(), Some("again"));
        assert_eq!(connect.calls(), ["ListContactReferences c1 URL Some(\"in\")"]);
        assert_eq!(usage.calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_that_never_ends_stops_after_ten_pages_with_upstream_error() {
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), vec![])]),
            endless_for: Some(ReferenceType::Attachment),
            page_delay: MS,
            ..InMemoryConnect::default()
        };
        let (page, usage) = run(&connect, &query(RawQuery::default()), Duration::from_secs(5)).await;
        assert_eq!(page.unwrap_err().kind, ErrorKind::Upstream);
        let first_batch = connect.calls().iter().filter(|call| call.contains("ATTACHMENT,")).count();
        assert_eq!(first_batch, 10, "docs/architecture.md promises at most 10 pages per batch");
        assert_eq!(usage.calls, 11, "ten pages of the endless batch, one of the other");
    }

    #[tokio::test(start_paused = true)]
    async fn a_listing_slower_than_the_deadline_is_upstream_timeout_exactly_at_the_deadline() {
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), vec![])]),
            page_delay: Duration::from_secs(3),
            ..InMemoryConnect::default()
        };
        let (page, usage) = run(&connect, &query(RawQuery::default()), 2_700 * MS).await;
        let error = page.unwrap_err();
        assert_eq!(
            (error.kind, error.message.as_str()),
            (ErrorKind::UpstreamTimeout, "Amazon Connect did not answer in time")
        );
        assert_eq!(
            usage,
            Usage { calls: 2, waited: Some(2_700 * MS), ..Usage::default() },
            "calls that were sent count, answered or not"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_initial_scope_describes_the_contact_then_lists_its_initial_contact() {
        let connect = InMemoryConnect {
            references: HashMap::from([("first".into(), vec![reference(ReferenceType::Url, "u")])]),
            initial: HashMap::from([("c1".into(), "first".into())]),
            ..InMemoryConnect::default()
        };
        let query =
            query(RawQuery { reference_types: Some(vec!["URL"]), contact: Some("initial"), ..RawQuery::default() });
        let (page, usage) = run(&connect, &query, Duration::from_secs(5)).await;
        assert_eq!(page.unwrap().initial_contact_id.as_deref(), Some("first"));
        assert_eq!(connect.calls(), ["DescribeContact c1", "ListContactReferences first URL None"]);
        assert_eq!(usage.calls, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_contact_connect_names_no_initial_contact_for_is_its_own() {
        let connect =
            InMemoryConnect { references: HashMap::from([("c1".into(), vec![])]), ..InMemoryConnect::default() };
        let query =
            query(RawQuery { reference_types: Some(vec!["URL"]), contact: Some("initial"), ..RawQuery::default() });
        let (page, _) = run(&connect, &query, Duration::from_secs(5)).await;
        assert_eq!(page.unwrap().initial_contact_id.as_deref(), Some("c1"));
    }

    #[tokio::test(start_paused = true)]
    async fn approved_files_of_this_instance_get_links_and_every_other_attachment_its_reason() {
        let mut elsewhere = approved("f-elsewhere");
        elsewhere.arn = Some("arn:aws:connect:eu-west-2:123456789012:instance/other/file/f-elsewhere".into());
        let connect = InMemoryConnect {
            references: HashMap::from([(
                "c1".into(),
                vec![
                    approved("f-ok"),
                    approved("f-throttled"),
                    approved("f-no-url"),
                    attachment("f-rejected", ReferenceStatus::Rejected),
                    attachment("f-new-status", ReferenceStatus::Other("QUARANTINED".into())),
                    elsewhere,
                    reference(ReferenceType::Url, "u"),
                ],
            )]),
            files: HashMap::from([
                ("f-ok".into(), link("f-ok")),
                ("f-throttled".into(), Err(ErrorKind::Throttled)),
                ("f-no-url".into(), Ok(AttachedFile { file_name: Some("f-no-url".into()), ..AttachedFile::default() })),
            ]),
            ..InMemoryConnect::default()
        };
        let (page, usage) = run(&connect, &with_links("ATTACHMENT,URL"), Duration::from_secs(5)).await;
        let outcome: Vec<(String, Option<String>, Option<&str>)> = page
            .unwrap()
            .references
            .into_iter()
            .map(|r| (r.name.unwrap(), r.download_url, r.download_url_error.map(ErrorKind::code)))
            .collect();
        assert_eq!(
            outcome,
            [
                ("f-ok".into(), Some("https://files/f-ok?sig".into()), None),
                ("f-throttled".into(), None, Some("THROTTLED")),
                ("f-no-url".into(), None, Some("NOT_FOUND")),
                ("f-rejected".into(), None, Some("NOT_FOUND")),
                ("f-new-status".into(), None, Some("NOT_FOUND")),
                ("f-elsewhere".into(), None, Some("VALIDATION_ERROR")),
                ("u".into(), None, None),
            ]
        );
        let mut files: Vec<String> =
            connect.calls().into_iter().filter(|c| c.starts_with("GetAttachedFile ")).collect();
        files.sort();
        let contact_arn = format!("arn:aws:connect:us-east-1:012345678912:instance/{INSTANCE}/contact/c1");
        assert_eq!(
            files,
            [
                format!("GetAttachedFile f-no-url {contact_arn}"),
                format!("GetAttachedFile f-ok {contact_arn}"),
                format!("GetAttachedFile f-throttled {contact_arn}")
            ],
            "only APPROVED files of this instance are asked for, as files of the configured scope's contact"
        );
        assert_eq!(usage.calls, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_configured_scope_the_contact_arn_takes_the_files_own_partition_region_and_account() {
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), vec![approved("f-ok")])]),
            files: HashMap::from([("f-ok".into(), link("f-ok"))]),
            ..InMemoryConnect::default()
        };
        let rate = unlimited();
        let policy =
            Policy { arn_scope: None, file_rate: &rate, caller_share: None, download_paths: false, inline_links: true };
        let (page, _) = list(&connect, &with_links("ATTACHMENT"), policy, epoch() + Duration::from_secs(5)).await;
        assert!(page.unwrap().references[0].download_url.is_some());
        assert_eq!(
            connect.calls()[1],
            format!("GetAttachedFile f-ok arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE}/contact/c1")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn where_inline_links_are_not_allowed_a_query_asking_for_them_makes_no_file_call() {
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), vec![approved("f-ok")])]),
            files: HashMap::from([("f-ok".into(), link("f-ok"))]),
            ..InMemoryConnect::default()
        };
        let (scope, rate) = (scope(), unlimited());
        let policy = Policy {
            arn_scope: Some(&scope),
            file_rate: &rate,
            caller_share: None,
            download_paths: true,
            inline_links: false,
        };
        let (page, usage) = list(&connect, &with_links("ATTACHMENT"), policy, epoch() + 5 * SECOND).await;
        let attachment = &page.unwrap().references[0];
        assert_eq!((&attachment.download_url, attachment.download_url_error), (&None, None));
        assert!(attachment.download_path.is_some(), "the path to the download route instead");
        assert_eq!(connect.calls(), ["ListContactReferences c1 ATTACHMENT None"], "no GetAttachedFile");
        assert!(usage.files.is_empty());
    }

    /// Ten approved files, each `GetAttachedFile` taking 400 ms, and a deadline at `budget`.
    async fn ten_slow_files(budget: Duration) -> (InMemoryConnect, ReferencePage, Usage) {
        let names: Vec<String> = (0..10).map(|i| format!("f-{i}")).collect();
        let connect = InMemoryConnect {
            references: HashMap::from([("c1".into(), names.iter().map(|n| approved(n)).collect())]),
            files: names.iter().map(|n| (n.clone(), link(n))).collect(),
            file_delay: 400 * MS,
            ..InMemoryConnect::default()
        };
        let (page, usage) = run(&connect, &with_links("ATTACHMENT"), budget).await;
        (connect, page.unwrap(), usage)
    }

    #[tokio::test(start_paused = true)]
    async fn links_are_fetched_four_at_a_time() {
        let (connect, page, usage) = ten_slow_files(Duration::from_secs(5)).await;
        assert!(page.references.iter().all(|r| r.download_url.is_some()));
        assert_eq!(connect.log.most_in_flight(), CONCURRENT_LINKS);
        let starts: Vec<Duration> = connect.log.entries().iter().skip(1).map(|l| l.started).collect();
        assert_eq!(starts, [0, 0, 0, 0, 400, 400, 400, 400, 800, 800].map(|ms| ms * MS), "waves of four");
        assert_eq!((usage.calls, usage.waited, usage.files.len()), (11, Some(1_200 * MS), 10));
    }

    #[tokio::test(start_paused = true)]
    async fn links_not_had_by_the_deadline_are_upstream_timeout_and_the_answer_is_on_time() {
        let (connect, page, usage) = ten_slow_files(1_000 * MS).await;
        let linked = page.references.iter().filter(|r| r.download_url.is_some()).count();
        let timed_out =
            page.references.iter().filter(|r| r.download_url_error == Some(ErrorKind::UpstreamTimeout)).count();
        assert_eq!((linked, timed_out), (8, 2), "two waves of four fit in 1 s; the third is cut at the deadline");
        assert_eq!(usage.waited, Some(1_000 * MS));
        assert_eq!(connect.calls().len(), 11);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_queued_behind_the_cap_never_starts_after_the_deadline() {
        // Deadline at 600 ms: the first wave is linked at 400 ms, the second is cut at 600 ms, and the
        // third wave's turn comes at the deadline: those calls are not started (nor counted), instead of
        // being signed and sent only to be abandoned.
        let (connect, page, usage) = ten_slow_files(600 * MS).await;
        let starts: Vec<Duration> = connect.log.entries().iter().skip(1).map(|l| l.started).collect();
        assert_eq!(starts, [0, 0, 0, 0, 400, 400, 400, 400].map(|ms| ms * MS));
        let linked = page.references.iter().filter(|r| r.download_url.is_some()).count();
        let timed_out =
            page.references.iter().filter(|r| r.download_url_error == Some(ErrorKind::UpstreamTimeout)).count();
        assert_eq!((linked, timed_out), (4, 6));
        assert_eq!(usage.calls, 9, "the listing and the eight links sent; nothing after the deadline");
    }

    fn many_approved(count: usize) -> InMemoryConnect {
        let names: Vec<String> = (0..count).map(|i| format!("f-{i:02}")).collect();
        InMemoryConnect {
            references: HashMap::from([("c1".into(), names.iter().map(|n| approved(n)).collect())]),
            files: names.iter().map(|n| (n.clone(), link(n))).collect(),
            file_delay: 10 * MS,
            ..InMemoryConnect::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn links_stay_within_the_rate_a_burst_of_five_then_two_a_second() {
        let connect = many_approved(8);
        let (page, usage) =
            run_with(&connect, &with_links("ATTACHMENT"), &RateLimit::default(), false, 10 * SECOND).await;
        assert!(page.unwrap().references.iter().all(|r| r.download_url.is_some()));
        let starts: Vec<Duration> = connect.log.entries().iter().skip(1).map(|l| l.started).collect();
        assert_eq!(
            starts,
            [0, 0, 0, 0, 10, 525, 1_050, 1_575].map(|ms| ms * MS),
            "4 at once, 5 in the burst, then 2/s"
        );
        assert_eq!(usage.files.len(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_ten_links_an_answer_and_a_link_whose_turn_is_after_the_deadline_is_throttled_uncalled() {
        let connect = many_approved(14);
        let (page, usage) =
            run_with(&connect, &with_links("ATTACHMENT"), &RateLimit::default(), true, 2_000 * MS).await;
        let page = page.unwrap();
        let codes: Vec<Option<&str>> =
            page.references.iter().map(|r| r.download_url_error.map(ErrorKind::code)).collect();
        // Rate: 5 at once, then at 525, 1050, 1575 ms; the 9th and 10th would start at 2100 and 2625 ms,
        // at or after the deadline; the 11th to 14th are beyond the answer's maximum.
        let linked = codes.iter().filter(|code| code.is_none()).count();
        assert_eq!(linked, 8, "{codes:?}");
        assert_eq!(codes[10..], [Some("THROTTLED"); 4], "beyond ten links an answer");
        assert!(codes[8..10].iter().all(|code| code.is_some()), "{codes:?}");
        assert_eq!(usage.calls, 1 + 8, "only the calls that could start within the rate and the deadline");
        assert!(page.references.iter().all(|r| r.download_path.is_some()), "every attachment keeps its downloadPath");
    }

    #[tokio::test(start_paused = true)]
    async fn attachments_of_this_instance_carry_their_download_path_at_no_call() {
        let mut elsewhere = approved("f-elsewhere");
        elsewhere.arn = Some("arn:aws:connect:eu-west-2:123456789012:instance/other/file/f-elsewhere".into());
        let connect = InMemoryConnect {
            references: HashMap::from([(
                "c1".into(),
                vec![
                    approved("f 1"),
                    attachment("f-2", ReferenceStatus::Processing),
                    elsewhere,
                    reference(ReferenceType::Url, "u"),
                ],
            )]),
            ..InMemoryConnect::default()
        };
        let query = query(RawQuery { reference_types: Some(vec!["ATTACHMENT,URL"]), ..RawQuery::default() });
        let (page, usage) = run_with(&connect, &query, &RateLimit::default(), true, 5 * SECOND).await;
        let paths: Vec<Option<String>> = page.unwrap().references.into_iter().map(|r| r.download_path).collect();
        assert_eq!(
            paths,
            [
                Some(format!("/contact/attachments/{INSTANCE}/c1/f%201")),
                Some(format!("/contact/attachments/{INSTANCE}/c1/f-2")),
                None,
                None
            ]
        );
        assert_eq!(usage.calls, 1, "the listing only");
        let (page, _) = run_with(&connect, &query, &RateLimit::default(), false, 5 * SECOND).await;
        assert!(page.unwrap().references.iter().all(|r| r.download_path.is_none()), "not where downloads are off");
    }

    fn download(file: &str) -> DownloadQuery {
        use crate::domain::download_request::RawDownload;
        DownloadQuery::parse(RawDownload {
            instance_id: INSTANCE,
            contact_id: "c1",
            file_id: file,
            ..RawDownload::default()
        })
        .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn opening_a_file_makes_one_call_and_reads_its_status() {
        let not_ready = AttachedFile { status: Some(ReferenceStatus::Processing), ..AttachedFile::default() };
        let rejected = AttachedFile { status: Some(ReferenceStatus::Rejected), ..AttachedFile::default() };
        let connect = InMemoryConnect {
            files: HashMap::from([
                ("f-ok".into(), link("f-ok")),
                ("f-processing".into(), Ok(not_ready)),
                ("f-rejected".into(), Ok(rejected)),
            ]),
            ..InMemoryConnect::default()
        };
        let (scope, rate) = (scope(), unlimited());
        let policy = Policy {
            arn_scope: Some(&scope),
            file_rate: &rate,
            caller_share: None,
            download_paths: true,
            inline_links: false,
        };
        let deadline = epoch() + 5 * SECOND;
        let mut kinds = Vec::new();
        for file in ["f-ok", "f-processing", "f-rejected", "f-unknown"] {
            let (opened, usage) = open_attached_file(&connect, &download(file), policy, deadline).await;
            kinds.push(opened.as_ref().err().map(|e| e.kind.code()));
            assert_eq!(usage.calls, 1, "{file}");
            assert_eq!(
                usage.files,
                [FileCall { contact_id: "c1".into(), file_id: file.into(), outcome: opened.err().map(|e| e.kind) }]
            );
        }
        assert_eq!(kinds, [None, Some("FILE_NOT_READY"), Some("FILE_UNAVAILABLE"), Some("NOT_FOUND")]);
        let contact_arn = format!("arn:aws:connect:us-east-1:012345678912:instance/{INSTANCE}/contact/c1");
        assert_eq!(
            connect.calls()[0],
            format!("GetAttachedFile f-ok {contact_arn}"),
            "the configured scope's contact ARN"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_click_beyond_the_rate_is_throttled_without_a_call() {
        let connect =
            InMemoryConnect { files: HashMap::from([("f-ok".into(), link("f-ok"))]), ..InMemoryConnect::default() };
        let (scope, rate) = (scope(), RateLimit::new(2.0, 1));
        let policy = Policy {
            arn_scope: Some(&scope),
            file_rate: &rate,
            caller_share: None,
            download_paths: true,
            inline_links: false,
        };
        let deadline = epoch() + 300 * MS;
        assert!(open_attached_file(&connect, &download("f-ok"), policy, deadline).await.0.is_ok());
        let (second, usage) = open_attached_file(&connect, &download("f-ok"), policy, deadline).await;
        assert_eq!(second.unwrap_err().kind, ErrorKind::Throttled, "its turn (500 ms) is after the deadline");
        assert_eq!((usage.calls, usage.files.len()), (0, 0));
        assert_eq!(connect.calls().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_click_waits_for_its_turn_up_to_one_second_and_not_a_millisecond_more() {
        let connect =
            InMemoryConnect { files: HashMap::from([("f-ok".into(), link("f-ok"))]), ..InMemoryConnect::default() };
        let scope = scope();
        let deadline = epoch() + 10 * SECOND;
        // A rate whose second call is due `turn` after the first (the 5 % spacing included).
        for (turn, served) in [(999 * MS, true), (1_000 * MS, true), (1_001 * MS, false), (9 * SECOND, false)] {
            let rate = RateLimit::new(1.05 / turn.as_secs_f64(), 1);
            let policy = Policy {
                arn_scope: Some(&scope),
                file_rate: &rate,
                caller_share: None,
                download_paths: true,
                inline_links: false,
            };
            let started = Instant::now();
            assert!(open_attached_file(&connect, &download("f-ok"), policy, deadline).await.0.is_ok());
            let (second, _) = open_attached_file(&connect, &download("f-ok"), policy, deadline).await;
            assert_eq!(second.is_ok(), served, "a turn {turn:?} away");
            if served {
                assert!(
                    Instant::now() - started >= turn - MS,
                    "it waited for its turn: {:?}",
                    Instant::now() - started
                );
            }
        }
        assert_eq!(MAX_CLICK_WAIT, SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn links_of_the_initial_scope_belong_to_the_initial_contact() {
        let connect = InMemoryConnect {
            references: HashMap::from([("first".into(), vec![approved("f-ok")])]),
            initial: HashMap::from([("c1".into(), "first".into())]),
            files: HashMap::from([("f-ok".into(), link("f-ok"))]),
            ..InMemoryConnect::default()
        };
        let mut query = with_links("ATTACHMENT");
        query.contact_scope = ContactScope::Initial;
        run(&connect, &query, Duration::from_secs(5)).await.0.unwrap();
        assert!(connect.calls()[2].ends_with("/contact/first"), "{:?}", connect.calls());
    }
}
