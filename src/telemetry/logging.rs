//! Structured logs that honour Lambda's logging controls and never carry customer data.
//!
//! `AWS_LAMBDA_LOG_FORMAT=JSON` gives one JSON object per line; `AWS_LAMBDA_LOG_LEVEL` sets this
//! function's level. Other crates (the SDK, hyper, rustls, the runtime) are held at WARN whatever the
//! level, because at DEBUG and TRACE they can print requests and replies, which hold references.
//! A developer who wants them anyway sets `RUST_LOG` (and no `AWS_LAMBDA_LOG_LEVEL`), locally.
//!
//! Each event ends with one line that also carries the event's metrics in Embedded Metric Format
//! ([`EventLog`]). In JSON at INFO (what the template deploys) that is the `"message": "handled"` line
//! itself; otherwise (text, or a level above INFO) the metrics go on a line of their own
//! (`"message": "metrics"`) labelled with Lambda's configured level, which Lambda's log-level filter
//! keeps, so that the alarms never go blind because someone raised the log level.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use lambda_runtime::tracing::subscriber::fmt;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};
use tracing::Level;

use crate::domain::caller::Caller;
use crate::telemetry::metrics::{Emf, Measurements, Namespace};

/// Set by [`init`] when lines are JSON (`AWS_LAMBDA_LOG_FORMAT=JSON`).
static JSON_LINES: AtomicBool = AtomicBool::new(false);
/// Set by [`init`]: the level Lambda keeps lines from (`AWS_LAMBDA_LOG_LEVEL`), for the metrics-only line.
static LAMBDA_LEVEL: OnceLock<&'static str> = OnceLock::new();

/// The filter for a level name, as Lambda spells them (TRACE, DEBUG, INFO, WARN, ERROR, FATAL).
pub(crate) fn filter_for(level: Option<&str>) -> String {
    let level = match level.map(str::to_ascii_uppercase).as_deref() {
        Some("FATAL") => LevelFilter::ERROR,
        Some(name) => name.parse().unwrap_or(LevelFilter::INFO),
        None => LevelFilter::INFO,
    };
    let level = level.to_string().to_ascii_lowercase();
    format!("warn,connect_references={level}")
}

/// Lambda's own name for a level setting; INFO when unset or unknown (as Lambda assumes).
pub(crate) fn lambda_level_name(level: Option<&str>) -> &'static str {
    match level.map(str::to_ascii_uppercase).as_deref() {
        Some("TRACE") => "TRACE",
        Some("DEBUG") => "DEBUG",
        Some("WARN") => "WARN",
        Some("ERROR") => "ERROR",
        Some("FATAL") => "FATAL",
        _ => "INFO",
    }
}

/// Installs the global subscriber, writing to stdout (which Lambda sends to CloudWatch Logs).
pub fn init() {
    let lambda_level = std::env::var("AWS_LAMBDA_LOG_LEVEL").ok();
    let directives = match (&lambda_level, std::env::var("RUST_LOG")) {
        (None, Ok(developer)) => developer,
        _ => filter_for(lambda_level.as_deref()),
    };
    let builder = fmt().with_env_filter(EnvFilter::new(directives)).with_target(false).without_time();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("JSON"));
    JSON_LINES.store(json, Ordering::Relaxed);
    let _ = LAMBDA_LEVEL.set(lambda_level_name(lambda_level.as_deref()));
    // `try_init` fails only if a subscriber is already installed, which then keeps serving.
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}

/// Where event lines go: stdout, which Lambda sends to CloudWatch Logs, or memory, for tests.
#[derive(Debug, Clone, Default)]
pub enum Output {
    #[default]
    Stdout,
    Memory(Arc<Mutex<Vec<String>>>),
}

impl Output {
    /// Writes one line; a failed write is dropped, never a panic or an error for the caller.
    fn line(&self, line: &impl Serialize) {
        let Ok(mut text) = serde_json::to_string(line) else { return };
        match self {
            Output::Stdout => {
                text.push('\n');
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
            }
            Output::Memory(lines) => lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(text),
        }
    }
}

/// What the end of an event logs besides its measurements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Handled<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) status: u16,
    pub(crate) duration: Duration,
}

/// Writes each event's line, with the metrics of [`crate::telemetry::metrics`] under the configured namespace.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    namespace: Namespace,
    output: Output,
}

impl EventLog {
    pub fn new(namespace: Namespace, output: Output) -> Self {
        EventLog { namespace, output }
    }

    /// The lines written to an [`Output::Memory`] since the last call (none for stdout).
    pub fn take_lines(&self) -> Vec<String> {
        match &self.output {
            Output::Stdout => Vec::new(),
            Output::Memory(lines) => std::mem::take(&mut *lines.lock().unwrap_or_else(|p| p.into_inner())),
        }
    }

    pub(crate) fn write(&self, handled: Handled<'_>, measured: &Measurements) {
        let metrics = Emf { namespace: &self.namespace, measured, timestamp_ms: now_ms() };
        let duration_us = u64::try_from(handled.duration.as_micros()).unwrap_or(u64::MAX);
        if JSON_LINES.load(Ordering::Relaxed) && tracing::enabled!(Level::INFO) {
            // The same fields tracing's JSON formatter would write, and the metrics, on one line.
            self.output.line(&EventLine { level: "INFO", handled: Some((handled, duration_us)), metrics });
        } else {
            tracing::info!(
                request_id = %handled.request_id,
                cold_start = measured.cold_start,
                event = measured.event.name(),
                status = handled.status,
                error_code = measured.error_code,
                references = measured.references,
                duration_us,
                "handled"
            );
            // Lambda drops JSON lines below its level, and takes a line without one for INFO: this line
            // carries the configured level so the metrics survive, and says it is only metrics.
            let level = LAMBDA_LEVEL.get().copied().unwrap_or("INFO");
            self.output.line(&EventLine { level, handled: None, metrics });
        }
    }
}

