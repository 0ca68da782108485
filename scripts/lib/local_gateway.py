"""A local stand-in for API Gateway's CORS, in front of a local API (`cargo lambda watch` in
scripts/local): every request is passed on as it came, and the answer goes back with the CORS headers
the template's `HttpApi.CorsConfiguration` gives for `--allowed-origins`, as an HTTP API applies them:

- a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered here, never passed
  on: 204, with Allow-Origin/-Methods/-Headers and Max-Age for a listed origin, no CORS header for any
  other;
- any other request from a listed origin gets Allow-Origin and Expose-Headers; CORS headers the
  backend sent are dropped ("API Gateway ignores CORS headers returned from your backend integration",
  the API Gateway guide's "Configuring CORS for an HTTP API").

`sam local start-api` emulates CORS too but sends no Access-Control-Expose-Headers (sam-cli 1.170), so a
page behind it cannot read Retry-After; behind this front it can, as behind API Gateway.

    python scripts/lib/local_gateway.py --port 9000 --upstream http://127.0.0.1:9001 --allowed-origins http://127.0.0.1:5173"""

import argparse
import functools
import http.client
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import yaml

import background_server

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


class _AnyTag(yaml.SafeLoader):
    """CloudFormation's short tags (!If, !Ref, …) read as the plain values they wrap."""


_AnyTag.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node) if isinstance(node, yaml.MappingNode)
    else loader.construct_scalar(node)))


def template_cors(origins, template=TEMPLATE):
    """The template's CORS configuration (its `!If [BrowserCallers, <configuration>, NoValue]`) for `origins`."""
    properties = yaml.load(template.read_text(), Loader=_AnyTag)["Resources"]["HttpApi"]["Properties"]
    _condition, configuration, _no_value = properties["CorsConfiguration"]
    return {**configuration, "AllowOrigins": list(origins)}


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, upstream, cors, **kwargs):
        self.upstream = upstream
        self.cors = cors
        super().__init__(*args, **kwargs)

    def listed_origin(self):
        origin = self.headers.get("origin")
        return origin if origin in self.cors["AllowOrigins"] else None

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
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.upstream.path.rstrip("/") + self.path, body=body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"} and not name.lower().startswith("access-control-"):
                self.send_header(name, value)
        origin = self.listed_origin()
        if origin:
            self.send_header("access-control-allow-origin", origin)
            self.send_header("access-control-expose-headers", ",".join(self.cors["ExposeHeaders"]))
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        connection.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = forward

    def log_message(self, *args):
        pass


def handler(upstream, origins):
    """The front's request handler, passing requests on to `upstream` with the CORS for `origins`."""
    return functools.partial(GatewayHandler, upstream=urllib.parse.urlsplit(upstream), cors=template_cors(origins))


def serve(host, port, upstream, origins):
    """Starts the front in a thread (background_server.start); returns it."""
    return background_server.start(host, port, handler(upstream, origins))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--allowed-origins", required=True, help="comma-separated, as the AllowedOrigins parameter")
    args = parser.parse_args()
    background_server.run(args.host, args.port, handler(args.upstream, args.allowed_origins.split(",")))


if __name__ == "__main__":
    main()
