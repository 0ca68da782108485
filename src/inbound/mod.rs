//! Events into the function: the Lambda handler and its guard, the HTTP routes (request, response) and
//! contact flows, and the JSON envelope they answer with.

pub(crate) mod contact_flow;
pub mod envelope;
pub mod handler;
pub mod http;
pub(crate) mod http_request;
pub(crate) mod http_response;
pub mod request_guard;
