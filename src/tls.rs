//! Start-up cost of TLS trust roots.
//!
//! The SDK's HTTPS client loads the platform's root certificates while the client is built, from
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` when set, otherwise from every place `openssl-probe` finds: on
//! Amazon Linux 2023 and Debian that is the bundle file *and* a directory holding the same roots
//! again (one file each on Debian), so every root is read and parsed twice or more. Measured under
//! the emulator (README, Performance) that was 5–6 ms of a 16 ms cold start. Pointing `SSL_CERT_FILE`
//! at the system bundle loads the same roots once.

use std::path::{Path, PathBuf};

/// System CA bundles, most specific first: Amazon Linux (the Lambda runtime), then Debian/Ubuntu.
pub const SYSTEM_BUNDLES: [&str; 2] = ["/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"];

/// The bundle to load, unless the operator already chose where roots come from.
pub fn bundle_to_use(cert_file: Option<&str>, cert_dir: Option<&str>, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    if cert_file.is_some() || cert_dir.is_some() {
        return None;
    }
    SYSTEM_BUNDLES.iter().map(PathBuf::from).find(|path| exists(path))
}

/// Sets `SSL_CERT_FILE` to the system bundle when nothing chose otherwise. Call at the very start of
/// `main`, before any other thread exists.
pub fn load_roots_once() {
    let file = std::env::var("SSL_CERT_FILE").ok();
    let dir = std::env::var("SSL_CERT_DIR").ok();
    if let Some(bundle) = bundle_to_use(file.as_deref(), dir.as_deref(), Path::is_file) {
        std::env::set_var("SSL_CERT_FILE", bundle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_amazon_linux_bundle_is_preferred() {
        let chosen = bundle_to_use(None, None, |_| true);
        assert_eq!(chosen.as_deref(), Some(Path::new("/etc/pki/tls/certs/ca-bundle.crt")));
    }

    #[test]
    fn the_debian_bundle_is_used_where_it_is_the_one_there() {
        let chosen = bundle_to_use(None, None, |p| p.starts_with("/etc/ssl"));
        assert_eq!(chosen.as_deref(), Some(Path::new("/etc/ssl/certs/ca-certificates.crt")));
    }

    #[test]
    fn an_operators_choice_is_kept() {
        assert_eq!(bundle_to_use(Some("/x.pem"), None, |_| true), None);
        assert_eq!(bundle_to_use(None, Some("/certs"), |_| true), None);
    }

    #[test]
    fn without_a_known_bundle_nothing_changes() {
        assert_eq!(bundle_to_use(None, None, |_| false), None);
    }
}
