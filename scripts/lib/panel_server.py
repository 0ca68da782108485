"""Serves the built agent panel (web/agent-panel/dist, from scripts/build-panel) on an origin of its own,
with the config.json it reads: `{"apiUrl": …, "instanceId": …, "contactInitial": …, "hostOrigin": …,
"oidc": {"authority": …, "clientId": …, "scope": …}}` (the keys the stack writes beside the same files).
Used by scripts/local and by tests/browser_test.py. A static server, as CloudFront in front of S3 would
be: no API behind it. `serve(..., directory=…)` serves another folder the same way (the emulated agent
workspace, tests/workspace).

    python scripts/lib/panel_server.py --port 5173 --api-url http://127.0.0.1:9000 [--instance-id ID] \
        [--oidc-authority http://127.0.0.1:4444 --oidc-client-id connect-references-panel]"""

import argparse
import functools
import json
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import background_server

PANEL = Path(__file__).resolve().parents[2] / "web" / "agent-panel" / "dist"
# What the panel asks its issuer for: sign-in, and the API's two routes.
DEFAULT_SCOPE = "openid connect-references/read connect-references/download connect-references/recordings"


class PanelHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json"}

    def __init__(self, *args, config, extra_pages, directory, **kwargs):
        # Served from memory beside the folder's files: the configuration, and any extra pages.
        self.generated = {"/config.json": (json.dumps(config), "application/json"),
                          **{path: (html, "text/html") for path, html in extra_pages.items()}}
        super().__init__(*args, directory=str(directory), **kwargs)

    def do_GET(self):
        generated = self.generated.get(self.path.split("?", 1)[0])
        if generated:
            text, content_type = generated
            body = text.encode()
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self):
        self.send_header("cache-control", "no-store")
        self.send_header("x-content-type-options", "nosniff")
        self.send_header("referrer-policy", "no-referrer")
        super().end_headers()

    def log_message(self, *args):
        pass


def handler(config, extra_pages=None, directory=PANEL):
    """The panel's request handler; `extra_pages` maps paths to HTML served beside it (a test's host page)."""
    if directory == PANEL and not (PANEL / "panel.js").exists():
        raise SystemExit(f"{PANEL} has no panel.js: run ./scripts/build-panel first")
    return functools.partial(PanelHandler, config=config, extra_pages=extra_pages or {}, directory=directory)


def serve(host, port, config, extra_pages=None, directory=PANEL):
    """Starts the server in a thread (background_server.start); returns it."""
    return background_server.start(host, port, handler(config, extra_pages, directory))


def panel_config(api_url, instance_id=None, contact_initial=False, host_origin=None, oidc_authority=None,
                 oidc_client_id=None, oidc_scope=DEFAULT_SCOPE):
    """config.json's content, with the keys the stack writes (optional ones only when given)."""
    config = {"apiUrl": api_url, "contactInitial": contact_initial}
    if instance_id:
        config["instanceId"] = instance_id
    if host_origin:
        config["hostOrigin"] = host_origin
    if oidc_authority:
        config["oidc"] = {"authority": oidc_authority, "clientId": oidc_client_id, "scope": oidc_scope}
    return config


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5173)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--instance-id")
    parser.add_argument("--contact-initial", action="store_true")
    parser.add_argument("--host-origin", help="the one origin whose postMessage may hand the panel a token")
    parser.add_argument("--oidc-authority", help="the sign-in's issuer (its discovery document's base URL)")
    parser.add_argument("--oidc-client-id", default="connect-references-panel")
    parser.add_argument("--oidc-scope", default=DEFAULT_SCOPE)
    parser.add_argument("--directory", type=Path, default=PANEL, help="serve this folder instead of the panel")
    args = parser.parse_args()
    config = panel_config(args.api_url, args.instance_id, args.contact_initial, args.host_origin,
                          args.oidc_authority, args.oidc_client_id, args.oidc_scope)
    background_server.run(args.host, args.port, handler(config, directory=args.directory))


if __name__ == "__main__":
    main()
