"""`sam local invoke` and `sam local start-api`, for real: the sam-built arm64 bootstrap in Docker, in the
emulation image, calling the local Connect stand-in in a container of its own. Both containers meet on a
docker network this test creates (internal: nothing on it reaches beyond it), and everything the test
created is removed by id when it ends, whether its checks passed or not.

Run by scripts/test-sam-local (after scripts/sam-build), which provides Docker and the two images:
$SAM_LOCAL_INVOKE_IMAGE (the emulation image) and $SAM_LOCAL_STAND_IN_IMAGE (connect-local)."""

import hashlib
import http.client
import json
import re
import os
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
EXPECTED = ROOT / "tests" / "expected"
BUILT_TEMPLATE = ROOT / ".aws-sam" / "build" / "template.yaml"
INSTANCE = "11111111-2222-3333-4444-555555555555"
EVERY_KIND = "c0ffee00-0000-4000-8000-000000000001"
SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
OPERATION = SPEC["paths"]["/contact/references/{InstanceId}/{ContactId}"]["get"]
STAND_IN_ALIAS = "connect-local"  # sam-local-env.json: AWS_ENDPOINT_URL_CONNECT=http://connect-local:4566
CONSTANT_HEADERS = {"content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff"}


def docker(*args, check=True):
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def without_signing_moment(url):
    """The rule of `without_signing_moment` in tests/it/support/mod.rs: a recording's pre-signed URL
    without its access key, signing date and time, signature and session token."""
    head, _, query = url.partition("?")
    kept = []
    for parameter in query.split("&"):
        name, _, value = parameter.partition("=")
        if name == "X-Amz-Security-Token":
            continue
        if name == "X-Amz-Date":
            parameter = "X-Amz-Date=<time>"
        elif name == "X-Amz-Signature":
            parameter = "X-Amz-Signature=<signature>"
        elif name == "X-Amz-Credential":
            scope = value.split("%2F")
            if len(scope) == 5:
                scope[0], scope[1] = "<access key>", "<date>"
            parameter = "X-Amz-Credential=" + "%2F".join(scope)
        kept.append(parameter)
    return head + "?" + "&".join(kept)


def without_link_times(value):
    """The rule of `without_link_times` in tests/it/support/mod.rs: a stand-in link's address and signing
    time, a recording link's signing moment, and every expiresAt / downloadUrlExpiresAt, replaced by
    placeholders."""
    if isinstance(value, str) and "X-Amz-Signature=" in value and "/_files/" not in value:
        return without_signing_moment(value)
    if isinstance(value, str) and "/_files/" in value:
        link = "<stand-in>/_files/" + value.split("/_files/", 1)[1]
        return re.sub(r"X-Amz-Date=[0-9]+", "X-Amz-Date=<time>", link)
    if isinstance(value, list):
        return [without_link_times(v) for v in value]
    if isinstance(value, dict):
        return {k: "<time>" if k in ("expiresAt", "downloadUrlExpiresAt") else without_link_times(v) for k, v in value.items()}
    return value


def comparable(answer):
    """The form of tests/expected (the same rule as `comparable` in tests/it/support/mod.rs): an HTTP
    response's JSON body parsed, a failure envelope's non-empty request id replaced, and a link's
    moving parts replaced (`without_link_times`)."""
    answer = comparable_envelope(answer)
    return without_link_times(answer)


def comparable_envelope(answer):
    if isinstance(answer, dict) and "statusCode" in answer and isinstance(answer.get("body"), str):
        answer["body"] = json.loads(answer["body"]) if answer["body"] else None
    envelope = answer["body"] if isinstance(answer, dict) and "statusCode" in answer else answer
    error = envelope.get("error") if isinstance(envelope, dict) else None
    if isinstance(error, dict) and "requestId" in error:
        assert isinstance(error["requestId"], str) and error["requestId"], f"an empty request id: {error}"
        error["requestId"] = "<request id>"
    return answer


def expected(name):
    return json.loads((EXPECTED / name).read_text())


BROWSER_ORIGIN = "https://agents.example.com"


