#!/usr/bin/env python3
"""A second client of wire protocol v1 (docs/protocol.md), in Python, against rpc-interop-server.

Our server is Swift over SwiftNIO and protobuf-c. To show that it speaks the protocol as
written, and not merely as our own Swift client expects, this script talks to it from scratch:
the preface and the frames byte by byte over a plain `socket`, the headers and messages with
Google's protobuf runtime, from descriptors that protoc compiles from proto/ when it runs.

  dvc_rpc_client.py HOST:PORT

runs every check against a running rpc-interop-server, prints one line per check
(`PASS name: ...` or `FAIL name: ...`) and a final `N passed, M failed`; exits 1 when any check
fails. Needs python3, Python's `protobuf` package (pip install protobuf) and protoc (Debian:
apt-get install protobuf-compiler); a missing one is an error (exit 2), never a silent pass.
Tests/IntegrationTests/PythonClientTests.swift starts the server and runs this script.
"""

import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTOS = ["dvc/rpc/v1/rpc.proto", "dvc/testing/v1/test.proto", "dvc/health/v1/health.proto"]


def die(message, code=2):
    print(f"dvc_rpc_client.py: {message}", file=sys.stderr)
    sys.exit(code)


try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
except ImportError as error:  # pragma: no cover - depends on the machine
    die(f"Python's protobuf package is missing ({error}); install it with `pip install protobuf`")


# --- Message classes, from proto/ compiled now ----------------------------------------------

def load_classes():
    protoc = shutil.which("protoc")
    if protoc is None:
        die("protoc is not installed (Debian: apt-get install protobuf-compiler)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        run = subprocess.run(
            [protoc, f"--proto_path={ROOT / 'proto'}", "--include_imports",
             f"--descriptor_set_out={out}", *PROTOS],
            capture_output=True, text=True)
        if run.returncode != 0:
            die(f"protoc failed:\n{run.stderr}")
        fdset = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for f in fdset.file:
        pool.Add(f)
    names = ["dvc.rpc.v1.RequestHeader", "dvc.rpc.v1.ResponseHeader", "dvc.rpc.v1.GoAway",
             "dvc.testing.v1.Empty", "dvc.testing.v1.SimpleRequest", "dvc.testing.v1.SimpleResponse",
             "dvc.health.v1.HealthCheckRequest", "dvc.health.v1.HealthCheckResponse"]
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(n)) for n in names}


C = load_classes()
RequestHeader = C["dvc.rpc.v1.RequestHeader"]
ResponseHeader = C["dvc.rpc.v1.ResponseHeader"]
GoAway = C["dvc.rpc.v1.GoAway"]
Empty = C["dvc.testing.v1.Empty"]
SimpleRequest = C["dvc.testing.v1.SimpleRequest"]
SimpleResponse = C["dvc.testing.v1.SimpleResponse"]
HealthCheckRequest = C["dvc.health.v1.HealthCheckRequest"]
HealthCheckResponse = C["dvc.health.v1.HealthCheckResponse"]

SERVING = HealthCheckResponse.ServingStatus.Value("SERVING")
SERVICE_UNKNOWN = HealthCheckResponse.ServingStatus.Value("SERVICE_UNKNOWN")

# --- Wire protocol v1 -----------------------------------------------------------------------

PREFACE = b"DVCRPC\x00\x01"
REQUEST, RESPONSE, CANCEL, PING, PONG, GOAWAY = 1, 2, 3, 4, 5, 6
FRAME_NAMES = {1: "REQUEST", 2: "RESPONSE", 3: "CANCEL", 4: "PING", 5: "PONG", 6: "GOAWAY"}

OK, CANCELLED, INVALID_ARGUMENT, DEADLINE_EXCEEDED, UNIMPLEMENTED = 0, 1, 3, 4, 12
CODE_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
              "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
              "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
              "UNAUTHENTICATED"]

HEALTH_CHECK = "/dvc.health.v1.Health/Check"
EMPTY_CALL = "/dvc.testing.v1.TestService/EmptyCall"
UNARY_CALL = "/dvc.testing.v1.TestService/UnaryCall"


def code_name(code):
    return CODE_NAMES[code] if 0 <= code < len(CODE_NAMES) else str(code)


def encode_frame(frame_type, call_id, header=b"", payload=b"", flags=0):
    # length u32 | type u8 | flags u8 | call_id u32 | header_length u32 | header | payload,
    # big-endian; length counts every byte after itself.
    return struct.pack(">IBBII", 10 + len(header) + len(payload), frame_type, flags, call_id,
                       len(header)) + header + payload


class ProtocolError(Exception):
    pass


