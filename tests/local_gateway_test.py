"""scripts/lib/local_gateway.py, the front scripts/local puts before the function: the template's CORS
configuration applied as an HTTP API applies it, against a stub backend on loopback that answers with
CORS headers of its own (which the front must drop); and, with an issuer, the template's JWT authorizer,
against an issuer (discovery document and key set) served on loopback by the test with keys it makes:
one test per answer API Gateway gives. Run by scripts/test; the browser suite (tests/browser_test.py)
drives the same front from headless Chromium."""

import base64
import contextlib
import io
import hashlib
import hmac
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import local_gateway  # noqa: E402
import jwt  # noqa: E402
import yaml  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402

PANEL = "http://127.0.0.1:5173"


def serve_in_thread(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server):
    server.shutdown()
    server.server_close()


def request(port, method, path, headers=None):
    """(status, lower-cased headers, body) of one request to 127.0.0.1:port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


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
        cls.backend = serve_in_thread(Backend)
        upstream = f"http://127.0.0.1:{cls.backend.server_address[1]}/lambda-url/fn"
        cls.front = local_gateway.serve("127.0.0.1", 0, upstream, [PANEL])
        cls.cors = local_gateway.template_cors([PANEL])

    @classmethod
    def tearDownClass(cls):
        stop(cls.front)
        stop(cls.backend)

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

    def test_without_an_issuer_no_token_is_asked_and_no_path_is_refused(self):
        for method, path in (("GET", "/contact/attachments/i/c/f"), ("GET", "/no/such/route")):
            status, _, body = self.request(method, path, {})
            self.assertEqual((status, json.loads(body)["path"]), (409, "/lambda-url/fn" + path))

    def test_requests_without_an_origin_pass_through_unchanged_posts_and_heads_included(self):
        status, headers, body = self.request("POST", "/2015-03-31/functions/fn/invocations", {})
        self.assertEqual((status, json.loads(body)["method"]), (409, "POST"))
        self.assertFalse([h for h in headers if h.startswith("access-control-")], headers)
        status, headers, body = self.request("HEAD", "/contact/references/i/c", {"origin": PANEL})
        self.assertEqual((status, body), (409, b""))


class FunctionStub(BaseHTTPRequestHandler):
    """The function: answers 200 and counts what reaches it."""

    protocol_version = "HTTP/1.1"
    seen = []

    def answer(self):
        FunctionStub.seen.append((self.command, self.path))
        body = json.dumps({"path": self.path, "authorization": self.headers.get("authorization")}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = answer

    def log_message(self, *args):
        pass


class Issuer(BaseHTTPRequestHandler):
    """An OIDC issuer on loopback: its discovery document and its key set (`keys`, changeable), counting
    the key set's fetches."""

    protocol_version = "HTTP/1.1"
    keys = []
    key_set_fetches = 0

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/.well-known/openid-configuration":
            document = {"issuer": base, "jwks_uri": base + "/jwks"}
        elif self.path == "/jwks":
            Issuer.key_set_fetches += 1
            document = {"keys": Issuer.keys}
        else:
            document = None
        body = json.dumps(document).encode()
        self.send_response(200 if document else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def public_jwk(private_key, kid):
    return {**jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True),
            "kid": kid, "alg": "RS256", "use": "sig"}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header, claims, sign=lambda signing_input: b""):
    """A token put together by hand (for algorithms PyJWT will not sign with)."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    return signing_input + "." + b64(sign(signing_input.encode()))


AUDIENCE = "panel-client"
READ = "connect-references/read"
DOWNLOAD = "connect-references/download"
LIST_PATH = "/contact/references/i/c?referenceTypes=URL"
DOWNLOAD_PATH = "/contact/attachments/i/c/f"
OMIT = object()


class JwtAuthorizerTest(unittest.TestCase):
    """The front with an issuer: each answer of API Gateway's JWT authorizer, and that the function
    never sees a refused request."""

    @classmethod
    def setUpClass(cls):
        cls.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # Keys the issuer also publishes that API Gateway would not take: "only RSA-based algorithms".
        cls.ec_key = ec.generate_private_key(ec.SECP256R1())
        cls.shared_secret = b"a symmetric key published by the issuer, 32+ bytes"
        cls.published = [public_jwk(cls.signing_key, "signing-key"),
                         {**public_jwk(cls.signing_key, "rs512-key"), "alg": "RS512"},
                         {**jwt.algorithms.ECAlgorithm.to_jwk(cls.ec_key.public_key(), as_dict=True), "kid": "ec-key", "alg": "ES256"},
                         {**jwt.algorithms.HMACAlgorithm.to_jwk(cls.shared_secret, as_dict=True), "kid": "oct-key", "alg": "HS256"}]
        Issuer.keys = cls.published
        cls.issuer_server = serve_in_thread(Issuer)
        cls.issuer = f"http://127.0.0.1:{cls.issuer_server.server_address[1]}"
        cls.function = serve_in_thread(FunctionStub)
        upstream = f"http://127.0.0.1:{cls.function.server_address[1]}"
        cls.front = local_gateway.serve("127.0.0.1", 0, upstream, [PANEL],
                                        jwt_issuer=cls.issuer, jwt_audience=[AUDIENCE, "another-client"])
        cls.port = cls.front.server_address[1]

    @classmethod
    def tearDownClass(cls):
        for server in (cls.front, cls.function, cls.issuer_server):
            stop(server)

    def setUp(self):
        FunctionStub.seen.clear()

    def token(self, key=None, kid="signing-key", algorithm="RS256", **claims):
        """A Cognito-like access token (client_id, no aud) with both scopes; a claim given as OMIT is left out."""
        now = int(time.time())
        payload = {"iss": self.issuer, "client_id": AUDIENCE, "token_use": "access", "sub": "agent",
                   "scope": f"{READ} {DOWNLOAD}", "iat": now, "exp": now + 300, **claims}
        payload = {name: value for name, value in payload.items() if value is not OMIT}
        return jwt.encode(payload, key or self.signing_key, algorithm=algorithm, headers={"kid": kid} if kid else {})

    def get(self, path, token=None, method="GET", prefix="Bearer ", **headers):
        if token is not None:
            headers["authorization"] = prefix + token
        return request(self.port, method, path, headers)

    def assert_refused(self, answer, status=401):
        code, headers, body = answer
        self.assertEqual((code, body), (status, b'{"message":"Unauthorized"}' if status == 401 else b'{"message":"Forbidden"}'))
        self.assertEqual(FunctionStub.seen, [], "a refused request never reaches the function")
        return headers

    def test_no_token_gets_401(self):
        for headers in ({}, {"authorization": ""}, {"authorization": "Bearer "}):
            headers = self.assert_refused(request(self.port, "GET", LIST_PATH, headers))
            self.assertEqual(headers["www-authenticate"], "Bearer")
            self.assertEqual(headers["content-type"], "application/json")

    def test_a_valid_token_reaches_the_function_with_or_without_the_bearer_prefix(self):
        token = self.token()
        for prefix in ("Bearer ", "bearer ", ""):
            status, _, body = self.get(LIST_PATH, token, prefix=prefix)
            self.assertEqual((status, json.loads(body)["authorization"]), (200, prefix + token))
        self.assertEqual(len(FunctionStub.seen), 3)

    def test_without_the_download_scope_the_download_route_is_403_and_the_list_route_200(self):
        token = self.token(scope=READ)
        for method in ("GET", "HEAD"):
            status, headers, body = self.get(DOWNLOAD_PATH, token, method=method)
            self.assertEqual(status, 403, method)
            self.assertEqual(body, b'{"message":"Forbidden"}' if method == "GET" else b"")
            self.assertIn('error="insufficient_scope"', headers["www-authenticate"])
        self.assertEqual(FunctionStub.seen, [])
        self.assertEqual(self.get(LIST_PATH, token)[0], 200)
        self.assertEqual(self.get(DOWNLOAD_PATH, self.token(scope=DOWNLOAD))[0], 200)
        self.assertEqual(len(FunctionStub.seen), 2)

    def test_scopes_come_from_scope_or_scp_and_none_of_the_routes_is_403(self):
        self.assertEqual(self.get(DOWNLOAD_PATH, self.token(scope=OMIT, scp=[DOWNLOAD]))[0], 200)
        self.assertEqual(self.get(DOWNLOAD_PATH, self.token(scope=OMIT, scp=f"x {DOWNLOAD}"))[0], 200)
        FunctionStub.seen.clear()
        for claims in ({"scope": OMIT}, {"scope": ""}, {"scope": f"{READ}x openid"}, {"scope": [DOWNLOAD[:-1]]}):
            self.assert_refused(self.get(DOWNLOAD_PATH, self.token(**claims)), 403)

    def test_an_expired_token_gets_401(self):
        headers = self.assert_refused(self.get(LIST_PATH, self.token(exp=int(time.time()) - 1)))
        self.assertIn("expired", headers["www-authenticate"])
        self.assert_refused(self.get(LIST_PATH, self.token(exp=OMIT)))

    def test_a_token_signed_with_another_key_gets_401(self):
        self.assert_refused(self.get(LIST_PATH, self.token(key=self.other_key)))
        self.assert_refused(self.get(LIST_PATH, self.token(key=self.other_key, kid="unknown-key")))
        self.assert_refused(self.get(LIST_PATH, self.token(kid=None)))

    def test_a_wrong_issuer_gets_401(self):
        for issuer in (self.issuer + "/", "http://127.0.0.1:1", OMIT):
            self.assert_refused(self.get(LIST_PATH, self.token(iss=issuer)))

    def test_a_wrong_audience_gets_401_and_aud_is_read_before_client_id(self):
        self.assert_refused(self.get(LIST_PATH, self.token(client_id="someone-else")))
        self.assert_refused(self.get(LIST_PATH, self.token(client_id=OMIT)))
        headers = self.assert_refused(self.get(LIST_PATH, self.token(aud="someone-else", client_id=AUDIENCE)))
        self.assertEqual(headers["www-authenticate"], 'Bearer scope="" error="invalid_token" '
                                                      'error_description="the token does not have a valid audience"')
        self.assert_refused(self.get(LIST_PATH, self.token(aud=[], client_id=AUDIENCE)))

    def test_client_id_is_accepted_when_there_is_no_aud_and_aud_may_be_a_list(self):
        self.assertEqual(self.get(LIST_PATH, self.token(client_id="another-client"))[0], 200)
        self.assertEqual(self.get(LIST_PATH, self.token(aud=AUDIENCE, client_id="someone-else"))[0], 200)
        self.assertEqual(self.get(LIST_PATH, self.token(aud=["x", AUDIENCE], client_id=OMIT))[0], 200)

    def test_nbf_or_iat_in_the_future_gets_401(self):
        later = int(time.time()) + 60
        self.assert_refused(self.get(LIST_PATH, self.token(nbf=later)))
        self.assert_refused(self.get(LIST_PATH, self.token(iat=later)))
        self.assertEqual(self.get(LIST_PATH, self.token(nbf=later - 120))[0], 200)

    def test_alg_none_hs256_with_the_public_key_and_non_rsa_tokens_get_401(self):
        now = int(time.time())
        claims = {"iss": self.issuer, "client_id": AUDIENCE, "scope": READ, "iat": now, "exp": now + 300}
        self.assert_refused(self.get(LIST_PATH, unsigned({"alg": "none", "typ": "JWT", "kid": "signing-key"}, claims)))
        public_pem = self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        for secret in (public_pem, json.dumps(Issuer.keys[0]).encode()):
            confused = unsigned({"alg": "HS256", "typ": "JWT", "kid": "signing-key"}, claims,
                                lambda signing_input: hmac.new(secret, signing_input, hashlib.sha256).digest())
            self.assert_refused(self.get(LIST_PATH, confused))
        self.assert_refused(self.get(LIST_PATH, self.token(algorithm="PS256")))

    def test_a_route_whose_scopes_parameter_is_empty_takes_any_valid_token(self):
        authorization = local_gateway.template_authorization(parameters={"DownloadAuthorizationScopes": ""})
        authorizer = local_gateway.JwtAuthorizer(self.issuer, [AUDIENCE], authorization)
        self.assertIsNone(authorizer.decide("GET", DOWNLOAD_PATH, {"authorization": "Bearer " + self.token(scope=OMIT)}))
        self.assertEqual(authorizer.decide("GET", DOWNLOAD_PATH, {}).status, 401)
        self.assertEqual(authorizer.decide("GET", LIST_PATH, {"authorization": self.token(scope=DOWNLOAD)}).status, 403)

    def test_an_issuer_off_loopback_is_refused_and_an_unreachable_one_gives_401(self):
        authorization = local_gateway.template_authorization()
        with self.assertRaises(ValueError):
            local_gateway.JwtAuthorizer("https://cognito-idp.us-east-1.amazonaws.com/pool", [AUDIENCE], authorization)
        unreachable = local_gateway.JwtAuthorizer("http://127.0.0.1:1", [AUDIENCE], authorization)
        log = io.StringIO()
        with contextlib.redirect_stderr(log):
            answer = unreachable.decide("GET", LIST_PATH, {"authorization": self.token()})
        self.assertEqual((answer.status, answer.message), (401, "Unauthorized"))
        self.assertIn("cannot read the issuer's discovery document", log.getvalue())

    def test_rs384_and_rs512_are_accepted_with_a_key_of_that_algorithm(self):
        self.assertEqual(self.get(LIST_PATH, self.token(kid="rs512-key", algorithm="RS512"))[0], 200)
        FunctionStub.seen.clear()
        self.assert_refused(self.get(LIST_PATH, self.token(kid="rs512-key", algorithm="RS384")))

    def test_tokens_signed_with_the_issuers_keys_that_are_not_rsa_get_401(self):
        self.assert_refused(self.get(LIST_PATH, self.token(key=self.ec_key, kid="ec-key", algorithm="ES256")))
        self.assert_refused(self.get(LIST_PATH, self.token(key=self.shared_secret, kid="oct-key", algorithm="HS256")))

    def test_malformed_tokens_get_401(self):
        good = self.token()
        for token in ("x", "a.b.c", good + "x", good.replace(".", "!", 1), "..", good.split(".")[0] + ".e30.", "é.é.é"):
            self.assert_refused(self.get(LIST_PATH, token))

    def test_a_preflight_is_answered_without_a_token(self):
        status, headers, _ = request(self.port, "OPTIONS", DOWNLOAD_PATH, {
            "origin": PANEL, "access-control-request-method": "GET", "access-control-request-headers": "authorization"})
        self.assertEqual((status, headers["access-control-allow-origin"]), (204, PANEL))
        self.assertIn("authorization", headers["access-control-allow-headers"])
        self.assertEqual(FunctionStub.seen, [])

    def test_refusals_carry_the_cors_headers_of_a_listed_origin_only(self):
        for token, status in ((None, 401), (self.token(scope=READ), 403)):
            _, headers, _ = self.get(DOWNLOAD_PATH, token, origin=PANEL)
            self.assertEqual(headers["access-control-allow-origin"], PANEL, status)
            self.assertEqual(headers["access-control-expose-headers"], "retry-after")
            _, headers, _ = self.get(DOWNLOAD_PATH, token, origin="http://evil.example")
            self.assertFalse([h for h in headers if h.startswith("access-control-")], headers)

    def test_the_function_never_sees_a_refused_request(self):
        now = int(time.time())
        # Each refusal the front makes (its docstring's table): no token, a malformed one, expired, another
        # key, another issuer, another client, a wrong aud beside the right client_id (aud is read first),
        # nbf or iat in the future, unsigned, signed with the issuer's HMAC key, without the route's scope.
        refused = [None, "x", self.token(exp=now - 1), self.token(key=self.other_key), self.token(iss="http://127.0.0.1:1"),
                   self.token(client_id="someone-else"), self.token(aud="someone-else"), self.token(nbf=now + 60),
                   self.token(iat=now + 60), unsigned({"alg": "none", "typ": "JWT", "kid": "signing-key"}, {
                       "iss": self.issuer, "client_id": AUDIENCE, "scope": f"{READ} {DOWNLOAD}", "iat": now, "exp": now + 300}),
                   self.token(key=self.shared_secret, kid="oct-key", algorithm="HS256"), self.token(scope=READ)]
        for token in refused:
            for method in ("GET", "HEAD"):
                self.assertIn(self.get(DOWNLOAD_PATH, token, method=method)[0], (401, 403))
        self.assertEqual(FunctionStub.seen, [])
        self.assertEqual(self.get(DOWNLOAD_PATH, self.token())[0], 200)
        self.assertEqual(FunctionStub.seen, [("GET", DOWNLOAD_PATH)])

    def test_paths_under_cargo_lambdas_function_url_mount_are_checked_too(self):
        mounted = "/lambda-url/connect-references" + DOWNLOAD_PATH
        self.assert_refused(self.get(mounted))
        self.assert_refused(self.get(mounted, self.token(scope=READ)), 403)
        self.assertEqual(self.get(mounted, self.token())[0], 200)

    def test_a_path_with_no_route_is_404_and_the_invoke_api_passes_unchecked(self):
        for method, path in (("GET", "/contact/references/i"), ("GET", DOWNLOAD_PATH + "/more"),
                             ("POST", LIST_PATH), ("GET", "/lambda-url/fn/other")):
            status, _, body = self.get(path, self.token(), method=method)
            self.assertEqual((status, body), (404, b'{"message":"Not Found"}'), (method, path))
        self.assertEqual(FunctionStub.seen, [])
        status, _, _ = request(self.port, "POST", "/2015-03-31/functions/connect-references/invocations")
        self.assertEqual((status, len(FunctionStub.seen)), (200, 1))

    def test_the_key_set_is_kept_and_fetched_again_for_an_unknown_kid(self):
        self.assertEqual(self.get(LIST_PATH, self.token())[0], 200)
        fetches = Issuer.key_set_fetches
        self.assertEqual(self.get(LIST_PATH, self.token())[0], 200)
        self.assertEqual(Issuer.key_set_fetches, fetches, "a known kid needs no fetch")
        authorizer = self.front.RequestHandlerClass.keywords["authorizer"]
        self.assertEqual(authorizer.keys().jwk_set_cache.lifespan, 2 * 60 * 60, "kept two hours, as the docstring says")
        rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        Issuer.keys = Issuer.keys + [public_jwk(rotated, "rotated-key")]
        try:
            self.assertEqual(self.get(LIST_PATH, self.token(key=rotated, kid="rotated-key"))[0], 200)
            self.assertEqual(Issuer.key_set_fetches, fetches + 1)
        finally:
            Issuer.keys = self.published


class TemplateAuthorizationTest(unittest.TestCase):
    """Each route's scopes are the template's (its OpenAPI security with the scope parameters' Defaults),
    including routes added later with scope parameters of their own."""

    def test_the_routes_and_scopes_are_the_templates(self):
        document = local_gateway._document(local_gateway.TEMPLATE)
        default = lambda name: tuple(document["Parameters"][name]["Default"].split(","))  # noqa: E731
        authorization = local_gateway.template_authorization()
        self.assertEqual(authorization.identity_header, "authorization")
        routes = {(route.method, route.path): route.scopes for route in authorization.routes}
        for method in ("GET", "HEAD"):
            self.assertEqual(routes[method, "/contact/references/{InstanceId}/{ContactId}"], default("ListAuthorizationScopes"))
            self.assertEqual(routes[method, "/contact/attachments/{InstanceId}/{ContactId}/{FileId}"],
                             default("DownloadAuthorizationScopes"))
        self.assertEqual(default("DownloadAuthorizationScopes"), (DOWNLOAD,))

    def test_a_route_added_with_its_own_scopes_parameter_is_enforced_needing_one_of_its_scopes(self):
        document = local_gateway._document(local_gateway.TEMPLATE)
        document["Parameters"]["RecordingsAuthorizationScopes"] = {
            "Type": "String", "Default": f"connect-references/recordings,{READ}"}
        document["Conditions"]["RecordingsScopes"] = {
            "Fn::Not": [{"Fn::Equals": [{"Ref": "RecordingsAuthorizationScopes"}, ""]}]}
        paths = document["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]["paths"]
        paths["/contact/recordings/{InstanceId}/{ContactId}/{RecordingId}"] = {"get": {"security": {"Fn::If": [
            "UseJwt",
            [{"JwtAuthorizer": {"Fn::If": ["RecordingsScopes",
                                           {"Fn::Split": [",", {"Ref": "RecordingsAuthorizationScopes"}]}, []]}}],
            [{"AWS_IAM": []}]]}}}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as template:
            yaml.safe_dump(document, template)
            template.flush()
            authorization = local_gateway.template_authorization(template.name)
            authorizer = local_gateway.JwtAuthorizer("http://127.0.0.1:1", [AUDIENCE], authorization)
        route = authorization.route("GET", "/lambda-url/fn/contact/recordings/i/c/r")
        self.assertEqual(route.scopes, ("connect-references/recordings", READ))
        self.assertIsNone(authorization.route("HEAD", "/contact/recordings/i/c/r"))
        claims = {"scope": f"openid {READ}"}
        self.assertTrue(set(route.scopes) & local_gateway.granted_scopes(claims), "one of the route's scopes is enough")
        self.assertEqual(authorizer.decide("GET", "/contact/recordings/i/c/r", {}).status, 401)


class CommandLineTest(unittest.TestCase):
    """The flags other scripts use: --jwt-issuer with --jwt-audience (repeatable, comma-separated), and
    --parameter for the template's parameters."""

    def start_front(self, function, *flags):
        """local_gateway.py's command line in front of `function`, once its port answers."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        front = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "lib" / "local_gateway.py"), "--port", str(port),
                                  "--upstream", f"http://127.0.0.1:{function.server_address[1]}", "--allowed-origins", PANEL,
                                  *flags])
        self.addCleanup(lambda: (front.terminate(), front.wait(timeout=10)))
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                self.assertLess(time.monotonic(), deadline, "the front did not start")
                time.sleep(0.1)

    def test_the_jwt_flags_switch_the_authorizer_on(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        Issuer.keys = [public_jwk(key, "cli-key")]
        issuer_server, function = serve_in_thread(Issuer), serve_in_thread(FunctionStub)
        self.addCleanup(stop, issuer_server)
        self.addCleanup(stop, function)
        issuer = f"http://127.0.0.1:{issuer_server.server_address[1]}"
        port = self.start_front(function, "--jwt-issuer", issuer, "--jwt-audience", "a,b", "--jwt-audience", AUDIENCE)
        now = int(time.time())
        token = jwt.encode({"iss": issuer, "client_id": AUDIENCE, "scope": READ, "iat": now, "exp": now + 60},
                           key, algorithm="RS256", headers={"kid": "cli-key"})
        self.assertEqual(request(port, "GET", LIST_PATH)[0], 401)
        self.assertEqual(request(port, "GET", LIST_PATH, {"authorization": "Bearer " + token})[0], 200)

    def test_a_parameter_flag_resolves_the_template_as_a_deployment_sets_it(self):
        # scripts/local turns the recordings routes on: without the flag they are no route (404), with it
        # they need a token (401) like every route.
        recordings = "/contact/recordings/11111111-2222-3333-4444-555555555555/c0ffee00-0000-4000-8000-00000000000c"
        function = serve_in_thread(FunctionStub)
        self.addCleanup(stop, function)
        jwt_flags = ["--jwt-issuer", "http://127.0.0.1:1", "--jwt-audience", AUDIENCE]
        for flags, status in [([], 404), (["--parameter", "EnableRecordings=true"], 401)]:
            with self.subTest(flags=flags):
                port = self.start_front(function, *jwt_flags, *flags)
                self.assertEqual(request(port, "GET", recordings)[0], status)

    def test_an_issuer_without_an_audience_is_refused(self):
        run = subprocess.run([sys.executable, str(ROOT / "scripts" / "lib" / "local_gateway.py"), "--port", "0",
                              "--upstream", "http://127.0.0.1:1", "--allowed-origins", PANEL,
                              "--jwt-issuer", "http://127.0.0.1:1"], capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertIn("--jwt-audience", run.stderr)


if __name__ == "__main__":
    unittest.main()
