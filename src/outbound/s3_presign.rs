//! S3 pre-signed `GetObject` URLs for recordings, made with AWS's own SigV4 signer (`aws-sigv4`, the
//! crate the SDK signs every request with) and the credentials of the SDK's provider chain: the same
//! chain, and so the same role, as the Connect client. No request is sent: S3 is only ever reached by the
//! caller following the link.
//!
//! The URL: query-string SigV4 for service `s3`, `UNSIGNED-PAYLOAD`, `X-Amz-Expires`, the session token
//! signed in (`X-Amz-Security-Token`), and S3's `response-content-disposition` / `response-content-type`
//! overrides signed with it so that a caller cannot change them. The endpoint follows the SDK's
//! `AWS_ENDPOINT_URL_S3` (else `AWS_ENDPOINT_URL`) with path-style addressing
//! (`<endpoint>/<bucket>/<key>`), so tests point it at a local S3; otherwise virtual-hosted
//! `https://<bucket>.s3.<region>.amazonaws.com/<key>` (path-style on the regional endpoint for a bucket
//! with a dot, which no wildcard certificate covers).
//!
//! A link's real lifetime: a pre-signed URL is valid until the earlier of `X-Amz-Expires` and the expiry
//! of the credentials that signed it. In Lambda those are the function role's temporary credentials,
//! which Lambda renews hours before they expire, so a link of at most 300 s outlives them only if it is
//! signed in the last minutes of a session: S3 then refuses it early (`ExpiredToken`), never late.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::date_time::{DateTime, Format};
use futures_util::future::BoxFuture;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::config::SettingError;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::recording::S3Object;
use crate::use_case::recordings::{PresignRecording, PresignRequest, SignedLink};

/// S3's URI encoding of a query value: every byte but the unreserved ones.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// S3's URI encoding of an object key in the path: the same, keeping `/`. Encoded once; S3 does not
/// normalise the path, and neither does the signature ([`UriPathNormalizationMode::Disabled`]).
const KEY: &AsciiSet = &UNRESERVED.remove(b'/');

/// A base URL S3 is reached at instead of AWS's (`AWS_ENDPOINT_URL_S3`): `http(s)://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(String);

impl Endpoint {
    /// `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, as the SDK reads them; a value that is not a bare
    /// `http(s)://host[:port]` stops start-up.
    pub fn from_settings(s3: Option<&str>, global: Option<&str>) -> Result<Option<Endpoint>, SettingError> {
        let (variable, value) = match (s3.map(str::trim).filter(|v| !v.is_empty()), global) {
            (Some(value), _) => ("AWS_ENDPOINT_URL_S3", value),
            (None, Some(value)) if !value.trim().is_empty() => ("AWS_ENDPOINT_URL", value.trim()),
            _ => return Ok(None),
        };
        let value = value.trim_end_matches('/');
        let authority = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
        match authority {
            Some(authority)
                if !authority.is_empty()
                    && authority.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)) =>
            {
                Ok(Some(Endpoint(value.to_owned())))
            }
            _ => Err(SettingError::new(variable, "must be http(s)://host[:port], without a path or a query")),
        }
    }
}

/// Where an object is fetched: the URL's scheme and authority, and its path, already encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectUrl {
    pub(crate) origin: String,
    pub(crate) path: String,
}

impl ObjectUrl {
    /// The object's URL on `endpoint` (path-style), else on AWS's regional S3 endpoint.
    pub(crate) fn of(endpoint: Option<&Endpoint>, region: &str, object: &S3Object) -> ObjectUrl {
        let key = utf8_percent_encode(&object.key, KEY);
        let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
        match endpoint {
            Some(Endpoint(origin)) => ObjectUrl { origin: origin.clone(), path: format!("/{}/{key}", object.bucket) },
            None if object.bucket.contains('.') => {
                ObjectUrl { origin: format!("https://s3.{region}.{suffix}"), path: format!("/{}/{key}", object.bucket) }
            }
            None => {
                ObjectUrl { origin: format!("https://{}.s3.{region}.{suffix}", object.bucket), path: format!("/{key}") }
            }
        }
    }
}

/// Signs a `GET` of `url` with `overrides` (S3's `response-*` parameters) for `expires` from `time`:
/// the pre-signed URL. A pure function of its arguments, which the published example pins.
pub(crate) fn presign_get(
    url: &ObjectUrl,
    overrides: &[(&str, &str)],
    credentials: &Credentials,
    region: &str,
    expires: Duration,
    time: SystemTime,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut unsigned = format!("{}{}", url.origin, url.path);
    for (index, (name, value)) in overrides.iter().enumerate() {
        let separator = if index == 0 { '?' } else { '&' };
        unsigned.push_str(&format!("{separator}{name}={}", utf8_percent_encode(value, UNRESERVED)));
    }
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires);
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    settings.session_token_mode = SessionTokenMode::Include;
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(time)
        .settings(settings)
        .build()?;
    let request = SignableRequest::new("GET", unsigned.as_str(), std::iter::empty(), SignableBody::UnsignedPayload)?;
    let (instructions, _signature) = sign(request, &params.into())?.into_parts();
    let mut signed = unsigned;
    for (name, value) in instructions.params() {
        let separator = if signed.contains('?') { '&' } else { '?' };
        signed.push_str(&format!("{separator}{name}={}", utf8_percent_encode(value, UNRESERVED)));
    }
    Ok(signed)
}

/// The function's signer: the SDK's credentials provider and region, and the S3 endpoint.
#[derive(Debug, Clone)]
pub struct S3Presigner {
    credentials: SharedCredentialsProvider,
    region: String,
    endpoint: Option<Endpoint>,
}

