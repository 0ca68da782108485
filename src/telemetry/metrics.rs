//! CloudWatch metrics in Embedded Metric Format (EMF): what one event measured, as the JSON members
//! that turn the event's log line into metrics. CloudWatch Logs extracts them from the line; the
//! function makes no API call and needs no permission for it.
//!
//! Dimensions are few and bounded on purpose: the kind of event (3 values) and the outcome (`OK` or one
//! of the 10 error codes). Never an instance, contact or caller id, never a reference: those would be
//! customer data and an unbounded number of metrics. Every metric is published per [`EVENT_KIND`];
//! only `Requests` is also published per [`OUTCOME`], which is what "errors by code" needs. That caps
//! the function at 9 × 3 + 11 = 38 custom metrics.

use std::time::Duration;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use crate::domain::config::SettingError;

/// The namespace when `METRICS_NAMESPACE` is not set.
pub(crate) const DEFAULT_NAMESPACE: &str = "ConnectReferences";
/// The dimension naming the kind of event: `http`, `contact_flow` or `unrecognised`.
pub(crate) const EVENT_KIND: &str = "EventKind";
/// The dimension naming how the event ended: `OK` or an error code.
pub(crate) const OUTCOME: &str = "Outcome";
/// The outcome of an event that succeeded.
pub(crate) const OK: &str = "OK";

/// One metric: its name, its CloudWatch unit, and its value for an event (`None`: not published for
/// this event).
#[derive(Clone, Copy)]
pub struct Metric {
    pub name: &'static str,
    pub unit: &'static str,
    value: fn(&Measurements) -> Option<Value>,
}

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.unit)
    }
}

const fn metric(name: &'static str, unit: &'static str, value: fn(&Measurements) -> Option<Value>) -> Metric {
    Metric { name, unit, value }
}

/// Every metric the function emits, its unit and its value side by side: the one table the EMF line,
/// the tests and the documentation share.
pub const METRICS: [Metric; 9] = [
    metric("Requests", "Count", |_| Some(json!(1))),
    metric("Errors", "Count", |m| Some(json!(u32::from(m.error_code.is_some())))),
    metric("ConnectCalls", "Count", |m| Some(json!(m.connect_calls))),
    // Only when Connect was called, so that refusals before the call do not drag its percentiles to zero.
    metric("ConnectLatency", "Milliseconds", |m| m.connect_latency.map(|d| json!(d.as_secs_f64() * 1000.0))),
    metric("References", "Count", |m| Some(json!(m.references))),
    metric("TruncatedFlowAnswers", "Count", |m| Some(json!(u32::from(m.truncated)))),
    metric("ColdStarts", "Count", |m| Some(json!(u32::from(m.cold_start)))),
    metric("ConnectAccessDenied", "Count", |m| Some(json!(m.connect_access_denied))),
    metric("DownloadUrlErrors", "Count", |m| Some(json!(m.download_url_errors))),
];

/// The kinds of event, as the `EventKind` dimension and the log line's `event` field name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Http,
    ContactFlow,
    /// A direct invocation that is neither HTTP nor a contact flow.
    Unrecognised,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [EventKind::Http, EventKind::ContactFlow, EventKind::Unrecognised];

    pub const fn name(self) -> &'static str {
        match self {
            EventKind::Http => "http",
            EventKind::ContactFlow => "contact_flow",
            EventKind::Unrecognised => "unrecognised",
        }
    }
}

/// What one event measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measurements {
    pub(crate) event: EventKind,
    /// The failure's code (a domain error's, or one only an adapter knows, such as `METHOD_NOT_ALLOWED`).
    pub(crate) error_code: Option<&'static str>,
    pub(crate) cold_start: bool,
    /// Requests sent to Connect (each SDK attempt, so retries count).
    pub(crate) connect_calls: u32,
    /// Wall time spent waiting for Connect; `None` when Connect was not called.
    pub(crate) connect_latency: Option<Duration>,
    pub(crate) references: usize,
    /// A flow's flat answer dropped references to stay under Connect's 32 KB.
    pub(crate) truncated: bool,
    /// Connect calls refused with `AccessDeniedException`: the function's role is missing a right.
    pub(crate) connect_access_denied: u32,
    /// References answered with a `downloadUrlError` instead of a link.
    pub(crate) download_url_errors: usize,
}

