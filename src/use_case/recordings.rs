//! A contact's recordings: list them from `DescribeContact`, and open one through a fresh S3 pre-signed
//! URL. Every open reads the recordings again from Connect and finds the one asked for by its id: a
//! caller never names an S3 location, and nothing outside the deployment's store is ever signed. S3 is
//! reached only through [`PresignRecording`], a port in the domain's types (`outbound/s3_presign.rs`
//! implements it with AWS's SigV4 signer), so that these rules are tested with an in-memory Connect and
//! signer.

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use crate::domain::attached_file::UrlExpiry;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::messages::{connect_failed, NO_SUCH_RECORDING};
use crate::domain::recording::{
    ListedRecording, Playback, Recording, RecordingQuery, RecordingStore, RecordingsQuery, S3Object,
};
use crate::use_case::{Calls, ConnectApi, Usage};

/// What to sign: a `GetObject` of an object the store admitted, for how long, and what S3 is to answer
/// as its `Content-Disposition` and `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresignRequest<'a> {
    pub(crate) object: &'a S3Object,
    pub(crate) expiry: UrlExpiry,
    pub(crate) playback: Playback,
}

/// A signed link: a bearer credential for the object until `expires_at` (ISO 8601, UTC). Never logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    pub(crate) url: String,
    pub(crate) expires_at: String,
}

/// S3, as opening a recording needs it: one pre-signed `GetObject`. A trait object (the function holds
/// one, or none where recordings are not configured), hence the boxed future.
pub trait PresignRecording: Send + Sync + std::fmt::Debug {
    fn presign<'a>(&'a self, request: PresignRequest<'a>) -> BoxFuture<'a, Result<SignedLink, Error>>;
}

/// An opened recording: its fresh link and what the caller needs to play it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenedRecording {
    pub(crate) recording_id: String,
    pub(crate) url: String,
    pub(crate) expires_at: String,
    pub(crate) media_stream_type: Option<String>,
    /// The type S3 is told to answer with (`disposition=inline`); `None`: the object's stored type.
    pub(crate) content_type: Option<&'static str>,
}

/// One recording a caller asked to open, for the audit trail: which one of which contact, and how it
/// ended (`None`: a link was handed out). Never the link, never the S3 location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordingCall {
    pub(crate) contact_id: String,
    pub(crate) recording_id: String,
    pub(crate) outcome: Option<ErrorKind>,
}

/// The contact's recordings, each with its `downloadPath` where it can be opened; one `DescribeContact`.
pub(crate) async fn list_recordings<C: ConnectApi>(
    connect: &C,
    query: &RecordingsQuery,
    store: &RecordingStore,
    deadline: Instant,
) -> (Result<Vec<ListedRecording>, Error>, Usage) {
    let calls = Calls::default();
    let started = Instant::now();
    let result = described(connect, &query.instance_id, &query.contact_id, deadline, &calls).await.map(|recordings| {
        recordings.iter().map(|r| ListedRecording::of(r, &query.instance_id, &query.contact_id, store)).collect()
    });
    (result, calls.usage(started, Vec::new()))
}

/// Opens one recording at the moment of the click: one `DescribeContact`, the recording found by its
/// id, the store's rule, then a fresh signed link. A deleted recording, one outside the store and an
/// unknown id get their code and no link.
pub(crate) async fn open_recording<C: ConnectApi>(
    connect: &C,
    query: &RecordingQuery,
    store: &RecordingStore,
    signer: &dyn PresignRecording,
    deadline: Instant,
) -> (Result<OpenedRecording, Error>, Usage) {
    let calls = Calls::default();
    let started = Instant::now();
    let recordings = match described(connect, &query.instance_id, &query.contact_id, deadline, &calls).await {
        Ok(recordings) => recordings,
        Err(error) => return (Err(error), calls.usage(started, Vec::new())),
    };
    let result = match recordings.iter().find(|r| r.id(&query.instance_id, &query.contact_id) == query.recording_id) {
        None => Err(Error::new(ErrorKind::NotFound, NO_SUCH_RECORDING)),
        Some(recording) => signed(recording, query, store, signer, deadline).await,
    };
    let mut usage = calls.usage(started, Vec::new());
    usage.recordings.push(RecordingCall {
        contact_id: query.contact_id.clone(),
        recording_id: query.recording_id.clone(),
        outcome: result.as_ref().err().map(|error| error.kind),
    });
    (result, usage)
}

