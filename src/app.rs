//! What every adapter shares: the deployment's gates (entry points, allow-list, opt-in features), the
//! use case with the SDK adapter behind it, one invocation's deadline and caller, and the audit line of
//! every `GetAttachedFile` and every recording's link, written here once for all adapters.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::domain::access::AllowedInstances;
use crate::domain::attached_file::ArnScope;
use crate::domain::caller::Caller;
use crate::domain::config::{EntryPoint, EntryPoints, Features};
use crate::domain::download_request::DownloadQuery;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages;
use crate::domain::query::{ContactScope, ReferenceQuery};
use crate::domain::rate::{PerCallerRate, RateLimit};
use crate::domain::recording::{ListedRecording, RecordingQuery, RecordingStore, RecordingsQuery};
use crate::domain::reference::ReferencePage;
use crate::outbound::connect_sdk::SdkConnect;
use crate::telemetry::logging::{Audit, Audited, EventLog};
use crate::telemetry::metrics::Measurements;
use crate::use_case::recordings::{OpenedRecording, PresignRecording};
use crate::use_case::{self, AttachedFile, ConnectApi, Policy, Usage};

/// Time kept back from the invocation's deadline to write the answer, so that we answer
/// `UPSTREAM_TIMEOUT` ourselves instead of being killed by Lambda.
pub(crate) const DEADLINE_MARGIN: Duration = Duration::from_millis(300);

/// What an adapter produced for one event: the answer in its own form, and what the event measured.
#[derive(Debug)]
pub(crate) struct Outcome<A> {
    pub(crate) answer: A,
    pub(crate) measured: Measurements,
}

/// One invocation as the use case needs it: when to give up, the invoked function's ARN (the
/// deployment's partition, region and account when the configured instance is a bare id), the request
/// id and the caller. Read once per event by the adapter, borrowing from the Lambda context.
#[derive(Debug, Clone)]
pub(crate) struct Invocation<'a> {
    pub(crate) deadline: Instant,
    pub(crate) function_arn: Option<&'a str>,
    /// Empty when the runtime gave none.
    pub(crate) request_id: &'a str,
    /// API Gateway's own request id (`requestContext.requestId`), which its access log carries too:
    /// the audit line's join to it. `None` outside API Gateway (contact flows, function URLs, ALB).
    pub(crate) api_request_id: Option<&'a str>,
    pub(crate) caller: Caller,
}

impl<'a> Invocation<'a> {
    /// From the Lambda context; `limit` caps the time (a flow block's timeout).
    pub(crate) fn from_context(
        context: Option<&'a lambda_runtime::Context>,
        limit: Option<Duration>,
        caller: Caller,
    ) -> Self {
        Invocation {
            deadline: deadline(context.map_or(0, |c| c.deadline), limit),
            function_arn: context.map(|c| c.invoked_function_arn.as_str()),
            request_id: context.map_or("", |c| c.request_id.as_str()),
            api_request_id: None,
            caller,
        }
    }
}

/// Where a deployment's recordings are and how their links are signed (`RECORDINGS_BUCKET`,
/// `RECORDINGS_PREFIX`; the S3 signer with the SDK's credentials).
#[derive(Debug, Clone)]
pub struct Recordings {
    pub store: RecordingStore,
    pub signer: Arc<dyn PresignRecording>,
}

/// The function's long-lived state, built once at start-up. Generic over how Connect is reached: the
/// SDK adapter in a deployment, an in-memory Connect in tests of the adapters.
#[derive(Debug, Clone)]
pub struct App<C = SdkConnect> {
    pub connect_api: C,
    /// The entry points this function serves (`ENTRY_POINT`).
    pub(crate) entry_points: EntryPoints,
    pub(crate) allowed: AllowedInstances,
    /// Where each event's line (with its metrics) goes.
    pub event_log: EventLog,
    /// The opt-in features this deployment allows.
    pub(crate) features: Features,
    /// `GetAttachedFile` calls this execution environment may make (shared by every invocation).
    pub(crate) file_rate: Arc<RateLimit>,
    /// Every caller's fair share of `file_rate` on the download route (half its rate each).
    pub(crate) caller_file_rate: Arc<PerCallerRate>,
    /// The recordings store and signer; `None` where recordings are not configured.
    pub(crate) recordings: Option<Recordings>,
}

