"""Wire protocol v1 (docs/protocol.md) over one TCP or TLS connection: the preface, the frames,
the request and response headers. One call at a time per connection (the client serialises its
calls); a late answer to a call that was given up is skipped by its call id."""

import socket
import ssl
import struct
import time

from ._proto.dvc.rpc.v1 import rpc_pb2
from .errors import RPCError, StatusCode

PREFACE = b"DVCRPC\x00\x01"
REQUEST, RESPONSE, CANCEL, PING, PONG, GOAWAY = 1, 2, 3, 4, 5, 6
MAX_FRAME = 16 * 1024 * 1024


class ConnectionLost(Exception):
    """The connection failed. `sent` says whether the REQUEST may have reached the server."""

    def __init__(self, message, sent):
        super().__init__(message)
        self.sent = sent


class Connection:
    def __init__(self, host, port, *, tls_context=None, server_name=None, connect_timeout=5.0):
        self.address = f"{host}:{port}"
        try:
            raw = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as error:
            raise ConnectionLost(f"cannot connect to {self.address}: {error}", sent=False) from None
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if tls_context is not None:
                # An IP address is checked against the certificate's IP SANs and not sent as SNI.
                raw = tls_context.wrap_socket(raw, server_hostname=server_name or host)
            self.sock = raw
            self.sock.sendall(PREFACE)
            answer = self._read_exactly(len(PREFACE), time.monotonic() + connect_timeout)
        except ssl.SSLError as error:
            raw.close()
            raise ConnectionLost(f"TLS connection to {self.address} failed: {error}", sent=False) from None
        except (OSError, ConnectionLost) as error:
            raw.close()
            raise ConnectionLost(f"connection to {self.address} was lost before the server answered the preface "
                                 f"(does it require TLS?): {error}", sent=False) from None
        if answer != PREFACE:
            raw.close()
            raise ConnectionLost(f"{self.address} does not speak DVCRPC v1 (answered {answer[:16]!r})", sent=False)
        self.next_call_id = 1
        self.going_away = False
        # A deadline passed in the middle of a frame: the connection is given up.
        self.broken = False
        self.last_used = time.monotonic()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read_exactly(self, count, deadline, frame_start=False):
        chunks, remaining = [], count
        while remaining > 0:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    if not (frame_start and remaining == count):
                        # Part of a frame is read: the stream cannot be resumed.
                        self.broken = True
                    raise TimeoutError()
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(None)
            try:
                chunk = self.sock.recv(min(remaining, 1 << 20))
            except TimeoutError:
                if not (frame_start and remaining == count):
                    self.broken = True
                raise
            if not chunk:
                raise ConnectionLost(f"{self.address} closed the connection", sent=True)
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _send(self, frame_type, call_id, header=b"", payload=b""):
        self.sock.settimeout(30.0)
        self.sock.sendall(struct.pack(">IBBII", 10 + len(header) + len(payload), frame_type, 0, call_id,
                                      len(header)) + header + payload)

    def call(self, method, payload, metadata, timeout):
        """Sends one REQUEST and waits for its RESPONSE. Returns (payload bytes, response
        metadata) or raises RPCError, ConnectionLost."""
        call_id = self.next_call_id
        self.next_call_id = self.next_call_id % 0xFFFFFFFF + 1
        header = rpc_pb2.RequestHeader(method=method)
        if timeout is not None:
            # Rounded up, never 0 (which would mean no deadline).
            header.timeout_ms = max(1, min(0xFFFFFFFF, int(timeout * 1000 + 0.999)))
        for key, value in metadata.items():
            header.metadata[key] = value
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._send(REQUEST, call_id, header.SerializeToString(), payload)
        except OSError as error:
            # Part of the frame may have gone out: count it as sent.
            raise ConnectionLost(f"connection to {self.address} failed while sending: {error}", sent=True) from None
        try:
            while True:
                frame_type, frame_call, frame_header, frame_payload = self._read_frame(deadline)
                if frame_type == PING:
                    self._send(PONG, 0, payload=frame_payload)
                elif frame_type == GOAWAY:
                    # No new calls here; this one still completes.
                    self.going_away = True
                elif frame_type == RESPONSE and frame_call == call_id:
                    response = rpc_pb2.ResponseHeader.FromString(frame_header)
                    metadata_out = dict(response.metadata)
                    if response.code != 0:
                        raise RPCError(response.code, response.message,
                                       [(v.field, v.description) for v in response.violations], metadata_out)
                    return frame_payload, metadata_out
                elif frame_type == RESPONSE:
                    continue  # the late answer of a call given up earlier
                else:
                    raise ConnectionLost(f"{self.address} sent a frame of type {frame_type}, not allowed from a server",
                                         sent=True)
        except TimeoutError:
            # The client's own timer: give up and tell the server (it sends nothing back).
            if not self.broken:
                try:
                    self._send(CANCEL, call_id)
                except OSError:
                    self.broken = True
            raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
        except (OSError, ssl.SSLError) as error:
            raise ConnectionLost(f"connection to {self.address} failed: {error}", sent=True) from None

    def _read_frame(self, deadline):
        (length,) = struct.unpack(">I", self._read_exactly(4, deadline, frame_start=True))
        if length < 10 or length > MAX_FRAME:
            raise ConnectionLost(f"{self.address} sent a frame of length {length}", sent=True)
        body = self._read_exactly(length, deadline)
        frame_type, flags, call_id, header_length = struct.unpack(">BBII", body[:10])
        if flags != 0 or 10 + header_length > length:
            raise ConnectionLost(f"{self.address} broke the framing rules", sent=True)
        return frame_type, call_id, body[10:10 + header_length], body[10 + header_length:]
