"""scripts/lib/s3_local.py, the local S3 endpoint of the recordings tests: a URL pre-signed by botocore's
own presigner (as S3 clients make them: SigV4 query authentication, path-style) gets the bytes with the
overridden headers; any change to it, another secret, a missing token, an expired URL, gets S3's 403 and
never the bytes. The signer it checks with is itself checked against AWS's published SigV4 examples, and
its objects against connect-local's seed. With Playwright (`scripts/setup browser`), Chromium plays both
recordings from pre-signed URLs.

    cd tests && python -m unittest -v s3_local_test"""

import gzip
import json
import os
import sys
import unittest
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotocoreCredentials

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import s3_local  # noqa: E402
from s3_local import Credentials, S3Local  # noqa: E402

BUCKET = "connect-recordings-local"
CALL = ("connect/local-instance/CallRecordings/2026/11/28/"
        "c0ffee00-0000-4000-8000-00000000000c_20261128T17:40_UTC.wav")
AGENT_CALL = CALL.replace("_UTC.wav", "_UTC_agent.wav")
SCREEN = ("connect/local-instance/ScreenRecordings/2026/11/28/"
          "c0ffee00-0000-4000-8000-00000000000c_20261128T17:40_UTC.webm")


def presigner(endpoint, credentials, region="us-east-1"):
    """botocore's own S3 presigner, path-style, as the brief of the recordings route asks."""
    return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=credentials.access_key_id,
                        aws_secret_access_key=credentials.secret_access_key,
                        aws_session_token=credentials.session_token,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def presign(endpoint, credentials, key=CALL, expires=60, bucket=BUCKET, **overrides):
    params = {"Bucket": bucket, "Key": key, **overrides}
    return presigner(endpoint, credentials).generate_presigned_url("get_object", Params=params, ExpiresIn=expires)


