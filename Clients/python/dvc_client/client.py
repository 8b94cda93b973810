"""The gateway's client for agency systems: typed calls of its four services, the API key, the
person acted for, TLS, deadlines, and retries of idempotent calls with back-off."""

import random
import ssl
import threading
import time
import uuid

from ._proto.dvc.gateway.v1 import gateway_pb2
from ._proto.dvc.gateway.v1 import ratings_pb2
from ._wire import Connection, ConnectionLost
from .errors import RPCError, StatusCode

# Methods that change state. They are retried only when they carry an idempotency key (the
# retry reuses it, so the server does the work once); every other method is a read.
WRITES = {
    "SubmitDossier", "Act", "AssignDossier",
    "CreatePayment", "Refund", "RecordCounterPayment",
    "MarkRead", "SetContactPreferences",
    "SetWebhook", "DeleteWebhook", "CreateApiKey", "RevokeApiKey",
    "SaveDraft", "DeleteDraft", "SubmitDraft", "AnnulDocument",
    "RateDossier",
}
# Methods the gateway refuses without an idempotency key: the client makes one per call when
# the caller gives none (pass your own, stored with your record, to retry across restarts).
NEEDS_IDEMPOTENCY_KEY = {"SubmitDossier", "CreatePayment", "RecordCounterPayment", "SubmitDraft"}


def snake_case(name):
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0:
            out += "_"
        out += ch.lower()
    return out


class RetryPolicy:
    """How idempotent calls are tried again after UNAVAILABLE (the connection failed, or the
    server was going away): up to `attempts` tries in all, waiting `initial_backoff` seconds
    then doubling up to `max_backoff`, with jitter; never past the call's deadline."""

    def __init__(self, attempts=4, initial_backoff=0.1, max_backoff=2.0):
        self.attempts = max(1, attempts)
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff

    def backoff(self, retry):
        base = min(self.max_backoff, self.initial_backoff * (2 ** retry))
        return base * random.uniform(0.5, 1.0)


class Method:
    """One method of a service: its path, request and response classes."""

    def __init__(self, service_descriptor, method_descriptor, module_classes):
        self.name = method_descriptor.name
        self.path = f"/{service_descriptor.full_name}/{method_descriptor.name}"
        self.request_class = module_classes(method_descriptor.input_type)
        self.response_class = module_classes(method_descriptor.output_type)
        self.is_write = self.name in WRITES
        self.needs_idempotency_key = self.name in NEEDS_IDEMPOTENCY_KEY


def _message_class(descriptor):
    from google.protobuf import message_factory
    return message_factory.GetMessageClass(descriptor)


class Service:
    """The methods of one gateway service as Python methods: `submit_dossier(request, ...)`,
    or with the request's fields as keywords: `get_dossier(id="...")`."""

    def __init__(self, client, service_name, module=gateway_pb2):
        self._client = client
        descriptor = module.DESCRIPTOR.services_by_name[service_name]
        self._methods = {}
        for method_descriptor in descriptor.methods:
            method = Method(descriptor, method_descriptor, _message_class)
            self._methods[snake_case(method.name)] = method

    def __dir__(self):
        return list(self._methods) + list(super().__dir__())

    def __getattr__(self, name):
        method = self.__dict__.get("_methods", {}).get(name)
        if method is None:
            raise AttributeError(name)

        def call(request=None, *, timeout=None, on_behalf_of=None, idempotency_key=None, metadata=None, **fields):
            if request is None:
                request = method.request_class(**fields)
            elif fields:
                raise TypeError("give either a request message or its fields as keywords, not both")
            return self._client.call(method, request, timeout=timeout, on_behalf_of=on_behalf_of,
                                     idempotency_key=idempotency_key, metadata=metadata)

        call.__name__ = name
        call.__doc__ = f"{method.path}: {method.request_class.__name__} -> {method.response_class.__name__}"
        return call


