"""A local S3 endpoint for the recordings tests: it serves an object only to a GET whose pre-signed URL
(SigV4 query authentication, path-style: `http://127.0.0.1:PORT/<bucket>/<key>?X-Amz-…`) checks out, as S3
checks it, and it records every request with the reason of each refusal.

Before serving it checks, in this order: the query-authentication parameters are all there; the access
key is one the test handed out and the session token is that key's; the credential scope names today's
date of X-Amz-Date, the endpoint's region and `s3`; X-Amz-Expires is 1..604800; the URL is not expired
(X-Amz-Date + X-Amz-Expires against the endpoint's clock, which a test may move forward) nor dated in
the future; and the signature, recomputed by botocore's own S3 query signer (`S3SigV4QueryAuth`) from the
secret the test gave, at the URL's own X-Amz-Date. The canonical URI is the received path decoded and
re-encoded as AWS's UriEncode does, so a client that encodes a key differently fails here as at S3.
A good URL gets the bytes, with `response-content-type`, `response-content-disposition` (and S3's four
other `response-*` overrides) answered as the matching headers, and single `Range` requests (206).
Refusals use S3's XML errors: `AccessDenied` "Request has expired", `SignatureDoesNotMatch`, …

moto's S3 server was the first choice and does not fit: moto 5.2.5 checks a signature only when its
authentication is switched on, and then only from an `Authorization` header; a pre-signed URL's query
signature and expiry are never checked (moto/core/authorization.py, moto/iam/access_control.py).

Its objects by default are the available S3 recordings of connect-local's seed (a one-second 440 Hz
WAV for `.wav` keys; the `video` bytes given, if any, for `.webm` keys), stored as Connect stores them:
`Content-Disposition: attachment`.

Tests: `S3Local(credentials=[Credentials.random()], video=…)` as a context manager; `.url` is the value
for `AWS_ENDPOINT_URL_S3`; `.requests()` / `.refusals()`; `.advance_clock(seconds)`. By hand:

    python scripts/lib/s3_local.py --port 4569 --access-key-id ASIA… --secret-access-key … --session-token …

`GET /_requests` lists the records, `POST /_clock {"advanceSeconds": N}` moves the clock. Loopback only."""

import argparse
import datetime
import hashlib
import hmac
import io
import ipaddress
import json
import math
import secrets
import string
import struct
import threading
import time
import uuid
import wave
from collections import namedtuple
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore import credentials as botocore_credentials

SEED = Path(__file__).resolve().parents[2] / "connect-local" / "seed.json"
MAX_EXPIRES = 604800
AUTH_PARAMETERS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                   "X-Amz-Signature")
# S3's response-header overrides: query parameter → the header it sets.
OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-disposition": "Content-Disposition",
    "response-content-language": "Content-Language",
    "response-content-encoding": "Content-Encoding",
    "response-cache-control": "Cache-Control",
    "response-expires": "Expires",
}


class Credentials(namedtuple("Credentials", "access_key_id secret_access_key session_token")):
    """What a test gives the function (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and
    this endpoint alike."""

    @staticmethod
    def random():
        """Temporary-looking credentials made for one test run (`ASIA…`, as a role's are)."""
        alphabet = string.ascii_uppercase + string.digits
        return Credentials("ASIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
                           secrets.token_urlsafe(30), secrets.token_urlsafe(48))

    def environment(self):
        """The variables the function reads them from."""
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
                **({"AWS_SESSION_TOKEN": self.session_token} if self.session_token else {})}


StoredObject = namedtuple("StoredObject", "body content_type content_disposition")


class Refusal(Exception):
    def __init__(self, status, code, message, reason, **details):
        super().__init__(reason)
        self.status, self.code, self.message, self.reason, self.details = status, code, message, reason, details