/// An event's line, serialised straight from what it borrows: `handled` with the event's fields, or
/// (`handled: None`) `metrics` alone; the EMF members either way.
struct EventLine<'a> {
    level: &'a str,
    handled: Option<(Handled<'a>, u64)>,
    metrics: Emf<'a>,
}

impl Serialize for EventLine<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_map(None)?;
        line.serialize_entry("level", self.level)?;
        match self.handled {
            Some((handled, duration_us)) => {
                let measured = self.metrics.measured;
                line.serialize_entry("message", "handled")?;
                line.serialize_entry("request_id", handled.request_id)?;
                line.serialize_entry("cold_start", &measured.cold_start)?;
                line.serialize_entry("event", measured.event.name())?;
                line.serialize_entry("status", &handled.status)?;
                if let Some(code) = measured.error_code {
                    line.serialize_entry("error_code", code)?;
                }
                line.serialize_entry("references", &measured.references)?;
                line.serialize_entry("duration_us", &duration_us)?;
            }
            None => line.serialize_entry("message", "metrics")?,
        }
        self.metrics.write_into(&mut line)?;
        line.end()
    }
}

/// What an audit line is about: one file opened through `GetAttachedFile`, or one recording a caller
/// asked a link for. Never the link, never a recording's S3 location.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audited<'a> {
    File { file_id: &'a str },
    Recording { recording_id: &'a str },
}

/// One audit line: who, which file or recording of which contact, how it ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audit<'a> {
    pub(crate) caller: &'a Caller,
    /// API Gateway's request id, to join its access log; `None` where there is none.
    pub(crate) api_request_id: Option<&'a str>,
    pub(crate) instance_id: &'a str,
    pub(crate) contact_id: &'a str,
    pub(crate) subject: Audited<'a>,
    /// `OK` or the error code.
    pub(crate) outcome: &'a str,
    pub(crate) request_id: &'a str,
}

/// The audit line's `message` for a file, for a Logs Insights filter.
pub(crate) const AUDIT_MESSAGE: &str = "attachment link";

/// The audit line's `message` for a recording, for a Logs Insights filter.
pub(crate) const RECORDING_AUDIT_MESSAGE: &str = "recording link";

impl EventLog {
    /// Writes the audit line, whatever the log level: it carries the configured level (as the
    /// metrics-only line does), so that Lambda's level filter keeps it, and it is always JSON.
    pub(crate) fn audit(&self, audit: &Audit<'_>) {
        let (kind, (id_name, id)) = match audit.subject {
            Audited::File { file_id } => ((AUDIT_MESSAGE, "GetAttachedFile"), ("file_id", file_id)),
            Audited::Recording { recording_id } => {
                ((RECORDING_AUDIT_MESSAGE, "RecordingLink"), ("recording_id", recording_id))
            }
        };
        self.audit_line(
            kind,
            audit.caller,
            [("instance_id", audit.instance_id), ("contact_id", audit.contact_id), (id_name, id)],
            audit.outcome,
            audit.request_id,
            audit.api_request_id,
        );
    }

    /// `(message, action)`: the line's `message` and `audit` members.
    fn audit_line(
        &self,
        (message, action): (&str, &str),
        caller: &Caller,
        subject: [(&str, &str); 3],
        outcome: &str,
        request_id: &str,
        api_request_id: Option<&str>,
    ) {
        let mut line = Map::new();
        line.insert("level".into(), json!(LAMBDA_LEVEL.get().copied().unwrap_or("INFO")));
        line.insert("message".into(), json!(message));
        line.insert("audit".into(), json!(action));
        let mut fields = Map::new();
        fields.insert("type".into(), json!(caller.kind()));
        for (name, value) in caller.fields() {
            fields.insert(name.into(), json!(value));
        }
        line.insert("caller".into(), Value::Object(fields));
        for (name, value) in subject {
            line.insert(name.into(), json!(value));
        }
        line.insert("outcome".into(), json!(outcome));
        line.insert("request_id".into(), json!(request_id));
        if let Some(api_request_id) = api_request_id {
            line.insert("api_request_id".into(), json!(api_request_id));
        }
        self.output.line(&line);
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_crates_stay_at_warn_whatever_our_level() {
        assert_eq!(filter_for(Some("TRACE")), "warn,connect_references=trace");
        assert_eq!(filter_for(Some("debug")), "warn,connect_references=debug");
        assert_eq!(filter_for(None), "warn,connect_references=info");
    }

    #[test]
    fn the_metrics_line_is_labelled_with_lambdas_own_level_names() {
        assert_eq!(lambda_level_name(Some("warn")), "WARN");
        assert_eq!(lambda_level_name(Some("FATAL")), "FATAL");
        assert_eq!(lambda_level_name(Some("LOUD")), "INFO");
        assert_eq!(lambda_level_name(None), "INFO");
    }

    #[test]
    fn lambdas_fatal_and_unknown_names_are_understood() {
        assert_eq!(filter_for(Some("FATAL")), "warn,connect_references=error");
        assert_eq!(filter_for(Some("LOUD")), "warn,connect_references=info");
    }
}
