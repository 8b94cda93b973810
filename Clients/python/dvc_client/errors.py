"""How a call fails: the RPC's status code, its message, and the field the server names."""

import enum


class StatusCode(enum.IntEnum):
    """gRPC's canonical codes, as docs/protocol.md ("Status codes") uses them."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, number):
        """The code for a wire number; numbers above 16 read as UNKNOWN."""
        try:
            return cls(number)
        except ValueError:
            return cls.UNKNOWN


class RPCError(Exception):
    """A call that ended with a status other than OK.

    `code` is a StatusCode, `message` the server's text, `violations` a list of
    (field, description) pairs (INVALID_ARGUMENT, and PERMISSION_DENIED on
    `x-dvc-on-behalf-of`), `field` the first violation's field or None, `metadata` the
    response metadata (e.g. `retry-after-ms`, `dvc-level-needed`).
    """

    def __init__(self, code, message, violations=(), metadata=None):
        self.code = StatusCode.of(int(code))
        self.message = message
        self.violations = list(violations)
        self.metadata = dict(metadata or {})
        super().__init__(str(self))

    @property
    def field(self):
        return self.violations[0][0] if self.violations else None

    def __str__(self):
        text = f"{self.code.name}: {self.message}"
        for field, description in self.violations:
            text += f" [{field}: {description}]"
        return text
