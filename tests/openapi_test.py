"""docs/openapi.yaml matches the function: every documented status and every documented reference
schema is produced by a real request to the built binary under the Lambda Runtime Interface Emulator,
with the local Connect stand-in, and every answer validates against the documented schema.

Needs the debug binaries (scripts/test builds them first): $CARGO_TARGET_DIR/debug/connect-references
and connect-local, and the emulator from the aws-sam-cli wheel."""

import json
import os
import socket
import subprocess
import tempfile
import time
import sys
import unittest
import urllib.request
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug"
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
from emulator import emulator_binary  # noqa: E402

EMULATOR = emulator_binary()
INSTANCE = "11111111-2222-3333-4444-555555555555"
EVERY_KIND = "c0ffee00-0000-4000-8000-000000000001"
NEWER_KINDS = "c0ffee00-0000-4000-8000-000000000004"
SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
OPERATION = SPEC["paths"]["/contact/references/{InstanceId}/{ContactId}"]["get"]
DOWNLOAD = SPEC["paths"]["/contact/attachments/{InstanceId}/{ContactId}/{FileId}"]["get"]
ATTACHMENTS = "c0ffee00-0000-4000-8000-000000000008"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port):
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def schema_for(status):
    """The documented schema of a status, with the document's components for $ref."""
    content = OPERATION["responses"][str(status)]["content"]["application/json"]["schema"]
    return {"$ref": content["$ref"], "components": SPEC["components"]}


class OpenApiConformanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.processes = []
        stand_in_port, rie_port, api_port = free_port(), free_port(), free_port()
        cls.stand_in = f"http://127.0.0.1:{stand_in_port}"
        cls.logs = tempfile.TemporaryFile()
        cls.processes.append(
            subprocess.Popen([TARGET / "connect-local", "--port", str(stand_in_port)], stdout=cls.logs, stderr=cls.logs)
        )
        env = {
            "PATH": os.environ["PATH"],
            "HOME": tempfile.gettempdir(),
            "AWS_REGION": "us-east-1",
            "ENTRY_POINT": "all", "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_CONNECT": cls.stand_in,
            "ALLOWED_INSTANCE_IDS": INSTANCE,
            "ENABLE_ATTACHMENT_DOWNLOADS": "true",
            # One caller clicks a dozen times a second here: a rate (and so a caller's share) no case reaches;
            # the documented 429 comes from Connect throttling (the stand-in's fault).
            "ATTACHED_FILE_RATE": "100", "ATTACHED_FILE_BURST": "100",
            # Short, so that a slow Connect produces the documented 504 quickly.
            "AWS_LAMBDA_FUNCTION_TIMEOUT": "2",
        }
        cls.processes.append(
            subprocess.Popen(
                [EMULATOR, "--runtime-interface-emulator-address", f"127.0.0.1:{rie_port}",
                 "--runtime-api-address", f"127.0.0.1:{api_port}", TARGET / "connect-references"],
                env=env, stdout=cls.logs, stderr=cls.logs,
            )
        )
        wait_for(stand_in_port)
        wait_for(rie_port)
        cls.invoke_url = f"http://127.0.0.1:{rie_port}/2015-03-31/functions/function/invocations"
        cls.event = json.loads((ROOT / "events" / "http-api-v2.json").read_text())

    @classmethod
    def tearDownClass(cls):
        for process in cls.processes:
            process.kill()
            process.wait()

    def fault(self, kind, times=None, **extra):
        body = {"kind": kind, "times": times, **extra}
        request = urllib.request.Request(f"{self.stand_in}/_faults", data=json.dumps(body).encode(), method="POST")
        request.add_header("content-type", "application/json")
        urllib.request.urlopen(request, timeout=5).close()

    def only_fault(self, fault):
        """Clears the stand-in's faults, then injects `fault` (None: none; slow: a 5 s answer)."""
        self.clear_faults()
        if fault == "slow":
            self.fault("slow", millis=5000)
        elif fault:
            self.fault(fault)

    def assert_documented_headers(self, name, response, headers):
        """Every header the spec documents for `response` is there, with a valid value."""
        for header, spec in response.get("headers", {}).items():
            self.assertIn(header, headers, f"{name}: documented header {header} missing")
            jsonschema.validate(headers[header], spec["schema"])

    def clear_faults(self):
        urllib.request.urlopen(urllib.request.Request(f"{self.stand_in}/_faults", method="DELETE"), timeout=5).close()

    def send(self, path, parameters, query, method, headers=None):
        """The HTTP API event for this request, through the binary: status, headers, parsed body."""
        event = json.loads(json.dumps(self.event))
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["method"] = method
        event["rawQueryString"] = query
        event.pop("queryStringParameters", None)
        event["pathParameters"] = parameters
        event["headers"].update(headers or {})
        reply = post(self.invoke_url, event)
        body = json.loads(reply["body"]) if reply.get("body") else None
        return reply["statusCode"], {k.lower(): v for k, v in reply["headers"].items()}, body

    def call(self, contact=EVERY_KIND, query="", method="GET", instance=INSTANCE):
        path = f"/contact/references/{instance}/{contact}"
        return self.send(path, {"InstanceId": instance, "ContactId": contact}, query, method)

    def download(self, file, query="", method="GET", instance=INSTANCE, accept="text/html"):
        path = f"/contact/attachments/{instance}/{ATTACHMENTS}/{file}"
        parameters = {"InstanceId": instance, "ContactId": ATTACHMENTS, "FileId": file}
        return self.send(path, parameters, query, method, {"accept": accept})

    def test_the_download_route_produces_every_documented_status_with_its_schema_and_headers(self):
        cases = [
            ("a redirect", {"file": "SEED-att-approved"}, None),
            ("JSON", {"file": "SEED-att-second", "accept": "application/json"}, None),
            ("bad expiry", {"file": "SEED-att-approved", "query": "urlExpiry=900"}, None),
            ("another instance", {"file": "SEED-att-approved", "instance": "99999999-8888-7777-6666-555555555555"}, None),
            ("unknown file", {"file": "SEED-att-gone"}, None),
            ("wrong method", {"file": "SEED-att-approved", "method": "DELETE"}, None),
            ("not ready", {"file": "SEED-att-processing"}, None),
            ("never opens", {"file": "SEED-att-rejected"}, None),
            ("throttled", {"file": "SEED-att-approved"}, "throttle"),
            ("role refused", {"file": "SEED-att-approved"}, "access_denied"),
            ("Connect fails", {"file": "SEED-att-approved"}, "internal"),
            ("Connect is slow", {"file": "SEED-att-approved"}, "slow"),
        ]
        produced = set()
        for name, request, fault in cases:
            with self.subTest(name):
                self.only_fault(fault)
                status, headers, body = self.download(**request)
                response = DOWNLOAD["responses"].get(str(status))
                self.assertIsNotNone(response, f"{name}: undocumented status {status}")
                self.assertEqual(headers.get("cache-control"), "no-store")
                self.assert_documented_headers(name, response, headers)
                if "content" in response:
                    schema = {"$ref": response["content"]["application/json"]["schema"]["$ref"], "components": SPEC["components"]}
                    jsonschema.validate(body, schema)
                produced.add(str(status))
        self.clear_faults()
        self.assertEqual(produced, set(DOWNLOAD["responses"]))

    def test_every_documented_status_and_schema_is_produced_and_valid(self):
        cases = [
            ("ok, every kind", {}, None),
            ("ok, a kind newer than the SDK", {"contact": NEWER_KINDS, "query": "referenceTypes=URL"}, None),
            ("bad type", {"query": "referenceTypes=PHOTO"}, None),
            ("another instance", {"instance": "99999999-8888-7777-6666-555555555555"}, None),
            ("Connect refuses the role", {}, "access_denied"),
            ("Connect unavailable", {}, "unavailable"),
            ("no contact", {"contact": "missing"}, None),
            ("wrong method", {"method": "DELETE"}, None),
            ("throttled", {}, "throttle"),
            ("bad credentials", {}, "unrecognized_client"),
            ("Connect fails", {}, "internal"),
            ("Connect is slow", {}, "slow"),
        ]
        produced_statuses, produced_schemas = set(), set()
        for name, request, fault in cases:
            with self.subTest(name):
                self.only_fault(fault)
                status, headers, body = self.call(**request)
                self.assertIn(str(status), OPERATION["responses"], f"{name}: undocumented status {status}")
                self.assertEqual(headers.get("content-type"), "application/json")
                self.assertEqual(headers.get("cache-control"), "no-store")
                jsonschema.validate(body, schema_for(status))
                self.assert_documented_headers(name, OPERATION["responses"][str(status)], headers)
                produced_statuses.add(str(status))
                for reference in (body.get("data") or {}).get("references", []):
                    produced_schemas.add(self.reference_schema(reference))
        self.clear_faults()
        self.assertEqual(produced_statuses, set(OPERATION["responses"]))
        documented = {ref["$ref"].rsplit("/", 1)[1] for ref in SPEC["components"]["schemas"]["Reference"]["oneOf"]}
        self.assertEqual(produced_schemas, documented)

    def reference_schema(self, reference):
        matches = []
        for option in SPEC["components"]["schemas"]["Reference"]["oneOf"]:
            name = option["$ref"].rsplit("/", 1)[1]
            try:
                jsonschema.validate(reference, {"$ref": option["$ref"], "components": SPEC["components"]})
                matches.append(name)
            except jsonschema.ValidationError:
                pass
        self.assertEqual(len(matches), 1, f"{reference} matches {matches}")
        return matches[0]


