//! A contact's recordings (domain): what `DescribeContact` says of each one, the id a caller opens it
//! by, the deployment's recordings store (bucket and prefix) and the one rule of what may be signed,
//! the recordings routes' requests and paths, and how a browser is told to play or save one. Nothing
//! here knows the SDK or S3's wire: the SDK adapter makes [`Recording`]s, the S3 signer signs an
//! [`S3Object`] this module admitted.

use aws_lc_rs::digest;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::domain::attached_file::UrlExpiry;
use crate::domain::config::SettingError;
use crate::domain::download_request::Disposition;
use crate::domain::error::{quote, Error, ErrorKind};
use crate::domain::query::{parse_contact_id, parse_instance_id};

/// The routes' fixed segments: `/contact/recordings/{InstanceId}/{ContactId}[/{RecordingId}]`, a path of
/// their own, so that a permission on the list or download route never reaches a recording.
pub(crate) const RECORDINGS_ROUTE_PREFIX: [&str; 2] = ["contact", "recordings"];
pub(crate) const RECORDINGS_ROUTE: &str = "/contact/recordings/{InstanceId}/{ContactId}";
pub(crate) const RECORDING_ROUTE: &str = "/contact/recordings/{InstanceId}/{ContactId}/{RecordingId}";

/// A recording id: this many lowercase hexadecimal characters (128 bits of SHA-256).
pub(crate) const RECORDING_ID_LEN: usize = 32;
/// Names the id scheme inside the hash, so that a later scheme never collides with this one.
const ID_SCHEME: &[u8] = b"connect-references recording id v1";

/// Characters kept as they are in a path segment: RFC 3986's unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Connect's `RecordingStatus` for a recording that can be opened.
pub(crate) const AVAILABLE: &str = "AVAILABLE";
/// Connect's `RecordingStatus` for a recording someone deleted (its `DeletionReason` says why).
pub(crate) const DELETED: &str = "DELETED";
/// Connect's `StorageType` for a recording kept as an S3 object (`Location` is `bucket/key`).
pub(crate) const S3: &str = "S3";

/// One of a contact's recordings, as `DescribeContact`'s `RecordingInfo` describes it. Connect's
/// enumerations are kept as Connect spells them (a value newer than the SDK keeps its name); the
/// timestamps are ISO 8601 in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recording {
    /// `S3`, `KINESIS_VIDEO_STREAM`, `KINESIS_STREAM`, `KINESIS_FIREHOSE`.
    pub storage_type: Option<String>,
    /// For S3, `bucket/key` (no `s3://`); for Kinesis, the stream's ARN. Never shown to callers.
    pub location: Option<String>,
    /// `AUDIO` or `VIDEO` (a screen recording).
    pub media_stream_type: Option<String>,
    /// `ALL`, `AGENT`, `CUSTOMER`, `MANAGER`, `THIRDPARTY`, `SUPERVISOR`.
    pub participant_type: Option<String>,
    pub fragment_start_number: Option<String>,
    pub fragment_stop_number: Option<String>,
    pub start_timestamp: Option<String>,
    pub stop_timestamp: Option<String>,
    /// `AVAILABLE` or `DELETED`.
    pub status: Option<String>,
    pub deletion_reason: Option<String>,
}

impl Recording {
    /// The recording's id within its contact: stable (the same recording gets the same id from every
    /// `DescribeContact`, whatever its status), opaque (a hash, not a location a caller could edit: an id
    /// only ever selects one of the recordings Connect lists for that contact, re-read at every open),
    /// and bound to the instance and contact. SHA-256 over the scheme's name and each identifying
    /// attribute, length-prefixed, truncated to 128 bits. Status and deletion reason are left out:
    /// deleting a recording does not change which one it is.
    pub(crate) fn id(&self, instance_id: &str, contact_id: &str) -> String {
        let mut context = digest::Context::new(&digest::SHA256);
        let fields = [
            Some(instance_id),
            Some(contact_id),
            self.storage_type.as_deref(),
            self.location.as_deref(),
            self.media_stream_type.as_deref(),
            self.participant_type.as_deref(),
            self.fragment_start_number.as_deref(),
            self.fragment_stop_number.as_deref(),
            self.start_timestamp.as_deref(),
        ];
        context.update(ID_SCHEME);
        for field in fields {
            // Absent and empty are told apart; the length prefix keeps field boundaries unambiguous.
            match field {
                None => context.update(&[0]),
                Some(value) => {
                    context.update(&[1]);
                    context.update(&(value.len() as u64).to_be_bytes());
                    context.update(value.as_bytes());
                }
            }
        }
        let hash = context.finish();
        hash.as_ref()[..RECORDING_ID_LEN / 2].iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }

    /// Whether a link may be made for it: an available S3 recording inside the deployment's store.
    /// `Err` is why not, with the code callers see.
    pub(crate) fn openable(&self, store: &RecordingStore) -> Result<S3Object, Error> {
        if self.is(&self.status, DELETED) {
            return Err(Error::new(
                ErrorKind::RecordingDeleted,
                "this recording was deleted (deletionReason in the recordings list says why)",
            ));
        }
        if !self.is(&self.status, AVAILABLE) {
            let status = self.status.as_deref().unwrap_or("none");
            return Err(Error::new(
                ErrorKind::FileUnavailable,
                format!("Amazon Connect reports this recording's status as {}, not AVAILABLE", quote(status)),
            ));
        }
        if !self.is(&self.storage_type, S3) {
            return Err(Error::new(
                ErrorKind::RecordingOutOfScope,
                "this recording is not stored in Amazon S3 (it is in a Kinesis stream): this function opens S3 recordings only",
            ));
        }
        store.admit(self.location.as_deref().unwrap_or_default())
    }
}

/// A recording as the recordings list shows it: never its location (bucket and key are the
/// deployment's business), with the download route's path where it can be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListedRecording {
    pub(crate) recording_id: String,
    pub(crate) storage_type: Option<String>,
    pub(crate) media_stream_type: Option<String>,
    pub(crate) participant_type: Option<String>,
    pub(crate) start_timestamp: Option<String>,
    pub(crate) stop_timestamp: Option<String>,
    pub(crate) status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deletion_reason: Option<String>,
    /// `GET` it to open the recording; present only where [`Recording::openable`] says it can be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) download_path: Option<String>,
}

impl ListedRecording {
    pub(crate) fn of(recording: &Recording, instance_id: &str, contact_id: &str, store: &RecordingStore) -> Self {
        let recording_id = recording.id(instance_id, contact_id);
        let download_path =
            recording.openable(store).ok().map(|_| recording_path(instance_id, contact_id, &recording_id));
        ListedRecording {
            recording_id,
            storage_type: recording.storage_type.clone(),
            media_stream_type: recording.media_stream_type.clone(),
            participant_type: recording.participant_type.clone(),
            start_timestamp: recording.start_timestamp.clone(),
            stop_timestamp: recording.stop_timestamp.clone(),
            status: recording.status.clone(),
            deletion_reason: recording.deletion_reason.clone(),
            download_path,
        }
    }
}

/// The opening route's path for one recording, relative to the API's base, each id percent-encoded.
pub(crate) fn recording_path(instance_id: &str, contact_id: &str, recording_id: &str) -> String {
    let [contact, recordings] = RECORDINGS_ROUTE_PREFIX;
    let encode = |id| utf8_percent_encode(id, SEGMENT);
    format!("/{contact}/{recordings}/{}/{}/{}", encode(instance_id), encode(contact_id), encode(recording_id))
}

/// An S3 object this deployment may sign a `GetObject` for: admitted by [`RecordingStore::admit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    pub(crate) bucket: String,
    pub(crate) key: String,
}

/// Where this deployment's recordings are (`RECORDINGS_BUCKET`, `RECORDINGS_PREFIX`): the only place a
/// link is ever signed for, whatever `DescribeContact` says. The function's role can read no more
/// (`s3:GetObject` on this bucket and prefix); this check keeps a recording elsewhere from even being
/// signed, so that no link is handed out that S3 would refuse, or that another role would honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingStore {
    bucket: String,
    /// Empty (the whole bucket) or whole folders, ending with `/`.
    prefix: String,
}

