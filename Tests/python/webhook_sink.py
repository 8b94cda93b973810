#!/usr/bin/env python3
"""An agency system's webhook receiver for the change-feed tests, doing what docs/webhooks.md
asks of a receiver: it checks X-DVC-Signature (HMAC-SHA256 over "<t>.<body>" with the secret,
t within five minutes) and answers 401 when it does not verify; each verified request is saved
as <n>.json in a folder (headers and the raw body, in arrival order) and answered 204.

The secret is read from the file "secret" in the folder at each request (the test writes it
once the webhook is registered: it is shown only then); without it every request gets 401.

    python3 Tests/python/webhook_sink.py --port 8026 --out DIR

Prints "listening on 127.0.0.1:PORT" once it accepts connections; runs until killed.
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify(secret, header, body, now=None):
    """True when header "t=<unix seconds>,v1=<hex>" signs body with secret and t is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


def make_handler(folder, lock):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            try:
                with open(os.path.join(folder, "secret"), encoding="utf-8") as f:
                    secret = f.read().strip()
            except OSError:
                secret = ""
            if not secret or not verify(secret, self.headers.get("X-DVC-Signature", ""), body):
                return self.answer(401)
            with lock:
                number = len([n for n in os.listdir(folder) if n.endswith(".json")]) + 1
                record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                          "body": body.decode("utf-8")}
                path = os.path.join(folder, "%04d.json" % number)
                with open(path + ".tmp", "w", encoding="utf-8") as f:
                    json.dump(record, f, ensure_ascii=False)
                os.rename(path + ".tmp", path)
            self.answer(204)

        def answer(self, status):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.out, threading.Lock()))
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
