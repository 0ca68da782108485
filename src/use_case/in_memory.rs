//! The use case's two ports in memory, for tests only: Connect ([`InMemoryConnect`]) and the recordings'
//! signer ([`InMemorySigner`]). One twin of each, shared by the use case's unit tests (on tokio's paused
//! clock) and the integration suite that runs the whole entry point in memory (`tests/it/in_memory.rs`,
//! through the `test-support` feature); a release build compiles none of it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages::connect_failed;
use crate::domain::recording::{Playback, Recording, S3Object};
use crate::domain::reference::{Reference, ReferenceType};
use crate::use_case::recordings::{PresignRecording, PresignRequest, SignedLink};
use crate::use_case::{AttachedFile, Calls, ConnectApi, FileRequest, Page, PageRequest};

/// Connect in memory. Every field is public so that a test states its Connect in one struct literal
/// (`InMemoryConnect { files, ..InMemoryConnect::default() }`).
///
/// Each call counts itself in the use case's [`Calls`], is written to [`log`](Self::log) as it starts,
/// waits its delay (tokio's time: exact on a paused clock), then answers `failing`'s error if set, or
/// from the maps: an unknown contact or file is `NOT_FOUND`.
#[derive(Debug, Default)]
pub struct InMemoryConnect {
    /// `ListContactReferences`: each contact's references, filtered by the types a page asks for.
    pub references: HashMap<String, Vec<Reference>>,
    /// `DescribeContact`'s `InitialContactId`: a transferred contact's initial contact.
    pub initial: HashMap<String, String>,
    /// `GetAttachedFile`: each file id's answer, or the error kind Connect fails it with.
    pub files: HashMap<String, Result<AttachedFile, ErrorKind>>,
    /// `DescribeContact`'s `Recordings`, by contact.
    pub recordings: HashMap<String, Vec<Recording>>,
    /// How long each page of references takes.
    pub page_delay: Duration,
    /// How long each `GetAttachedFile` takes.
    pub file_delay: Duration,
    /// How long each `DescribeContact` for recordings takes.
    pub recordings_delay: Duration,
    /// A token on every page of a batch holding this type: Connect never ending that listing.
    pub endless_for: Option<ReferenceType>,
    /// Every call fails with this kind (after it is counted and logged).
    pub failing: Option<ErrorKind>,
    /// The calls made, when each started, and how many were in flight at once.
    pub log: CallLog,
}

impl InMemoryConnect {
    /// The calls made, in the order they started (see [`CallLog`] for their wording).
    pub fn calls(&self) -> Vec<String> {
        self.log.calls()
    }

    /// One call: counted, logged, its delay waited, then `failing`'s error if set.
    async fn call(&self, call: String, delay: Option<Duration>, calls: &Calls) -> Result<(), Error> {
        calls.sent();
        self.log.begin(call);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        self.log.end();
        self.failing.map_or(Ok(()), |kind| Err(connect_failed(kind)))
    }
}

impl ConnectApi for InMemoryConnect {
    async fn references_page(&self, request: PageRequest<'_>, calls: &Calls) -> Result<Page, Error> {
        let types: Vec<&str> = request.types.iter().map(|t| t.as_str()).collect();
        let call = format!("ListContactReferences {} {} {:?}", request.contact_id, types.join(","), request.next_token);
        self.call(call, Some(self.page_delay), calls).await?;
        let Some(all) = self.references.get(request.contact_id) else {
            return Err(connect_failed(ErrorKind::NotFound));
        };
        let references =
            all.iter().filter(|r| r.reference_type.is_some_and(|t| request.types.contains(&t))).cloned().collect();
        let endless = self.endless_for.is_some_and(|t| request.types.contains(&t));
        Ok(Page { references, next_token: endless.then(|| "again".to_owned()) })
    }

    async fn initial_contact(&self, _: &str, contact_id: &str, calls: &Calls) -> Result<Option<String>, Error> {
        self.call(format!("DescribeContact {contact_id}"), None, calls).await?;
        Ok(self.initial.get(contact_id).cloned())
    }

    async fn attached_file(&self, request: FileRequest<'_>, calls: &Calls) -> Result<AttachedFile, Error> {
        let call = format!("GetAttachedFile {} {}", request.file_id, request.associated_resource_arn);
        self.call(call, Some(self.file_delay), calls).await?;
        self.files.get(request.file_id).cloned().unwrap_or(Err(ErrorKind::NotFound)).map_err(connect_failed)
    }

    async fn recordings(&self, _: &str, contact_id: &str, calls: &Calls) -> Result<Vec<Recording>, Error> {
        self.call(format!("DescribeContact {contact_id} Recordings"), Some(self.recordings_delay), calls).await?;
        self.recordings.get(contact_id).cloned().ok_or_else(|| connect_failed(ErrorKind::NotFound))
    }
}

/// The calls an [`InMemoryConnect`] was asked, each with the time it started (since the log was made,
/// which is when the Connect was), and the most that were in flight at once.
///
/// A call is written as Connect's operation and what it was asked:
/// `ListContactReferences <contact> <types> <next token>`, `DescribeContact <contact>` (the initial
/// contact), `DescribeContact <contact> Recordings`, `GetAttachedFile <file> <contact ARN>`.
#[derive(Debug)]
pub struct CallLog {
    since: Instant,
    logged: Mutex<Vec<Logged>>,
    /// Calls in flight now, and the most there ever were.
    in_flight: Mutex<(usize, usize)>,
}

/// One call an [`InMemoryConnect`] was asked, and when it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub call: String,
    pub started: Duration,
}

impl Default for CallLog {
    fn default() -> Self {
        Self { since: Instant::now(), logged: Mutex::default(), in_flight: Mutex::default() }
    }
}

impl CallLog {
    fn begin(&self, call: String) {
        let started = self.since.elapsed();
        self.logged.lock().unwrap_or_else(PoisonError::into_inner).push(Logged { call, started });
        let mut in_flight = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        in_flight.0 += 1;
        in_flight.1 = in_flight.1.max(in_flight.0);
    }

    fn end(&self) {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner).0 -= 1;
    }

    /// Every call, in the order they started.
    pub fn entries(&self) -> Vec<Logged> {
        self.logged.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every call's wording, in the order they started.
    pub fn calls(&self) -> Vec<String> {
        self.entries().into_iter().map(|logged| logged.call).collect()
    }

    /// The most calls that were in flight at once.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}

/// The recordings' signer in memory: its links say what they sign
/// (`https://s3.example/<bucket>/<key>?sig`), and it keeps what it was asked to sign.
#[derive(Debug, Default)]
pub struct InMemorySigner {
    signed: Mutex<Vec<(S3Object, u16, Playback)>>,
}

impl InMemorySigner {
    /// What it was asked to sign, in order: the object, the link's lifetime in seconds, the playback.
    pub fn signed(&self) -> Vec<(S3Object, u16, Playback)> {
        self.signed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl PresignRecording for InMemorySigner {
    fn presign<'a>(&'a self, request: PresignRequest<'a>) -> BoxFuture<'a, Result<SignedLink, Error>> {
        let PresignRequest { object, expiry, playback } = request;
        self.signed.lock().unwrap_or_else(PoisonError::into_inner).push((object.clone(), expiry.seconds(), playback));
        let url = format!("https://s3.example/{}/{}?sig", object.bucket, object.key);
        Box::pin(async move { Ok(SignedLink { url, expires_at: "2026-11-28T17:41:00Z".into() }) })
    }
}
