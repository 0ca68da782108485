"""A local stand-in for API Gateway in front of a local API (`cargo lambda watch` in scripts/local): the
template's CORS, and with `--jwt-issuer` the template's JWT authorizer, applied as an HTTP API applies
them. Everything else is passed on as it came.

CORS, for `--allowed-origins`, from the template's `HttpApi.CorsConfiguration`:

- a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered here, never passed
  on: 204, with Allow-Origin/-Methods/-Headers and Max-Age for a listed origin, no CORS header for any
  other; it needs no token (API Gateway answers preflights before authorisation);
- any other request from a listed origin gets Allow-Origin and Expose-Headers; CORS headers the
  backend sent are dropped ("API Gateway ignores CORS headers returned from your backend integration",
  the API Gateway guide's "Configuring CORS for an HTTP API").

`sam local start-api` emulates CORS too but sends no Access-Control-Expose-Headers (sam-cli 1.170), so a
page behind it cannot read Retry-After; behind this front it can, as behind API Gateway.

The JWT authorizer, with `--jwt-issuer URL --jwt-audience ID` (repeatable or comma-separated): each
route of the template's OpenAPI definition (`paths`, read with Authorizer=JwtAuthorizer and every other
parameter at its Default) whose `security` names the JWT scheme needs a token, checked with PyJWT
before the function sees the request; the route's scopes are those its `security` lists (the
Defaults of ListAuthorizationScopes, DownloadAuthorizationScopes and any later `...Scopes` parameter).
Requests are matched against the path templates, under cargo lambda's `/lambda-url/<function>` mount
or none. Without `--jwt-issuer` nothing of this applies. Where the front follows AWS's documented
behaviour and where it guesses ("JWT guide": the API Gateway developer guide's "Control access to HTTP
APIs with JWT authorizers"; "troubleshooting": its "Troubleshooting issues with HTTP API JWT
authorizers"; "REST JWT guide": its "Signing keys and troubleshooting JWT authorizers", for REST APIs;
"CORS guide": its "Configure CORS for HTTP APIs"):

| what the front does | source |
|---|---|
| the token is the identity source header's (`$request.header.Authorization`, read from the template), bare or after `Bearer ` | JWT guide, step 1; reading `Bearer` case-insensitively is a guess |
| no token: 401 `{"message":"Unauthorized"}` | JWT guide ("if any of these steps fail, API Gateway denies the API request"); the 401 and its body: troubleshooting |
| malformed token, bad signature, a `kid` not in the key set, no `kid`: 401 | JWT guide, steps 2-3 and its `kid` rule |
| RSA only: RS256, RS384, RS512; `none`, HS*, ES* and PS* tokens get 401, even when the issuer publishes such a key | JWT guide: "only RSA-based algorithms are supported"; refusing PS* (RSA-PSS) is a guess. A token's `alg` must also be its JWK's (RS256 where the JWK names none): PyJWT's rule, a guess for AWS |
| keys found through `<issuer>/.well-known/openid-configuration` -> `jwks_uri`, on first use; the set is kept two hours, and fetched again at once for an unknown `kid` | discovery: REST JWT guide, a guess for HTTP APIs; two hours: the current JWT guide says API Gateway may cache keys that long; the refetch: REST JWT guide, a guess for HTTP APIs (the JWT guide only advises a rotation grace period) |
| `iss` equal to the issuer, character for character | JWT guide |
| `aud` (a string or a list) names an audience; only a token without `aud` may name one in `client_id` | troubleshooting: "API Gateway validates client_id only if aud is not present. When both aud and client_id are present, API Gateway evaluates aud." |
| `exp` after now; `nbf` and `iat`, when present, not after now; no clock leeway | JWT guide (its current version lists `iat`, its 2020 version did not); a required `exp` and no leeway are guesses |
| a route's scopes: the token's `scope` (space-separated) or `scp` (a string or a list) must hold at least one of them, else 403 `{"message":"Forbidden"}`; a route with no scopes takes any valid token | "at least one of the route's scopes", `scope` or `scp`: JWT guide; 403 and its body are not in AWS's guides (the issue's contract); `scp` as a list is a guess |
| a 401 for a bad token carries `www-authenticate: Bearer scope="" error="invalid_token" error_description="..."` | the form: troubleshooting's example; the descriptions other than "the token does not have a valid audience", `Bearer` alone when there is no token, and the 403's `error="insufficient_scope"` are guesses |
| 401, 403 and 404 from the front carry Allow-Origin and Expose-Headers for a listed origin | a guess: the CORS guide documents CORS headers on integration responses only; chosen so that a page reads the status (and can sign in again) instead of seeing a network error |
| a path that matches no route: 404 `{"message":"Not Found"}`, never passed on; Lambda's Invoke API (`/2015-03-31/functions/...`, how contact flows reach the function) passes unchecked | API Gateway answers an unmatched route itself; the Invoke API is Lambda's (IAM), not API Gateway's |
| a refused request never reaches the function; an allowed one reaches it as it came | JWT guide. The function gets no `requestContext.authorizer.jwt` claims here (cargo lambda builds the event): a limit of the emulation |
| the issuer and its `jwks_uri` must be on loopback | this front's own rule: tests and scripts/local never leave the machine |

    python scripts/lib/local_gateway.py --port 9000 --upstream http://127.0.0.1:9001 --allowed-origins http://127.0.0.1:5173 \\
        [--jwt-issuer http://127.0.0.1:5556 --jwt-audience connect-references-panel]"""

