//! Structured logs that honour Lambda's logging controls and never carry customer data.
//!
//! `AWS_LAMBDA_LOG_FORMAT=JSON` gives one JSON object per line; `AWS_LAMBDA_LOG_LEVEL` sets this
//! function's level. Other crates (the SDK, hyper, rustls, the runtime) are held at WARN whatever the
//! level, because at DEBUG and TRACE they can print requests and replies, which hold references.
//! A developer who wants them anyway sets `RUST_LOG` (and no `AWS_LAMBDA_LOG_LEVEL`), locally.

use lambda_runtime::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use lambda_runtime::tracing::subscriber::fmt;

/// The filter for a level name, as Lambda spells them (TRACE, DEBUG, INFO, WARN, ERROR, FATAL).
pub fn filter_for(level: Option<&str>) -> String {
    let level = match level.map(str::to_ascii_uppercase).as_deref() {
        Some("FATAL") => LevelFilter::ERROR,
        Some(name) => name.parse().unwrap_or(LevelFilter::INFO),
        None => LevelFilter::INFO,
    };
    let level = level.to_string().to_ascii_lowercase();
    format!("warn,connect_references={level}")
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
    // `try_init` fails only if a subscriber is already installed, which then keeps serving.
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
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
    fn lambdas_fatal_and_unknown_names_are_understood() {
        assert_eq!(filter_for(Some("FATAL")), "warn,connect_references=error");
        assert_eq!(filter_for(Some("LOUD")), "warn,connect_references=info");
    }
}