impl S3Presigner {
    pub fn new(credentials: SharedCredentialsProvider, region: impl Into<String>, endpoint: Option<Endpoint>) -> Self {
        S3Presigner { credentials, region: region.into(), endpoint }
    }
}

impl PresignRecording for S3Presigner {
    fn presign<'a>(&'a self, request: PresignRequest<'a>) -> BoxFuture<'a, Result<SignedLink, Error>> {
        Box::pin(async move {
            let credentials = self.credentials.provide_credentials().await.map_err(|error| {
                tracing::warn!(error_code = ErrorKind::Internal.code(), %error, "no credentials to sign a recording's link");
                Error::new(ErrorKind::Internal, "the function has no credentials to sign the recording's link")
            })?;
            let mut overrides = vec![("response-content-disposition", request.playback.content_disposition)];
            if let Some(content_type) = request.playback.content_type {
                overrides.push(("response-content-type", content_type));
            }
            let now = SystemTime::now();
            let expires = Duration::from_secs(request.expiry.seconds().into());
            let url = ObjectUrl::of(self.endpoint.as_ref(), &self.region, request.object);
            let signed = presign_get(&url, &overrides, &credentials, &self.region, expires, now).map_err(|error| {
                tracing::warn!(error_code = ErrorKind::Internal.code(), %error, "a recording's link could not be signed");
                Error::new(ErrorKind::Internal, "the recording's link could not be signed")
            })?;
            let expires_at = DateTime::from(now + expires).fmt(Format::DateTime).unwrap_or_default();
            Ok(SignedLink { url: signed, expires_at })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's published example of a pre-signed URL (Amazon S3 API reference, "Authenticating Requests:
    /// Using Query Parameters (AWS Signature Version 4)"): `GET /test.txt` of `examplebucket`, signed on
    /// 2013-05-24 at 00:00:00 UTC for 86400 s in us-east-1.
    #[test]
    fn the_signature_is_aws_published_example() {
        let credentials =
            Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None, None, "example");
        let url = ObjectUrl { origin: "https://examplebucket.s3.amazonaws.com".into(), path: "/test.txt".into() };
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let signed = presign_get(&url, &[], &credentials, "us-east-1", Duration::from_secs(86_400), time).unwrap();
        assert_eq!(
            signed,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn the_session_token_and_the_overrides_are_signed_in() {
        let credentials = Credentials::new("ASIAEXAMPLE", "secret", Some("token/with+chars=".into()), None, "t");
        let url = ObjectUrl { origin: "http://127.0.0.1:4569".into(), path: "/b/k.wav".into() };
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_887_600);
        let overrides = [("response-content-disposition", "inline"), ("response-content-type", "audio/wav")];
        let signed = presign_get(&url, &overrides, &credentials, "us-east-1", Duration::from_secs(60), time).unwrap();
        assert!(
            signed.starts_with(
                "http://127.0.0.1:4569/b/k.wav?response-content-disposition=inline&response-content-type=audio%2Fwav&"
            ),
            "{signed}"
        );
        assert!(signed.contains("&X-Amz-Security-Token=token%2Fwith%2Bchars%3D"), "{signed}");
        assert!(signed.contains("&X-Amz-Expires=60&"), "{signed}");
        let other =
            presign_get(&url, &overrides[..1], &credentials, "us-east-1", Duration::from_secs(60), time).unwrap();
        let signature = |url: &str| url.rsplit_once("X-Amz-Signature=").unwrap().1.to_owned();
        assert_ne!(signature(&signed), signature(&other), "an override is part of what is signed");
    }

    #[test]
    fn keys_are_encoded_once_keeping_slashes_and_the_endpoint_is_path_style() {
        let object =
            S3Object { bucket: "connect-recordings-local".into(), key: "c/Call Recordings/a_17:40+UTC.wav".into() };
        let local = Endpoint::from_settings(Some("http://127.0.0.1:4569/"), None).unwrap();
        assert_eq!(
            ObjectUrl::of(local.as_ref(), "us-east-1", &object),
            ObjectUrl {
                origin: "http://127.0.0.1:4569".into(),
                path: "/connect-recordings-local/c/Call%20Recordings/a_17%3A40%2BUTC.wav".into()
            }
        );
        assert_eq!(
            ObjectUrl::of(None, "eu-west-2", &object).origin,
            "https://connect-recordings-local.s3.eu-west-2.amazonaws.com"
        );
        let dotted = S3Object { bucket: "my.bucket".into(), key: "k".into() };
        assert_eq!(
            ObjectUrl::of(None, "cn-north-1", &dotted),
            ObjectUrl { origin: "https://s3.cn-north-1.amazonaws.com.cn".into(), path: "/my.bucket/k".into() }
        );
    }

    #[test]
    fn the_endpoint_is_s3s_own_else_the_global_one_and_nothing_but_an_origin() {
        assert_eq!(Endpoint::from_settings(None, None).unwrap(), None);
        assert_eq!(Endpoint::from_settings(Some(""), Some("http://g:1")).unwrap(), Some(Endpoint("http://g:1".into())));
        assert_eq!(
            Endpoint::from_settings(Some("https://s"), Some("http://g")).unwrap(),
            Some(Endpoint("https://s".into()))
        );
        for bad in ["ftp://x", "http://", "http://x/path", "http://x?q", "127.0.0.1:4569"] {
            assert_eq!(Endpoint::from_settings(Some(bad), None).unwrap_err().variable, "AWS_ENDPOINT_URL_S3", "{bad}");
        }
    }
}
