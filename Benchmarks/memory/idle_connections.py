#!/usr/bin/env python3
"""Opens COUNT idle connections to a server and holds them, for measuring what idle clients cost.

  rpc:  each connection sends the RPC preface (DVCRPC 0x00 0x01) and waits for the server's,
        then stays open without a call, as an agency system's idle connection does.
  http: each connection sends one keep-alive GET and reads the answer, then stays open.

Prints one JSON line once every connection is established ({"connected": N, "refused": M}),
then holds them until its standard input closes (or --hold seconds pass), then closes them.
"""
import argparse
import json
import socket
import sys
import time

PREFACE = b"DVCRPC\x00\x01"


def open_rpc(host, port):
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(PREFACE)
    answer = b""
    while len(answer) < len(PREFACE):
        chunk = sock.recv(len(PREFACE) - len(answer))
        if not chunk:
            raise ConnectionError("closed before the preface")
        answer += chunk
    if answer != PREFACE:
        raise ConnectionError(f"unexpected preface {answer!r}")
    return sock


def open_http(host, port, path):
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += sock.recv(length - len(body))
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(head.split(b"\r\n")[0].decode())
    return sock


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--kind", choices=["rpc", "http"], default="rpc")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--hold", type=float, default=60)
    args = parser.parse_args()
    held, refused = [], []
    for _ in range(args.count):
        try:
            held.append(open_rpc(args.host, args.port) if args.kind == "rpc" else open_http(args.host, args.port, args.path))
        except OSError as error:
            refused.append(str(error))
    print(json.dumps({"kind": args.kind, "connected": len(held), "refused": len(refused),
                      "first_refusal": refused[0] if refused else None}), flush=True)
    deadline = time.time() + args.hold
    # Hold until told (stdin closes) or the time is up; the server's keepalive pings, if any,
    # go unanswered only past its timeout, which the measurement does not wait for.
    import select
    while time.time() < deadline:
        ready, _, _ = select.select([sys.stdin], [], [], 0.5)
        if ready and not sys.stdin.readline():
            break
    alive = 0
    for sock in held:
        try:
            sock.setblocking(False)
            alive += 1 if sock.recv(1, socket.MSG_PEEK) else 0
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        sock.close()
    print(json.dumps({"kind": args.kind, "still_open_at_end": alive}), flush=True)


if __name__ == "__main__":
    main()