async fn signed(
    recording: &Recording,
    query: &RecordingQuery,
    store: &RecordingStore,
    signer: &dyn PresignRecording,
    deadline: Instant,
) -> Result<OpenedRecording, Error> {
    let object = recording.openable(store)?;
    let playback = Playback::of(query.disposition, recording.media_stream_type.as_deref(), &object.key);
    let request = PresignRequest { object: &object, expiry: query.expiry, playback };
    let link = tokio::time::timeout_at(deadline, signer.presign(request))
        .await
        .map_err(|_| Error::new(ErrorKind::UpstreamTimeout, "the recording's link could not be signed in time"))??;
    Ok(OpenedRecording {
        recording_id: query.recording_id.clone(),
        url: link.url,
        expires_at: link.expires_at,
        media_stream_type: recording.media_stream_type.clone(),
        content_type: playback.content_type,
    })
}

/// `DescribeContact`'s recordings by `deadline` (no answer by then is `UPSTREAM_TIMEOUT`).
async fn described<C: ConnectApi>(
    connect: &C,
    instance_id: &str,
    contact_id: &str,
    deadline: Instant,
    calls: &Calls,
) -> Result<Vec<Recording>, Error> {
    match tokio::time::timeout_at(deadline, connect.recordings(instance_id, contact_id, calls)).await {
        Ok(answer) => answer,
        Err(_) => Err(connect_failed(ErrorKind::UpstreamTimeout)),
    }
}

#[cfg(test)]
mod tests {
    //! The recordings use case against an in-memory Connect and signer, on tokio's paused clock.

    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    use crate::domain::download_request::Disposition;
    use crate::domain::recording::RawRecording;
    use crate::use_case::in_memory::{InMemoryConnect, InMemorySigner};

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const CONTACT: &str = "c0ffee00-0000-4000-8000-00000000000c";

    fn store() -> RecordingStore {
        RecordingStore::from_settings(Some("connect-recordings-local"), Some("connect/local-instance/"))
            .unwrap()
            .unwrap()
    }

    fn recording(location: &str, status: &str, storage: &str) -> Recording {
        Recording {
            storage_type: Some(storage.into()),
            location: Some(location.into()),
            media_stream_type: Some(if location.ends_with(".webm") { "VIDEO" } else { "AUDIO" }.into()),
            participant_type: Some("ALL".into()),
            start_timestamp: Some("2026-11-28T17:40:00.125Z".into()),
            status: Some(status.into()),
            ..Recording::default()
        }
    }

    /// The stand-in's kinds of recording: good audio, good video, deleted, Kinesis, foreign bucket,
    /// look-alike bucket, another prefix, a `..` way out.
    fn connect() -> InMemoryConnect {
        let ours = "connect-recordings-local/connect/local-instance";
        InMemoryConnect {
            recordings: HashMap::from([(
                CONTACT.to_owned(),
                vec![
                    recording(&format!("{ours}/CallRecordings/a.wav"), "AVAILABLE", "S3"),
                    recording(&format!("{ours}/ScreenRecordings/a.webm"), "AVAILABLE", "S3"),
                    recording(&format!("{ours}/CallRecordings/a_customer.wav"), "DELETED", "S3"),
                    recording(
                        "arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1",
                        "AVAILABLE",
                        "KINESIS_VIDEO_STREAM",
                    ),
                    recording("someone-elses-bucket/connect/local-instance/CallRecordings/a.wav", "AVAILABLE", "S3"),
                    recording(
                        "connect-recordings-local-copy/connect/local-instance/CallRecordings/a.wav",
                        "AVAILABLE",
                        "S3",
                    ),
                    recording(
                        "connect-recordings-local/connect/other-instance/CallRecordings/a.wav",
                        "AVAILABLE",
                        "S3",
                    ),
                    recording(&format!("{ours}/CallRecordings/../../other-instance/a.wav"), "AVAILABLE", "S3"),
                ],
            )]),
            ..InMemoryConnect::default()
        }
    }

