"""Serves the agent panel (web/agent-panel) on an origin of its own, with the config.json it reads:
`{"apiUrl": …, "instanceId": …, "contactInitial": …, "hostOrigin": …}`. Used by scripts/local and by
tests/browser_test.py. A static server, as a CDN or an S3 website would be: no API behind it.

    python scripts/lib/panel_server.py --port 5173 --api-url http://127.0.0.1:9000 [--instance-id ID]"""

import argparse
import functools
import json
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import background_server

PANEL = Path(__file__).resolve().parents[2] / "web" / "agent-panel"


class PanelHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json"}

    def __init__(self, *args, config, extra_pages, **kwargs):
        # Served from memory beside the folder's files: the configuration, and any extra pages.
        self.generated = {"/config.json": (json.dumps(config), "application/json"),
                          **{path: (html, "text/html") for path, html in extra_pages.items()}}
        super().__init__(*args, directory=str(PANEL), **kwargs)

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


def handler(config, extra_pages=None):
    """The panel's request handler; `extra_pages` maps paths to HTML served beside it (a test's host page)."""
    return functools.partial(PanelHandler, config=config, extra_pages=extra_pages or {})


def serve(host, port, config, extra_pages=None):
    """Starts the server in a thread (background_server.start); returns it."""
    return background_server.start(host, port, handler(config, extra_pages))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5173)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--instance-id")
    parser.add_argument("--contact-initial", action="store_true")
    parser.add_argument("--host-origin", help="the one origin whose postMessage may hand the panel a token")
    args = parser.parse_args()
    config = {"apiUrl": args.api_url, "contactInitial": args.contact_initial}
    if args.instance_id:
        config["instanceId"] = args.instance_id
    if args.host_origin:
        config["hostOrigin"] = args.host_origin
    background_server.run(args.host, args.port, handler(config))


if __name__ == "__main__":
    main()