import argparse
import functools
import http.client
import ipaddress
import json
import re
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import jwt
import yaml

import background_server

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}
HTTP_METHODS = {"get", "head", "post", "put", "delete", "patch", "options"}
ANY_METHOD = "x-amazon-apigateway-any-method"
# The JWT guide: "Currently, only RSA-based algorithms are supported."
RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]
# The JWT guide: API Gateway "can cache public keys for two hours".
JWKS_LIFESPAN_SECONDS = 2 * 60 * 60
FETCH_TIMEOUT_SECONDS = 5
# How cargo lambda watch serves a function's URL: /lambda-url/<function>/<path>.
FUNCTION_URL_MOUNT = r"(?:/lambda-url/[^/]+)?"
# Lambda's Invoke API, the way contact flows reach the function: never behind API Gateway.
INVOKE_API = "/2015-03-31/functions/"


# --- The template, read as CloudFormation would for given parameters -------------------------------

class _CloudFormationLoader(yaml.SafeLoader):
    """CloudFormation's short tags read as their long forms: !Ref X -> {"Ref": "X"}, !If [...] ->
    {"Fn::If": [...]}, !Condition X -> {"Condition": "X"}."""


def _long_form(loader, suffix, node):
    value = (loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode)
             else loader.construct_mapping(node, deep=True) if isinstance(node, yaml.MappingNode)
             else loader.construct_scalar(node))
    return {suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix: value}


_CloudFormationLoader.add_multi_constructor("!", _long_form)
_NO_VALUE = object()


