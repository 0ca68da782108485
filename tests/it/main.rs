//! Every integration suite in one test binary: one link of the SDK, axum and rustls instead of one per
//! suite. Each module is one suite; `support` is what they share (the real binary under the Lambda
//! Runtime Interface Emulator, the local Connect stand-in, the in-process entry point).

mod support;

mod attachments;
mod contact_flow_end_to_end;
mod facts;
mod faults;
mod http_end_to_end;
mod in_memory;
mod layers;
mod logs;
mod metrics;
mod properties;
mod recordings;
mod security;
mod soak;
mod tls;
