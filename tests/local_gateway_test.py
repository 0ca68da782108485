"""scripts/lib/local_gateway.py, the CORS front scripts/local puts before the function: the template's
CORS configuration applied as an HTTP API applies it, against a stub backend on loopback that answers
with CORS headers of its own (which the front must drop). Run by scripts/test; the browser suite
(tests/browser_test.py) drives the same front from headless Chromium."""

import http.client
import json
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import local_gateway  # noqa: E402

PANEL = "http://127.0.0.1:5173"


class Backend(BaseHTTPRequestHandler):
    """Answers every request with what it saw, a Retry-After, and a CORS header the front must drop."""

    protocol_version = "HTTP/1.1"
    seen = []

    def answer(self):
        Backend.seen.append((self.command, self.path))
        body = json.dumps({"method": self.command, "path": self.path}).encode()
        self.send_response(409)
        self.send_header("content-type", "application/json")
        self.send_header("retry-after", "5")
        self.send_header("access-control-allow-origin", "*")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_OPTIONS = answer

    def log_message(self, *args):
        pass


class LocalGatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
        threading.Thread(target=cls.backend.serve_forever, daemon=True).start()
        upstream = f"http://127.0.0.1:{cls.backend.server_address[1]}/lambda-url/fn"
        cls.front = local_gateway.serve("127.0.0.1", 0, upstream, [PANEL])
        cls.cors = local_gateway.template_cors([PANEL])

    @classmethod
    def tearDownClass(cls):
        cls.front.shutdown()
        cls.backend.shutdown()

    def setUp(self):
        Backend.seen.clear()

    def request(self, method, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.front.server_address[1], timeout=10)
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        self.raw_headers = response.getheaders()
        return response.status, {k.lower(): v for k, v in self.raw_headers}, body

    def test_the_cors_configuration_is_the_templates(self):
        self.assertEqual(self.cors["AllowOrigins"], [PANEL])
        self.assertEqual(self.cors["ExposeHeaders"], ["retry-after"])
        self.assertIn("authorization", self.cors["AllowHeaders"])
        self.assertEqual(self.cors["MaxAge"], 600)
        self.assertFalse(self.cors["AllowCredentials"])

    def test_a_listed_origins_preflight_is_answered_here_with_the_templates_headers(self):
        status, headers, _ = self.request("OPTIONS", "/contact/references/i/c", {
            "origin": PANEL, "access-control-request-method": "GET", "access-control-request-headers": "authorization"})
        self.assertEqual(status, 204)
        self.assertEqual(headers["access-control-allow-origin"], PANEL)
        self.assertEqual(headers["access-control-allow-headers"], "authorization,content-type,x-amz-date,x-amz-security-token")
        self.assertEqual(headers["access-control-allow-methods"], "GET,HEAD,OPTIONS")
        self.assertEqual(headers["access-control-max-age"], "600")
        self.assertNotIn("access-control-allow-credentials", headers)
        self.assertEqual(Backend.seen, [], "a preflight never reaches the function")

    def test_any_other_origin_gets_no_cors_header_on_the_preflight_or_the_answer(self):
        for method, extra in (("OPTIONS", {"access-control-request-method": "GET"}), ("GET", {})):
            status, headers, _ = self.request(method, "/contact/references/i/c", {"origin": "http://evil.example", **extra})
            self.assertFalse([h for h in headers if h.startswith("access-control-")], (method, headers))

    def test_a_listed_origins_answer_is_passed_on_with_allow_origin_and_the_exposed_headers_only(self):
        status, headers, body = self.request("GET", "/contact/references/i/c?x=1", {"origin": PANEL})
        self.assertEqual(status, 409)
        self.assertEqual(json.loads(body), {"method": "GET", "path": "/lambda-url/fn/contact/references/i/c?x=1"})
        self.assertEqual(headers["retry-after"], "5")
        allow_origin = [value for name, value in self.raw_headers if name.lower() == "access-control-allow-origin"]
        self.assertEqual(allow_origin, [PANEL])  # the backend's "*" dropped
        self.assertEqual(headers["access-control-expose-headers"], "retry-after")

    def test_requests_without_an_origin_pass_through_unchanged_posts_and_heads_included(self):
        status, headers, body = self.request("POST", "/2015-03-31/functions/fn/invocations", {})
        self.assertEqual((status, json.loads(body)["method"]), (409, "POST"))
        self.assertFalse([h for h in headers if h.startswith("access-control-")], headers)
        status, headers, body = self.request("HEAD", "/contact/references/i/c", {"origin": PANEL})
        self.assertEqual((status, body), (409, b""))


if __name__ == "__main__":
    unittest.main()
