//! The download route's request (domain): its path (and so each attachment's `downloadPath` in a list
//! answer) and its parameters, parsed into a complete [`DownloadQuery`]. What a file *is* in Connect's
//! terms (its id, its contact's ARN, a link's lifetime, its status) lives in [`crate::domain::attached_file`].

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::attached_file::UrlExpiry;
use crate::domain::connect_id::check_contact_or_file_id;
use crate::domain::error::{quote, Error};
use crate::domain::query::{parse_contact_id, parse_instance_id};

/// The route's fixed segments: `/contact/attachments/{InstanceId}/{ContactId}/{FileId}`, a path of its
/// own (not under `/contact/references/`), so that an IAM policy allowing the list route's ARN with a
/// trailing `*` does not also allow downloads.
pub(crate) const DOWNLOAD_ROUTE_PREFIX: [&str; 2] = ["contact", "attachments"];
pub(crate) const DOWNLOAD_ROUTE: &str = "/contact/attachments/{InstanceId}/{ContactId}/{FileId}";

/// Characters kept as they are in a path segment: RFC 3986's unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How the browser should treat the file: show it (`inline`, e.g. a PDF or an image) or save it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Disposition {
    Inline,
    #[default]
    Attachment,
}

impl Disposition {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Disposition, Error> {
        match raw.map(str::trim) {
            None => Ok(Disposition::Attachment),
            Some(value) if value.eq_ignore_ascii_case("inline") => Ok(Disposition::Inline),
            Some(value) if value.eq_ignore_ascii_case("attachment") => Ok(Disposition::Attachment),
            Some(value) => Err(Error::validation(format!("disposition {} must be inline or attachment", quote(value)))),
        }
    }

    /// Connect's `UrlContentDisposition` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Disposition::Inline => "INLINE",
            Disposition::Attachment => "ATTACHMENT",
        }
    }
}

/// What the download route's caller gave, still unchecked and already percent-decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RawDownload<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) contact_id: &'a str,
    pub(crate) file_id: &'a str,
    pub(crate) url_expiry: Option<&'a str>,
    pub(crate) disposition: Option<&'a str>,
}

/// A request to open one file, complete when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DownloadQuery {
    pub(crate) instance_id: String,
    /// The contact the file belongs to (whose references listed it).
    pub(crate) contact_id: String,
    pub(crate) file_id: String,
    pub(crate) expiry: UrlExpiry,
    pub(crate) disposition: Disposition,
}

impl DownloadQuery {
    pub(crate) fn parse(raw: RawDownload<'_>) -> Result<Self, Error> {
        Ok(DownloadQuery {
            instance_id: parse_instance_id(raw.instance_id)?,
            contact_id: parse_contact_id(raw.contact_id)?,
            file_id: parse_file_id(raw.file_id)?,
            expiry: UrlExpiry::parse(raw.url_expiry)?,
            disposition: Disposition::parse(raw.disposition)?,
        })
    }
}

pub(crate) fn parse_file_id(raw: &str) -> Result<String, Error> {
    check_contact_or_file_id("FileId", raw)?;
    Ok(raw.to_owned())
}

/// The download route's path for one file, relative to the API's base, each id percent-encoded.
pub(crate) fn download_path(instance_id: &str, contact_id: &str, file_id: &str) -> String {
    let [contact, attachments] = DOWNLOAD_ROUTE_PREFIX;
    let encode = |id| utf8_percent_encode(id, SEGMENT);
    format!("/{contact}/{attachments}/{}/{}/{}", encode(instance_id), encode(contact_id), encode(file_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorKind;

    const ID: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn a_download_is_complete_when_parsed_with_its_defaults() {
        let raw = RawDownload { instance_id: ID, contact_id: "c-1", file_id: "f-1", ..RawDownload::default() };
        let query = DownloadQuery::parse(raw).unwrap();
        assert_eq!((query.expiry.seconds(), query.disposition), (60, Disposition::Attachment));
        let inline = DownloadQuery::parse(RawDownload { url_expiry: Some("300"), disposition: Some("INLINE"), ..raw });
        assert_eq!(inline.unwrap().disposition.as_str(), "INLINE");
        for bad in [
            RawDownload { file_id: "", ..raw },
            RawDownload { file_id: &"f".repeat(257), ..raw },
            RawDownload { url_expiry: Some("301"), ..raw },
            RawDownload { disposition: Some("download"), ..raw },
            RawDownload { instance_id: "a/b", ..raw },
        ] {
            assert_eq!(DownloadQuery::parse(bad).unwrap_err().kind, ErrorKind::Validation, "{bad:?}");
        }
    }

    #[test]
    fn the_download_path_percent_encodes_each_id() {
        assert_eq!(download_path(ID, "c-1", "f-1"), format!("/contact/attachments/{ID}/c-1/f-1"));
        assert_eq!(
            download_path("i", "100%-contact", "a b/c?d"),
            "/contact/attachments/i/100%25-contact/a%20b%2Fc%3Fd"
        );
    }
}
