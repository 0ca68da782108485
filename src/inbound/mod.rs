//! Events into the function: the Lambda handler and its guard, the HTTP routes (request, response) and
//! contact flows, and the JSON envelope they answer with.

pub mod contact_flow;
pub mod envelope;
pub mod handler;
pub mod http;
pub mod http_request;
pub mod http_response;
pub mod request_guard;