impl Measurements {
    /// An event of this kind that has not failed, called Connect or returned anything yet.
    pub(crate) fn of(event: EventKind) -> Self {
        Measurements {
            event,
            error_code: None,
            cold_start: false,
            connect_calls: 0,
            connect_latency: None,
            references: 0,
            truncated: false,
            connect_access_denied: 0,
            download_url_errors: 0,
        }
    }

    /// `OK`, or the error's code.
    pub(crate) fn outcome(&self) -> &'static str {
        self.error_code.unwrap_or(OK)
    }
}

/// A CloudWatch namespace: 1 to 255 of the characters CloudWatch accepts, not starting with `AWS/`
/// (reserved for AWS's own metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace(String);

impl Default for Namespace {
    fn default() -> Self {
        Namespace(DEFAULT_NAMESPACE.to_owned())
    }
}

impl Namespace {
    /// Reads `METRICS_NAMESPACE`: unset or empty gives [`DEFAULT_NAMESPACE`]; anything CloudWatch would
    /// reject stops start-up rather than silently losing every metric.
    pub fn from_setting(setting: Option<&str>) -> Result<Self, SettingError> {
        let Some(name) = setting.filter(|s| !s.is_empty()) else {
            return Ok(Namespace::default());
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || " .-_/#:".contains(c);
        if name.len() > 255 || !name.chars().all(allowed) || name.starts_with("AWS/") {
            return Err(SettingError::new(
                "METRICS_NAMESPACE",
                "must be 1 to 255 letters, digits, spaces or . - _ / # : and not start with AWS/",
            ));
        }
        Ok(Namespace(name.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The EMF members for one event: `_aws` (timestamp and the metric directives), the two dimensions
/// and one value per metric. `ConnectLatency` is declared and given only when Connect was called, so
/// that requests refused before the call do not drag its percentiles to zero. Written straight into the
/// log line's map ([`Emf::write_into`]), with no intermediate JSON values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Emf<'a> {
    pub(crate) namespace: &'a Namespace,
    pub(crate) measured: &'a Measurements,
    pub(crate) timestamp_ms: u64,
}

impl Emf<'_> {
    /// The metrics this event publishes, with their values.
    fn values(&self) -> impl Iterator<Item = (&'static Metric, Value)> + '_ {
        METRICS.iter().filter_map(|metric| (metric.value)(self.measured).map(|value| (metric, value)))
    }

    /// Adds the members to a map being serialised (the log line).
    pub(crate) fn write_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let namespace = self.namespace.as_str();
        let declared = Declared(self);
        let directives = (
            Directive { namespace, dimensions: [[EVENT_KIND]], metrics: &declared },
            Directive { namespace, dimensions: [[OUTCOME]], metrics: &REQUESTS_ONLY },
        );
        map.serialize_entry("_aws", &Aws { timestamp: self.timestamp_ms, cloud_watch_metrics: directives })?;
        map.serialize_entry(EVENT_KIND, self.measured.event.name())?;
        map.serialize_entry(OUTCOME, self.measured.outcome())?;
        for (metric, value) in self.values() {
            map.serialize_entry(metric.name, &value)?;
        }
        Ok(())
    }
}

impl Serialize for Emf<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write_into(&mut map)?;
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Aws<'a, D: Serialize> {
    timestamp: u64,
    cloud_watch_metrics: (Directive<'a, D>, Directive<'a, [Declaration; 1]>),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive<'a, D: Serialize> {
    namespace: &'a str,
    dimensions: [[&'static str; 1]; 1],
    metrics: &'a D,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Declaration {
    name: &'static str,
    unit: &'static str,
}

const REQUESTS_ONLY: [Declaration; 1] = [Declaration { name: "Requests", unit: "Count" }];

/// The declarations of the metrics an event publishes, in the table's order.
struct Declared<'a>(&'a Emf<'a>);

impl Serialize for Declared<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.values().map(|(metric, _)| Declaration { name: metric.name, unit: metric.unit }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorKind;
    use serde_json::Map;

    /// The members as the log line carries them, read back as a JSON map.
    fn members(namespace: &Namespace, measured: &Measurements, timestamp_ms: u64) -> Map<String, Value> {
        match serde_json::to_value(Emf { namespace, measured, timestamp_ms }) {
            Ok(Value::Object(members)) => members,
            other => panic!("the EMF members are not a JSON object: {other:?}"),
        }
    }

    fn directives(members: &Map<String, Value>) -> &Vec<Value> {
        members["_aws"]["CloudWatchMetrics"].as_array().unwrap()
    }

    fn declared_names(directive: &Value) -> Vec<&str> {
        directive["Metrics"].as_array().unwrap().iter().map(|m| m["Name"].as_str().unwrap()).collect()
    }

    #[test]
    fn a_success_declares_every_metric_with_its_unit_and_gives_each_a_value() {
        let measured = Measurements {
            connect_calls: 2,
            connect_latency: Some(Duration::from_micros(12_500)),
            references: 4,
            connect_access_denied: 1,
            download_url_errors: 3,
            ..Measurements::of(EventKind::Http)
        };
        let members = members(&Namespace::default(), &measured, 1_700_000_000_000);
        assert_eq!(members["_aws"]["Timestamp"], 1_700_000_000_000u64);
        let by_kind = &directives(&members)[0];
        assert_eq!(by_kind["Namespace"], DEFAULT_NAMESPACE);
        assert_eq!(by_kind["Dimensions"], json!([["EventKind"]]));
        let units: Vec<(&str, &str)> = by_kind["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["Name"].as_str().unwrap(), m["Unit"].as_str().unwrap()))
            .collect();
        assert_eq!(units, METRICS.map(|m| (m.name, m.unit)));
        assert_eq!(members["EventKind"], "http");
        assert_eq!(members["Outcome"], "OK");
        assert_eq!(
            [&members["Requests"], &members["Errors"], &members["ConnectCalls"], &members["References"]],
            [&json!(1), &json!(0), &json!(2), &json!(4)]
        );
        assert_eq!(members["ConnectLatency"].as_f64(), Some(12.5));
        assert_eq!((&members["ConnectAccessDenied"], &members["DownloadUrlErrors"]), (&json!(1), &json!(3)));
    }

    #[test]
    fn only_requests_is_broken_down_by_outcome() {
        let measured =
            Measurements { error_code: Some(ErrorKind::Throttled.code()), ..Measurements::of(EventKind::Http) };
        let members = members(&Namespace::default(), &measured, 0);
        let by_outcome = &directives(&members)[1];
        assert_eq!(by_outcome["Dimensions"], json!([["Outcome"]]));
        assert_eq!(declared_names(by_outcome), ["Requests"]);
        assert_eq!(members["Outcome"], "THROTTLED");
        assert_eq!(members["Errors"], 1);
    }

    #[test]
    fn connect_latency_is_left_out_when_connect_was_not_called() {
        let measured =
            Measurements { error_code: Some(ErrorKind::Validation.code()), ..Measurements::of(EventKind::Http) };
        let members = members(&Namespace::default(), &measured, 0);
        assert!(!declared_names(&directives(&members)[0]).contains(&"ConnectLatency"));
        assert!(!members.contains_key("ConnectLatency"));
        assert_eq!(declared_names(&directives(&members)[0]).len(), METRICS.len() - 1);
    }

    #[test]
    fn the_namespace_comes_from_the_setting_and_bad_ones_stop_start_up() {
        assert_eq!(Namespace::from_setting(None).unwrap().as_str(), DEFAULT_NAMESPACE);
        assert_eq!(Namespace::from_setting(Some("")).unwrap().as_str(), DEFAULT_NAMESPACE);
        assert_eq!(Namespace::from_setting(Some("Team/Connect refs")).unwrap().as_str(), "Team/Connect refs");
        for bad in ["AWS/Lambda", "emoji ☎", "a\"b", &"x".repeat(256)] {
            let refused = Namespace::from_setting(Some(bad)).unwrap_err();
            assert_eq!(refused.variable, "METRICS_NAMESPACE", "{bad}");
        }
    }
}
