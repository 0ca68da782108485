//! Opens and handshakes the Connect connection during init, so that the first real call finds it open.
//!
//! Init runs on a full vCPU; an invocation at 128 MB gets 7 % of one. The TLS handshake done at init
//! costs the first invocation nothing. As AWS's own LLRT runtime does (`LLRT_SDK_CONNECTION_WARMUP`), the
//! function sends one **unsigned** `GET /` to the endpoint the SDK will call, through the **same HTTP
//! client** the SDK uses and with the SDK's own connect and read timeouts: aws-smithy-http-client keeps
//! one connector (one hyper pool) per pair of timeouts, so the connection lands in the pool the first
//! `ListContactReferences` draws from. Whatever Connect answers (an error status: the request names no
//! operation and carries no signature), the connection stays open in the pool. The wait is bounded
//! ([`WARM_UP_WAIT`]) and any failure is ignored: init goes on, and the first call opens its own.
//! `CONNECT_CONNECTION_WARMUP=false` turns it off.

use std::time::Duration;

use aws_sdk_connect::config::endpoint::{Params, ResolveEndpoint};
use aws_sdk_connect::config::timeout::TimeoutConfig;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};

use crate::outbound::connect_sdk::sdk_failure;

/// How long init waits for the warm-up at most.
pub const WARM_UP_WAIT: Duration = Duration::from_secs(1);

/// What the warm-up did, for the start-up log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarmUp {
    /// Connect answered this status (any status: the connection is open).
    Answered(u16),
    /// No answer within [`WARM_UP_WAIT`], or the connection failed: the first call connects itself.
    Failed(String),
}

/// Whether the warm-up runs: unset, empty or anything but `false` (any case) means on.
pub fn enabled(setting: Option<&str>) -> bool {
    !setting.map(str::trim).is_some_and(|value| value.eq_ignore_ascii_case("false"))
}

/// The endpoint the SDK will call: the configured one (`AWS_ENDPOINT_URL_CONNECT`, a VPC endpoint, a
/// local stand-in) or Connect's regional endpoint, as the SDK's own endpoint resolver resolves it.
pub async fn endpoint(
    configured: Option<&str>,
    region: Option<&str>,
    use_fips: bool,
    use_dual_stack: bool,
) -> Option<String> {
    let params = Params::builder()
        .set_endpoint(configured.map(str::to_owned))
        .set_region(region.map(str::to_owned))
        .use_fips(use_fips)
        .use_dual_stack(use_dual_stack)
        .build()
        .ok()?;
    let resolved = aws_sdk_connect::config::endpoint::DefaultResolver::new().resolve_endpoint(&params).await.ok()?;
    Some(resolved.url().to_owned())
}

/// One unsigned `GET /` to `endpoint` through `http_client`, with the SDK's `timeouts`, bounded by
/// [`WARM_UP_WAIT`].
pub async fn warm_up(http_client: SharedHttpClient, endpoint: &str, timeouts: TimeoutConfig) -> WarmUp {
    let operation = Operation::builder()
        .service_name("connect")
        .operation_name("ConnectionWarmUp")
        .http_client(http_client)
        .endpoint_url(endpoint)
        .no_auth()
        .no_retry()
        .timeout_config(timeouts)
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .serializer(|_: ()| Ok(HttpRequest::get("/")?))
        .deserializer(|response: &HttpResponse| {
            Ok::<u16, OrchestratorError<std::convert::Infallible>>(response.status().as_u16())
        })
        .build();
    match tokio::time::timeout(WARM_UP_WAIT, operation.invoke(())).await {
        Ok(Ok(status)) => WarmUp::Answered(status),
        Ok(Err(error)) => WarmUp::Failed(sdk_failure(&error).to_owned()),
        Err(_) => WarmUp::Failed(format!("no answer within {} s", WARM_UP_WAIT.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_is_on_unless_set_to_false() {
        assert!(enabled(None));
        assert!(enabled(Some("")));
        assert!(enabled(Some("true")));
        assert!(!enabled(Some("false")));
        assert!(!enabled(Some(" FALSE ")));
    }

    #[tokio::test]
    async fn the_endpoint_is_the_sdks_regional_one_unless_one_is_configured() {
        assert_eq!(
            endpoint(None, Some("eu-west-2"), false, false).await.as_deref(),
            Some("https://connect.eu-west-2.amazonaws.com")
        );
        assert_eq!(
            endpoint(Some("https://vpce-1.connect.eu-west-2.vpce.amazonaws.com"), Some("eu-west-2"), false, false)
                .await
                .as_deref(),
            Some("https://vpce-1.connect.eu-west-2.vpce.amazonaws.com")
        );
        assert_eq!(endpoint(None, None, false, false).await, None, "no region, no endpoint: no warm-up");
    }
}