/// S3's longest key, in bytes.
const MAX_KEY_LEN: usize = 1024;

impl RecordingStore {
    /// `RECORDINGS_BUCKET` and `RECORDINGS_PREFIX`. Without a bucket, `None`: recordings are not
    /// configured (the recordings routes say so before any call). A prefix names whole folders:
    /// `connect/inst` and `connect/inst/` both admit `connect/inst/…` and never `connect/inst-other/…`.
    pub fn from_settings(bucket: Option<&str>, prefix: Option<&str>) -> Result<Option<Self>, SettingError> {
        let bucket = bucket.map(str::trim).filter(|b| !b.is_empty());
        let prefix = prefix.map(str::trim).filter(|p| !p.is_empty());
        let Some(bucket) = bucket else {
            return match prefix {
                None => Ok(None),
                Some(_) => Err(SettingError::new("RECORDINGS_PREFIX", "is set without RECORDINGS_BUCKET")),
            };
        };
        if !is_bucket_name(bucket) {
            return Err(SettingError::new(
                "RECORDINGS_BUCKET",
                "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, \
                 starting and ending with a letter or digit",
            ));
        }
        let prefix = match prefix {
            None => String::new(),
            Some(prefix) => {
                let folders = prefix.strip_suffix('/').unwrap_or(prefix);
                let refused = prefix.starts_with('/')
                    || prefix.len() >= MAX_KEY_LEN
                    || prefix.chars().any(char::is_control)
                    || folders.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..");
                if refused {
                    return Err(SettingError::new(
                        "RECORDINGS_PREFIX",
                        "must be a key prefix of whole folders (no leading '/', no empty, '.' or '..' folder)",
                    ));
                }
                format!("{folders}/")
            }
        };
        Ok(Some(RecordingStore { bucket: bucket.to_owned(), prefix }))
    }

    /// The tests read what a setting parsed to.
    #[cfg(test)]
    fn bucket(&self) -> &str {
        &self.bucket
    }

    #[cfg(test)]
    fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The one rule of what may be signed: an S3 location (`bucket/key`) whose bucket is exactly the
    /// store's, whose key starts with the store's prefix and holds no `.` or `..` segment (S3 does not
    /// resolve them, but a proxy or a client on the way might), and is not longer than S3 allows.
    pub(crate) fn admit(&self, location: &str) -> Result<S3Object, Error> {
        let outside = |why: &str| {
            Error::new(
                ErrorKind::RecordingOutOfScope,
                format!("this recording is stored {why}, outside this deployment's recordings bucket and prefix: it is never signed"),
            )
        };
        let Some((bucket, key)) = location.split_once('/') else {
            return Err(outside("at no S3 key"));
        };
        if bucket != self.bucket {
            return Err(outside("in another bucket"));
        }
        if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
            return Err(outside("at a key S3 cannot hold"));
        }
        if !key.starts_with(&self.prefix) {
            return Err(outside("under another prefix"));
        }
        if key.split('/').any(|segment| segment == "." || segment == "..") {
            return Err(outside("at a key with a '.' or '..' segment"));
        }
        Ok(S3Object { bucket: bucket.to_owned(), key: key.to_owned() })
    }
}

/// S3's rules for a (general purpose) bucket name.
fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !name.contains("..")
}

/// What S3 is asked to answer for a link: `response-content-disposition`, and for `inline` a
/// `response-content-type` the browser can play. Only media types, never one a browser renders as a
/// document, whatever the object's stored type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Playback {
    pub(crate) content_disposition: &'static str,
    pub(crate) content_type: Option<&'static str>,
}

impl Playback {
    /// `inline`: `audio/wav` for audio (Connect writes call recordings as WAV); for a screen recording,
    /// the type its key's extension names (`.webm`: `video/webm`, `.mp4`: `video/mp4`), because Connect
    /// documents no single video container and a wrong type stops the browser's player; an extension
    /// this list does not know gets `application/octet-stream`, which no browser renders. `attachment`:
    /// S3's stored type, saved rather than shown.
    pub(crate) fn of(disposition: Disposition, media_stream_type: Option<&str>, key: &str) -> Playback {
        match disposition {
            Disposition::Attachment => Playback { content_disposition: "attachment", content_type: None },
            Disposition::Inline => {
                Playback { content_disposition: "inline", content_type: Some(media_type(media_stream_type, key)) }
            }
        }
    }
}

