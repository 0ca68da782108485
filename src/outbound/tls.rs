//! Which root certificates the HTTPS client to Connect trusts, chosen for start-up cost and for safety.
//!
//! Every AWS endpoint, Connect's included, presents a certificate from Amazon Trust Services, which
//! chains to Amazon Root CA 1–4 or to Starfield Services Root CA – G2. By default the client trusts
//! exactly those five roots (`certs/amazon-trust-services.pem`, copied from the system's CA bundle):
//! no other public CA can impersonate Connect, and start-up parses five certificates instead of the
//! platform's 150 (twice: the SDK's default loads the bundle file *and* the certificate directory).
//! Measured under the emulator that was most of the cold start's distance from the floor
//! (docs/performance.md). An operator who sets `SSL_CERT_FILE` or `SSL_CERT_DIR` gets the platform's roots
//! from there instead, e.g. for a TLS-inspecting proxy.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::domain::error::Error;

/// Amazon Root CA 1–4 and Starfield Services Root Certificate Authority – G2, in PEM.
pub(crate) const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("../../certs/amazon-trust-services.pem");

/// Where trusted roots come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// The five roots that sign every AWS endpoint.
    AmazonTrustServices,
    /// The platform's roots, from `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    Platform,
}

impl Roots {
    /// The operator's choice wins: setting either variable means "trust the platform's roots".
    pub(crate) fn from_settings(cert_file: Option<&str>, cert_dir: Option<&str>) -> Roots {
        if cert_file.is_some() || cert_dir.is_some() {
            Roots::Platform
        } else {
            Roots::AmazonTrustServices
        }
    }

    pub fn from_env() -> Roots {
        Roots::from_settings(
            std::env::var("SSL_CERT_FILE").ok().as_deref(),
            std::env::var("SSL_CERT_DIR").ok().as_deref(),
        )
    }

    fn trust_store(self) -> TrustStore {
        match self {
            Roots::AmazonTrustServices => TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS),
            Roots::Platform => TrustStore::default(),
        }
    }
}

/// Seeds aws-lc's random generator now, during init, which Lambda runs at full speed, instead of in
/// the first invocation's TLS handshake, which runs at the function's share of a CPU. With aws-lc's
/// jitter entropy (a build without `.cargo/config.toml`'s setting) that was about 50 ms of CPU, 700 ms
/// of wall time at 128 MB; without it, the seeding still moves the first draw's work out of the first
/// invocation (measured with `bench/lambda_cpu.py`: docs/performance.md).
pub fn seed_random_generator() {
    let mut seed_probe = [0u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut seed_probe);
}

/// Whether the first call to Connect will shake hands over TLS, given `AWS_ENDPOINT_URL_CONNECT` (or
/// `AWS_ENDPOINT_URL`): always in AWS (no override, or an `https` one); not with a plain-HTTP local
/// stand-in, where seeding would only slow the cold start down.
pub fn connect_uses_tls(endpoint_override: Option<&str>) -> bool {
    endpoint_override.is_none_or(|url| !url.trim_start().to_ascii_lowercase().starts_with("http://"))
}

/// The SDK's own HTTPS client (hyper, rustls with aws-lc-rs), trusting `roots`.
pub fn https_client(roots: Roots) -> Result<SharedHttpClient, Error> {
    let context = TlsContext::builder()
        .with_trust_store(roots.trust_store())
        .build()
        .map_err(|_| Error::new(crate::domain::error::ErrorKind::Internal, "the TLS trust store could not be built"))?;
    Ok(Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).tls_context(context).build_https())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_http_endpoint_skips_the_tls_handshake() {
        assert!(connect_uses_tls(None), "AWS's own endpoint is HTTPS");
        assert!(connect_uses_tls(Some("https://vpce-1.connect.us-east-1.vpce.amazonaws.com")));
        assert!(!connect_uses_tls(Some("http://127.0.0.1:4566")));
        assert!(!connect_uses_tls(Some("HTTP://connect-local:4566")));
    }
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    fn certificates() -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS.as_bytes()).collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn the_shipped_roots_are_the_five_amazon_trust_services_roots() {
        let certificates = certificates();
        assert_eq!(certificates.len(), 5);
        let names =
            ["Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4", "Starfield Services Root"];
        for (certificate, name) in certificates.iter().zip(names) {
            let der = certificate.as_ref();
            assert!(der.windows(name.len()).any(|w| w == name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn the_shipped_roots_are_valid_trust_anchors() {
        let mut store = rustls::RootCertStore::empty();
        let (added, rejected) = store.add_parsable_certificates(certificates());
        assert_eq!((added, rejected), (5, 0));
    }

    #[test]
    fn an_operators_certificate_settings_switch_to_the_platforms_roots() {
        assert_eq!(Roots::from_settings(None, None), Roots::AmazonTrustServices);
        assert_eq!(Roots::from_settings(Some("/etc/pki/tls/certs/ca-bundle.crt"), None), Roots::Platform);
        assert_eq!(Roots::from_settings(None, Some("/etc/ssl/certs")), Roots::Platform);
    }

    #[test]
    fn both_trust_stores_build_a_client() {
        assert!(https_client(Roots::AmazonTrustServices).is_ok());
        assert!(https_client(Roots::Platform).is_ok());
    }
}
