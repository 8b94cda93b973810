#!/usr/bin/env python3
"""A real SMTP server for notify-svc's tests: aiosmtpd on loopback, each message it accepts
saved as <n>.eml in a folder, with <n>.json beside it (envelope sender, recipients, and
whether the session had switched to TLS).

    python3 Tests/python/smtp_sink.py --port 2525 --out DIR [--tls-cert PEM --tls-key PEM]

With a certificate it offers STARTTLS and requires it before MAIL (require_starttls).
With --stall it is no SMTP server at all: it accepts connections and never says a word, as a
hung server does.
A recipient whose address starts with "khong-ton-tai" ("does not exist") is refused with 550,
as a real server refuses an unknown mailbox.

Prints "listening on 127.0.0.1:PORT" once it accepts connections; runs until killed.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("khong-ton-tai"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            number = len([n for n in os.listdir(self.folder) if n.endswith(".eml")]) + 1
            base = os.path.join(self.folder, "%04d" % number)
            # The message first, its sidecar last: a reader that sees the .json sees both.
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(base + ".eml.tmp", base + ".eml")
            with open(base + ".json.tmp", "w") as f:
                json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                           "tls": session.ssl is not None}, f)
            os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Ok: queued as sink-%04d" % number


def stall(port):
    """Accepts connections and holds them open, silent, until killed."""
    listener = socket.create_server(("127.0.0.1", port))
    print("listening on 127.0.0.1:%d" % port, flush=True)
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--stall", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.stall:
        return stall(args.port)
    options = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options = {"tls_context": context, "require_starttls": True}
    controller = Controller(SaveToFolder(args.out), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