def tone_wav(seconds=1.0, frequency=440, rate=8000):
    """A valid PCM WAV: a sine tone, 16-bit mono."""
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * i / rate)))
                      for i in range(int(seconds * rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


# Draws a changing canvas for `ms` milliseconds and records it with MediaRecorder as VP8 WebM (base64).
RECORD_CANVAS = """async (ms) => {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  document.body.appendChild(canvas);
  const g = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/webm;codecs=vp8'});
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  let frame = 0;
  const draw = () => {
    g.fillStyle = `hsl(${(frame * 7) % 360}, 80%, 50%)`;
    g.fillRect(0, 0, 160, 90);
    g.fillStyle = '#fff';
    g.fillText('screen recording ' + frame++, 8, 48);
  };
  draw();
  const timer = setInterval(draw, 40);
  recorder.start(100);
  await new Promise((resolve) => setTimeout(resolve, ms));
  recorder.stop();
  await stopped;
  clearInterval(timer);
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


# Headless and quiet: no sandbox (containers), no GPU, and none of the background calls to Google's hosts.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps",
                  "--autoplay-policy=no-user-gesture-required"]


def chromium_webm(executable="/usr/bin/chromium", milliseconds=1000):
    """A short VP8 WebM made by Chromium's own MediaRecorder (Python has no video encoder and the
    machine no ffmpeg): a screen recording that Chromium can play. Needs Playwright (`scripts/setup
    browser`); about three seconds."""
    import base64

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.set_content("<body></body>")
            return base64.b64decode(page.evaluate(RECORD_CANVAS, milliseconds))
        finally:
            browser.close()


def seeded_objects(seed_path=SEED, video=None):
    """{(bucket, key): StoredObject} for the available S3 recordings of connect-local's seed."""
    seed = json.loads(Path(seed_path).read_text())
    wav = tone_wav()
    objects = {}
    for contacts in seed.get("contacts", {}).values():
        for details in contacts.values():
            for recording in details.get("recordings", []):
                if recording.get("StorageType") != "S3" or recording.get("Status") == "DELETED":
                    continue
                bucket, _, key = recording["Location"].partition("/")
                name = key.rsplit("/", 1)[-1]
                disposition = f'attachment; filename="{name}"'
                if key.endswith(".wav"):
                    objects[(bucket, key)] = StoredObject(wav, "audio/wav", disposition)
                elif key.endswith(".webm") and video is not None:
                    objects[(bucket, key)] = StoredObject(video, "video/webm", disposition)
    return objects


def s3_uri_encode(path):
    """AWS's UriEncode of a path: every byte but the unreserved characters and '/' percent-encoded."""
    return quote(unquote(path), safe="/~")


def expected_signature(method, raw_path, parameters, headers, credentials, region, amz_date, expires):
    """The signature S3 computes for this pre-signed request: botocore's S3 query signer, run at the
    URL's own X-Amz-Date (botocore's `add_auth` would stamp the current time, so its steps run here one
    by one, as `add_auth` runs them)."""
    operation = [(k, v) for k, v in parameters if k not in AUTH_PARAMETERS and k != "X-Amz-Security-Token"]
    url = f"http://{headers['host']}{s3_uri_encode(raw_path)}"
    if operation:
        url += "?" + urlencode(operation, quote_via=quote)
    request = AWSRequest(method=method, url=url, headers=headers)
    request.context["timestamp"] = amz_date
    signer = S3SigV4QueryAuth(botocore_credentials.Credentials(*credentials), "s3", region, expires=expires)
    signer._modify_request_before_signing(request)
    canonical_request = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical_request), request)


