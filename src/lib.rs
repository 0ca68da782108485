//! connect-references: lists the references of an Amazon Connect contact and opens its files, for HTTP
//! callers (API Gateway, function URLs, ALB) and for contact flows, from one Lambda binary.
//!
//! The folders below are the architecture's layers, declared bottom to top. This list is the one source
//! of the layering: a module uses only modules of its own layer or of layers declared before it
//! (`tests/it/layers.rs` reads this list and checks every `crate::` path against it, and that
//! docs/architecture.md draws the same layers in the same order).
//!
//! Items are `pub(crate)` unless the binary (`main.rs`), the integration tests or the benchmark need them:
//! `unreachable_pub` flags a `pub` item no other crate can reach, and `dead_code` then flags a crate-wide
//! item nothing uses.
#![warn(unreachable_pub)]

/// The domain: validated requests, references, files, errors; nothing of Lambda, HTTP or the SDK.
pub mod domain;
/// The use case: list a contact's references, open one of its files; Connect behind a port of domain types.
pub mod use_case;
/// Logs, metrics and the audit line.
pub mod telemetry;
/// Amazon Connect through the SDK, the HTTPS client's trust, the warm-up.
pub mod outbound;
/// What every entry point shares: the gates, the allow-list, the invocation, the audit of every file.
pub mod app;
/// The Lambda handler, the HTTP routes and contact flows.
pub mod inbound;
