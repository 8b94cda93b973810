#!/usr/bin/env python3
"""A stand-in SMS gateway for notify-svc's tests: an HTTP server on loopback that takes
POST {"to": "+84...", "text": "...", "reference": "..."} with header X-API-Key, saves each
accepted request as <n>.json in a folder (body plus headers) and answers
{"message_id": "sms-<n>"}. A wrong key gets 401.

    python3 Tests/python/sms_sink.py --port 8025 --out DIR --api-key KEY

Prints "listening on 127.0.0.1:PORT" once it accepts connections; runs until killed.
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(folder, api_key, lock):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if self.headers.get("X-API-Key") != api_key:
                return self.answer(401, {"error": "bad api key"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self.answer(400, {"error": "body is not JSON"})
            if not str(body.get("to", "")).startswith("+84") or not body.get("text"):
                return self.answer(422, {"error": "to must be +84... and text non-empty"})
            with lock:
                number = len([n for n in os.listdir(folder) if n.endswith(".json")]) + 1
                record = {"body": body, "headers": {k.lower(): v for k, v in self.headers.items()}}
                path = os.path.join(folder, "%04d.json" % number)
                with open(path + ".tmp", "w", encoding="utf-8") as f:
                    json.dump(record, f, ensure_ascii=False)
                os.rename(path + ".tmp", path)
            self.answer(200, {"message_id": "sms-%04d" % number, "status": "queued"})

        def answer(self, status, body):
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--api-key", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.out, args.api_key, threading.Lock()))
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