def fetch(url, headers=None):
    """(status, headers, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def with_query(url, **changes):
    """The URL with some query parameters replaced (None: removed), the others kept in order."""
    parts = urlsplit(url)
    query = [(k, changes.get(k, v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


class PresignedUrls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.credentials = Credentials.random()
        cls.endpoint = S3Local([cls.credentials]).start()
        cls.wav = cls.endpoint.objects[(BUCKET, CALL)].body

    @classmethod
    def tearDownClass(cls):
        cls.endpoint.stop()

    def assert_refused(self, url, status, code, reason):
        """Refused with S3's XML error, never the bytes, and recorded with the reason."""
        before = len(self.endpoint.refusals())
        got, headers, body = fetch(url)
        self.assertEqual(got, status, body)
        self.assertEqual(headers["Content-Type"], "application/xml")
        self.assertIn(f"<Code>{code}</Code>".encode(), body)
        self.assertNotIn(b"RIFF", body)
        refusals = self.endpoint.refusals()
        self.assertEqual(len(refusals), before + 1)
        self.assertEqual((refusals[-1]["code"], refusals[-1]["reason"]), (code, reason))
        return body

    def test_a_good_url_serves_the_bytes_with_the_overridden_headers(self):
        url = presign(self.endpoint.url, self.credentials, ResponseContentDisposition="inline",
                      ResponseContentType="audio/wav")
        self.assertIn("%3A40_UTC.wav", url)  # the key's ':' is percent-encoded in path and signature alike
        status, headers, body = fetch(url)
        self.assertEqual((status, body), (200, self.wav))
        self.assertEqual(headers["Content-Disposition"], "inline")
        self.assertEqual(headers["Content-Type"], "audio/wav")
        self.assertTrue(body.startswith(b"RIFF") and body[8:12] == b"WAVE")

    def test_without_overrides_the_object_is_an_attachment_as_connect_stores_it(self):
        status, headers, _ = fetch(presign(self.endpoint.url, self.credentials))
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Disposition"], f'attachment; filename="{CALL.rsplit("/", 1)[1]}"')

    def test_each_override_answers_its_header(self):
        url = presign(self.endpoint.url, self.credentials, ResponseContentDisposition='inline; filename="call.wav"',
                      ResponseContentType="audio/x-wav", ResponseCacheControl="no-store",
                      ResponseContentLanguage="en")
        _, headers, _ = fetch(url)
        self.assertEqual(
            [headers[h] for h in ("Content-Disposition", "Content-Type", "Cache-Control", "Content-Language")],
            ['inline; filename="call.wav"', "audio/x-wav", "no-store", "en"])

    def test_a_range_gets_206_and_just_those_bytes(self):
        url = presign(self.endpoint.url, self.credentials)
        status, headers, body = fetch(url, {"Range": "bytes=0-99"})
        self.assertEqual((status, body), (206, self.wav[:100]))
        self.assertEqual(headers["Content-Range"], f"bytes 0-99/{len(self.wav)}")
        status, _, body = fetch(url, {"Range": "bytes=-10"})
        self.assertEqual((status, body), (206, self.wav[-10:]))
        self.assertEqual(fetch(url, {"Range": f"bytes={len(self.wav)}-"})[0], 416)

    def test_a_tampered_key_is_refused(self):
        url = presign(self.endpoint.url, self.credentials)
        other = url.replace("_UTC.wav", "_UTC_agent.wav")
        self.assertIn((BUCKET, AGENT_CALL), self.endpoint.objects)  # it exists: only the signature stops it
        self.assert_refused(other, 403, "SignatureDoesNotMatch", "signature does not match")

    def test_a_tampered_override_is_refused(self):
        url = presign(self.endpoint.url, self.credentials, ResponseContentType="audio/wav")
        self.assert_refused(with_query(url, **{"response-content-type": "text/html"}), 403, "SignatureDoesNotMatch",
                            "signature does not match")

    def test_an_added_override_is_refused(self):
        url = presign(self.endpoint.url, self.credentials)
        self.assert_refused(url + "&response-content-type=text%2Fhtml", 403, "SignatureDoesNotMatch",
                            "signature does not match")

    def test_a_tampered_signature_is_refused(self):
        url = presign(self.endpoint.url, self.credentials)
        signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
        flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        self.assert_refused(with_query(url, **{"X-Amz-Signature": flipped}), 403, "SignatureDoesNotMatch",
                            "signature does not match")

    def test_another_secret_is_refused(self):
        wrong = self.credentials._replace(secret_access_key=Credentials.random().secret_access_key)
        self.assert_refused(presign(self.endpoint.url, wrong), 403, "SignatureDoesNotMatch",
                            "signature does not match")

    def test_a_missing_session_token_is_refused(self):
        without = self.credentials._replace(session_token=None)
        url = presign(self.endpoint.url, without)
        self.assertNotIn("X-Amz-Security-Token", url)
        self.assert_refused(url, 403, "InvalidAccessKeyId",
                            "no X-Amz-Security-Token: a temporary access key needs its session token")

    def test_another_session_token_is_refused(self):
        other = self.credentials._replace(session_token=Credentials.random().session_token)
        self.assert_refused(presign(self.endpoint.url, other), 400, "InvalidToken",
                            "X-Amz-Security-Token is not this access key's")

    def test_an_unknown_access_key_is_refused(self):
        stranger = Credentials.random()
        self.assert_refused(presign(self.endpoint.url, stranger), 403, "InvalidAccessKeyId",
                            f"unknown access key {stranger.access_key_id}")

    def test_another_region_is_refused(self):
        url = presigner(self.endpoint.url, self.credentials, region="eu-west-2").generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": CALL}, ExpiresIn=60)
        self.assert_refused(url, 400, "AuthorizationQueryParametersError",
                            f"credential scope {dict(parse_qsl(urlsplit(url).query))['X-Amz-Credential'].split('/')[1]}"
                            "/eu-west-2/s3")

    def test_an_unsigned_request_is_refused(self):
        self.assert_refused(f"{self.endpoint.url}/{BUCKET}/{CALL.replace(':', '%3A')}", 403, "AccessDenied",
                            "not signed: no query authentication")

    def test_a_missing_auth_parameter_is_refused(self):
        url = presign(self.endpoint.url, self.credentials)
        self.assert_refused(with_query(url, **{"X-Amz-Expires": None}), 403, "AccessDenied", "missing X-Amz-Expires")

    def test_a_deleted_recording_has_no_object(self):
        deleted = CALL.replace("_UTC.wav", "_UTC_customer.wav")
        status, _, body = fetch(presign(self.endpoint.url, self.credentials, key=deleted))
        self.assertEqual(status, 404)
        self.assertIn(b"<Code>NoSuchKey</Code>", body)


class Expiry(unittest.TestCase):
    """Each test moves the clock of an endpoint of its own."""

    def setUp(self):
        self.credentials = Credentials.random()
        self.endpoint = S3Local([self.credentials]).start()
        self.addCleanup(self.endpoint.stop)

    def test_a_url_works_until_it_expires_and_then_gets_request_has_expired(self):
        url = presign(self.endpoint.url, self.credentials, expires=30)
        self.endpoint.advance_clock(20)
        self.assertEqual(fetch(url)[0], 200)
        self.endpoint.advance_clock(12)
        status, _, body = fetch(url)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code><Message>Request has expired</Message>", body)
        self.assertIn(b"<X-Amz-Expires>30</X-Amz-Expires>", body)
        self.assertNotIn(b"RIFF", body)
        self.assertEqual(self.endpoint.refusals()[-1]["reason"], "expired")

    def test_the_clock_moves_over_http_too(self):
        url = presign(self.endpoint.url, self.credentials, expires=5)
        request = urllib.request.Request(f"{self.endpoint.url}/_clock", data=b'{"advanceSeconds": 6}', method="POST")
        self.assertEqual(urllib.request.urlopen(request, timeout=10).status, 204)
        self.assertEqual(fetch(url)[0], 403)
        records = json.loads(fetch(f"{self.endpoint.url}/_requests")[2])
        self.assertEqual(records[-1]["reason"], "expired")

    def test_a_url_dated_in_the_future_is_not_yet_valid(self):
        url = presign(self.endpoint.url, self.credentials)
        self.endpoint.advance_clock(-120)
        status, _, body = fetch(url)
        self.assertEqual(status, 403)
        self.assertIn(b"Request is not yet valid", body)


