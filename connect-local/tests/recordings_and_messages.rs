//! The seed's recordings (`DescribeContact`'s `Contact.Recordings`) and email messages (the four
//! `EMAIL_MESSAGE*` references, served by `GetAttachedFile`), over real HTTP on loopback.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;

use connect_local::{Seed, StandIn};
use serde_json::Value;

const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
const EMAIL_CONTACT: &str = "c0ffee00-0000-4000-8000-00000000000b";
const RECORDED_CONTACT: &str = "c0ffee00-0000-4000-8000-00000000000c";
/// The bucket and prefix the README names for the seeded instance's recordings.
const BUCKET: &str = "connect-recordings-local";
const PREFIX: &str = "connect/local-instance/";

/// `RecordingInfo`'s members in Connect's service model (botocore 1.43.127).
const RECORDING_INFO_MEMBERS: [&str; 11] = [
    "StorageType",
    "Location",
    "MediaStreamType",
    "ParticipantType",
    "FragmentStartNumber",
    "FragmentStopNumber",
    "StartTimestamp",
    "StopTimestamp",
    "Status",
    "DeletionReason",
    "UnprocessedTranscriptLocation",
];

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One HTTP/1.1 GET (blocking I/O off the runtime's threads); `signed` adds the SigV4 headers the
/// stand-in's admission looks for.
async fn get(stand_in: &StandIn, path_and_query: &str, signed: bool) -> Reply {
    let addr = stand_in.url().trim_start_matches("http://").to_owned();
    let path_and_query = path_and_query.to_owned();
    tokio::task::spawn_blocking(move || exchange(&addr, &path_and_query, signed)).await.unwrap()
}

fn exchange(addr: &str, path_and_query: &str, signed: bool) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = if signed {
        "authorization: AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/connect/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0\r\nx-amz-date: 20261128T174000Z\r\n"
    } else {
        ""
    };
    let request = format!("GET {path_and_query} HTTP/1.1\r\nhost: {addr}\r\n{auth}connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    Reply { status, headers: head.to_ascii_lowercase(), body: body.to_owned() }
}

async fn describe(stand_in: &StandIn, contact: &str) -> Value {
    let reply = get(stand_in, &format!("/contacts/{INSTANCE}/{contact}"), true).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str::<Value>(&reply.body).unwrap()["Contact"].clone()
}

fn field<'a>(recording: &'a Value, name: &str) -> Option<&'a str> {
    recording[name].as_str()
}

#[tokio::test]
async fn describe_contact_lists_recordings_in_the_wire_format() {
    let stand_in = StandIn::start(Seed::shipped()).await.unwrap();
    let contact = describe(&stand_in, RECORDED_CONTACT).await;
    assert_eq!(contact["Channel"], "VOICE");
    let recordings = contact["Recordings"].as_array().unwrap();

    for recording in recordings {
        for member in recording.as_object().unwrap().keys() {
            assert!(RECORDING_INFO_MEMBERS.contains(&member.as_str()), "{member} is not a RecordingInfo member");
        }
        // rest-json timestamps: seconds since the epoch as JSON numbers, not strings.
        assert!(recording["StartTimestamp"].is_number() && recording["StopTimestamp"].is_number(), "{recording}");
    }
    let set = |name: &str| recordings.iter().filter_map(|r| field(r, name)).collect::<BTreeSet<_>>();
    assert_eq!(
        set("StorageType"),
        BTreeSet::from(["KINESIS_FIREHOSE", "KINESIS_STREAM", "KINESIS_VIDEO_STREAM", "S3"])
    );
    assert_eq!(set("MediaStreamType"), BTreeSet::from(["AUDIO", "VIDEO"]));
    assert_eq!(set("ParticipantType"), BTreeSet::from(["AGENT", "ALL", "CUSTOMER"]));
    assert_eq!(set("Status"), BTreeSet::from(["AVAILABLE", "DELETED"]));

    let deleted: Vec<_> = recordings.iter().filter(|r| field(r, "Status") == Some("DELETED")).collect();
    assert_eq!(deleted.len(), 1);
    assert!(!field(deleted[0], "DeletionReason").unwrap().is_empty());

    let kvs = recordings.iter().find(|r| field(r, "StorageType") == Some("KINESIS_VIDEO_STREAM")).unwrap();
    assert!(field(kvs, "FragmentStartNumber").is_some() && field(kvs, "FragmentStopNumber").is_some());

    // S3 locations are `bucket/key`, no `s3://`; one of each kind the function must tell apart.
    let s3: Vec<&str> = recordings
        .iter()
        .filter(|r| field(r, "StorageType") == Some("S3"))
        .map(|r| field(r, "Location").unwrap())
        .collect();
    assert!(s3.iter().all(|location| !location.starts_with("s3://")));
    let inside = format!("{BUCKET}/{PREFIX}");
    let servable = |l: &&&str| l.starts_with(&inside) && !l.split('/').any(|segment| segment == "..");
    assert!(s3.iter().filter(servable).any(|l| l.ends_with(".wav")), "an audio recording inside the bucket and prefix");
    assert!(
        s3.iter().filter(servable).any(|l| l.ends_with(".webm")),
        "a screen recording inside the bucket and prefix"
    );
    assert!(s3.iter().any(|l| !l.starts_with(BUCKET)), "a recording in a foreign bucket");
    assert!(s3.iter().any(|l| l.starts_with(&format!("{BUCKET}-"))), "a bucket whose name starts with ours");
    assert!(s3.iter().any(|l| l.starts_with(&format!("{BUCKET}/")) && !l.starts_with(&inside)), "outside the prefix");
    assert!(s3.iter().any(|l| l.starts_with(&inside) && l.contains("/../")), "a `..` segment leaving the prefix");
}