class _Stack:
    """The template's values with `parameters` (the others at their Default): the intrinsic functions
    that the API's definition uses (Ref to a parameter, AWS::NoValue, Fn::If and its conditions,
    Fn::Split, Fn::Select). Others stay as written: their values are not needed here."""

    def __init__(self, document, parameters):
        defaults = {name: str(spec.get("Default", "")) for name, spec in document.get("Parameters", {}).items()}
        self.parameters = {**defaults, **parameters}
        self.conditions = document.get("Conditions", {})

    def condition(self, name):
        return bool(self.resolve(self.conditions[name]))

    def resolve(self, node):
        if isinstance(node, list):
            return [value for value in map(self.resolve, node) if value is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (function, argument), = node.items()
            if function == "Ref":
                return _NO_VALUE if argument == "AWS::NoValue" else self.parameters.get(argument, node)
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if function in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Split", "Fn::Select"):
                values = self.resolve(argument)
                return {"Fn::Equals": lambda: values[0] == values[1], "Fn::Not": lambda: not values[0],
                        "Fn::And": lambda: all(values), "Fn::Or": lambda: any(values),
                        "Fn::Split": lambda: values[1].split(values[0]),
                        "Fn::Select": lambda: values[1][int(values[0])]}[function]()
        resolved = ((key, self.resolve(value)) for key, value in node.items())
        return {key: value for key, value in resolved if value is not _NO_VALUE}


def _document(template):
    return yaml.load(Path(template).read_text(), Loader=_CloudFormationLoader)


def template_cors(origins, template=TEMPLATE):
    """The template's CORS configuration (its `!If [BrowserCallers, <configuration>, NoValue]`) for `origins`."""
    document = _document(template)
    _condition, configuration, _no_value = document["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["Fn::If"]
    return {**_Stack(document, {}).resolve(configuration), "AllowOrigins": list(origins)}


@dataclass(frozen=True)
class Route:
    """One route of the HTTP API: "METHOD /path/{Variable}" and the authorization it needs."""

    method: str  # GET, HEAD, ... or ANY
    path: str  # the OpenAPI path template
    scopes: tuple  # None: no JWT authorizer on this route; (): any valid token; else at least one of these
    pattern: re.Pattern

    def matches(self, method, path):
        return self.method in (method, "ANY") and self.pattern.fullmatch(path) is not None

    def specificity(self):
        """API Gateway picks the most specific route: an exact method, then fewer (greedy) variables."""
        return (self.method == "ANY", self.path.count("+}"), self.path.count("{"))


def _path_pattern(path_template):
    """An OpenAPI path template as a regular expression: {Variable} one segment, {proxy+} the rest."""
    def segment(part):
        if part.startswith("{") and part.endswith("+}"):
            return ".+"
        if part.startswith("{") and part.endswith("}"):
            return "[^/]+"
        return re.escape(part)
    return re.compile(FUNCTION_URL_MOUNT + "/".join(map(segment, path_template.split("/"))))


@dataclass(frozen=True)
class ApiAuthorization:
    """What the template's HTTP API asks of a JWT: where the token is, and each route's scopes."""

    identity_header: str
    routes: tuple

    def route(self, method, path):
        candidates = [route for route in self.routes if route.matches(method, path)]
        return min(candidates, key=Route.specificity) if candidates else None


def template_authorization(template=TEMPLATE, parameters=None):
    """The HTTP API's JWT authorization as deployed with Authorizer=JwtAuthorizer (and `parameters`;
    every other parameter at its Default): the JWT scheme's identity source and every route of the
    OpenAPI definition with the scopes its `security` gives the JWT scheme."""
    document = _document(template)
    stack = _Stack(document, {"Authorizer": "JwtAuthorizer", **(parameters or {})})
    definition = stack.resolve(document["Resources"]["HttpApi"]["Properties"]["DefinitionBody"])
    schemes = definition.get("components", {}).get("securitySchemes", {})
    jwt_schemes = {name: scheme["x-amazon-apigateway-authorizer"] for name, scheme in schemes.items()
                   if scheme.get("x-amazon-apigateway-authorizer", {}).get("type") == "jwt"}
    if len(jwt_schemes) != 1:
        raise ValueError(f"expected one JWT authorizer in the template's API, found {sorted(jwt_schemes)}")
    (scheme_name, authorizer), = jwt_schemes.items()
    source = authorizer["identitySource"]
    source = source[0] if isinstance(source, list) else source
    if not source.startswith("$request.header."):
        raise ValueError(f"unsupported identity source {source!r}")
    routes = []
    for path, item in definition["paths"].items():
        for key, operation in item.items():
            if key not in HTTP_METHODS and key != ANY_METHOD:
                continue
            security = operation.get("security", definition.get("security", []))
            scopes = next((tuple(requirement[scheme_name]) for requirement in security if scheme_name in requirement), None)
            method = "ANY" if key == ANY_METHOD else key.upper()
            routes.append(Route(method, path, scopes, _path_pattern(path)))
    return ApiAuthorization(source.removeprefix("$request.header.").lower(), tuple(routes))


# --- The JWT authorizer ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """An answer the front gives itself, as API Gateway would: status, `{"message": ...}`, challenge."""

    status: int
    message: str
    challenge: str = None


def _unauthorized(description=None):
    challenge = "Bearer" if description is None else f'Bearer scope="" error="invalid_token" error_description="{description}"'
    return Answer(401, "Unauthorized", challenge)


NOT_FOUND = Answer(404, "Not Found")


def _is_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class JwtAuthorizer:
    """API Gateway's JWT authorizer for `issuer` and `audiences`, over the template's routes (the
    module's table says which rules are AWS's and which are guesses)."""

    def __init__(self, issuer, audiences, authorization):
        if not _is_loopback(issuer):
            raise ValueError(f"the JWT issuer must be on loopback: {issuer}")
        if not audiences:
            raise ValueError("a JWT authorizer needs at least one audience")
        self.issuer = issuer
        self.audiences = frozenset(audiences)
        self.authorization = authorization
        self._keys = None
        self._keys_lock = threading.Lock()

    def keys(self):
        """The issuer's key set, found through its discovery document on first use (the issuer may
        start after the front) and kept; PyJWT caches the set and refetches it on an unknown `kid`."""
        with self._keys_lock:
            if self._keys is None:
                discovery = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                with urllib.request.urlopen(discovery, timeout=FETCH_TIMEOUT_SECONDS) as response:
                    jwks_uri = json.load(response)["jwks_uri"]
                if not _is_loopback(jwks_uri):
                    raise ValueError(f"the issuer's jwks_uri is not on loopback: {jwks_uri}")
                self._keys = jwt.PyJWKClient(jwks_uri, cache_keys=False, lifespan=JWKS_LIFESPAN_SECONDS,
                                             timeout=FETCH_TIMEOUT_SECONDS, cooldown_duration=0)
            return self._keys

    def decide(self, method, path, headers):
        """None to pass the request on; otherwise the Answer that refuses it."""
        path = path.split("?", 1)[0]
        if path.startswith(INVOKE_API):
            return None
        route = self.authorization.route(method, path)
        if route is None:
            return NOT_FOUND
        if route.scopes is None:
            return None
        token = (headers.get(self.authorization.identity_header) or "").strip()
        if token.lower() == "bearer" or token[:7].lower() == "bearer ":
            token = token[6:].strip()
        if not token:
            return _unauthorized()
        try:
            keys = self.keys()
        except (OSError, ValueError, KeyError) as error:
            print(f"local_gateway: cannot read the issuer's discovery document: {error}", file=sys.stderr)
            return _unauthorized("the signing keys could not be fetched")
        try:
            claims = self.claims(keys, token)
        except jwt.PyJWKClientConnectionError as error:
            print(f"local_gateway: cannot fetch the issuer's keys: {error}", file=sys.stderr)
            return _unauthorized("the signing keys could not be fetched")
        except jwt.ExpiredSignatureError:
            return _unauthorized("the token has expired")
        except jwt.ImmatureSignatureError:
            return _unauthorized("the token is not valid yet")
        except jwt.InvalidIssuerError:
            return _unauthorized("the token does not have a valid issuer")
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):  # the last three: hostile token shapes
            return _unauthorized("the token is not valid")
        if not self.audience_matches(claims):
            return _unauthorized("the token does not have a valid audience")
        if route.scopes and not set(route.scopes) & granted_scopes(claims):
            wanted = " ".join(route.scopes)
            return Answer(403, "Forbidden", f'Bearer scope="{wanted}" error="insufficient_scope" '
                                            f'error_description="expected scopes: {wanted}"')
        return None

    def claims(self, keys, token):
        """The token's claims once its signature (RSA, the issuer's key named by `kid`), `iss`, `exp`,
        `nbf` and `iat` hold; raises PyJWT's errors otherwise."""
        key = keys.get_signing_key_from_jwt(token)
        return jwt.decode(token, key, algorithms=RSA_ALGORITHMS, issuer=self.issuer, leeway=0,
                          options={"require": ["iss", "exp"], "verify_aud": False})

    def audience_matches(self, claims):
        """`aud` (a string or a list) names an audience; `client_id` counts only without `aud`."""
        if "aud" in claims:
            audience = claims["aud"]
            values = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
            return any(isinstance(value, str) and value in self.audiences for value in values)
        return claims.get("client_id") in self.audiences


def granted_scopes(claims):
    """The scopes a token carries: `scope` (space-separated) and `scp` (space-separated or a list)."""
    granted = set()
    for claim in ("scope", "scp"):
        value = claims.get(claim)
        if isinstance(value, str):
            granted.update(value.split())
        elif isinstance(value, list):
            granted.update(item for item in value if isinstance(item, str))
    return granted


# --- The front -------------------------------------------------------------------------------------

class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, upstream, cors, authorizer=None, **kwargs):
        self.upstream = upstream
        self.cors = cors
        self.authorizer = authorizer
        super().__init__(*args, **kwargs)

    def listed_origin(self):
        origin = self.headers.get("origin")
        return origin if origin in self.cors["AllowOrigins"] else None

    def send_cors_headers(self):
        origin = self.listed_origin()
        if origin:
            self.send_header("access-control-allow-origin", origin)
            self.send_header("access-control-expose-headers", ",".join(self.cors["ExposeHeaders"]))

    def do_OPTIONS(self):
        if not (self.headers.get("origin") and self.headers.get("access-control-request-method")):
            return self.forward()
        self.send_response(204)
        origin = self.listed_origin()
        if origin:
            self.send_header("access-control-allow-origin", origin)
            self.send_header("access-control-allow-methods", ",".join(self.cors["AllowMethods"]))
            self.send_header("access-control-allow-headers", ",".join(self.cors["AllowHeaders"]))
            self.send_header("access-control-max-age", str(self.cors["MaxAge"]))
            if self.cors.get("AllowCredentials"):
                self.send_header("access-control-allow-credentials", "true")
        self.send_header("content-length", "0")
        self.end_headers()

    def forward(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        refusal = self.authorizer.decide(self.command, self.path, self.headers) if self.authorizer else None
        if refusal:
            return self.answer(refusal)
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.upstream.path.rstrip("/") + self.path, body=body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"} and not name.lower().startswith("access-control-"):
                self.send_header(name, value)
        self.send_cors_headers()
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        connection.close()

    def answer(self, answer):
        """The front's own answer (401, 403, 404), with the CORS headers a listed origin gets."""
        payload = json.dumps({"message": answer.message}, separators=(",", ":")).encode()
        self.send_response(answer.status)
        self.send_header("content-type", "application/json")
        if answer.challenge:
            self.send_header("www-authenticate", answer.challenge)
        self.send_cors_headers()
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = forward

    def log_message(self, *args):
        pass


def audience_list(audiences):
    """`--jwt-audience` values: a string or strings, each possibly comma-separated."""
    if audiences is None:
        return []
    if isinstance(audiences, str):
        audiences = [audiences]
    return [value.strip() for item in audiences for value in item.split(",") if value.strip()]


def handler(upstream, origins, jwt_issuer=None, jwt_audience=None, template=TEMPLATE, parameters=None):
    """The front's request handler, passing requests on to `upstream` with the CORS for `origins`, and,
    with `jwt_issuer`, only those the template's JWT authorizer allows for `jwt_audience`, the template
    resolved with `parameters` (e.g. `{"EnableRecordings": "true"}`) over its defaults."""
    authorizer = (JwtAuthorizer(jwt_issuer, audience_list(jwt_audience), template_authorization(template, parameters))
                  if jwt_issuer else None)
    return functools.partial(GatewayHandler, upstream=urllib.parse.urlsplit(upstream),
                             cors=template_cors(origins, template), authorizer=authorizer)


def serve(host, port, upstream, origins, jwt_issuer=None, jwt_audience=None, template=TEMPLATE):
    """Starts the front in a thread (background_server.start); returns it."""
    return background_server.start(host, port, handler(upstream, origins, jwt_issuer, jwt_audience, template))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--allowed-origins", required=True, help="comma-separated, as the AllowedOrigins parameter")
    parser.add_argument("--jwt-issuer", help="check each route's JWT as the template's JwtAuthorizer, for this issuer (on loopback)")
    parser.add_argument("--jwt-audience", action="append", help="an accepted aud/client_id; repeatable or comma-separated")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="a template parameter, as a deployment would set it (e.g. EnableRecordings=true); repeatable")
    args = parser.parse_args()
    parameters = dict(item.split("=", 1) for item in args.parameter) or None
    audiences = audience_list(args.jwt_audience)
    if args.jwt_issuer and not audiences:
        parser.error("--jwt-issuer needs --jwt-audience (as the template's JwtNeedsIssuerAndAudience rule)")
    if audiences and not args.jwt_issuer:
        parser.error("--jwt-audience needs --jwt-issuer")
    background_server.run(args.host, args.port,
                          handler(args.upstream, args.allowed_origins.split(","), args.jwt_issuer or None, audiences,
                                  parameters=parameters))


if __name__ == "__main__":
    main()
