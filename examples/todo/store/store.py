"""The todo store: a tiny service that keeps the list in /data, Berth's volume for this block.

Each write goes to a temporary file that is then renamed over the list, so a stop in the
middle of a write never leaves half a file behind.
"""
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATA = os.path.join(os.environ.get("DATA_DIR", "/data"), "todos.json")
lock = threading.Lock()


def load():
    try:
        with open(DATA) as f:
            return json.load(f)
    except FileNotFoundError:
        return []


def save(todos):
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    with open(DATA + ".tmp", "w") as f:
        json.dump(todos, f)
    os.replace(DATA + ".tmp", DATA)


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/todos":
            return self.reply(404, {"error": "not found"})
        with lock:
            self.reply(200, load())

    def do_POST(self):
        if self.path != "/todos":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        todo = json.loads(self.rfile.read(length))
        with lock:
            todos = load()
            todos.append({"id": len(todos) + 1, "title": todo["title"]})
            save(todos)
        self.reply(201, todos[-1])

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