#[tokio::test]
async fn contacts_without_details_answer_as_before() {
    let stand_in = StandIn::start(Seed::shipped()).await.unwrap();
    let contact = describe(&stand_in, "c0ffee00-0000-4000-8000-000000000001").await;
    let mut members: Vec<&str> = contact.as_object().unwrap().keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["Arn", "Id"]);
    let transfer = describe(&stand_in, "c0ffee00-0000-4000-8000-000000000007").await;
    assert_eq!(transfer["PreviousContactId"], "c0ffee00-0000-4000-8000-000000000006");
    assert!(transfer.get("Recordings").is_none());
    assert_eq!(
        get(&stand_in, &format!("/contacts/{INSTANCE}/c0ffee00-0000-4000-8000-0000000000ff"), true).await.status,
        404
    );
    assert_eq!(get(&stand_in, &format!("/contacts/{INSTANCE}/{RECORDED_CONTACT}"), false).await.status, 403);
}

/// The file id of `…:instance/<INSTANCE>/file/<id>`.
fn file_id(arn: &str) -> &str {
    arn.split_once(&format!("instance/{INSTANCE}/file/")).unwrap().1
}

#[tokio::test]
async fn email_messages_are_attached_files_whose_download_is_the_message_json() {
    let stand_in = StandIn::start(Seed::shipped()).await.unwrap();
    assert_eq!(describe(&stand_in, EMAIL_CONTACT).await["Channel"], "EMAIL");
    let types = "referenceTypes=EMAIL_MESSAGE&referenceTypes=EMAIL_MESSAGE_REDACTED\
                 &referenceTypes=EMAIL_MESSAGE_PLAIN_TEXT&referenceTypes=EMAIL_MESSAGE_PLAIN_TEXT_REDACTED";
    let listed = get(&stand_in, &format!("/contact/references/{INSTANCE}/{EMAIL_CONTACT}?{types}"), true).await;
    let references: Value = serde_json::from_str(&listed.body).unwrap();
    let references = references["ReferenceSummaryList"].as_array().unwrap();
    let members: BTreeSet<&str> =
        references.iter().map(|r| r.as_object().unwrap().keys().next().unwrap().as_str()).collect();
    assert_eq!(
        members,
        BTreeSet::from([
            "EmailMessage",
            "EmailMessagePlainText",
            "EmailMessagePlainTextRedacted",
            "EmailMessageRedacted"
        ])
    );

    let contact_arn = format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/contact/{EMAIL_CONTACT}");
    let mut content_types = BTreeSet::new();
    for reference in references {
        let (member, body) = reference.as_object().unwrap().iter().next().unwrap();
        let id = file_id(body["Arn"].as_str().unwrap());
        let file = get(
            &stand_in,
            &format!("/attached-files/{INSTANCE}/{id}?urlExpiryInSeconds=60&associatedResourceArn={contact_arn}"),
            true,
        )
        .await;
        assert_eq!(file.status, 200, "{}", file.body);
        let file: Value = serde_json::from_str(&file.body).unwrap();
        let expected_use_case = match member.as_str() {
            "EmailMessage" => "EMAIL_MESSAGE",
            "EmailMessageRedacted" => "EMAIL_MESSAGE_REDACTED",
            "EmailMessagePlainText" => "EMAIL_MESSAGE_PLAIN_TEXT",
            _ => "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED",
        };
        assert_eq!(file["FileUseCaseType"], expected_use_case);
        assert_eq!(file["FileStatus"], "APPROVED");

        let url = file["DownloadUrlMetadata"]["Url"].as_str().unwrap();
        let download = get(&stand_in, &url[url.find("/_files/").unwrap()..], false).await;
        assert_eq!(download.status, 200);
        assert!(download.headers.contains("content-type: application/json"), "{}", download.headers);
        assert_eq!(file["FileSizeInBytes"].as_u64().unwrap() as usize, download.body.len());
        let message: Value = serde_json::from_str(&download.body).unwrap();
        // Hostile markup in every message, so a panel test can prove none of it is rendered as HTML.
        assert!(message["messageContent"].as_str().unwrap().contains("<img src=x onerror="), "{message}");
        content_types.insert(message["contentType"].as_str().unwrap().to_owned());
    }
    assert_eq!(content_types, BTreeSet::from(["text/html".to_owned(), "text/plain".to_owned()]));

    // Another contact's ARN does not open this contact's messages.
    let other = format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/contact/{RECORDED_CONTACT}");
    let refused = get(
        &stand_in,
        &format!("/attached-files/{INSTANCE}/SEED-email-html?urlExpiryInSeconds=60&associatedResourceArn={other}"),
        true,
    )
    .await;
    assert_eq!(refused.status, 404);
}

#[test]
fn a_misspelt_recording_member_is_a_seed_error() {
    let seed =
        r#"{"instances": {}, "contacts": {"i": {"c": {"recordings": [{"StorageType": "S3", "Locaton": "b/k"}]}}}}"#;
    assert!(Seed::from_json(seed).unwrap_err().to_string().contains("Locaton"));
}
