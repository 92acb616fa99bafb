"""The todo API: validates requests and keeps the list in the store block.

Standard library only, so it builds without a package index. It listens on $PORT, which
Berth sets to the block's port. The gateway strips the /api prefix before the request
arrives, and has already checked the caller's token.
"""
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STORE_URL = os.environ.get("STORE_URL", "http://store:7000")


def store(method, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{STORE_URL}/todos", data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, value):
        body = (json.dumps(value) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, {"ok": True})
        if self.path == "/todos":
            return self.call_store(200, "GET")
        self.reply(404, {"error": "not found"})

    def call_store(self, status, method, body=None):
        try:
            self.reply(status, store(method, body))
        except OSError as error:
            self.reply(503, {"error": f"the store is not reachable: {error}"})

    def do_POST(self):
        if self.path != "/todos":
            return self.reply(404, {"error": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
            title = json.loads(self.rfile.read(min(length, 65536)) or b"{}").get("title")
        except (ValueError, AttributeError):
            title = None
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            return self.reply(400, {"error": "expected {\"title\": \"...\"} with 1 to 200 characters"})
        self.call_store(201, "POST", {"title": title.strip()})

    def log_message(self, fmt, *args):
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
