//! Start-up only: logging, configuration, the Connect client (built once), then the runtime loop.

use std::convert::Infallible;

use aws_config::BehaviorVersion;
use connect_references::access::AllowedInstances;
use connect_references::app::App;
use connect_references::connect::{self, ConnectReferences};
use connect_references::handler::{self, GuardedAdapter};
use lambda_http::{service_fn, Adapter, Request};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Honours AWS_LAMBDA_LOG_FORMAT (JSON or Text) and AWS_LAMBDA_LOG_LEVEL.
    lambda_runtime::tracing::init_default_subscriber();
    handler::install_panic_hook();

    let allowed = AllowedInstances::from_setting(std::env::var("ALLOWED_INSTANCE_IDS").ok().as_deref())?;
    // Region, credentials and AWS_ENDPOINT_URL_CONNECT come from the environment, as everywhere in the SDK.
    let config = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(connect::retry_config())
        .timeout_config(connect::timeout_config())
        .load()
        .await;
    let app = App::new(ConnectReferences::new(aws_sdk_connect::Client::new(&config)), allowed);

    let app = &app;
    let service =
        service_fn(move |request: Request| async move { Ok::<_, Infallible>(handler::handle(app, request).await) });
    lambda_runtime::run(GuardedAdapter::new(Adapter::from(service))).await
}
