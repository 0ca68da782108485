//! Calls out of the function: Amazon Connect through the SDK (implementing the use case's port), S3 links
//! signed for recordings (the use case's signing port), the
//! HTTPS client's trust, and the connection warmed during init.

pub mod connect_sdk;
pub mod s3_presign;
pub mod tls;
pub mod warm_up;