impl<C: ConnectApi> App<C> {
    pub fn new(connect_api: C, allowed: AllowedInstances) -> Self {
        App {
            connect_api,
            entry_points: EntryPoints::all(),
            allowed,
            event_log: EventLog::default(),
            features: Features::default(),
            file_rate: Arc::new(RateLimit::default()),
            caller_file_rate: Arc::new(PerCallerRate::default()),
            recordings: None,
        }
    }

    pub fn with_recordings(self, recordings: Option<Recordings>) -> Self {
        App { recordings, ..self }
    }

    pub fn with_features(self, features: Features) -> Self {
        App { features, ..self }
    }

    /// The environment's `GetAttachedFile` rate, and every caller's share of it (half the rate).
    pub fn with_file_rate(self, per_second: f64, burst: u32) -> Self {
        App {
            file_rate: Arc::new(RateLimit::new(per_second, burst)),
            caller_file_rate: Arc::new(PerCallerRate::half_rate_of(per_second, burst)),
            ..self
        }
    }

    pub fn with_entry_points(self, entry_points: EntryPoints) -> Self {
        App { entry_points, ..self }
    }

    /// Refuses an event meant for an entry point this function does not serve, before anything else.
    pub(crate) fn admit(&self, entry_point: EntryPoint) -> Result<(), Error> {
        if self.entry_points.serves(entry_point) {
            return Ok(());
        }
        Err(match entry_point {
            EntryPoint::List => Error::new(ErrorKind::NotFound, messages::LIST_ROUTE_NOT_SERVED),
            EntryPoint::Download => Error::new(ErrorKind::NotFound, messages::DOWNLOAD_ROUTE_NOT_SERVED),
            EntryPoint::ContactFlow => Error::validation(messages::CONTACT_FLOWS_NOT_SERVED),
            EntryPoint::Recordings => Error::new(ErrorKind::NotFound, messages::RECORDINGS_ROUTES_NOT_SERVED),
        })
    }

    /// The one gate for `GetAttachedFile`: this function may call it only where the deployment enabled
    /// downloads (`ENABLE_ATTACHMENT_DOWNLOADS`); `refusal` says which option to deploy with.
    fn require_downloads(&self, refusal: &'static str) -> Result<(), Error> {
        if self.features.attachment_downloads {
            Ok(())
        } else {
            Err(Error::validation(refusal))
        }
    }

    /// The deployment's policy for one invocation: links inside a listing only for contact flows.
    fn policy<'a>(&'a self, scope: Option<&'a ArnScope>, caller: &Caller) -> Policy<'a> {
        Policy {
            arn_scope: scope,
            file_rate: &self.file_rate,
            caller_share: None,
            download_paths: self.features.attachment_downloads,
            inline_links: matches!(caller, Caller::ContactFlow { .. }),
        }
    }

    /// One audit line per `GetAttachedFile` the use case made, and per recording a link was asked for,
    /// whoever asked: the one place for every adapter. Never the link.
    fn audit(&self, invocation: &Invocation<'_>, instance_id: &str, usage: &Usage) {
        let files =
            usage.files.iter().map(|file| (&file.contact_id, Audited::File { file_id: &file.file_id }, file.outcome));
        let recordings = usage.recordings.iter().map(|recording| {
            (&recording.contact_id, Audited::Recording { recording_id: &recording.recording_id }, recording.outcome)
        });
        for (contact_id, subject, outcome) in files.chain(recordings) {
            self.event_log.audit(&Audit {
                caller: &invocation.caller,
                api_request_id: invocation.api_request_id,
                instance_id,
                contact_id,
                subject,
                outcome: outcome.map_or("OK", ErrorKind::code),
                request_id: invocation.request_id,
            });
        }
    }