fn media_type(media_stream_type: Option<&str>, key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match (media_stream_type, extension.as_str()) {
        (Some("AUDIO"), _) => "audio/wav",
        (Some("VIDEO"), "webm") => "video/webm",
        (Some("VIDEO"), "mp4") => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// What a recordings route's caller gave, still unchecked and already percent-decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RawRecording<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) contact_id: &'a str,
    /// Present for the opening route.
    pub(crate) recording_id: Option<&'a str>,
    pub(crate) url_expiry: Option<&'a str>,
    pub(crate) disposition: Option<&'a str>,
}

/// A request for a contact's recordings, complete when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordingsQuery {
    pub(crate) instance_id: String,
    pub(crate) contact_id: String,
}

/// A request to open one recording, complete when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordingQuery {
    pub(crate) instance_id: String,
    pub(crate) contact_id: String,
    pub(crate) recording_id: String,
    pub(crate) expiry: UrlExpiry,
    pub(crate) disposition: Disposition,
}

impl RecordingsQuery {
    /// The list takes no link parameters: those are the opening route's.
    pub(crate) fn parse(raw: RawRecording<'_>) -> Result<Self, Error> {
        if raw.url_expiry.is_some() || raw.disposition.is_some() {
            return Err(Error::validation(format!(
                "the recordings list makes no links (urlExpiry, disposition): open a recording with its downloadPath, GET {RECORDING_ROUTE}"
            )));
        }
        Ok(RecordingsQuery {
            instance_id: parse_instance_id(raw.instance_id)?,
            contact_id: parse_contact_id(raw.contact_id)?,
        })
    }
}

impl RecordingQuery {
    pub(crate) fn parse(raw: RawRecording<'_>) -> Result<Self, Error> {
        Ok(RecordingQuery {
            instance_id: parse_instance_id(raw.instance_id)?,
            contact_id: parse_contact_id(raw.contact_id)?,
            recording_id: parse_recording_id(raw.recording_id.unwrap_or_default())?,
            expiry: UrlExpiry::parse(raw.url_expiry)?,
            disposition: Disposition::parse(raw.disposition)?,
        })
    }
}