class S3Local:
    """The endpoint, serving from a daemon thread on loopback until `stop()` (or the `with` block ends)."""

    def __init__(self, credentials, region="us-east-1", objects=None, video=None, host="127.0.0.1", port=0,
                 seed_path=SEED):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"{host} is not a loopback address")
        self.credentials = {c.access_key_id: Credentials(*c) for c in credentials}
        self.region = region
        self.objects = dict(seeded_objects(seed_path, video) if objects is None else objects)
        self._records = []
        self._lock = threading.Lock()
        self._ahead = 0.0
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._thread = None

    # --- life cycle -------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what tests read and do -------------------------------------------------------------------
    def requests(self):
        """Every object request: method, bucket, key, the non-signature query parameters, status, code
        and reason (None when served)."""
        with self._lock:
            return [dict(r) for r in self._records]

    def refusals(self):
        """The requests refused for their authentication (403 or 400), with the reason."""
        return [r for r in self.requests() if r["status"] in (400, 403)]

    def advance_clock(self, seconds):
        """Moves this endpoint's clock forward: URLs expire as if that time had passed."""
        with self._lock:
            self._ahead += seconds

    def put(self, bucket, key, body, content_type="application/octet-stream", content_disposition=None):
        self.objects[(bucket, key)] = StoredObject(body, content_type, content_disposition)

    def now(self):
        with self._lock:
            return time.time() + self._ahead

    def _record(self, record):
        with self._lock:
            self._records.append(record)

    # --- the check ----------------------------------------------------------------------------------
    def authenticate(self, method, raw_path, raw_query, headers):
        """Returns the query's parameters when the pre-signed URL is good, else raises Refusal."""
        parameters = parse_qsl(raw_query, keep_blank_values=True)
        given = dict(parameters)
        missing = [p for p in AUTH_PARAMETERS if p not in given]
        if len(missing) == len(AUTH_PARAMETERS) and "authorization" not in headers:
            raise Refusal(403, "AccessDenied", "Access Denied", "not signed: no query authentication")
        if missing:
            raise Refusal(403, "AccessDenied",
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                          "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
                          f"missing {', '.join(missing)}")
        if given["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            raise Refusal(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
                          f"algorithm {given['X-Amz-Algorithm']}")
        scope = given["X-Amz-Credential"].split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise Refusal(400, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter",
                          "malformed credential")
        access_key_id, scope_date, scope_region, scope_service, _ = scope
        credentials = self.credentials.get(access_key_id)
        if credentials is None:
            raise Refusal(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.",
                          f"unknown access key {access_key_id}")
        token = given.get("X-Amz-Security-Token")
        if credentials.session_token and token is None:
            raise Refusal(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.",
                          "no X-Amz-Security-Token: a temporary access key needs its session token")
        if token != credentials.session_token:
            raise Refusal(400, "InvalidToken", "The provided token is malformed or otherwise invalid.",
                          "X-Amz-Security-Token is not this access key's")
        try:
            signed_at = datetime.datetime.strptime(given["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            raise Refusal(400, "AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format",
                          "malformed X-Amz-Date") from None
        if scope_date != given["X-Amz-Date"][:8] or scope_region != self.region or scope_service != "s3":
            raise Refusal(400, "AuthorizationQueryParametersError",
                          f"Error parsing the X-Amz-Credential parameter; expecting "
                          f"'{given['X-Amz-Date'][:8]}/{self.region}/s3'",
                          f"credential scope {scope_date}/{scope_region}/{scope_service}")
        expires = given["X-Amz-Expires"]
        if not expires.isdigit() or not 1 <= int(expires) <= MAX_EXPIRES:
            raise Refusal(400, "AuthorizationQueryParametersError",
                          "X-Amz-Expires must be less than a week (in seconds) that is 604800",
                          f"X-Amz-Expires {expires}")
        now = self.now()
        if now < signed_at.timestamp():
            raise Refusal(403, "AccessDenied", "Request is not yet valid", "X-Amz-Date is in the future")
        if now > signed_at.timestamp() + int(expires):
            expired_at = datetime.datetime.fromtimestamp(signed_at.timestamp() + int(expires), datetime.timezone.utc)
            raise Refusal(403, "AccessDenied", "Request has expired", "expired",
                          **{"X-Amz-Expires": expires, "Expires": expired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "ServerTime": datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
                             .strftime("%Y-%m-%dT%H:%M:%SZ")})
        signed_names = given["X-Amz-SignedHeaders"].split(";")
        if "host" not in signed_names or any(name not in headers for name in signed_names):
            raise Refusal(403, "AccessDenied", "There were headers present in the request which were not signed",
                          f"signed headers {given['X-Amz-SignedHeaders']}")
        expected = expected_signature(method, raw_path, parameters, {n: headers[n] for n in signed_names},
                                      credentials, self.region, given["X-Amz-Date"], int(expires))
        if not hmac.compare_digest(expected.encode(), given["X-Amz-Signature"].encode()):
            raise Refusal(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.", "signature does not match")
        return given

    # --- HTTP ---------------------------------------------------------------------------------------
    def _handler(self):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.object_request("GET")

            def do_HEAD(self):
                self.object_request("HEAD")

            def do_POST(self):
                if self.path == "/_clock":
                    length = int(self.headers.get("content-length") or 0)
                    endpoint.advance_clock(json.loads(self.rfile.read(length))["advanceSeconds"])
                    self.reply(204, {}, b"")
                else:
                    self.error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

            do_PUT = do_DELETE = do_POST

            def object_request(self, method):
                split = urlsplit(self.path)
                if split.path == "/_requests" and method == "GET":
                    self.reply(200, {"Content-Type": "application/json"}, json.dumps(endpoint.requests()).encode())
                    return
                bucket, _, key = unquote(split.path).lstrip("/").partition("/")
                record = {"method": method, "bucket": bucket, "key": key,
                          "query": {k: v for k, v in parse_qsl(split.query, keep_blank_values=True)
                                    if k not in AUTH_PARAMETERS and k != "X-Amz-Security-Token"},
                          "status": None, "code": None, "reason": None}
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    given = endpoint.authenticate(method, split.path, split.query, headers)
                except Refusal as refusal:
                    record.update(status=refusal.status, code=refusal.code, reason=refusal.reason)
                    endpoint._record(record)
                    self.error(refusal.status, refusal.code, refusal.message, **refusal.details)
                    return
                stored = endpoint.objects.get((bucket, key))
                if stored is None:
                    record.update(status=404, code="NoSuchKey", reason="no such key")
                    endpoint._record(record)
                    self.error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
                    return
                status, body, extra = self.ranged(stored.body)
                record.update(status=status)
                endpoint._record(record)
                out = {"Content-Type": stored.content_type, "Accept-Ranges": "bytes",
                       "ETag": f'"{hashlib.md5(stored.body).hexdigest()}"',
                       "Last-Modified": formatdate(1795887600, usegmt=True), **extra}
                if stored.content_disposition:
                    out["Content-Disposition"] = stored.content_disposition
                for parameter, header in OVERRIDES.items():
                    if parameter in given:
                        out[header] = given[parameter]
                self.reply(status, out, b"" if method == "HEAD" else body, length=len(body))

            def ranged(self, body):
                """A single `Range: bytes=…` as S3 answers it (206, or 416); anything else: the whole body."""
                spec = self.headers.get("Range", "")
                if not spec.startswith("bytes=") or "," in spec:
                    return 200, body, {}
                first, _, last = spec[len("bytes="):].partition("-")
                size = len(body)
                try:
                    if first == "":
                        start, end = max(size - int(last), 0), size - 1
                    else:
                        start, end = int(first), min(int(last), size - 1) if last else size - 1
                except ValueError:
                    return 200, body, {}
                if start >= size or start > end:
                    return 416, b"", {"Content-Range": f"bytes */{size}"}
                return 206, body[start:end + 1], {"Content-Range": f"bytes {start}-{end}/{size}"}

            def error(self, status, code, message, **details):
                fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in details.items())
                xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                       f"<Message>{escape(message)}</Message>{fields}"
                       f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>").encode()
                self.reply(status, {"Content-Type": "application/xml"}, b"" if self.command == "HEAD" else xml,
                           length=len(xml))

            def reply(self, status, headers, body, length=None):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.send_header("x-amz-request-id", uuid.uuid4().hex[:16].upper())
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4569)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key-id", required=True)
    parser.add_argument("--secret-access-key", required=True)
    parser.add_argument("--session-token")
    parser.add_argument("--seed", type=Path, default=SEED)
    parser.add_argument("--video", type=Path, help="a WebM file served for the seed's .webm recordings")
    args = parser.parse_args()
    video = args.video.read_bytes() if args.video else None
    endpoint = S3Local([Credentials(args.access_key_id, args.secret_access_key, args.session_token)],
                       region=args.region, video=video, host=args.host, port=args.port, seed_path=args.seed)
    print(f"s3-local listening on {endpoint.url}", flush=True)
    endpoint._server.serve_forever()


if __name__ == "__main__":
    main()
