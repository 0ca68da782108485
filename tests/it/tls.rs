//! The HTTPS client against a local TLS server whose certificate comes from a test CA: its trust store
//! (by default, Amazon Trust Services roots only, the connection is refused; with `SSL_CERT_FILE` naming
//! the test CA the same signed request goes through), and the connection warm-up at init (the first
//! call reuses the connection it opened; a connection the server closed costs only a new one).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_connect::config::{Credentials, Region};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::retry::RetryConfig;
use connect_references::domain::error::ErrorKind;
use connect_references::domain::query::{RawQuery, ReferenceQuery};
use connect_references::domain::rate::RateLimit;
use connect_references::outbound::connect_sdk::SdkConnect;
use connect_references::outbound::tls::{https_client, Roots};
use connect_references::outbound::warm_up::{warm_up, WarmUp, WARM_UP_WAIT};
use connect_references::use_case;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

struct TestServer {
    port: u16,
    ca_pem: String,
    handshakes: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    signed_requests: Arc<AtomicUsize>,
}

/// The test CA, one per test binary: the platform roots are loaded once per process, from the one
/// `SSL_CERT_FILE`.
struct TestCa {
    params: CertificateParams,
    key_der: Vec<u8>,
    pem: String,
}

fn test_ca() -> &'static TestCa {
    static CA: std::sync::OnceLock<TestCa> = std::sync::OnceLock::new();
    CA.get_or_init(|| {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "connect-references test CA");
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        TestCa { params, key_der: key.serialize_der(), pem }
    })
}

/// Set in the child process [`in_a_process_of_its_own`] starts.
const CHILD: &str = "CONNECT_REFERENCES_TLS_TEST_CHILD";

/// Runs a test that sets `SSL_CERT_FILE` in a child process of this test binary, alone: the platform
/// trust store is read once per process, and another suite of this binary may have read it before the
/// variable was set (in Lambda, the variable is there before the process starts). The child runs only
/// this test; the parent fails with the child's output if it failed or did not run it.
fn in_a_process_of_its_own<F: std::future::Future<Output = ()>>(name: &str, body: fn() -> F) {
    if std::env::var_os(CHILD).is_some() {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(body());
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("SSL_CERT_FILE")
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{name} failed in its own process:\n{printed}");
    assert!(printed.contains("1 passed"), "{name} did not run in its own process:\n{printed}");
}

/// `SSL_CERT_FILE` naming the test CA (set only in a process of its own: [`in_a_process_of_its_own`]), and the roots it gives.
fn trusting_the_test_ca() -> Roots {
    static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| {
        let file = std::env::temp_dir().join(format!("connect-references-test-ca-{}.pem", std::process::id()));
        std::fs::write(&file, &test_ca().pem).unwrap();
        std::env::set_var("SSL_CERT_FILE", &file);
        file
    });
    assert!(file.exists());
    Roots::from_env()
}

/// Whether the server keeps a connection open for more requests, as Connect's endpoints do.
#[derive(Clone, Copy, PartialEq)]
enum Connections {
    KeptAlive,
    ClosedAfterEachAnswer,
}

/// A TLS server for `localhost`, signed by the test CA, that answers any request with an empty
/// ListContactReferences reply.
async fn tls_server(connections: Connections) -> TestServer {
    let ca = test_ca();
    let ca_key = KeyPair::try_from(ca.key_der.as_slice()).unwrap();
    let issuer = Issuer::new(ca.params.clone(), ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();

    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let signed_requests = Arc::new(AtomicUsize::new(0));
    let (h, r, s) = (handshakes.clone(), requests.clone(), signed_requests.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, h, r, s) = (acceptor.clone(), h.clone(), r.clone(), s.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                h.fetch_add(1, Ordering::SeqCst);
                loop {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    r.fetch_add(1, Ordering::SeqCst);
                    let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
                    if head.contains("authorization: aws4-hmac-sha256") {
                        s.fetch_add(1, Ordering::SeqCst);
                    }
                    let body = r#"{"ReferenceSummaryList":[],"NextToken":null}"#;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(reply.as_bytes()).await;
                    if connections == Connections::ClosedAfterEachAnswer {
                        let _ = tls.shutdown().await;
                        return;
                    }
                }
            });
        }
    });
    TestServer { port, ca_pem: test_ca().pem.clone(), handshakes, requests, signed_requests }
}

/// An SDK client for the test server with these roots, without retries.
fn connect_through(roots: Roots, port: u16) -> SdkConnect {
    sdk_client(https_client(roots).unwrap(), port, RetryConfig::disabled())
}

/// The SDK client as `main` builds it: this HTTP client, the deployed retry and timeout settings.
fn deployed_client_through(http_client: SharedHttpClient, port: u16) -> SdkConnect {
    sdk_client(http_client, port, connect_references::outbound::connect_sdk::retry_config())
}

fn sdk_client(http_client: SharedHttpClient, port: u16, retry: RetryConfig) -> SdkConnect {
    let config = aws_sdk_connect::Config::builder()
        .behavior_version(connect_references::outbound::connect_sdk::behavior_version())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url(format!("https://localhost:{port}"))
        .http_client(http_client)
        .retry_config(retry)
        .timeout_config(connect_references::outbound::connect_sdk::timeout_config())
        .build();
    SdkConnect::new(aws_sdk_connect::Client::from_conf(config))
}

