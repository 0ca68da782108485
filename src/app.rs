//! What both adapters share: the deployment's gates (allow-list, opt-in features), the use case with
//! the SDK adapter behind it, and the time budget of one invocation.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::access::AllowedInstances;
use crate::attachments::ArnScope;
use crate::config::Features;
use crate::connect::ConnectReferences;
use crate::download::DownloadQuery;
use crate::error::Error;
use crate::listing::{self, AttachedFile, Policy, Usage};
use crate::logging::EventLog;
use crate::metrics::Measurements;
use crate::query::{ContactScope, ReferenceQuery};
use crate::rate::RateLimit;
use crate::reference::ReferencePage;

/// Time kept back from the invocation's deadline to write the answer, so that we answer
/// `UPSTREAM_TIMEOUT` ourselves instead of being killed by Lambda.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(300);

/// What an adapter produced for one event: the answer in its own form, and what the event measured.
#[derive(Debug)]
pub struct Outcome<A> {
    pub answer: A,
    pub measured: Measurements,
}

/// The function's long-lived state, built once at start-up.
#[derive(Debug, Clone)]
pub struct App {
    pub connect: ConnectReferences,
    pub allowed: AllowedInstances,
    /// Where each event's line (with its metrics) goes.
    pub event_log: EventLog,
    /// The opt-in features this deployment allows.
    pub features: Features,
    /// `GetAttachedFile` calls this execution environment may make (shared by every invocation).
    pub file_rate: Arc<RateLimit>,
}

impl App {
    pub fn new(connect: ConnectReferences, allowed: AllowedInstances) -> Self {
        App {
            connect,
            allowed,
            event_log: EventLog::default(),
            features: Features::default(),
            file_rate: Arc::new(RateLimit::default()),
        }
    }

    pub fn with_features(self, features: Features) -> Self {
        App { features, ..self }
    }

    pub fn with_file_rate(self, file_rate: RateLimit) -> Self {
        App { file_rate: Arc::new(file_rate), ..self }
    }

    /// The deployment's policy for one invocation.
    fn policy<'a>(&'a self, scope: Option<&'a ArnScope>) -> Policy<'a> {
        Policy { arn_scope: scope, file_rate: &self.file_rate, download_paths: self.features.attachment_downloads }
    }

    /// Partition, region and account of the contact ARNs: the configured instance's, else (when it is
    /// configured as a bare id) the invoked function's.
    fn scope(&self, function_arn: Option<&str>) -> Option<ArnScope> {
        self.allowed.arn_scope().cloned().or_else(|| function_arn.and_then(ArnScope::of))
    }

    /// Opens one attached file (the download route), after the same gates as a listing with links:
    /// the allow-list and `EnableAttachmentDownloads`.
    pub async fn open(
        &self,
        query: &DownloadQuery,
        deadline: Instant,
        function_arn: Option<&str>,
    ) -> (Result<AttachedFile, Error>, Usage) {
        if let Err(refused) = self.admit_download(query) {
            return (Err(refused), Usage::default());
        }
        let scope = self.scope(function_arn);
        listing::open(&self.connect, query, self.policy(scope.as_ref()), deadline).await
    }

    /// The download route's gates, without calling Connect (what a `HEAD` checks).
    pub fn admit_download(&self, query: &DownloadQuery) -> Result<(), Error> {
        self.allowed.check(&query.instance_id)?;
        if !self.features.attachment_downloads {
            return Err(Error::validation(
                "this deployment does not open attachments (deploy with EnableAttachmentDownloads=true)",
            ));
        }
        Ok(())
    }

    pub fn with_event_log(self, event_log: EventLog) -> Self {
        App { event_log, ..self }
    }

    /// Lists the query's references, refusing instances outside the allow-list and options the
    /// deployment did not enable before calling Connect; also says what the listing cost in Connect
    /// calls. `function_arn` is the invoked function's ARN: the deployment's partition, region and
    /// account when the configured instance is a bare id.
    pub async fn list(
        &self,
        query: &ReferenceQuery,
        deadline: Instant,
        function_arn: Option<&str>,
    ) -> (Result<ReferencePage, Error>, Usage) {
        if let Err(refused) = self.allowed.check(&query.instance_id) {
            return (Err(refused), Usage::default());
        }
        if query.contact_scope == ContactScope::Initial && !self.features.resolve_transferred_contacts {
            let refused = Error::validation(
                "this deployment does not resolve transferred contacts (deploy with ResolveTransferredContacts=true); \
                 ask without contact=initial",
            );
            return (Err(refused), Usage::default());
        }
        if query.download_links.is_some() && !self.features.attachment_downloads {
            let refused = Error::validation(
                "this deployment does not open attachments (deploy with EnableAttachmentDownloads=true); \
                 ask without include=downloadUrl",
            );
            return (Err(refused), Usage::default());
        }
        let scope = self.scope(function_arn);
        listing::list(&self.connect, query, self.policy(scope.as_ref()), deadline).await
    }
}

/// The budget when the runtime gives no usable deadline. `cargo lambda watch` sends its timeout
/// (600000) where Lambda sends a timestamp; direct calls in tests send 0.
pub const UNKNOWN_DEADLINE_BUDGET: Duration = Duration::from_secs(30);
/// Any real deadline is later than this (2020-01-01T00:00:00Z, in milliseconds).
const PLAUSIBLE_DEADLINE_MS: u64 = 1_577_836_800_000;

/// When to give up on Connect: the invocation's deadline (milliseconds since the epoch, from the
/// Lambda context) less [`DEADLINE_MARGIN`], and never later than `limit` from now.
pub fn deadline(lambda_deadline_ms: u64, limit: Option<Duration>) -> Instant {
    let now_ms =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut remaining = if lambda_deadline_ms < PLAUSIBLE_DEADLINE_MS {
        UNKNOWN_DEADLINE_BUDGET
    } else {
        Duration::from_millis(lambda_deadline_ms.saturating_sub(now_ms))
    };
    if let Some(limit) = limit {
        remaining = remaining.min(limit);
    }
    Instant::now() + remaining.saturating_sub(DEADLINE_MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now_ms() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
    }

    #[test]
    fn deadline_keeps_a_margin_before_lambdas() {
        let left = deadline(now_ms() + 3_000, None) - Instant::now();
        assert!(left <= Duration::from_millis(2_700) && left > Duration::from_millis(2_500), "{left:?}");
    }

    #[test]
    fn deadline_is_capped_by_the_limit() {
        let left = deadline(now_ms() + 60_000, Some(Duration::from_secs(8))) - Instant::now();
        assert!(left <= Duration::from_millis(7_700) && left > Duration::from_millis(7_500), "{left:?}");
    }

    #[test]
    fn a_passed_deadline_means_now() {
        let left = deadline(now_ms() - 1_000, None).saturating_duration_since(Instant::now());
        assert_eq!(left, Duration::ZERO);
    }

    #[test]
    fn a_deadline_that_is_not_a_timestamp_gets_the_fallback_budget() {
        for bogus in [0, 600_000] {
            let left = deadline(bogus, None) - Instant::now();
            assert!(left > Duration::from_secs(29) && left <= UNKNOWN_DEADLINE_BUDGET, "{left:?}");
        }
    }
}
