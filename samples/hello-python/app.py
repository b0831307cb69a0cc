"""A tiny web application for the Platform's local runtime: only Python's standard library.

It listens on $PORT, answers / with a greeting (from $GREETING) and /health for the readiness probe,
and logs one line per request to standard output, where the platform collects it.
"""
import json
import os
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8080"))
GREETING = os.environ.get("GREETING", "Hello from the Platform!")
STARTED = datetime.now(timezone.utc)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self._send(200, "text/plain", b"ok")
            return
        body = json.dumps({
            "message": GREETING,
            "started_at": STARTED.isoformat(),
            "environment": os.environ.get("PLATFORM_ENVIRONMENT_NAME"),
        }).encode()
        self._send(200, "application/json", body)

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        if self.path == "/health":
            return
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    print(f"hello-python listening on port {PORT}", flush=True)
    sys.stdout.flush()
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
