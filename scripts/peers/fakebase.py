"""A small HTTP server base for vendor fakes used by the test suite.

Each test works in its own namespace: it registers `POST /_ns/<ns>` with the API key the fake
must demand and optional failures to inject, points the daemon at `http://host:port/ns/<ns>`,
and reads back `GET /_ns/<ns>/requests` (raw calls) and `GET /_ns/<ns>/messages` (what was
accepted, normalised to one shape across vendors). Binds 127.0.0.1 only.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Namespace:
    def __init__(self, config):
        self.api_key = config.get("api_key")
        # Each entry: {"status": 503, "count": 2, "retry_after": 1, "delay": 0.0, "body": {...}}
        self.inject = list(config.get("inject", []))
        self.requests = []
        self.messages = []
        self.idempotency = {}
        self.lock = threading.Lock()

    def next_injection(self):
        with self.lock:
            while self.inject:
                entry = self.inject[0]
                if entry.get("count", 1) <= 0:
                    self.inject.pop(0)
                    continue
                entry["count"] = entry.get("count", 1) - 1
                return dict(entry)
        return None


class FakeVendor:
    """Subclasses implement `handle(ns, method, path, headers, body) -> (status, headers, body)`."""

    name = "vendor"

    def __init__(self):
        self.namespaces = {}
        self.lock = threading.Lock()

    def error_body(self, status, message):
        return {"message": message}

    def handle(self, ns, method, path, headers, body):
        raise NotImplementedError

    def serve(self, port):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=None, headers=None):
                data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, str(value))
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def dispatch(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = self.path.split("?")[0].split("/")
                # Control plane: /_ns/<ns>[/requests|/messages]
                if len(parts) >= 3 and parts[1] == "_ns":
                    name = parts[2]
                    if method == "POST" and len(parts) == 3:
                        with fake.lock:
                            fake.namespaces[name] = Namespace(json.loads(raw or b"{}"))
                        return self.reply(200, {"ok": True})
                    ns = fake.namespaces.get(name)
                    if ns is None:
                        return self.reply(404, {"error": "unknown namespace"})
                    if method == "GET" and len(parts) == 4 and parts[3] in ("requests", "messages"):
                        with ns.lock:
                            return self.reply(200, getattr(ns, parts[3]))
                    return self.reply(404, {"error": "unknown control path"})
                # Vendor plane: /ns/<ns>/<vendor path>
                if len(parts) < 4 or parts[1] != "ns" or parts[2] not in fake.namespaces:
                    return self.reply(404, fake.error_body(404, "not found"))
                ns = fake.namespaces[parts[2]]
                path = "/" + "/".join(parts[3:])
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                with ns.lock:
                    ns.requests.append({"method": method, "path": path, "headers": headers,
                                        "body": parsed if parsed is not None else raw.decode("utf-8", "replace")})
                injection = ns.next_injection()
                if injection:
                    time.sleep(injection.get("delay", 0))
                    if injection.get("status"):
                        extra = {"Retry-After": injection["retry_after"]} if "retry_after" in injection else {}
                        return self.reply(injection["status"],
                                          injection.get("body") or fake.error_body(injection["status"], "injected failure"), extra)
                status, reply_headers, body = fake.handle(ns, method, path, headers, parsed if parsed is not None else raw)
                return self.reply(status, body, reply_headers)

            def do_GET(self):
                self.dispatch("GET")

            def do_POST(self):
                self.dispatch("POST")

            def do_DELETE(self):
                self.dispatch("DELETE")

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        server.serve_forever()


def main(fake):
    parser = argparse.ArgumentParser(description=f"fake {fake.name} API for tests")
    parser.add_argument("--port", type=int, required=True)
    fake.serve(parser.parse_args().port)
