"""An HTTP server serving from a daemon thread, for the local stand-ins of scripts/local and the tests
(the panel's static server, the CORS front)."""

import threading
from http.server import ThreadingHTTPServer


def start(host, port, handler):
    """Serves `handler` on host:port (0: any free port) in a daemon thread; returns the server
    (`.shutdown()` stops it, `.server_address` says where)."""
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(host, port, handler):
    """Serves until the process is stopped (a command line's main)."""
    ThreadingHTTPServer((host, port), handler).serve_forever()