class Frame:
    def __init__(self, frame_type, flags, call_id, header, payload):
        self.type, self.flags, self.call_id, self.header, self.payload = \
            frame_type, flags, call_id, header, payload

    def __repr__(self):
        return (f"{FRAME_NAMES.get(self.type, self.type)} call_id={self.call_id} "
                f"header={len(self.header)}B payload={len(self.payload)}B")


class Response:
    """A RESPONSE frame: its decoded ResponseHeader and raw payload."""

    def __init__(self, frame):
        self.call_id = frame.call_id
        self.header = ResponseHeader.FromString(frame.header)
        self.payload = frame.payload

    @property
    def code(self):
        return self.header.code

    def describe(self):
        text = f"{code_name(self.code)} {self.header.message!r}"
        for v in self.header.violations:
            text += f" [{v.field}: {v.description}]"
        return text


class Connection:
    """One TCP connection: the preface exchange, then frames."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_call_id = 1
        self.sock.sendall(PREFACE)
        answer = self.read_exactly(len(PREFACE))
        if answer != PREFACE:
            raise ProtocolError(f"server preface {answer!r}, want {PREFACE!r}")

    def close(self):
        self.sock.close()

    def read_exactly(self, count):
        chunks, remaining = [], count
        while remaining > 0:
            chunk = self.sock.recv(min(remaining, 1 << 20))
            if not chunk:
                raise ProtocolError(f"connection closed with {remaining} of {count} bytes unread")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def send(self, frame_type, call_id, header=b"", payload=b""):
        self.sock.sendall(encode_frame(frame_type, call_id, header, payload))

    def read_frame(self):
        (length,) = struct.unpack(">I", self.read_exactly(4))
        if length < 10:
            raise ProtocolError(f"frame length {length} < 10")
        body = self.read_exactly(length)
        frame_type, flags, call_id, header_length = struct.unpack(">BBII", body[:10])
        if flags != 0:
            raise ProtocolError(f"flags {flags} on a {FRAME_NAMES.get(frame_type, frame_type)} frame")
        if 10 + header_length > length:
            raise ProtocolError(f"header_length {header_length} runs past the frame ({length})")
        return Frame(frame_type, flags, call_id, body[10:10 + header_length], body[10 + header_length:])

    def read_response(self):
        """The next RESPONSE; answers a server PING on the way, refuses anything else."""
        while True:
            frame = self.read_frame()
            if frame.type == RESPONSE:
                return Response(frame)
            if frame.type == PING:
                self.send(PONG, 0, payload=frame.payload)
                continue
            if frame.type == GOAWAY:
                goaway = GoAway.FromString(frame.header)
                raise ProtocolError(f"GOAWAY {code_name(goaway.code)} {goaway.message!r}")
            raise ProtocolError(f"unexpected frame {frame!r}")

    def start(self, method, payload=b"", timeout_ms=0, metadata=None, call_id=None):
        """Sends a REQUEST; `payload` is a message or raw bytes. Returns the call_id."""
        if call_id is None:
            call_id = self.next_call_id
            self.next_call_id += 1
        header = RequestHeader(method=method, timeout_ms=timeout_ms)
        for key, value in (metadata or {}).items():
            header.metadata[key] = value
        if not isinstance(payload, (bytes, bytearray)):
            payload = payload.SerializeToString()
        self.send(REQUEST, call_id, header.SerializeToString(), bytes(payload))
        return call_id

    def call(self, method, payload=b"", **options):
        call_id = self.start(method, payload, **options)
        response = self.read_response()
        if response.call_id != call_id:
            raise ProtocolError(f"response for call_id {response.call_id}, want {call_id}")
        return response


# --- The checks -----------------------------------------------------------------------------

class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_ok(response):
    expect(response.code == OK, f"status {response.describe()}, want OK")


def expect_status(response, code, message=None):
    expect(response.code == code, f"status {response.describe()}, want {code_name(code)}")
    if message is not None:
        got = response.header.message.encode("utf-8")
        expect(got == message.encode("utf-8"),
               f"message {got!r}, want {message.encode('utf-8')!r} (byte for byte)")
    expect(response.payload == b"", f"a {code_name(code)} response carries {len(response.payload)} payload bytes")


# "Hồ sơ không hợp lệ:\tthiếu giấy tờ\n" in precomposed form, then "Nguyễn" decomposed (NFD),
# CRLF, a family emoji (ZWJ sequence) and the flag of Viet Nam: no byte may change on the way.
STATUS_MESSAGE = ("H\u1ed3 s\u01a1 kh\u00f4ng h\u1ee3p l\u1ec7:\tthi\u1ebfu gi\u1ea5y t\u1edd\n"
                  "Nguye\u0302\u0303n \u2014 \r\n"
                  "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 \U0001f1fb\U0001f1f3")


def check_health(conn):
    for service, want in [("", SERVING), ("dvc.health.v1.Health", SERVING),
                          ("dvc.testing.v1.TestService", SERVING), ("dvc.nope.v1.Nope", SERVICE_UNKNOWN)]:
        response = conn.call(HEALTH_CHECK, HealthCheckRequest(service=service))
        expect_ok(response)
        status = HealthCheckResponse.FromString(response.payload).status
        expect(status == want, f"Check({service!r}) = {status}, want {want}")
    return "'' and dvc.health.v1.Health SERVING, unknown name SERVICE_UNKNOWN"


def check_empty_call(conn):
    response = conn.call(EMPTY_CALL, Empty())
    expect_ok(response)
    expect(response.payload == b"", f"Empty encodes to no bytes, got {response.payload!r}")
    Empty.FromString(response.payload)
    return "OK, empty payload"


def check_unary_echo(conn):
    payload = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(64 * 1024))
    response = conn.call(UNARY_CALL, SimpleRequest(payload=payload))
    expect_ok(response)
    got = SimpleResponse.FromString(response.payload).payload
    expect(got == payload, f"echoed {len(got)} bytes, not the {len(payload)} sent")
    response = conn.call(UNARY_CALL, SimpleRequest(response_size=1000, payload=b"ignored"))
    expect_ok(response)
    got = SimpleResponse.FromString(response.payload).payload
    expect(got == bytes(1000), f"response_size 1000 answered {len(got)} bytes {got[:8]!r}...")
    return "64 KiB echoed; response_size 1000 gives 1000 zero bytes"


def check_large_payload(conn):
    payload = bytes((i * 31 + 7) & 0xFF for i in range(1 << 20))
    response = conn.call(UNARY_CALL, SimpleRequest(payload=payload))
    expect_ok(response)
    got = SimpleResponse.FromString(response.payload).payload
    expect(got == payload, "1 MiB payload not echoed intact")
    return "1 MiB each way"


def check_status_echo(conn):
    for code in range(1, 17):
        request = SimpleRequest(payload=b"not answered")
        request.response_status.code = code
        request.response_status.message = STATUS_MESSAGE
        expect_status(conn.call(UNARY_CALL, request), code, STATUS_MESSAGE)
    return "codes 1..16 with tabs, CRLF, NFD Vietnamese and emoji, byte for byte, no payload"


def check_metadata_echo(conn):
    metadata = {"x-test-echo-initial": "gi\u00e1 tr\u1ecb \U0001f389",
                "x-test-echo-t\u00ean": "Nguye\u0302\u0303n",
                "x-other": "not echoed"}
    response = conn.call(UNARY_CALL, SimpleRequest(payload=b"m"), metadata=metadata)
    expect_ok(response)
    got = {k.encode(): v.encode() for k, v in response.header.metadata.items()}
    want = {k.encode(): v.encode() for k, v in metadata.items() if k.startswith("x-test-echo-")}
    expect(got == want, f"response metadata {got}, want {want}")
    # And on a failed call.
    request = SimpleRequest()
    request.response_status.code = 5
    request.response_status.message = "not found"
    response = conn.call(UNARY_CALL, request, metadata=metadata)
    expect_status(response, 5, "not found")
    got = {k.encode(): v.encode() for k, v in response.header.metadata.items()}
    expect(got == want, f"metadata of a failed call {got}, want {want}")
    return "x-test-echo-* keys back unchanged on OK and on error, others not"


def check_multiplexing(conn):
    # The slow call goes first; the fast one must not wait behind it.
    slow = conn.start(UNARY_CALL, SimpleRequest(payload=b"slow", sleep_ms=400), call_id=1001)
    fast = conn.start(UNARY_CALL, SimpleRequest(payload=b"fast"), call_id=7)
    first, second = conn.read_response(), conn.read_response()
    answers = {}
    for response in (first, second):
        expect_ok(response)
        answers[response.call_id] = SimpleResponse.FromString(response.payload).payload
    expect(answers == {slow: b"slow", fast: b"fast"}, f"answers by call_id {answers}")
    expect(first.call_id == fast, f"call {first.call_id} answered first, want the fast call {fast}")
    return "call_id 7 answered before call_id 1001, each with its own payload"


def check_ping(conn):
    data = bytes([0x00, 0xFF, 0x10, 0x80, 0x7F, 0x01, 0xFE, 0x42])
    conn.send(PING, 0, payload=data)
    frame = conn.read_frame()
    expect(frame.type == PONG, f"got {frame!r}, want PONG")
    expect(frame.call_id == 0, f"PONG call_id {frame.call_id}")
    expect(frame.header == b"", f"PONG header {frame.header!r}")
    expect(frame.payload == data, f"PONG payload {frame.payload.hex()}, want {data.hex()}")
    return "PONG with the same 8 bytes"


def check_deadline(conn):
    started = time.monotonic()
    response = conn.call(UNARY_CALL, SimpleRequest(sleep_ms=10_000), timeout_ms=200)
    elapsed = time.monotonic() - started
    expect_status(response, DEADLINE_EXCEEDED)
    expect(elapsed < 3.0, f"DEADLINE_EXCEEDED after {elapsed:.2f} s for a 200 ms deadline")
    return f"server answered DEADLINE_EXCEEDED after {elapsed * 1000:.0f} ms"


def check_cancel(conn):
    call_id = conn.start(UNARY_CALL, SimpleRequest(sleep_ms=10_000))
    time.sleep(0.1)
    conn.send(CANCEL, call_id)
    # The server may answer the cancelled call or not; the next call must be answered promptly.
    started = time.monotonic()
    follow = conn.start(EMPTY_CALL, Empty())
    while True:
        response = conn.read_response()
        if response.call_id == call_id:
            expect(response.code != OK, "a cancelled call answered OK")
            continue
        expect(response.call_id == follow, f"response for unknown call_id {response.call_id}")
        expect_ok(response)
        break
    expect(time.monotonic() - started < 3.0, "the call after a CANCEL was slow")
    return "CANCEL accepted; the connection serves the next call"


def check_unimplemented(conn):
    expect_status(conn.call("/dvc.testing.v1.TestService/Nope", Empty()), UNIMPLEMENTED)
    expect_status(conn.call("/dvc.testing.v1.NoService/X", Empty()), UNIMPLEMENTED)
    return "unknown method and unknown service: UNIMPLEMENTED"


def check_bad_utf8(conn):
    # The protobuf runtime refuses to build such strings, so the bytes are written by hand:
    # HealthCheckRequest.service (field 1, length-delimited) = C3 28, not UTF-8.
    bad = b"\xc3\x28"
    response = conn.call(HEALTH_CHECK, b"\x0a" + bytes([len(bad)]) + bad)
    expect_status(response, INVALID_ARGUMENT)
    fields = [v.field for v in response.header.violations]
    expect(fields == ["service"], f"violations name {fields}, want ['service']")
    # Nested: SimpleRequest.response_status (3) { message (2) = FF }.
    inner = b"\x08\x05" + b"\x12\x01\xff"
    response = conn.call(UNARY_CALL, b"\x1a" + bytes([len(inner)]) + inner)
    expect_status(response, INVALID_ARGUMENT)
    fields = [v.field for v in response.header.violations]
    expect(fields == ["response_status.message"], f"violations name {fields}, want ['response_status.message']")
    # The connection is still good.
    expect_ok(conn.call(EMPTY_CALL, Empty()))
    return "INVALID_ARGUMENT naming 'service' and 'response_status.message'"


def check_fresh_connections(host, port):
    # Each on its own connection, so a protocol slip is not hidden by an earlier check.
    for _ in range(3):
        conn = Connection(host, port)
        try:
            expect_ok(conn.call(EMPTY_CALL, Empty()))
        finally:
            conn.close()
    return "3 connections: preface, one call, close"


CHECKS = [
    ("health_check", check_health),
    ("empty_call", check_empty_call),
    ("unary_echo", check_unary_echo),
    ("large_payload", check_large_payload),
    ("status_echo", check_status_echo),
    ("metadata_echo", check_metadata_echo),
    ("multiplexing", check_multiplexing),
    ("ping_pong", check_ping),
    ("deadline", check_deadline),
    ("cancel", check_cancel),
    ("unimplemented", check_unimplemented),
    ("bad_utf8", check_bad_utf8),
]


def main(argv):
    if len(argv) != 2 or ":" not in argv[1]:
        die("usage: dvc_rpc_client.py HOST:PORT", code=2)
    host, _, port_text = argv[1].rpartition(":")
    host = host.strip("[]")
    try:
        port = int(port_text)
    except ValueError:
        die(f"bad port in {argv[1]!r}", code=2)

    passed = failed = 0

    def run(name, action):
        nonlocal passed, failed
        try:
            detail = action()
            print(f"PASS {name}: {detail}", flush=True)
            passed += 1
            return True
        except CheckFailed as error:
            print(f"FAIL {name}: {error}", flush=True)
        except Exception as error:  # a protocol error, a timeout, a closed connection
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            traceback.print_exc(file=sys.stdout)
        failed += 1
        return False

    conn = None
    for name, check in CHECKS:
        if conn is None:
            try:
                conn = Connection(host, port)
            except Exception as error:
                print(f"FAIL {name}: cannot connect to {host}:{port}: {type(error).__name__}: {error}")
                failed += 1
                continue
        if not run(name, lambda: check(conn)):
            # The connection may be in any state after a failure: start the next check afresh.
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    run("fresh_connections", lambda: check_fresh_connections(host, port))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
