//! An attached file in Connect's terms (domain): its id (from an ATTACHMENT reference's ARN), the
//! contact ARN `GetAttachedFile` opens it for, a link's lifetime and whether a caller asked for links
//! (`include=downloadUrl`, `urlExpiry`), and what its status means when Connect gives no link. The
//! download route's own request lives in `download_request`, one layer up.

use crate::domain::arn::Arn;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::reference::ReferenceStatus;

/// The one value `include` knows today; the parameter is a list so that more can come.
pub(crate) const DOWNLOAD_URL: &str = "downloadUrl";
/// How long a link stays valid when the caller does not say: Connect's range is 5..=300 seconds.
pub(crate) const DEFAULT_URL_EXPIRY_SECONDS: u16 = 60;
const URL_EXPIRY_RANGE: std::ops::RangeInclusive<u16> = 5..=300;
/// How long a caller should wait before asking again for a file that is not ready.
pub(crate) const RETRY_NOT_READY_SECONDS: u32 = 5;

/// A validated link lifetime, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlExpiry(u16);

impl UrlExpiry {
    pub(crate) fn seconds(self) -> u16 {
        self.0
    }

    /// `urlExpiry`: absent is [`DEFAULT_URL_EXPIRY_SECONDS`]; otherwise 5..300 seconds.
    pub(crate) fn parse(raw: Option<&str>) -> Result<UrlExpiry, Error> {
        let Some(raw) = raw else {
            return Ok(UrlExpiry(DEFAULT_URL_EXPIRY_SECONDS));
        };
        raw.trim().parse::<u16>().ok().filter(|s| URL_EXPIRY_RANGE.contains(s)).map(UrlExpiry).ok_or_else(|| {
            Error::validation(format!(
                "urlExpiry {} must be a number of seconds from 5 to 300",
                crate::domain::error::quote(raw)
            ))
        })
    }
}

/// Reads `include` (items may hold comma-separated values) and `urlExpiry`: `Some` when the caller asked
/// for download links. An unknown `include` value, an expiry outside 5..300, or an expiry without
/// `include=downloadUrl` is a validation error naming it.
pub(crate) fn parse_download_links<'a>(
    include: Option<impl IntoIterator<Item = &'a str>>,
    url_expiry: Option<&str>,
) -> Result<Option<UrlExpiry>, Error> {
    let mut wanted = false;
    for value in include.into_iter().flatten().flat_map(|item| item.split(',')).map(str::trim) {
        if value.eq_ignore_ascii_case(DOWNLOAD_URL) {
            wanted = true;
        } else {
            return Err(Error::validation(format!(
                "include {} is not known; the only value is {DOWNLOAD_URL}",
                crate::domain::error::quote(value)
            )));
        }
    }
    let expiry = UrlExpiry::parse(url_expiry)?;
    match (wanted, url_expiry) {
        (true, _) => Ok(Some(expiry)),
        (false, Some(_)) => Err(Error::validation(format!("urlExpiry needs include={DOWNLOAD_URL}"))),
        (false, None) => Ok(None),
    }
}

/// The partition, region and account of ARNs in this deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnScope {
    pub partition: String,
    pub region: String,
    pub account: String,
}

impl ArnScope {
    /// From any ARN with a partition, region and 12-digit account (an instance's, the function's).
    pub(crate) fn of(arn: &str) -> Option<ArnScope> {
        let arn = Arn::parse(arn)?;
        Some(ArnScope { partition: arn.partition.into(), region: arn.region.into(), account: arn.account.into() })
    }

    /// `arn:<partition>:connect:<region>:<account>:instance/<instance>/contact/<contact>`: the resource
    /// `GetAttachedFile` wants as the file's associated resource.
    pub(crate) fn contact_arn(&self, instance_id: &str, contact_id: &str) -> String {
        format!(
            "arn:{}:connect:{}:{}:instance/{instance_id}/contact/{contact_id}",
            self.partition, self.region, self.account
        )
    }
}

/// The file id of an attached file of this instance (`…:connect:…:instance/<instance_id>/file/<fileId>`),
/// or `None` for any other ARN.
pub(crate) fn file_id<'a>(arn: &'a str, instance_id: &str) -> Option<&'a str> {
    let resource = Arn::parse(arn)?.connect_instance_resource()?;
    let file = resource.strip_prefix(instance_id)?.strip_prefix("/file/")?;
    (!file.is_empty() && !file.contains('/')).then_some(file)
}

