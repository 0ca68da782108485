//! connect-references: lists the references of an Amazon Connect contact, for HTTP callers
//! (API Gateway, function URLs, ALB) and for contact flows, from one Lambda function.
//!
//! The domain ([`query`], [`reference`], [`error`], [`access`]) knows nothing of Lambda or HTTP;
//! [`connect`] wraps the SDK call; [`http`] and [`contact_flow`] adapt events; [`handler`] dispatches.

pub mod access;
pub mod app;
pub mod arn;
pub mod attachments;
pub mod config;
pub mod connect;
pub mod contact_flow;
pub mod envelope;
pub mod error;
pub mod handler;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod query;
pub mod reference;
pub mod tls;
