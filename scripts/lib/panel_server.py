"""Serves the agent panel (web/agent-panel) on an origin of its own, with the config.json it reads:
`{"apiUrl": …, "instanceId": …, "contactInitial": …, "hostOrigin": …}`. Used by scripts/local and by
tests/browser_test.py. A static server, as a CDN or an S3 website would be: no API behind it.

    python scripts/lib/panel_server.py --port 5173 --api-url http://127.0.0.1:9000 [--instance-id ID]"""

import argparse
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PANEL = Path(__file__).resolve().parents[2] / "web" / "agent-panel"


class PanelHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json"}

    def __init__(self, *args, config, extra_pages, **kwargs):
        self.config = config
        self.extra_pages = extra_pages
        super().__init__(*args, directory=str(PANEL), **kwargs)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/config.json" or path in self.extra_pages:
            body = json.dumps(self.config).encode() if path == "/config.json" else self.extra_pages[path].encode()
            self.send_response(200)
            self.send_header("content-type", "application/json" if path == "/config.json" else "text/html")
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


def serve(host, port, config, extra_pages=None):
    """Starts the server in a thread; returns it (`.shutdown()` stops it, `.server_address` says where).
    `extra_pages` maps paths to HTML served beside the panel (a test's host page)."""
    handler = functools.partial(PanelHandler, config=config, extra_pages=extra_pages or {})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


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
    serve(args.host, args.port, config)
    threading.Event().wait()


if __name__ == "__main__":
    main()
