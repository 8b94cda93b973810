#!/usr/bin/env python3
"""Golden bytes for the protobuf codec, from a second implementation: Google's protobuf runtime.

Our codec is protobuf-c under generated Swift (Shared/DVCProto). To show it speaks the same
wire format as everyone else, this script builds the same messages with Python's protobuf
runtime (upb), from descriptors that protoc compiles from proto/ when the script runs:

  golden.py write [DIR]          write the golden encodings (deterministic serialisation) of the
                                 committed cases into DIR (default Tests/DVCProtoTests/Fixtures)
  golden.py check [DIR]          exit 1 unless DIR holds exactly what `write` would produce
  golden.py verify CASE=FILE...  decode each FILE (bytes our Swift code encoded) as the case's
                                 message and compare it field by field with the case's expected
                                 value; exit 1 with every difference on any mismatch
  golden.py cases                list the cases, their message types and whether committed

The expected values below are written a second time, independently, in Swift
(Tests/DVCProtoTests/GoldenCases.swift); the two must describe the same messages. Strings are
spelled with escapes so that no editor can renormalise them: NFC and NFD Vietnamese text must
survive byte for byte.

Needs python3, Python's `protobuf` package (pip install protobuf) and protoc. A missing one is
an error (exit 2), never a silent pass: the Swift tests that call this script fail with the
message.
"""

import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "DVCProtoTests" / "Fixtures"
PROTOS = ["dvc/testing/v1/kinds.proto", "dvc/rpc/v1/rpc.proto"]


def die(message, code=2):
    print(f"golden.py: {message}", file=sys.stderr)
    sys.exit(code)


try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf import unknown_fields as unknown_fields_module
    from google.protobuf.descriptor import FieldDescriptor
except ImportError as error:  # pragma: no cover - depends on the machine
    die(f"Python's protobuf package is missing ({error}); install it with `pip install protobuf`")


# --- The messages' types, from proto/ compiled now ------------------------------------------

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
    names = ["dvc.testing.v1.AllKinds", "dvc.testing.v1.Inner", "dvc.rpc.v1.RequestHeader",
             "dvc.rpc.v1.ResponseHeader", "dvc.rpc.v1.FieldViolation"]
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(n)) for n in names}


C = load_classes()
AllKinds = C["dvc.testing.v1.AllKinds"]
Inner = C["dvc.testing.v1.Inner"]
RequestHeader = C["dvc.rpc.v1.RequestHeader"]
ResponseHeader = C["dvc.rpc.v1.ResponseHeader"]
FieldViolation = C["dvc.rpc.v1.FieldViolation"]

RED, GREEN, NEGATIVE, UNSPECIFIED = 1, 2, -3, 0

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
UINT32_MAX, UINT64_MAX = (1 << 32) - 1, (1 << 64) - 1

# --- Text, spelled with escapes (readable form in the comment) ------------------------------

# "Nguyễn Thị Ánh — Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", precomposed (NFC).
VI_NFC = ("Nguy\u1ec5n Th\u1ecb \u00c1nh \u2014 Ph\u01b0\u1eddng B\u1ebfn Ngh\u00e9, "
          "Qu\u1eadn 1, TP. H\u1ed3 Ch\u00ed Minh")
# The same text decomposed (NFD): base letters followed by combining marks.
VI_NFD = ("Nguye\u0302\u0303n Thi\u0323 A\u0301nh \u2014 Phu\u031bo\u031b\u0300ng "
          "Be\u0302\u0301n Nghe\u0301, Qua\u0323\u0302n 1, TP. Ho\u0302\u0300 Chi\u0301 Minh")