def with_cors(origins):
    """The built template as CloudFormation resolves it for AllowedOrigins=`origins`, as far as CORS goes
    (and the recordings routes, which sam_flags turns on).

    sam local cannot resolve an Fn::If with an AWS::NoValue branch (its resolver raises "Missing Intrinsic
    property in Fn::If" and leaves the property as it is), and the template needs that branch so that
    an empty AllowedOrigins means no CORS configuration at all. So this resolves that one condition and
    the Split (with the template tests' resolver), then sam emulates HTTP API CORS from the values the
    template gives."""
    from cfnlint.decode import decode
    from template_test import resolve

    template, matches = decode(str(BUILT_TEMPLATE))
    assert not matches, matches
    properties = template["Resources"]["HttpApi"]["Properties"]
    cors = resolve(properties["CorsConfiguration"], template, {"AllowedOrigins": origins})
    assert cors["AllowOrigins"] == origins.split(","), cors
    properties["CorsConfiguration"] = cors
    # The same for the recordings routes: each operation is `!If [RecordingsOn, <operation>, NoValue]`,
    # which sam would leave unresolved (no route: its 403 "Missing Authentication Token"). sam_flags turns
    # EnableRecordings on, so each becomes its operation.
    for item in properties["DefinitionBody"]["paths"].values():
        for method, operation in list(item.items()):
            if isinstance(operation, dict) and list(operation) == ["Fn::If"] and operation["Fn::If"][0] == "RecordingsOn":
                item[method] = operation["Fn::If"][1]
    # Beside the built template (its CodeUri paths are relative to it), one file per set of origins.
    path = BUILT_TEMPLATE.with_name(f"template-cors-test-{hashlib.sha256(origins.encode()).hexdigest()[:12]}.json")
    path.write_text(json.dumps(template))
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SamLocalTest(unittest.TestCase):
    """Shared set-up: the network, the stand-in container, and the sam flags that use them."""

    @classmethod
    def setUpClass(cls):
        if not BUILT_TEMPLATE.exists():
            raise AssertionError("no .aws-sam/build/template.yaml: run ./scripts/sam-build first")
        cls.invoke_image = os.environ["SAM_LOCAL_INVOKE_IMAGE"]
        suffix = uuid.uuid4().hex[:12]
        cls.network = docker("network", "create", "--internal", "--label", "connect-references-test", f"connect-references-test-{suffix}")
        try:
            cls.stand_in = docker(
                "run", "--detach", "--network", cls.network, "--network-alias", STAND_IN_ALIAS,
                "--name", f"connect-references-stand-in-{suffix}", os.environ["SAM_LOCAL_STAND_IN_IMAGE"],
            )
            deadline = time.time() + 30
            while "listening on" not in docker("logs", cls.stand_in):
                if time.time() > deadline:
                    raise RuntimeError("the stand-in container did not start: " + docker("logs", cls.stand_in))
                time.sleep(0.2)
        except BaseException:
            cls.remove_everything_on_the_network()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.remove_everything_on_the_network()

    @classmethod
    def remove_everything_on_the_network(cls):
        """The stand-in and every function container sam attached to the test's network, then the network."""
        attached = json.loads(docker("network", "inspect", cls.network, "--format", "{{json .Containers}}") or "{}")
        ids = set(attached or {}) | ({cls.stand_in} if getattr(cls, "stand_in", None) else set())
        if ids:
            docker("rm", "--force", "--volumes", *sorted(ids), check=False)
        docker("network", "rm", cls.network)

    @classmethod
    def sam_flags(cls):
        return [
            "--invoke-image", cls.invoke_image, "--skip-pull-image",
            "--docker-network", cls.network,
            "--env-vars", str(ROOT / "sam-local-env.json"),
            "--region", "us-east-1",
            # The recordings function exists only where a deployer turns it on, with the bucket it reads.
            # The download route's rate is raised as a deployer whose flows make no links would: these
            # suites and the browser's click many files as one user, one test after another, in one warm
            # environment, and are not about rates (those have tests of their own: tests/it).
            "--parameter-overrides", "EnableRecordings=true RecordingsBucket=connect-recordings-local "
            "RecordingsPrefix=connect/local-instance/ AttachedFileRate=20 AttachedFileBurst=40",
        ]