/// A recording id as [`Recording::id`] makes them; anything else names no recording.
pub(crate) fn parse_recording_id(raw: &str) -> Result<String, Error> {
    let valid = raw.len() == RECORDING_ID_LEN && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(Error::validation(format!(
            "RecordingId {} must be {RECORDING_ID_LEN} lowercase hexadecimal characters, as the recordings list gives it",
            quote(raw)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const CONTACT: &str = "c0ffee00-0000-4000-8000-00000000000c";
    const KEY: &str = "CallRecordings/2026/11/28/c0ffee00-0000-4000-8000-00000000000c_20261128T17:40_UTC.wav";

    /// The stand-in's store (connect-local/README.md): bucket `connect-recordings-local`, prefix
    /// `connect/local-instance/`.
    fn store() -> RecordingStore {
        RecordingStore::from_settings(Some("connect-recordings-local"), Some("connect/local-instance"))
            .unwrap()
            .unwrap()
    }

    fn s3(location: &str) -> Recording {
        Recording {
            storage_type: Some(S3.into()),
            location: Some(location.into()),
            media_stream_type: Some("AUDIO".into()),
            participant_type: Some("ALL".into()),
            start_timestamp: Some("2026-11-28T17:40:00.125Z".into()),
            stop_timestamp: Some("2026-11-28T17:43:01.5Z".into()),
            status: Some(AVAILABLE.into()),
            ..Recording::default()
        }
    }

    #[test]
    fn the_stand_ins_locations_inside_the_store_are_admitted_and_every_way_out_refused() {
        let store = store();
        let ours = format!("connect-recordings-local/connect/local-instance/{KEY}");
        assert_eq!(
            store.admit(&ours).unwrap(),
            S3Object { bucket: "connect-recordings-local".into(), key: format!("connect/local-instance/{KEY}") }
        );
        for refused in [
            format!("someone-elses-bucket/connect/local-instance/{KEY}"),
            format!("connect-recordings-local-copy/connect/local-instance/{KEY}"),
            format!("connect-recordings-local/connect/other-instance/{KEY}"),
            "connect-recordings-local/connect/local-instance/CallRecordings/../../other-instance/x.wav".into(),
            "connect-recordings-local/connect/local-instance/./x.wav".into(),
            "connect-recordings-local/connect/local-instance-other/x.wav".into(),
            "connect-recordings-local/".into(),
            "connect-recordings-local".into(),
            "CONNECT-RECORDINGS-LOCAL/connect/local-instance/x.wav".into(),
            format!("connect-recordings-local/connect/local-instance/{}", "k".repeat(1024)),
        ] {
            let error = store.admit(&refused).unwrap_err();
            assert_eq!(error.kind, ErrorKind::RecordingOutOfScope, "{refused}");
        }
    }

    #[test]
    fn a_store_is_a_valid_bucket_and_a_prefix_of_whole_folders() {
        assert_eq!(RecordingStore::from_settings(None, Some("")).unwrap(), None, "not configured");
        assert_eq!(RecordingStore::from_settings(None, Some("x/")).unwrap_err().variable, "RECORDINGS_PREFIX");
        let whole = RecordingStore::from_settings(Some("my-bucket"), None).unwrap().unwrap();
        assert_eq!((whole.bucket(), whole.prefix()), ("my-bucket", ""));
        assert!(whole.admit("my-bucket/anything.wav").is_ok());
        assert_eq!(store().prefix(), "connect/local-instance/");
        for bucket in ["ab", "My-Bucket", "-bucket", "bucket-", "a..b", "bucket/x", &"b".repeat(64)] {
            let error = RecordingStore::from_settings(Some(bucket), None).unwrap_err();
            assert_eq!(error.variable, "RECORDINGS_BUCKET", "{bucket}");
        }
        for prefix in ["/connect", "connect//x", "connect/../x", "./x", "a\nb", "/"] {
            let error = RecordingStore::from_settings(Some("my-bucket"), Some(prefix)).unwrap_err();
            assert_eq!(error.variable, "RECORDINGS_PREFIX", "{prefix:?}");
        }
    }

    #[test]
    fn only_an_available_s3_recording_inside_the_store_is_openable() {
        let store = store();
        let good = s3(&format!("connect-recordings-local/connect/local-instance/{KEY}"));
        assert!(good.openable(&store).is_ok());
        let deleted = Recording { status: Some(DELETED.into()), ..good.clone() };
        assert_eq!(deleted.openable(&store).unwrap_err().kind, ErrorKind::RecordingDeleted);
        let unknown = Recording { status: Some("ARCHIVED".into()), ..good.clone() };
        assert_eq!(unknown.openable(&store).unwrap_err().kind, ErrorKind::FileUnavailable);
        let kinesis = Recording { storage_type: Some("KINESIS_VIDEO_STREAM".into()), ..good.clone() };
        assert_eq!(kinesis.openable(&store).unwrap_err().kind, ErrorKind::RecordingOutOfScope);
        let foreign = s3(&format!("someone-elses-bucket/connect/local-instance/{KEY}"));
        assert_eq!(foreign.openable(&store).unwrap_err().kind, ErrorKind::RecordingOutOfScope);
    }

    #[test]
    fn the_id_is_stable_opaque_and_bound_to_the_recording_and_its_contact() {
        let recording = s3(&format!("connect-recordings-local/connect/local-instance/{KEY}"));
        let id = recording.id(INSTANCE, CONTACT);
        assert_eq!(id.len(), RECORDING_ID_LEN);
        assert!(parse_recording_id(&id).is_ok());
        assert!(!id.contains("wav") && !id.contains("connect"), "opaque: {id}");
        let deleted =
            Recording { status: Some(DELETED.into()), deletion_reason: Some("r".into()), ..recording.clone() };
        assert_eq!(deleted.id(INSTANCE, CONTACT), id, "deleting a recording does not change its id");
        let other_key = s3("connect-recordings-local/connect/local-instance/other.wav");
        let agent = Recording { participant_type: Some("AGENT".into()), ..recording.clone() };
        for different in [other_key.id(INSTANCE, CONTACT), agent.id(INSTANCE, CONTACT), recording.id(INSTANCE, "c2")] {
            assert_ne!(different, id);
        }
        // Field boundaries are unambiguous: moving a character from one field to the next changes the id.
        let a =
            Recording { media_stream_type: Some("AUDIOA".into()), participant_type: Some("LL".into()), ..recording };
        let b =
            Recording { media_stream_type: Some("AUDIO".into()), participant_type: Some("ALL".into()), ..a.clone() };
        assert_ne!(a.id(INSTANCE, CONTACT), b.id(INSTANCE, CONTACT));
    }

    #[test]
    fn the_list_names_no_location_and_gives_a_path_only_where_a_recording_opens() {
        let store = store();
        let good = s3(&format!("connect-recordings-local/connect/local-instance/{KEY}"));
        let listed = ListedRecording::of(&good, INSTANCE, CONTACT, &store);
        let id = good.id(INSTANCE, CONTACT);
        assert_eq!(listed.download_path, Some(format!("/contact/recordings/{INSTANCE}/{CONTACT}/{id}")));
        let json = serde_json::to_string(&listed).unwrap();
        assert!(!json.contains("connect-recordings-local") && !json.contains(".wav"), "{json}");
        let deleted = Recording { status: Some(DELETED.into()), deletion_reason: Some("asked".into()), ..good };
        let listed = ListedRecording::of(&deleted, INSTANCE, CONTACT, &store);
        assert_eq!((listed.download_path, listed.deletion_reason.as_deref()), (None, Some("asked")));
    }

    #[test]
    fn inline_plays_with_a_media_type_and_attachment_saves() {
        let inline = |media, key| Playback::of(Disposition::Inline, media, key);
        assert_eq!(
            inline(Some("AUDIO"), "a/b.wav"),
            Playback { content_disposition: "inline", content_type: Some("audio/wav") }
        );
        assert_eq!(inline(Some("VIDEO"), "a/b.webm").content_type, Some("video/webm"));
        assert_eq!(inline(Some("VIDEO"), "a/b.MP4").content_type, Some("video/mp4"));
        assert_eq!(inline(Some("VIDEO"), "a/b.html").content_type, Some("application/octet-stream"));
        assert_eq!(inline(None, "a/b.wav").content_type, Some("application/octet-stream"));
        let saved = Playback::of(Disposition::Attachment, Some("AUDIO"), "a/b.wav");
        assert_eq!(saved, Playback { content_disposition: "attachment", content_type: None });
    }

    #[test]
    fn the_routes_requests_are_complete_when_parsed() {
        let raw = RawRecording { instance_id: INSTANCE, contact_id: CONTACT, ..RawRecording::default() };
        assert!(RecordingsQuery::parse(raw).is_ok());
        assert_eq!(
            RecordingsQuery::parse(RawRecording { url_expiry: Some("60"), ..raw }).unwrap_err().kind,
            ErrorKind::Validation
        );
        let id = "0123456789abcdef0123456789abcdef";
        let open =
            RecordingQuery::parse(RawRecording { recording_id: Some(id), disposition: Some("inline"), ..raw }).unwrap();
        assert_eq!((open.expiry.seconds(), open.disposition), (60, Disposition::Inline));
        for bad in [
            RawRecording { recording_id: Some("0123456789ABCDEF0123456789ABCDEF"), ..raw },
            RawRecording { recording_id: Some("connect-recordings-local/x.wav"), ..raw },
            RawRecording { recording_id: None, ..raw },
            RawRecording { recording_id: Some(id), url_expiry: Some("301"), ..raw },
            RawRecording { recording_id: Some(id), url_expiry: Some("4"), ..raw },
        ] {
            assert_eq!(RecordingQuery::parse(bad).unwrap_err().kind, ErrorKind::Validation, "{bad:?}");
        }
    }
}