    /// The recordings routes' gates, without calling Connect (what a `HEAD` checks): the entry point,
    /// the allow-list, then a configured store. Gives the store and signer.
    pub(crate) fn admit_recordings(&self, instance_id: &str) -> Result<&Recordings, Error> {
        self.admit(EntryPoint::Recordings)?;
        self.allowed.check(instance_id)?;
        self.recordings
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::RecordingsNotConfigured, messages::RECORDINGS_NOT_CONFIGURED))
    }

    /// Lists a contact's recordings (one `DescribeContact`), after the recordings gates.
    pub(crate) async fn list_recordings(
        &self,
        query: &RecordingsQuery,
        invocation: &Invocation<'_>,
    ) -> (Result<Vec<ListedRecording>, Error>, Usage) {
        let recordings = match self.admit_recordings(&query.instance_id) {
            Ok(recordings) => recordings,
            Err(refused) => return (Err(refused), Usage::default()),
        };
        use_case::recordings::list_recordings(&self.connect_api, query, &recordings.store, invocation.deadline).await
    }

    /// Opens one recording (a fresh signed link), after the recordings gates; writes its audit line.
    pub(crate) async fn open_recording(
        &self,
        query: &RecordingQuery,
        invocation: &Invocation<'_>,
    ) -> (Result<OpenedRecording, Error>, Usage) {
        let recordings = match self.admit_recordings(&query.instance_id) {
            Ok(recordings) => recordings,
            Err(refused) => return (Err(refused), Usage::default()),
        };
        let (result, usage) = use_case::recordings::open_recording(
            &self.connect_api,
            query,
            &recordings.store,
            recordings.signer.as_ref(),
            invocation.deadline,
        )
        .await;
        self.audit(invocation, &query.instance_id, &usage);
        (result, usage)
    }

    /// Partition, region and account of the contact ARNs: the configured instance's, else (when it is
    /// configured as a bare id) the invoked function's.
    fn scope(&self, function_arn: Option<&str>) -> Option<ArnScope> {
        self.allowed.arn_scope().cloned().or_else(|| function_arn.and_then(ArnScope::of))
    }

    /// Opens one attached file (the download route), after the same gates as a listing with links:
    /// the allow-list and `EnableAttachmentDownloads`.
    pub(crate) async fn open_file(
        &self,
        query: &DownloadQuery,
        invocation: &Invocation<'_>,
    ) -> (Result<AttachedFile, Error>, Usage) {
        if let Err(refused) = self.admit_download(query) {
            return (Err(refused), Usage::default());
        }
        let scope = self.scope(invocation.function_arn);
        let caller = invocation.caller.share_key();
        let policy = Policy {
            caller_share: Some((&self.caller_file_rate, &caller)),
            ..self.policy(scope.as_ref(), &invocation.caller)
        };
        self.audited(
            invocation,
            &query.instance_id,
            use_case::open_attached_file(&self.connect_api, query, policy, invocation.deadline),
        )
        .await
    }

    /// Runs a use case admitted by the gates, then writes the audit line of every file it opened.
    async fn audited<T>(
        &self,
        invocation: &Invocation<'_>,
        instance_id: &str,
        use_case: impl std::future::Future<Output = (Result<T, Error>, Usage)>,
    ) -> (Result<T, Error>, Usage) {
        let (result, usage) = use_case.await;
        self.audit(invocation, instance_id, &usage);
        (result, usage)
    }

    /// The download route's gates, without calling Connect (what a `HEAD` checks).
    pub(crate) fn admit_download(&self, query: &DownloadQuery) -> Result<(), Error> {
        self.admit(EntryPoint::Download)?;
        self.allowed.check(&query.instance_id)?;
        self.require_downloads(messages::DOWNLOADS_NOT_ENABLED)
    }

    pub fn with_event_log(self, event_log: EventLog) -> Self {
        App { event_log, ..self }
    }

    /// Lists the query's references, refusing instances outside the allow-list and options the
    /// deployment did not enable before calling Connect; also says what the listing cost in Connect
    /// calls. Links inside the listing are made for contact flows only.
    pub(crate) async fn list(
        &self,
        query: &ReferenceQuery,
        invocation: &Invocation<'_>,
    ) -> (Result<ReferencePage, Error>, Usage) {
        let entry_point = match invocation.caller {
            Caller::ContactFlow { .. } => EntryPoint::ContactFlow,
            Caller::Iam { .. } | Caller::Jwt { .. } | Caller::Unauthenticated => EntryPoint::List,
        };
        if let Err(refused) = self.admit(entry_point) {
            return (Err(refused), Usage::default());
        }
        if let Err(refused) = self.allowed.check(&query.instance_id) {
            return (Err(refused), Usage::default());
        }
        if query.contact_scope == ContactScope::Initial && !self.features.resolve_transferred_contacts {
            return (Err(Error::validation(messages::TRANSFERS_NOT_RESOLVED)), Usage::default());
        }
        if query.download_links.is_some() {
            if let Err(refused) = self.require_downloads(messages::FLOW_LINKS_NOT_ENABLED) {
                return (Err(refused), Usage::default());
            }
        }
        let scope = self.scope(invocation.function_arn);
        let policy = self.policy(scope.as_ref(), &invocation.caller);
        self.audited(
            invocation,
            &query.instance_id,
            use_case::list(&self.connect_api, query, policy, invocation.deadline),
        )
        .await
    }
}

