//! The domain: requests complete when parsed, references, files and errors in the project's own types.
//! Nothing here knows Lambda, HTTP or the SDK (`tests/it/layers.rs`).

pub mod access;
pub(crate) mod arn;
pub mod attached_file;
pub(crate) mod caller;
pub mod config;
pub(crate) mod connect_id;
pub(crate) mod download_request;
pub mod error;
pub(crate) mod messages;
pub mod query;
pub mod rate;
pub mod recording;
pub mod reference;
pub mod settings;
