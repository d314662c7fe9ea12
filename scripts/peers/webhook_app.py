#!/usr/bin/env python3
"""A stand-in for the application that receives the daemon's webhook deliveries.

Every delivery is verified with the `standardwebhooks` library (the signature the daemon makes
with `webhooks.signing_secret`) and recorded. Bound to 127.0.0.1 only.

  webhook_app.py (--port P | --unix PATH) --secret whsec_… [--fail N] [--status 500] [--delay-ms D] [--retry-after S]

  POST /webhooks           a delivery: 204 once verified (401 if the signature is bad), unless the
                           failure mode answers first
  GET  /_deliveries        {"deliveries": [{"webhook_id", "id", "type", "body", "at"}], "rejected": n}
  POST /_mode              {"fail": N, "status": 500, "delay_ms": D, "retry_after": S} (partial updates)
"""
import argparse
import json
import os
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standardwebhooks


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.webhook = standardwebhooks.webhooks.Webhook(args.secret)
        self.deliveries = []
        self.attempts = []
        self.rejected = 0
        self.mode = {"fail": args.fail, "status": args.status, "delay_ms": args.delay_ms, "retry_after": args.retry_after}


def handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, payload=None, headers=None):
            body = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def read_body(self):
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def do_GET(self):
            if self.path != "/_deliveries":
                return self.answer(404, {"error": "no such path"})
            with state.lock:
                return self.answer(200, {"deliveries": state.deliveries, "attempts": state.attempts, "rejected": state.rejected})

        def do_POST(self):
            body = self.read_body()
            if len(body) < int(self.headers.get("Content-Length", "0")):
                return  # the sender went away mid-request (a killed daemon): nothing was delivered
            if self.path == "/_mode":
                with state.lock:
                    state.mode.update(json.loads(body))
                return self.answer(200, state.mode)
            if self.path != "/webhooks":
                return self.answer(404, {"error": "no such path"})
            with state.lock:
                mode = dict(state.mode)
                state.attempts.append({"webhook_id": self.headers.get("webhook-id"), "at": time.time()})
                failing = mode["fail"] > 0
                if failing:
                    state.mode["fail"] -= 1
            if mode["delay_ms"]:
                time.sleep(mode["delay_ms"] / 1000)
            if failing:
                headers = {"Retry-After": str(mode["retry_after"])} if mode["retry_after"] is not None else {}
                return self.answer(mode["status"], {"error": "failing on purpose"}, headers)
            try:
                event = state.webhook.verify(body, dict(self.headers.items()))
            except Exception as error:  # the library's WebhookVerificationError and malformed input
                with state.lock:
                    state.rejected += 1
                return self.answer(401, {"error": str(error)})
            with state.lock:
                state.deliveries.append({
                    "webhook_id": self.headers.get("webhook-id"), "id": event.get("id"), "type": event.get("type"),
                    "body": event, "at": time.time(),
                })
            return self.answer(204)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("--unix", help="serve on this Unix socket instead of 127.0.0.1:PORT")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail", type=int, default=0, help="answer the first N deliveries with --status")
    parser.add_argument("--status", type=int, default=500)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--retry-after", type=int, default=None)
    args = parser.parse_args()
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        server = UnixHTTPServer(args.unix, handler(State(args)))
    else:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(State(args)))
    server.daemon_threads = True
    print("listening", flush=True)
    server.serve_forever()


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if __name__ == "__main__":
    main()