    fn open(id: &str, disposition: Option<&str>) -> RecordingQuery {
        RecordingQuery::parse(RawRecording {
            instance_id: INSTANCE,
            contact_id: CONTACT,
            recording_id: Some(id),
            url_expiry: Some("120"),
            disposition,
        })
        .unwrap()
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[tokio::test(start_paused = true)]
    async fn the_list_gives_a_path_to_the_openable_recordings_only_in_one_call() {
        let connect = connect();
        let query = RecordingsQuery { instance_id: INSTANCE.into(), contact_id: CONTACT.into() };
        let (listed, usage) = list_recordings(&connect, &query, &store(), far()).await;
        let paths: Vec<bool> = listed.unwrap().iter().map(|r| r.download_path.is_some()).collect();
        assert_eq!(paths, [true, true, false, false, false, false, false, false]);
        assert_eq!((usage.calls, usage.recordings.len()), (1, 0));
        assert_eq!(connect.calls(), [format!("DescribeContact {CONTACT} Recordings")], "nothing but the recordings");
    }

    #[tokio::test(start_paused = true)]
    async fn a_good_recording_is_signed_with_its_playback_and_every_other_refused_unsigned() {
        let connect = connect();
        let signer = InMemorySigner::default();
        let ids: Vec<String> = connect.recordings[CONTACT].iter().map(|r| r.id(INSTANCE, CONTACT)).collect();
        let mut outcomes = Vec::new();
        for id in &ids {
            let (opened, usage) = open_recording(&connect, &open(id, Some("inline")), &store(), &signer, far()).await;
            outcomes.push(opened.as_ref().err().map(|e| e.code()));
            assert_eq!(usage.calls, 1, "one DescribeContact per open");
            assert_eq!(
                usage.recordings,
                [RecordingCall {
                    contact_id: CONTACT.into(),
                    recording_id: id.clone(),
                    outcome: opened.err().map(|e| e.kind)
                }]
            );
        }
        assert_eq!(
            outcomes,
            [
                None,
                None,
                Some("RECORDING_DELETED"),
                Some("RECORDING_OUT_OF_SCOPE"),
                Some("RECORDING_OUT_OF_SCOPE"),
                Some("RECORDING_OUT_OF_SCOPE"),
                Some("RECORDING_OUT_OF_SCOPE"),
                Some("RECORDING_OUT_OF_SCOPE"),
            ]
        );
        let signed = signer.signed();
        let keys: Vec<(&str, u16, Option<&str>)> = signed
            .iter()
            .map(|(object, expiry, playback)| (object.key.as_str(), *expiry, playback.content_type))
            .collect();
        assert_eq!(
            keys,
            [
                ("connect/local-instance/CallRecordings/a.wav", 120, Some("audio/wav")),
                ("connect/local-instance/ScreenRecordings/a.webm", 120, Some("video/webm")),
            ],
            "only the two good recordings were ever signed"
        );
        let described = format!("DescribeContact {CONTACT} Recordings");
        assert!(connect.calls().iter().all(|call| *call == described), "nothing but the recordings");
        assert!(signed.iter().all(|(object, _, playback)| object.bucket == "connect-recordings-local"
            && playback.content_disposition == "inline"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unknown_id_is_not_found_and_attachment_keeps_the_stored_type() {
        let connect = connect();
        let signer = InMemorySigner::default();
        let (missing, usage) = open_recording(&connect, &open(&"0".repeat(32), None), &store(), &signer, far()).await;
        assert_eq!(missing.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(usage.recordings[0].outcome, Some(ErrorKind::NotFound));
        let good = connect.recordings[CONTACT][0].id(INSTANCE, CONTACT);
        let (opened, _) = open_recording(&connect, &open(&good, None), &store(), &signer, far()).await;
        let opened = opened.unwrap();
        assert_eq!((opened.content_type, opened.media_stream_type.as_deref()), (None, Some("AUDIO")));
        let (_, _, playback) = signer.signed()[0];
        assert_eq!(playback, Playback::of(Disposition::Attachment, Some("AUDIO"), "x.wav"));
    }

    #[tokio::test(start_paused = true)]
    async fn connect_slower_than_the_deadline_is_upstream_timeout_and_nothing_is_signed() {
        let connect = InMemoryConnect { recordings_delay: Duration::from_secs(3), ..connect() };
        let signer = InMemorySigner::default();
        let good = connect.recordings[CONTACT][0].id(INSTANCE, CONTACT);
        let deadline = Instant::now() + Duration::from_secs(1);
        let (opened, usage) = open_recording(&connect, &open(&good, None), &store(), &signer, deadline).await;
        assert_eq!(opened.unwrap_err().kind, ErrorKind::UpstreamTimeout);
        assert!(usage.recordings.is_empty(), "Connect never answered: nothing was asked to be signed");
        assert!(signer.signed().is_empty());
    }
}