HCM_NFC = "H\u1ed3 Ch\u00ed Minh"             # Hồ Chí Minh
HCM_NFD = "Ho\u0302\u0300 Chi\u0301 Minh"
HANOI = "H\u00e0 N\u1ed9i"                      # Hà Nội
DANANG = "\u0110\u00e0 N\u1eb5ng"               # Đà Nẵng
PROCEDURE = "th\u1ee7 t\u1ee5c"                 # thủ tục
PROVINCE = "t\u1ec9nh"                          # tỉnh
BINH_DUONG = "B\u00ecnh D\u01b0\u01a1ng"        # Bình Dương
NEGATIVE_KEY = "\u00e2m"                        # âm
VIET_KEY = "vi\u1ec7t"                          # việt
E_ACUTE_NFD = "e\u0301"                         # é decomposed: sorts before "f" byte-wise
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # family emoji (ZWJ)
FLAG_VN = "\U0001f1fb\U0001f1f3"                # flag of Viet Nam
PARTY = "\U0001f389"                            # party popper
BUILDING = "\U0001f3db\ufe0f"                   # classical building + variation selector
TRAN_THI_BICH = "Tr\u1ea7n Th\u1ecb B\u00edch"  # Trần Thị Bích
INVALID_DOSSIER = "H\u1ed3 s\u01a1 kh\u00f4ng h\u1ee3p l\u1ec7"  # Hồ sơ không hợp lệ
NAME_REQUIRED = ("H\u1ecd t\u00ean kh\u00f4ng \u0111\u01b0\u1ee3c \u0111\u1ec3 "
                 "tr\u1ed1ng")                  # Họ tên không được để trống
ECHO_KEY = "x-test-echo-t\u00ean"               # x-test-echo-tên

assert unicodedata.normalize("NFD", VI_NFC) == VI_NFD
assert unicodedata.normalize("NFD", HCM_NFC) == HCM_NFD
for _text in (VI_NFC, HCM_NFC, HANOI, DANANG, PROCEDURE, PROVINCE, BINH_DUONG, TRAN_THI_BICH,
              INVALID_DOSSIER, NAME_REQUIRED, ECHO_KEY):
    assert unicodedata.is_normalized("NFC", _text), _text

# Bytes that are no text at all: zero bytes, invalid UTF-8, a lone continuation byte.
RAW_BYTES = b"\x00\x01\x02\xff\xfe\x00 \xc3\x28 \x80 NUL\x00end\x00"


def large_bytes():
    # 1 MiB, every byte value, zeros included; Swift computes the same pattern.
    return bytes(((i * 7) + (i >> 8)) & 0xFF for i in range(1 << 20))


# --- The cases ------------------------------------------------------------------------------

def case_all_kinds_full():
    # No default key or value inside a map entry here (see case_all_kinds_zero_map_entries),
    # so that our bytes and Python's deterministic bytes can be compared as well.
    m = AllKinds()
    m.f_int32 = -123456
    m.f_int64 = -9_000_000_000_000
    m.f_uint32 = 4_000_000_000
    m.f_uint64 = 18_000_000_000_000_000_000
    m.f_sint32 = -2_000_000_000
    m.f_sint64 = INT64_MIN
    m.f_bool = True
    m.f_string = VI_NFC + " " + FLAG_VN
    m.f_bytes = RAW_BYTES
    m.f_enum = NEGATIVE
    m.f_message.name = VI_NFD
    m.f_message.amount = -42
    m.f_message.tags.extend(["", PROCEDURE, FAMILY])
    m.f_double = -1234.5678e-9
    m.f_fixed64 = 0xFEDCBA9876543210
    m.r_int32.extend([0, -1, 1, INT32_MAX, INT32_MIN])
    m.r_int64.extend([INT64_MIN, 0, INT64_MAX])
    m.r_uint32.extend([0, UINT32_MAX, 1])
    m.r_bool.extend([True, False, True])
    m.r_string.extend(["", HCM_NFC, HCM_NFD, "", BUILDING])
    m.r_bytes.extend([b"", b"\x00", b"\xff\xfe\xfd", b""])
    m.r_enum.extend([RED, UNSPECIFIED, NEGATIVE, 7, -100])
    m.r_message.add()
    m.r_message.add(name=HANOI, amount=1, tags=[""])
    m.r_message.add(name="", amount=-1)
    m.m_string[PROVINCE] = BINH_DUONG
    m.m_string["emoji " + PARTY] = PARTY
    m.m_string[E_ACUTE_NFD] = "decomposed key"
    m.m_string["f"] = "after the decomposed key byte-wise"
    m.m_int64["min"] = INT64_MIN
    m.m_int64["max"] = INT64_MAX
    m.m_int64[NEGATIVE_KEY] = -1
    m.m_message["a"].name = "x"
    m.m_message[VIET_KEY].tags.append(DANANG)
    m.m_message["b"].amount = 7
    return m


