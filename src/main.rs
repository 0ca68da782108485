//! Start-up only: logging, configuration, the Connect client (built once), then the runtime loop.

use std::sync::Arc;

use connect_references::app::{App, Recordings};
use connect_references::domain::access::AllowedInstances;
use connect_references::domain::config::{EntryPoints, Features, FileRate, SettingError};
use connect_references::domain::recording::RecordingStore;
use connect_references::inbound::{handler, request_guard};
use connect_references::outbound::connect_sdk::{self, SdkConnect};
use connect_references::outbound::s3_presign::{Endpoint, S3Presigner};
use connect_references::outbound::{tls, warm_up};
use connect_references::telemetry::logging::{EventLog, Output};
use connect_references::telemetry::metrics::Namespace;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Honours AWS_LAMBDA_LOG_FORMAT (JSON or Text) and AWS_LAMBDA_LOG_LEVEL.
    connect_references::telemetry::logging::init();
    request_guard::install_panic_hook();

    // A malformed setting stops start-up (Lambda reports the init failure), logged once, plainly.
    let refuse = |error: &SettingError| tracing::error!(%error, "invalid configuration");
    let setting = |name: &str| std::env::var(name).ok();
    let allowed =
        AllowedInstances::from_setting(std::env::var("ALLOWED_INSTANCE_IDS").ok().as_deref()).inspect_err(refuse)?;
    let namespace = Namespace::from_setting(std::env::var("METRICS_NAMESPACE").ok().as_deref()).inspect_err(refuse)?;
    let features = Features::from_settings(
        setting("RESOLVE_TRANSFERRED_CONTACTS").as_deref(),
        setting("ENABLE_ATTACHMENT_DOWNLOADS").as_deref(),
    )
    .inspect_err(refuse)?;
    let in_lambda = setting("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let entry_points = EntryPoints::from_setting(setting("ENTRY_POINT").as_deref(), in_lambda).inspect_err(refuse)?;
    let file_rate =
        FileRate::from_settings(setting("ATTACHED_FILE_RATE").as_deref(), setting("ATTACHED_FILE_BURST").as_deref())
            .inspect_err(refuse)?;
    let recordings_store =
        RecordingStore::from_settings(setting("RECORDINGS_BUCKET").as_deref(), setting("RECORDINGS_PREFIX").as_deref())
            .inspect_err(refuse)?;
    let s3_endpoint =
        Endpoint::from_settings(setting("AWS_ENDPOINT_URL_S3").as_deref(), setting("AWS_ENDPOINT_URL").as_deref())
            .inspect_err(refuse)?;
    // Region, credentials and AWS_ENDPOINT_URL_CONNECT come from the environment, as everywhere in the SDK.
    // Trusts only the roots that sign AWS endpoints, unless SSL_CERT_FILE / SSL_CERT_DIR say otherwise.
    let endpoint = std::env::var("AWS_ENDPOINT_URL_CONNECT").or_else(|_| std::env::var("AWS_ENDPOINT_URL")).ok();
    if tls::connect_uses_tls(endpoint.as_deref()) {
        tls::seed_random_generator();
    }
    let http_client = tls::https_client(tls::Roots::from_env())?;
    let config = aws_config::defaults(connect_sdk::behavior_version())
        .http_client(http_client.clone())
        .retry_config(connect_sdk::retry_config())
        .timeout_config(connect_sdk::timeout_config())
        .load()
        .await;
    // The Connect connection, opened and handshaken now, at init's full CPU, in the pool the SDK uses.
    if warm_up::enabled(setting("CONNECT_CONNECTION_WARMUP").as_deref()) {
        let region = config.region().map(|region| region.as_ref());
        let (fips, dual_stack) = (config.use_fips().unwrap_or(false), config.use_dual_stack().unwrap_or(false));
        if let Some(url) = warm_up::endpoint(endpoint.as_deref(), region, fips, dual_stack).await {
            let outcome = warm_up::warm_up(http_client, &url, connect_sdk::timeout_config()).await;
            tracing::debug!(?outcome, "connection warm-up");
        }
    }
    // Recordings' links are signed with the same credentials provider (the function's role) as Connect's calls.
    let recordings = match recordings_store {
        None => None,
        Some(store) => {
            let (Some(credentials), Some(region)) = (config.credentials_provider(), config.region()) else {
                let error = SettingError::new("RECORDINGS_BUCKET", "recordings need the SDK's region and credentials");
                refuse(&error);
                return Err(error.into());
            };
            let signer = S3Presigner::new(credentials, region.as_ref(), s3_endpoint);
            Some(Recordings { store, signer: Arc::new(signer) })
        }
    };
    let app = App::new(SdkConnect::new(aws_sdk_connect::Client::new(&config)), allowed)
        .with_recordings(recordings)
        .with_event_log(EventLog::new(namespace, Output::Stdout))
        .with_entry_points(entry_points)
        .with_features(features)
        .with_file_rate(file_rate.per_second, file_rate.burst);

    lambda_runtime::run(handler::service(&app)).await
}