/// What a file's status means to the caller when Connect gave no download link: not ready yet, never,
/// or (no status at all) an unknown file.
pub(crate) fn unopened(status: Option<&ReferenceStatus>) -> ErrorKind {
    match status {
        Some(ReferenceStatus::Processing | ReferenceStatus::Drafting) => ErrorKind::FileNotReady,
        Some(_) => ErrorKind::FileUnavailable,
        None => ErrorKind::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn no_include_means_no_links_and_an_expiry_alone_is_refused() {
        assert_eq!(parse_download_links(None::<Vec<&str>>, None).unwrap(), None);
        let error = parse_download_links(None::<Vec<&str>>, Some("60")).unwrap_err();
        assert_eq!(error.message, "urlExpiry needs include=downloadUrl");
    }

    #[test]
    fn include_is_a_list_and_unknown_values_are_named() {
        let links = parse_download_links(Some(["downloadUrl"]), None).unwrap();
        assert_eq!(links.map(UrlExpiry::seconds), Some(DEFAULT_URL_EXPIRY_SECONDS));
        assert!(parse_download_links(Some(["downloadurl,downloadUrl"]), None).unwrap().is_some());
        let error = parse_download_links(Some(["downloadUrl,thumbnail"]), None).unwrap_err();
        assert!(error.message.starts_with("include \"thumbnail\" is not known"), "{}", error.message);
        assert!(parse_download_links(Some([""]), None).is_err());
    }

    #[test]
    fn url_expiry_is_5_to_300_seconds() {
        for (raw, ok) in
            [("5", true), ("300", true), ("60", true), ("4", false), ("301", false), ("1e2", false), ("-5", false)]
        {
            let parsed = parse_download_links(Some([DOWNLOAD_URL]), Some(raw));
            assert_eq!(parsed.is_ok(), ok, "{raw}");
            if ok {
                assert_eq!(parsed.unwrap().unwrap().seconds().to_string(), raw);
            }
        }
    }

    #[test]
    fn only_a_file_arn_of_this_instance_has_a_file_id() {
        let arn = |resource: &str| format!("arn:aws:connect:eu-west-2:123456789012:instance/{resource}");
        assert_eq!(file_id(&arn(&format!("{ID}/file/f-1")), ID), Some("f-1"));
        assert_eq!(file_id(&arn(&format!("{ID}/contact/c-1")), ID), None);
        assert_eq!(file_id(&arn("99999999-8888-7777-6666-555555555555/file/f-1"), ID), None);
        assert_eq!(file_id(&arn(&format!("{ID}/file/")), ID), None);
        assert_eq!(file_id(&format!("arn:aws:s3:eu-west-2:123456789012:instance/{ID}/file/f-1"), ID), None);
        assert_eq!(file_id("https://files.example.com/scan.pdf", ID), None);
    }

    #[test]
    fn the_contact_arn_takes_partition_region_and_account_from_the_scope() {
        let scope = ArnScope::of("arn:aws-cn:lambda:cn-north-1:123456789012:function:refs").unwrap();
        assert_eq!(
            scope.contact_arn(ID, "c-1"),
            format!("arn:aws-cn:connect:cn-north-1:123456789012:instance/{ID}/contact/c-1")
        );
        assert_eq!(ArnScope::of("arn:aws:lambda:us-east-1:12345:function:x"), None);
        assert_eq!(ArnScope::of(""), None);
    }

    #[test]
    fn a_file_without_a_link_is_not_ready_unavailable_or_unknown() {
        assert_eq!(unopened(Some(&ReferenceStatus::Processing)), ErrorKind::FileNotReady);
        assert_eq!(unopened(Some(&ReferenceStatus::Drafting)), ErrorKind::FileNotReady);
        for never in [ReferenceStatus::Rejected, ReferenceStatus::Failed, ReferenceStatus::Deleted] {
            assert_eq!(unopened(Some(&never)), ErrorKind::FileUnavailable);
        }
        assert_eq!(unopened(None), ErrorKind::NotFound);
    }
}