fn policy(rate: &RateLimit) -> use_case::Policy<'_> {
    use_case::Policy { arn_scope: None, file_rate: rate, caller_share: None, download_paths: false, inline_links: true }
}

fn query() -> ReferenceQuery {
    let raw = RawQuery {
        instance_id: "11111111-2222-3333-4444-555555555555",
        contact_id: "c",
        reference_types: Some(vec!["URL"]),
        ..RawQuery::default()
    };
    ReferenceQuery::parse(raw).unwrap()
}

#[tokio::test]
async fn tls_to_connect_with_a_certificate_from_another_ca_is_refused_by_default() {
    let server = tls_server(Connections::ClosedAfterEachAnswer).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let connect = connect_through(Roots::AmazonTrustServices, server.port);
    let error = use_case::list(&connect, &query(), policy(&RateLimit::default()), deadline).await.0.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Upstream);
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 0, "no handshake completed");
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[test]
fn the_platform_roots_named_by_ssl_cert_file_are_trusted_instead() {
    in_a_process_of_its_own(
        "tls::the_platform_roots_named_by_ssl_cert_file_are_trusted_instead",
        the_platform_roots_named_by_ssl_cert_file_are_trusted_instead_body,
    );
}

async fn the_platform_roots_named_by_ssl_cert_file_are_trusted_instead_body() {
    let server = tls_server(Connections::ClosedAfterEachAnswer).await;
    assert!(server.ca_pem.contains("BEGIN CERTIFICATE"));
    let roots = trusting_the_test_ca();
    assert_eq!(roots, Roots::Platform);
    let deadline = Instant::now() + Duration::from_secs(10);
    let connect = connect_through(roots, server.port);
    let page = use_case::list(&connect, &query(), policy(&RateLimit::default()), deadline).await.0.unwrap();
    assert!(page.references.is_empty());
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 1);
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 1, "the signed request went over TLS");
}

/// What `main` does against `server`: the warm-up through one HTTP client, then the first listing
/// through the SDK client built on the same one. Returns the warm-up's outcome, once the call succeeded,
/// and the server's handshakes after the warm-up alone.
async fn warm_up_then_list(server: &TestServer) -> (WarmUp, usize) {
    let http_client = https_client(trusting_the_test_ca()).unwrap();
    let endpoint = format!("https://localhost:{}", server.port);
    let warmed =
        warm_up(http_client.clone(), &endpoint, connect_references::outbound::connect_sdk::timeout_config()).await;
    let handshakes_after_warm_up = server.handshakes.load(Ordering::SeqCst);
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 0, "the warm-up is unsigned");
    let connect = deployed_client_through(http_client, server.port);
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = use_case::list(&connect, &query(), policy(&RateLimit::default()), deadline).await.0.unwrap();
    assert!(page.references.is_empty(), "the call succeeds");
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 1, "one signed request, not a retried one");
    (warmed, handshakes_after_warm_up)
}

#[test]
fn the_first_call_reuses_the_connection_the_warm_up_opened_and_handshook() {
    in_a_process_of_its_own(
        "tls::the_first_call_reuses_the_connection_the_warm_up_opened_and_handshook",
        the_first_call_reuses_the_connection_the_warm_up_opened_and_handshook_body,
    );
}

async fn the_first_call_reuses_the_connection_the_warm_up_opened_and_handshook_body() {
    let server = tls_server(Connections::KeptAlive).await;
    let (warmed, handshakes_after_warm_up) = warm_up_then_list(&server).await;
    assert_eq!(warmed, WarmUp::Answered(200), "any status will do; this server answers 200");
    assert_eq!(handshakes_after_warm_up, 1);
    assert_eq!(server.requests.load(Ordering::SeqCst), 2, "the warm-up, then the call");
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 1, "one TLS handshake for both: the call reused it");
}

#[test]
fn a_connection_the_server_closed_after_the_warm_up_costs_the_first_call_only_a_new_one() {
    in_a_process_of_its_own(
        "tls::a_connection_the_server_closed_after_the_warm_up_costs_the_first_call_only_a_new_one",
        a_connection_the_server_closed_after_the_warm_up_costs_the_first_call_only_a_new_one_body,
    );
}

async fn a_connection_the_server_closed_after_the_warm_up_costs_the_first_call_only_a_new_one_body() {
    let server = tls_server(Connections::ClosedAfterEachAnswer).await;
    let (warmed, _) = warm_up_then_list(&server).await;
    assert_eq!(warmed, WarmUp::Answered(200));
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 2, "a new connection, as without the warm-up");
}

#[tokio::test]
async fn a_warm_up_nobody_answers_ends_within_its_bound_and_says_so() {
    // A listener that accepts and never speaks: the handshake never completes.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = silent.accept().await {
            held.push(tcp);
        }
    });
    let started = Instant::now();
    let endpoint = format!("https://localhost:{port}");
    let http_client = https_client(Roots::AmazonTrustServices).unwrap();
    let warmed = warm_up(http_client, &endpoint, connect_references::outbound::connect_sdk::timeout_config()).await;
    assert!(matches!(warmed, WarmUp::Failed(_)), "{warmed:?}");
    assert!(started.elapsed() <= WARM_UP_WAIT + Duration::from_millis(200), "waited {:?}", started.elapsed());
}