def function_for(event_path):
    """The template's function for an event, as API Gateway and Connect route them: contact flows to
    FlowFunction, the download route to DownloadFunction, the recordings routes to RecordingsFunction,
    every other HTTP event to ListFunction."""
    event = json.loads(event_path.read_text())
    if "Details" in event:
        return "FlowFunction"
    path = event.get("rawPath") or event.get("path") or ""
    if "/contact/recordings/" in path:
        return "RecordingsFunction"
    return "DownloadFunction" if "/contact/attachments/" in path else "ListFunction"


class SamLocalInvokeTest(SamLocalTest):
    def invoke(self, event_path, function=None):
        function = function or function_for(event_path)
        result = subprocess.run(
            ["sam", "local", "invoke", function, "--event", str(event_path), *self.sam_flags()],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
        self.assertEqual(result.returncode, 0, f"sam local invoke -e {event_path.name} failed:\n{result.stderr[-3000:]}")
        # sam prints the function's result as the last line of standard output.
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        self.assertTrue(lines, f"{event_path.name}: sam printed no result; stderr:\n{result.stderr[-3000:]}")
        return json.loads(lines[-1])

    def test_every_sample_event_gets_its_expected_answer(self):
        names = sorted(p.name for p in EVENTS.glob("*.json"))
        self.assertGreaterEqual(len(names), 12)
        self.assertEqual(names, sorted(p.name for p in EXPECTED.glob("*.json")), "one expected answer per event")
        for name in names:
            with self.subTest(event=name):
                self.assertEqual(comparable(self.invoke(EVENTS / name)), expected(name))

    def test_each_function_refuses_the_events_of_the_others(self):
        # The template's ENTRY_POINT per function, as deployed: a flow event to an HTTP function, and the
        # download route to the list function, are refused without a call.
        flow = self.invoke(EVENTS / "contact-flow.json", "ListFunction")
        self.assertEqual((flow["success"], flow["errorCode"]), ("false", "VALIDATION_ERROR"), flow)
        self.assertIn("does not serve contact flows", flow["errorMessage"])
        download = self.invoke(EVENTS / "download-attachment-json.json", "ListFunction")
        self.assertEqual(download["statusCode"], 404, download)
        listed = self.invoke(EVENTS / "http-api-v2.json", "FlowFunction")
        self.assertEqual(listed["statusCode"], 404, listed)


class StartApi(SamLocalTest):
    """`sam local start-api` on a free port, with the template's CORS for `origins` (comma-separated)."""

    origins = BROWSER_ORIGIN

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.port = free_port()
        cls.log = open(os.devnull, "w") if not os.environ.get("SAM_LOCAL_VERBOSE") else None
        try:
            cls.api = subprocess.Popen(
                ["sam", "local", "start-api", "--host", "127.0.0.1", "--port", str(cls.port),
                 "--warm-containers", "EAGER", *cls.sam_flags(),
                 # A browser origin, to check the CORS that sam emulates from the template's configuration.
                 "--template", str(with_cors(cls.origins))],
                cwd=ROOT, stdout=cls.log, stderr=subprocess.STDOUT if cls.log else None, start_new_session=True,
            )
            cls.wait_until_the_api_answers()
        except BaseException:
            cls.stop_the_api()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_the_api()
        super().tearDownClass()

    @classmethod
    def stop_the_api(cls):
        api = getattr(cls, "api", None)
        if api and api.poll() is None:
            os.killpg(api.pid, signal.SIGINT)  # sam stops its warm containers on Ctrl-C
            try:
                api.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(api.pid, signal.SIGKILL)
                api.wait()

    @classmethod
    def wait_until_the_api_answers(cls):
        deadline = time.time() + 180
        while time.time() < deadline:
            if cls.api.poll() is not None:
                raise RuntimeError(f"sam local start-api exited with {cls.api.returncode}")
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("sam local start-api did not listen within 180 s")



class SamLocalStartApiTest(StartApi):
    def request(self, path, method="GET", headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def assert_http_contract(self, path, status, method="GET"):
        """Status, the constant headers, and a body valid against docs/openapi.yaml for that status."""
        got, headers, raw = self.request(path, method)
        self.assertEqual(got, status, raw)
        for name, value in CONSTANT_HEADERS.items():
            self.assertEqual(headers.get(name), value, f"{name} in {dict(headers)}")
        if method == "HEAD":
            self.assertEqual(raw, b"")
            return None
        body = json.loads(raw)
        schema = OPERATION["responses"][str(status)]["content"]["application/json"]["schema"]
        jsonschema.validate(body, {"$ref": schema["$ref"], "components": SPEC["components"]})
        return comparable(body)

    def test_two_types_are_answered_as_the_http_api_event_is(self):
        body = self.assert_http_contract(
            f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=URL&referenceTypes=ATTACHMENT", 200
        )
        # The same request as events/http-api-v2.json, so the same answer.
        self.assertEqual(body, expected("http-api-v2.json")["body"])

    def test_an_unknown_type_is_a_400_naming_it(self):
        body = self.assert_http_contract(f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=PHOTO", 400)
        self.assertEqual(body, expected("bad-unknown-type.json")["body"])

    def test_the_download_route_redirects_to_a_fresh_link_and_answers_json_when_asked(self):
        # The route of its own that the template declares: start-api serves it with the options on.
        path = f"/contact/attachments/{INSTANCE}/c0ffee00-0000-4000-8000-000000000008/SEED-att-approved"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request("GET", path, headers={"accept": "text/html"})
        response = connection.getresponse()
        response.read()
        connection.close()
        self.assertEqual(response.status, 302)
        self.assertEqual(response.getheader("cache-control"), "no-store")
        self.assertIn("/_files/", response.getheader("location"))
        self.assertIn("X-Amz-Signature=", response.getheader("location"))
        status, headers, raw = self.request(path.replace("approved", "second"), headers={"accept": "application/json"})
        self.assertEqual(status, 200, raw)
        self.assertEqual(comparable(json.loads(raw)), expected("download-attachment-json.json")["body"])

    def test_head_answers_the_headers_without_a_body(self):
        self.assert_http_contract(f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=URL", 200, "HEAD")

    def test_a_missing_contact_is_a_404(self):
        body = self.assert_http_contract(f"/contact/references/{INSTANCE}/no-such-contact?referenceTypes=URL", 404)
        self.assertEqual(body["error"]["code"], "NOT_FOUND")

    def preflight(self, origin):
        return self.request(
            f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=URL", "OPTIONS",
            {"Origin": origin, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization,x-amz-date,x-amz-security-token"},
        )

    def test_a_listed_browser_origin_gets_a_preflight_answer_for_get_and_head_with_the_signing_headers(self):
        status, headers, _ = self.preflight(BROWSER_ORIGIN)
        self.assertIn(status, (200, 204))
        self.assertEqual(headers.get("Access-Control-Allow-Origin"), BROWSER_ORIGIN)
        methods = {m.strip() for m in headers.get("Access-Control-Allow-Methods", "").split(",")}
        self.assertLessEqual({"GET", "HEAD"}, methods)
        self.assertNotIn("POST", methods)
        allowed_headers = {h.strip().lower() for h in headers.get("Access-Control-Allow-Headers", "").split(",")}
        self.assertLessEqual({"authorization", "content-type", "x-amz-date", "x-amz-security-token"}, allowed_headers)
        self.assertEqual(headers.get("Access-Control-Max-Age"), "600")
        self.assertIsNone(headers.get("Access-Control-Allow-Credentials"))

    def test_any_other_origin_gets_no_cors_headers(self):
        for origin in ("https://evil.example.com", BROWSER_ORIGIN + ".evil.example.com", "null"):
            with self.subTest(origin=origin):
                _, headers, _ = self.preflight(origin)
                self.assertIsNone(headers.get("Access-Control-Allow-Origin"), dict(headers))
                status, headers, _ = self.request(
                    f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=URL", headers={"Origin": origin})
                self.assertEqual(status, 200)
                self.assertIsNone(headers.get("Access-Control-Allow-Origin"), dict(headers))

    def test_the_listed_origin_may_read_the_answer(self):
        status, headers, raw = self.request(
            f"/contact/references/{INSTANCE}/{EVERY_KIND}?referenceTypes=URL", headers={"Origin": BROWSER_ORIGIN})
        self.assertEqual(status, 200, raw)
        self.assertEqual(headers.get("Access-Control-Allow-Origin"), BROWSER_ORIGIN)


if __name__ == "__main__":
    unittest.main()
