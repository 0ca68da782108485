//! What an event leaves behind: its structured log line, its metrics (CloudWatch EMF) and the audit line
//! of every file opened.

pub mod logging;
pub mod metrics;
