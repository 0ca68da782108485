//! connect-references: lists the references of an Amazon Connect contact, for HTTP callers
//! (API Gateway, function URLs, ALB) and for contact flows, from one Lambda function.
//!
//! The domain ([`query`], [`reference`], [`error`], [`access`]) knows nothing of Lambda, HTTP or the SDK;
//! [`use_case`] is the use case (list a contact's references, open one of its files), talking to Connect through a small trait; [`connect`] implements it with
//! the SDK; [`http`] and [`contact_flow`] adapt events; [`handler`] dispatches.

pub mod access;
pub mod app;
pub mod arn;
pub mod attached_file;
pub mod config;
pub mod connect;
pub mod contact_flow;
pub mod download_request;
pub mod envelope;
pub mod error;
pub mod handler;
pub mod http;
pub mod http_request;
pub mod http_response;
pub mod logging;
pub mod messages;
pub mod metrics;
pub mod query;
pub mod rate;
pub mod reference;
pub mod request_guard;
pub mod tls;
pub mod use_case;
pub mod warm_up;