if __name__ == "__main__":
    unittest.main()


class RoutesAgreeTest(unittest.TestCase):
    """The API has two OpenAPI documents: the template's inline one (what API Gateway serves: routes,
    authorisation, integrations) and docs/openapi.yaml (what callers read: parameters, answers). They
    must agree on paths, methods and path parameters. The template's carries no responses (API Gateway
    does not use them); the answers are docs/openapi.yaml's alone, checked against the binary above."""

    @staticmethod
    def template_routes():
        from template_test import load
        paths = load()["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]["paths"]
        routes = {}
        for path, methods in paths.items():
            for method, operation in methods.items():
                if isinstance(operation, dict) and "Fn::If" in operation:
                    operation = operation["Fn::If"][1]  # the route as its switch turns it on
                routes[(path, method)] = sorted(p["name"] for p in operation["parameters"] if p["in"] == "path")
        return routes

    @staticmethod
    def documented_routes(spec):
        def resolved(parameter):
            ref = parameter.get("$ref")
            return spec["components"]["parameters"][ref.rsplit("/", 1)[1]] if ref else parameter
        routes = {}
        for path, item in spec["paths"].items():
            shared = [resolved(p) for p in item.get("parameters", [])]
            for method in ("get", "head", "post", "put", "delete", "patch"):
                if method in item:
                    own = [resolved(p) for p in item[method].get("parameters", [])]
                    names = sorted(p["name"] for p in shared + own if p["in"] == "path")
                    routes[(path, method)] = names
                    # docs/openapi.yaml documents HEAD in each GET's summary: the same request, no body.
                    if method == "get":
                        routes[(path, "head")] = names
        return routes

    def test_the_templates_api_and_docs_openapi_agree_on_paths_methods_and_path_parameters(self):
        self.assertEqual(self.template_routes(), self.documented_routes(SPEC))

    def test_a_route_missing_from_either_document_is_caught(self):
        spec = json.loads(json.dumps(SPEC))
        del spec["paths"]["/contact/recordings/{InstanceId}/{ContactId}/{RecordingId}"]
        self.assertNotEqual(self.template_routes(), self.documented_routes(spec))
        spec = json.loads(json.dumps(SPEC))
        spec["paths"]["/contact/attachments/{InstanceId}/{ContactId}/{FileId}"]["parameters"].pop()
        self.assertNotEqual(self.template_routes(), self.documented_routes(spec))