/// What a listing or a download cost, into the event's metrics: the one place for every adapter.
pub(crate) fn record_usage(measured: &mut Measurements, usage: &Usage) {
    measured.connect_calls = usage.calls;
    measured.connect_latency = usage.waited;
    measured.connect_access_denied = usage.access_denied;
}

/// The budget when the runtime gives no usable deadline. `cargo lambda watch` sends its timeout
/// (600000) where Lambda sends a timestamp; direct calls in tests send 0.
pub(crate) const UNKNOWN_DEADLINE_BUDGET: Duration = Duration::from_secs(30);
/// Any real deadline is later than this (2020-01-01T00:00:00Z, in milliseconds).
const PLAUSIBLE_DEADLINE_MS: u64 = 1_577_836_800_000;

/// When to give up on Connect: the invocation's deadline (milliseconds since the epoch, from the
/// Lambda context) less [`DEADLINE_MARGIN`], and never later than `limit` from now.
pub(crate) fn deadline(lambda_deadline_ms: u64, limit: Option<Duration>) -> Instant {
    let now_ms =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    deadline_from(Now { epoch_ms: now_ms, instant: Instant::now() }, lambda_deadline_ms, limit)
}

/// One moment read from both clocks: the wall clock Lambda's deadline is written in, and the monotonic
/// clock the use case waits on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub(crate) epoch_ms: u64,
    pub(crate) instant: Instant,
}

/// [`deadline`] at a given moment: a pure function, so that its tests need no clock.
pub(crate) fn deadline_from(now: Now, lambda_deadline_ms: u64, limit: Option<Duration>) -> Instant {
    let mut remaining = if lambda_deadline_ms < PLAUSIBLE_DEADLINE_MS {
        UNKNOWN_DEADLINE_BUDGET
    } else {
        Duration::from_millis(lambda_deadline_ms.saturating_sub(now.epoch_ms))
    };
    if let Some(limit) = limit {
        remaining = remaining.min(limit);
    }
    now.instant + remaining.saturating_sub(DEADLINE_MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03T12:00:00Z, and one monotonic instant read once: the tests compare exact instants.
    fn now() -> Now {
        Now { epoch_ms: 1_796_392_800_000, instant: Instant::now() }
    }

    #[test]
    fn deadline_keeps_a_margin_before_lambdas() {
        let now = now();
        let deadline = deadline_from(now, now.epoch_ms + 3_000, None);
        assert_eq!(deadline - now.instant, Duration::from_millis(2_700));
    }

    #[test]
    fn deadline_is_capped_by_the_limit() {
        let now = now();
        let deadline = deadline_from(now, now.epoch_ms + 60_000, Some(Duration::from_secs(8)));
        assert_eq!(deadline - now.instant, Duration::from_millis(7_700));
        let asynchronous = deadline_from(now, now.epoch_ms + 60_000, Some(Duration::from_secs(45)));
        assert_eq!(asynchronous - now.instant, Duration::from_millis(44_700), "a 45 s block is not cut at 8 s");
    }

    #[test]
    fn a_passed_deadline_means_now() {
        let now = now();
        assert_eq!(deadline_from(now, now.epoch_ms - 1_000, None), now.instant);
        assert_eq!(deadline_from(now, now.epoch_ms + 100, None), now.instant, "less than the margin left");
    }

    #[test]
    fn a_deadline_that_is_not_a_timestamp_gets_the_fallback_budget() {
        let now = now();
        for bogus in [0, 600_000] {
            let deadline = deadline_from(now, bogus, None);
            assert_eq!(deadline - now.instant, UNKNOWN_DEADLINE_BUDGET - DEADLINE_MARGIN, "{bogus}");
        }
    }
}