class PublishedVectors(unittest.TestCase):
    """The signer the endpoint trusts, checked against AWS's own published examples (not ours)."""

    def test_the_endpoint_signer_reproduces_the_s3_documentation_presigned_url(self):
        # AWS's example in "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)"
        # (Amazon S3 API Reference): GET examplebucket/test.txt, 2013-05-24, 86400 s, the example keys.
        credentials = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
        signature = s3_local.expected_signature("GET", "/test.txt", [], {"host": "examplebucket.s3.amazonaws.com"},
                                                credentials, "us-east-1", "20130524T000000Z", 86400)
        self.assertEqual(signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")

    def test_botocore_reproduces_the_sigv4_test_suite_get_vanilla(self):
        # AWS's SigV4 test suite, get-vanilla (the example keys AKIDEXAMPLE, 2015-08-30T12:36:00Z).
        request = AWSRequest(method="GET", url="https://example.amazonaws.com/",
                             headers={"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"})
        request.context["timestamp"] = "20150830T123600Z"
        signer = SigV4Auth(BotocoreCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                           "service", "us-east-1")
        canonical = signer.canonical_request(request)
        self.assertEqual(signer.signature(signer.string_to_sign(request, canonical), request),
                         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")


class Seed(unittest.TestCase):
    """The endpoint's objects are the seed's S3 recordings, and those are RecordingInfo as botocore's
    Connect model describes it."""

    seed = json.loads((ROOT / "connect-local" / "seed.json").read_text())
    recordings = [r for contacts in seed["contacts"].values() for details in contacts.values()
                  for r in details.get("recordings", [])]

    def test_every_available_s3_recording_has_an_object_and_a_deleted_one_has_none(self):
        objects = s3_local.seeded_objects(video=b"webm")
        for recording in self.recordings:
            if recording["StorageType"] != "S3":
                continue
            bucket, _, key = recording["Location"].partition("/")
            self.assertEqual((bucket, key) in objects, recording["Status"] == "AVAILABLE", recording["Location"])
        self.assertEqual(objects[(BUCKET, SCREEN)].content_type, "video/webm")
        self.assertNotIn((BUCKET, SCREEN), s3_local.seeded_objects())  # no video given: no video object

    def test_the_seeded_recordings_fit_connects_model(self):
        model_path = Path(botocore.__file__).parent / "data" / "connect" / "2017-08-08" / "service-2.json.gz"
        shapes = json.loads(gzip.decompress(model_path.read_bytes()))["shapes"]
        members = shapes["RecordingInfo"]["members"]
        self.assertEqual(shapes["Contact"]["members"]["Recordings"]["shape"], "Recordings")
        for recording in self.recordings:
            for name, value in recording.items():
                self.assertIn(name, members)
                shape = shapes[members[name]["shape"]]
                if shape["type"] == "timestamp":
                    self.assertIsInstance(value, (int, float), name)
                elif "enum" in shape:
                    self.assertIn(value, shape["enum"], name)
                else:
                    self.assertEqual(shape["type"], "string", name)
                    self.assertLessEqual(len(value), shape.get("max", len(value)), name)


@unittest.skipUnless(os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")), "no Chromium")
class ChromiumPlays(unittest.TestCase):
    """Chromium plays the WAV and the WebM from pre-signed URLs (Range requests and all)."""

    def test_audio_and_video_play_from_presigned_urls(self):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self.skipTest("Playwright is not installed (scripts/setup browser)")
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        video = s3_local.chromium_webm(chromium)
        credentials = Credentials.random()
        with S3Local([credentials], video=video) as endpoint, sync_playwright() as playwright:
            audio_url = presign(endpoint.url, credentials, ResponseContentDisposition="inline",
                                ResponseContentType="audio/wav")
            video_url = presign(endpoint.url, credentials, key=SCREEN, ResponseContentDisposition="inline",
                                ResponseContentType="video/webm")
            browser = playwright.chromium.launch(executable_path=chromium, args=s3_local.CHROMIUM_FLAGS)
            try:
                page = browser.new_page()
                played = page.evaluate("""async ([audioUrl, videoUrl]) => {
                    const play = async (tag, url) => {
                        const media = document.createElement(tag);
                        media.muted = true;
                        media.src = url;
                        document.body.appendChild(media);
                        await media.play();
                        await new Promise((resolve) => setTimeout(resolve, 400));
                        return {time: media.currentTime, error: media.error && media.error.code,
                                width: media.videoWidth || 0};
                    };
                    return [await play('audio', audioUrl), await play('video', videoUrl)];
                }""", [audio_url, video_url])
            finally:
                browser.close()
            audio, screen = played
            self.assertGreater(audio["time"], 0, played)
            self.assertGreater(screen["time"], 0, played)
            self.assertEqual(screen["width"], 160)
            self.assertEqual(endpoint.refusals(), [])
            served = {(r["key"], r["status"]) for r in endpoint.requests()}
            self.assertTrue({(CALL, 200), (CALL, 206)} & served and any(k == SCREEN for k, _ in served), served)


if __name__ == "__main__":
    unittest.main()