def case_all_kinds_defaults():
    return AllKinds()


def case_all_kinds_sparse():
    # Presence without content: an empty nested message, one empty string element, an enum
    # value this version does not know.
    m = AllKinds()
    m.f_enum = 99
    m.f_message.SetInParent()
    m.r_string.append("")
    m.r_message.add()
    return m


def case_all_kinds_zero_map_entries():
    # Map entries whose key or value is the default: Python writes both fields of every
    # entry, protobuf-c leaves default fields out; both are valid encodings of the same map.
    m = AllKinds()
    m.m_string[""] = "empty key"
    m.m_string["empty value"] = ""
    m.m_int64["zero"] = 0
    m.m_message["empty"].SetInParent()
    return m


def case_all_kinds_large():
    m = AllKinds()
    m.f_bytes = large_bytes()
    m.r_string.extend(f"m\u1ee5c {i}" for i in range(1000))  # mục i
    m.r_int64.extend(i * -3 for i in range(1000))
    for i in range(200):
        m.r_message.add(name=f"n{i}", amount=i, tags=[f"t{i}"])
    # Keys of one width: upb (Python's runtime) orders a key that is a prefix of another
    # after it ("k10" before "k1"), where C++, Go and we sort by bytes ("k1" first). Keeping
    # prefixes out lets the bytes be compared too.
    for i in range(500):
        m.m_int64[f"k{i:03d}"] = -3 * i - 1
    return m