class Client:
    """A client of the gateway's binary RPC for one agency system.

        client = Client("gateway.example.vn:7443", api_key="ApiKey k1.secret",
                        tls_ca="ca.pem", on_behalf_of="citizen:001099012345")
        answer = client.dossiers.submit_dossier(agency_code=..., procedure_code=..., ...)
        dossier = client.dossiers.get_dossier(id=answer.dossier.id)

    - `api_key`: "ApiKey <id>.<secret>" as `gateway api-key create` prints it (the "ApiKey "
      prefix may be left out).
    - `on_behalf_of`: the person every call acts for ("citizen:<12 digits>" or
      "officer:<id>:<role>[,<role>]"); None for the agency's system itself. A call's own
      `on_behalf_of=` overrides it; `client.acting_for(person)` gives a client for another
      person sharing this one's connection.
    - `tls_ca`: the platform CA's PEM file; TLS 1.2+ then, the gateway's certificate checked
      against it and the address dialled. None: plain TCP.
    - `timeout`: seconds a call may take in all, retries included (per call: `timeout=`).
    - `retry`: a RetryPolicy.

    Every failure is an RPCError (code, message, field, violations, metadata). Calls are
    serialised on one connection: a Client may be shared between threads.
    """

    def __init__(self, address, *, api_key=None, on_behalf_of=None, tls_ca=None, tls_server_name=None,
                 timeout=10.0, connect_timeout=5.0, retry=None, on_retry=None):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"address must be HOST:PORT, got {address!r}")
        self._host, self._port = host.strip("[]"), int(port)
        if api_key is not None and not api_key.startswith(("ApiKey ", "Bearer ")):
            api_key = "ApiKey " + api_key
        self.api_key = api_key
        self.on_behalf_of = on_behalf_of
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self._tls_server_name = tls_server_name
        self._tls = None
        if tls_ca is not None:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=tls_ca)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            self._tls = context
        self._shared = _SharedConnection()
        self.public = Service(self, "PublicService")
        self.dossiers = Service(self, "DossierService")
        self.payments = Service(self, "PaymentService")
        self.inbox = Service(self, "InboxService")
        # Satisfaction ratings (docs/satisfaction.md), from their own proto file.
        self.ratings = Service(self, "RatingService", ratings_pb2)

    def acting_for(self, person):
        """A client for `person` (or None: the agency's system) sharing this connection."""
        other = object.__new__(Client)
        other.__dict__.update(self.__dict__)
        other.on_behalf_of = person
        other.public = Service(other, "PublicService")
        other.dossiers = Service(other, "DossierService")
        other.payments = Service(other, "PaymentService")
        other.inbox = Service(other, "InboxService")
        return other

    def close(self):
        self._shared.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, method, request, *, timeout=None, on_behalf_of=None, idempotency_key=None, metadata=None):
        """One call of `method` (a Method), with retries when it is safe."""
        metadata = dict(metadata or {})
        if self.api_key:
            metadata["authorization"] = self.api_key
        person = on_behalf_of if on_behalf_of is not None else self.on_behalf_of
        if person:
            metadata["x-dvc-on-behalf-of"] = person
        if idempotency_key is None and method.needs_idempotency_key:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            metadata["idempotency-key"] = idempotency_key
        idempotent = not method.is_write or idempotency_key is not None
        payload = request.SerializeToString()
        total = self.timeout if timeout is None else timeout
        deadline = None if total is None else time.monotonic() + total

        attempt = 0
        while True:
            attempt += 1
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
            try:
                body, _ = self._shared.call(self, method.path, payload, metadata, remaining)
                return method.response_class.FromString(body)
            except ConnectionLost as lost:
                error = RPCError(StatusCode.UNAVAILABLE, str(lost))
                safe = idempotent or not lost.sent
            except RPCError as status:
                error = status
                # Refused without running it (the server was draining): safe to send again.
                safe = status.code == StatusCode.UNAVAILABLE and (
                    idempotent or status.metadata.get("dvc-not-processed") is not None)
            if (error.code == StatusCode.UNAVAILABLE and deadline is not None
                    and time.monotonic() >= deadline):
                # The connection could not be made or kept within the caller's time.
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, f"deadline exceeded ({error.message})")
            if not safe or attempt >= self.retry.attempts:
                raise error
            wait = self.retry.backoff(attempt - 1)
            if deadline is not None and time.monotonic() + wait >= deadline:
                raise error
            if self.on_retry is not None:
                self.on_retry(attempt, wait, error)
            time.sleep(wait)


# Seconds a connection may stay unused before the next call opens a new one.
IDLE_LIMIT = 20.0


class _SharedConnection:
    """The one connection of a client and the clients made from it by `acting_for`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connection = None

    def close(self):
        with self.lock:
            if self.connection is not None:
                self.connection.close()
                self.connection = None

    def call(self, client, path, payload, metadata, timeout):
        with self.lock:
            # The client reads only during its calls, so it cannot answer the gateway's
            # keepalive PINGs (sent after 30 s of silence; the connection is closed 10 s later
            # without a PONG): a connection quiet for longer than IDLE_LIMIT is replaced before
            # the call, rather than found dead after sending (which a write without an
            # idempotency key could not retry).
            if self.connection is not None and (self.connection.going_away or self.connection.broken
                                                or time.monotonic() - self.connection.last_used > IDLE_LIMIT):
                self.connection.close()
                self.connection = None
            if self.connection is None:
                connect = client.connect_timeout if timeout is None else min(client.connect_timeout, timeout)
                self.connection = Connection(client._host, client._port, tls_context=client._tls,
                                             server_name=client._tls_server_name, connect_timeout=connect)
            try:
                self.connection.last_used = time.monotonic()
                answer = self.connection.call(path, payload, metadata, timeout)
                self.connection.last_used = time.monotonic()
                return answer
            except ConnectionLost:
                self.connection.close()
                self.connection = None
                raise
