//! A local stand-in for Amazon Connect, speaking its REST-JSON wire format on loopback so that the real
//! SDK, real HTTP and real SigV4 signing run in every test and local run.
//!
//! - [`seed`]: the data it answers from (`seed.json`).
//! - [`operations`]: `ListContactReferences`, `DescribeContact`, `GetAttachedFile`, one module each,
//!   and the fake pre-signed download URL; every operation first goes through [`operations::admit`].
//! - [`faults`]: injected per test ([`StandIn::inject`]) or over HTTP (`POST /_faults`).
//! - [`recorder`]: every API request, typed per operation ([`StandIn::requests`], `GET /_requests`).
//! - [`wire`]: rest-json errors, the SigV4 check, timestamps.

pub mod faults;
pub mod operations;
pub mod quotas;
pub mod recorder;
pub mod seed;
pub mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;

pub use faults::{Fault, Injection};
pub use recorder::{Operation, Recorded};
pub use seed::{AttachedFile, ContactDetails, Recording, Seed, Transfer, TransferredListing, DEFAULT_SEED};

/// What every request handler reads: the seed, the fault queue, the record of requests, and Connect's
/// rates when they are enforced.
#[derive(Default)]
pub struct Shared {
    seed: Seed,
    faults: faults::Faults,
    recorder: recorder::Recorder,
    quotas: Option<quotas::Quotas>,
    /// Seconds the stand-in's clock runs ahead of the wall clock, for the links it serves: tests expire
    /// a link by moving this clock (`StandIn::advance_clock`, `POST /_clock`) instead of sleeping.
    clock_ahead_seconds: std::sync::atomic::AtomicU64,
}

impl Shared {
    /// Seconds since the epoch on the stand-in's clock.
    fn now_seconds(&self) -> u64 {
        let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        wall + self.clock_ahead_seconds.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Locks a mutex, taking over from a thread that panicked while holding it (a test's assertion).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running stand-in; dropping it stops the server.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    /// Serves `seed` on an ephemeral loopback port.
    pub async fn start(seed: Seed) -> std::io::Result<StandIn> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), seed).await
    }

    /// Serves `seed` on an ephemeral loopback port, enforcing Connect's per-operation rates.
    pub async fn start_with_quotas(seed: Seed) -> std::io::Result<StandIn> {
        Self::serve(SocketAddr::from(([127, 0, 0, 1], 0)), seed, Some(quotas::Quotas::connect_defaults())).await
    }

    pub async fn start_on(addr: SocketAddr, seed: Seed) -> std::io::Result<StandIn> {
        Self::serve(addr, seed, None).await
    }

    /// `quotas`: Connect's rates, or `None` for none.
    pub async fn serve(addr: SocketAddr, seed: Seed, quotas: Option<quotas::Quotas>) -> std::io::Result<StandIn> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared { seed, quotas, ..Shared::default() });
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`, the value for `AWS_ENDPOINT_URL_CONNECT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What `POST /_faults` does.
    pub fn inject(&self, fault: Fault, times: Option<u32>) {
        self.shared.faults.add(Injection { fault, times, file: None });
    }

    /// A fault for `GetAttachedFile` of one file only.
    pub fn inject_for_file(&self, file: &str, fault: Fault, times: Option<u32>) {
        self.shared.faults.add(Injection { fault, times, file: Some(file.to_owned()) });
    }

    /// What `DELETE /_faults` does.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Moves the stand-in's clock forward (what `POST /_clock {"advanceSeconds": N}` does): links it
    /// handed out expire as if that time had passed.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.shared.clock_ahead_seconds.fetch_add(by.as_secs(), std::sync::atomic::Ordering::Relaxed);
    }

    /// What `GET /_requests` answers.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorder.recorded()
    }

    /// Waits until the server task ends (for the binary).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/contact/references/{instance}/{contact}", get(operations::list_contact_references::handle))
        .route("/contacts/{instance}/{contact}", get(operations::describe_contact::handle))
        .route("/attached-files/{instance}/{file}", get(operations::get_attached_file::handle))
        .route("/_files/{instance}/{file}", get(operations::download::handle))
        .route("/_faults", post(add_fault).delete(clear_faults))
        .route("/_requests", get(recorded_requests))
        .route("/_clock", post(advance_clock))
        .with_state(shared)
}

async fn add_fault(State(shared): State<Arc<Shared>>, Json(injection): Json<Injection>) -> StatusCode {
    shared.faults.add(injection);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults.clear();
    StatusCode::NO_CONTENT
}

/// `{"advanceSeconds": N}`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockAdvance {
    advance_seconds: u64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, Json(advance): Json<ClockAdvance>) -> StatusCode {
    shared.clock_ahead_seconds.fetch_add(advance.advance_seconds, std::sync::atomic::Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

async fn recorded_requests(State(shared): State<Arc<Shared>>) -> Json<Vec<Recorded>> {
    Json(shared.recorder.recorded())
}