def case_request_header():
    m = RequestHeader()
    m.method = "/dvc.testing.v1.TestService/UnaryCall"
    m.timeout_ms = 1500
    m.metadata["authorization"] = "Bearer abc.def.ghi"
    m.metadata["x-request-id"] = "4bf92f3577b34da6"
    m.metadata["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    m.metadata["idempotency-key"] = "b7c2a1f0-0d5e-4c49-9d3c-1f2e3a4b5c6d"
    m.metadata[ECHO_KEY] = TRAN_THI_BICH
    return m


def case_response_header():
    m = ResponseHeader()
    m.code = 3
    m.message = INVALID_DOSSIER + " " + PARTY
    m.metadata["x-request-id"] = "4bf92f3577b34da6"
    m.violations.add(field="applicant.full_name", description=NAME_REQUIRED)
    m.violations.add(field="attachments[2].media_type", description="")
    return m


# name -> (builder, committed as a fixture)
CASES = {
    "all_kinds_full": (case_all_kinds_full, True),
    "all_kinds_defaults": (case_all_kinds_defaults, True),
    "all_kinds_sparse": (case_all_kinds_sparse, True),
    "all_kinds_zero_map_entries": (case_all_kinds_zero_map_entries, True),
    "request_header": (case_request_header, True),
    "response_header": (case_response_header, True),
    # 1 MiB: checked at test time in both directions, not committed.
    "all_kinds_large": (case_all_kinds_large, False),
}


def golden(name):
    return CASES[name][0]().SerializeToString(deterministic=True)


# --- Field-by-field comparison --------------------------------------------------------------

def show(value):
    if isinstance(value, str):
        return ascii(value)  # escapes make NFC and NFD visibly different
    if isinstance(value, bytes):
        return repr(value if len(value) <= 48 else value[:48] + b"...") + f" ({len(value)} bytes)"
    return repr(value)


def compare(got, want, path, problems):
    for field in want.DESCRIPTOR.fields:
        p = f"{path}.{field.name}" if path else field.name
        g, w = getattr(got, field.name), getattr(want, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            gk, wk = set(g.keys()), set(w.keys())
            for k in sorted(wk - gk):
                problems.append(f"{p}[{show(k)}]: missing")
            for k in sorted(gk - wk):
                problems.append(f"{p}[{show(k)}]: unexpected")
            value_field = field.message_type.fields_by_name["value"]
            for k in sorted(gk & wk):
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    compare(g[k], w[k], f"{p}[{show(k)}]", problems)
                elif g[k] != w[k] or type(g[k]) is not type(w[k]):
                    problems.append(f"{p}[{show(k)}]: got {show(g[k])}, want {show(w[k])}")
        elif field.is_repeated:
            if len(g) != len(w):
                problems.append(f"{p}: got {len(g)} elements, want {len(w)}")
            for i, (ge, we) in enumerate(zip(g, w)):
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    compare(ge, we, f"{p}[{i}]", problems)
                elif ge != we:
                    problems.append(f"{p}[{i}]: got {show(ge)}, want {show(we)}")
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if got.HasField(field.name) != want.HasField(field.name):
                problems.append(f"{p}: present {got.HasField(field.name)}, "
                                f"want {want.HasField(field.name)}")
            compare(g, w, p, problems)
        elif field.type == FieldDescriptor.TYPE_DOUBLE:
            # Bit for bit: 0.0 and -0.0 differ, NaN equals itself.
            if struct.pack("<d", g) != struct.pack("<d", w):
                problems.append(f"{p}: got {g!r}, want {w!r}")
        elif g != w:
            problems.append(f"{p}: got {show(g)}, want {show(w)}")
    unknown = unknown_fields_module.UnknownFieldSet(got)
    if len(unknown):
        numbers = sorted({f.field_number for f in unknown})
        problems.append(f"{path or '(top)'}: unknown fields {numbers} in our encoding")


def verify(name, data):
    """Problems found in `data`, bytes our Swift code produced for case `name`."""
    want = CASES[name][0]()
    got = type(want)()
    try:
        got.ParseFromString(data)
    except Exception as error:  # upb's DecodeError: e.g. invalid UTF-8 in a string field
        return [f"Python's protobuf could not parse the bytes: {error}"]
    problems = []
    compare(got, want, "", problems)
    return problems


# --- Command line ---------------------------------------------------------------------------

def fixture_path(directory, name):
    return Path(directory) / f"{name}.binpb"


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    command, args = argv[0], argv[1:]
    if command == "write":
        directory = Path(args[0]) if args else FIXTURES
        directory.mkdir(parents=True, exist_ok=True)
        for name, (_, committed) in CASES.items():
            if committed:
                fixture_path(directory, name).write_bytes(golden(name))
                print(f"wrote {fixture_path(directory, name)}")
        return 0
    if command == "check":
        directory = Path(args[0]) if args else FIXTURES
        stale = [name for name, (_, committed) in CASES.items() if committed and (
            not fixture_path(directory, name).exists()
            or fixture_path(directory, name).read_bytes() != golden(name))]
        extra = sorted(p.stem for p in directory.glob("*.binpb")
                       if p.stem not in CASES or not CASES[p.stem][1])
        if stale or extra:
            for name in stale:
                print(f"fixture {name}: differs from what golden.py writes")
            for name in extra:
                print(f"fixture {name}: no such committed case")
            print("FAIL: regenerate with `python3 Tests/python/golden.py write` and commit")
            return 1
        print(f"OK: {sum(1 for c in CASES.values() if c[1])} fixtures match golden.py")
        return 0
    if command == "cases":
        for name, (build, committed) in CASES.items():
            print(f"{name}\t{build().DESCRIPTOR.full_name}\t{'committed' if committed else 'test time'}")
        return 0
    if command == "verify":
        if not args:
            die("verify needs CASE=FILE arguments")
        failed = 0
        for arg in args:
            name, sep, file = arg.partition("=")
            if not sep or name not in CASES:
                die(f"bad argument {arg!r}: want CASE=FILE with CASE one of {', '.join(CASES)}")
            data = Path(file).read_bytes()
            problems = verify(name, data)
            canonical = data == golden(name)
            if problems:
                failed += 1
                print(f"FAIL {name}: {len(problems)} difference(s)")
                for p in problems[:60]:
                    print(f"  {p}")
                if len(problems) > 60:
                    print(f"  ... and {len(problems) - 60} more")
            else:
                if canonical:
                    note = "same bytes as Python"
                else:
                    python = golden(name)
                    at = next((i for i, (a, b) in enumerate(zip(data, python)) if a != b),
                              min(len(data), len(python)))
                    note = (f"bytes differ from Python's ({len(python)} bytes) from offset {at}, "
                            "same message")
                print(f"OK {name}: every field equal ({len(data)} bytes, {note})")
        return 1 if failed else 0
    die(f"unknown command {command!r}; see --help")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
