//! The HTTPS client's trust store, against a local TLS server whose certificate comes from a test CA:
//! by default (Amazon Trust Services roots only) the connection is refused, and with `SSL_CERT_FILE`
//! naming the test CA the same signed request goes through.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_connect::config::{Credentials, Region};
use aws_smithy_types::retry::RetryConfig;
use connect_references::connect::SdkConnect;
use connect_references::error::ErrorKind;
use connect_references::query::{RawQuery, ReferenceQuery};
use connect_references::rate::RateLimit;
use connect_references::tls::{https_client, Roots};
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
    signed_requests: Arc<AtomicUsize>,
}

/// A TLS server for `localhost`, signed by a fresh test CA, that answers any request with an empty
/// ListContactReferences reply.
async fn tls_server() -> TestServer {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "connect-references test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
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
    let signed_requests = Arc::new(AtomicUsize::new(0));
    let (h, s) = (handshakes.clone(), signed_requests.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, h, s) = (acceptor.clone(), h.clone(), s.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                h.fetch_add(1, Ordering::SeqCst);
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
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
                let _ = tls.shutdown().await;
            });
        }
    });
    TestServer { port, ca_pem: ca_cert.pem(), handshakes, signed_requests }
}

fn connect_through(roots: Roots, port: u16) -> SdkConnect {
    let config = aws_sdk_connect::Config::builder()
        .behavior_version(connect_references::connect::behavior_version())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url(format!("https://localhost:{port}"))
        .http_client(https_client(roots).unwrap())
        .retry_config(RetryConfig::disabled())
        .build();
    SdkConnect::new(aws_sdk_connect::Client::from_conf(config))
}

fn policy(rate: &RateLimit) -> use_case::Policy<'_> {
    use_case::Policy { arn_scope: None, file_rate: rate, download_paths: false, inline_links: true }
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
    let server = tls_server().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let connect = connect_through(Roots::AmazonTrustServices, server.port);
    let error = use_case::list(&connect, &query(), policy(&RateLimit::default()), deadline).await.0.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Upstream);
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 0, "no handshake completed");
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[tokio::test]
async fn the_platform_roots_named_by_ssl_cert_file_are_trusted_instead() {
    let server = tls_server().await;
    let ca_file = std::env::temp_dir().join(format!("connect-references-test-ca-{}.pem", server.port));
    std::fs::write(&ca_file, &server.ca_pem).unwrap();
    // This test binary's only use of the variable; the SDK reads it when it first loads platform roots.
    std::env::set_var("SSL_CERT_FILE", &ca_file);
    let roots = Roots::from_env();
    assert_eq!(roots, Roots::Platform);
    let deadline = Instant::now() + Duration::from_secs(10);
    let connect = connect_through(roots, server.port);
    let page = use_case::list(&connect, &query(), policy(&RateLimit::default()), deadline).await.0.unwrap();
    assert!(page.references.is_empty());
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 1);
    assert_eq!(server.signed_requests.load(Ordering::SeqCst), 1, "the signed request went over TLS");
    let _ = std::fs::remove_file(ca_file);
}
