#!/usr/bin/env python3
"""OpenAPI 3.1 document of the gateway's HTTP API, from the same descriptors as the code.

Input: a FileDescriptorSet with source info (protoc --include_imports --include_source_info
--descriptor_set_out). Output (argv[2]): the document as JSON, and (argv[3]) the same as a
Swift file the gateway serves at GET /api/v1/openapi.json.

Every method of the dvc.gateway.* services is `POST /api/v1/{package.Service}/{Method}` with
the request and the response in protobuf's proto3 JSON mapping (what DVCProto's JSON code
reads and writes): lowerCamel field names, 64-bit integers as strings, bytes as base64, enums by
name, fields at their default left out. The accounts and sessions endpoints are written here by
hand. Comments in the .proto files become the descriptions.
"""
import json
import sys

from google.protobuf import descriptor_pb2 as d

FD = d.FieldDescriptorProto
INT32 = {FD.TYPE_INT32: "int32", FD.TYPE_SINT32: "int32", FD.TYPE_SFIXED32: "int32",
         FD.TYPE_UINT32: "uint32", FD.TYPE_FIXED32: "uint32"}
INT64 = {FD.TYPE_INT64: "int64", FD.TYPE_SINT64: "int64", FD.TYPE_SFIXED64: "int64",
         FD.TYPE_UINT64: "uint64", FD.TYPE_FIXED64: "uint64"}


def camel(name):
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


class Descriptors:
    def __init__(self, fdset):
        self.messages = {}
        self.enums = {}
        self.comments = {}
        self.services = []
        for f in fdset.file:
            for loc in f.source_code_info.location:
                text = (loc.leading_comments or loc.trailing_comments).strip()
                if text:
                    self.comments[(f.name, tuple(loc.path))] = " ".join(line.strip() for line in text.splitlines())
            for i, m in enumerate(f.message_type):
                self.add_message(f, f.package, m, [4, i])
            for i, e in enumerate(f.enum_type):
                self.enums[f"{f.package}.{e.name}"] = e
            for i, s in enumerate(f.service):
                self.services.append((f, i, s))

    def add_message(self, f, prefix, m, path):
        full = f"{prefix}.{m.name}"
        self.messages[full] = (f, m, path)
        for i, nested in enumerate(m.nested_type):
            if not nested.options.map_entry:
                self.add_message(f, full, nested, path + [3, i])
            else:
                self.messages[f"{full}.{nested.name}"] = (f, nested, path + [3, i])
        for e in m.enum_type:
            self.enums[f"{full}.{e.name}"] = e

    def comment(self, f, path):
        return self.comments.get((f.name, tuple(path)), "")


def field_schema(desc, field, used):
    t = field.type
    if t in INT32:
        schema = {"type": "integer", "format": INT32[t]}
        if INT32[t] == "uint32":
            schema["minimum"] = 0
    elif t in INT64:
        # proto3 JSON writes 64-bit integers as strings and reads either.
        schema = {"type": ["string", "integer"], "format": INT64[t], "pattern": "^-?[0-9]+$"}
    elif t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        schema = {"type": ["number", "string"]}
    elif t == FD.TYPE_BOOL:
        schema = {"type": "boolean"}
    elif t == FD.TYPE_STRING:
        schema = {"type": "string"}
    elif t == FD.TYPE_BYTES:
        schema = {"type": "string", "contentEncoding": "base64"}
    elif t == FD.TYPE_ENUM:
        name = field.type_name.lstrip(".")
        used.add(name)
        schema = {"$ref": f"#/components/schemas/{name}"}
    elif t == FD.TYPE_MESSAGE:
        name = field.type_name.lstrip(".")
        _, m, _ = desc.messages[name]
        if m.options.map_entry:
            value = next(x for x in m.field if x.number == 2)
            return {"type": "object", "additionalProperties": field_schema(desc, value, used)}
        used.add(name)
        schema = {"$ref": f"#/components/schemas/{name}"}
    else:
        sys.exit(f"gen_openapi: no JSON schema for field type {t} ({field.name})")
    if field.label == FD.LABEL_REPEATED:
        return {"type": "array", "items": schema}
    return schema


def message_schema(desc, name, used):
    f, m, path = desc.messages[name]
    properties = {}
    for i, field in enumerate(m.field):
        schema = field_schema(desc, field, used)
        text = desc.comment(f, path + [2, i])
        if text:
            schema = dict(schema, description=text) if "$ref" not in schema else {"allOf": [schema], "description": text}
        properties[field.json_name or camel(field.name)] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    text = desc.comment(f, path)
    if text:
        schema["description"] = text
    return schema


def enum_schema(desc, name):
    e = desc.enums[name]
    return {"type": ["string", "integer"], "enum": [v.name for v in e.value] + [v.number for v in e.value]}


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem document; the title is Vietnamese, for people.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "invalid_params": {"type": "array", "items": {
            "type": "object", "required": ["name", "reason"],
            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}},
        "level_offered": {"type": "integer", "minimum": 0, "maximum": 4,
                          "description": "A level refusal: the level the agency offers the procedure at."},
        "level_needed": {"type": "integer", "minimum": 1, "maximum": 4,
                         "description": "A level refusal: the level the call needs."},
        "instead": {"type": "string",
                    "description": "A level refusal: what the citizen can do instead, in Vietnamese."},
    },
}


OFFICER_ACCOUNT = {"type": "object", "additionalProperties": False,
                   "required": ["id", "agency_code", "roles", "full_name", "disabled", "created_at_unix_ms"],
                   "properties": {"id": {"type": "string"}, "agency_code": {"type": "string"},
                                  "roles": {"type": "array", "items": {"type": "string"}}, "full_name": {"type": "string"},
                                  "disabled": {"type": "boolean"}, "created_at_unix_ms": {"type": "string"}}}

ACCOUNT_EVENT = {"type": "object", "additionalProperties": False,
                 "required": ["at_unix_ms", "kind", "actor", "client", "detail"],
                 "properties": {"at_unix_ms": {"type": "string"}, "kind": {"type": "string", "enum": [
                     "sign_in", "sign_in_failed", "sign_in_refused", "registered", "registration_repeated", "password_changed",
                     "password_reset", "officer_created", "officer_disabled", "officer_enabled", "roles_changed", "sessions_revoked",
                     "api_key_created", "api_key_revoked", "national_identity_linked"]},
                     "actor": {"type": "string"}, "client": {"type": "string"}, "detail": {"type": "string"}}}


def problem_responses():
    return {"default": {"description": "A refusal or an error.",
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}


def people_paths():
    """The account endpoints; a key "path#method" adds one more method to a path."""
    paths = {}
    for key, operations in people_operations().items():
        paths.setdefault(key.split("#")[0], {}).update(operations)
    return paths


def people_operations():
    json_body = lambda schema: {"required": True, "content": {"application/json": {"schema": schema}}}
    obj = lambda props, required: {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    s = {"type": "string"}
    return {
        "/api/v1/citizens": {"post": {
            "operationId": "registerCitizen", "tags": ["Tài khoản"],
            "summary": "A citizen registers with their 12-digit identity number and a password.",
            "requestBody": json_body(obj({"id": s, "password": s, "full_name": s, "email": s, "phone": s},
                                         ["id", "password", "full_name"])),
            "description": "Answered the same whether or not the number already had an account (nobody learns who has one); an existing account is left as it was.",
            "responses": dict(problem_responses(), **{"202": {"description": "Accepted: the account exists now (made now, or before).", "content": {
                "application/json": {"schema": obj({"id": s, "message": s}, ["id", "message"])}}}}),
        }},
        "/api/v1/sessions": {"post": {
            "operationId": "signIn", "tags": ["Tài khoản"],
            "summary": "Sign-in of a citizen (id) or an officer (officer_id): a bearer token (kind api) or an HttpOnly session cookie and a CSRF token (kind browser).",
            "requestBody": json_body(obj({"id": s, "officer_id": s, "password": s,
                                          "kind": {"type": "string", "enum": ["api", "browser"]}}, ["password"])),
            "responses": dict(problem_responses(), **{"201": {"description": "Signed in.", "content": {
                "application/json": {"schema": obj({"token": s, "token_type": s, "csrf_token": s, "expires_at_unix_ms": s},
                                                   ["expires_at_unix_ms"])}}}}),
        }},
        "/api/v1/officers": {"post": {
            "operationId": "createOfficer", "tags": ["Tài khoản"],
            "summary": "An agency's administrator makes an officer of that agency, with roles.",
            "security": [{"session": []}, {"cookie": []}],
            "requestBody": json_body(obj({"id": s, "agency_code": s, "roles": {"type": "array", "items": {
                "type": "string", "enum": ["receiver", "processor", "approver", "admin"]}}, "full_name": s, "password": s},
                ["id", "roles", "full_name", "password"])),
            "responses": dict(problem_responses(), **{"201": {"description": "Made.", "content": {
                "application/json": {"schema": obj({"id": s, "agency_code": s}, ["id", "agency_code"])}}}}),
        }},
        "/api/v1/officers#get": {"get": {
            "operationId": "listOfficers", "tags": ["Tài khoản"],
            "summary": "The officers of the administrator's agency, with their roles and whether each is disabled.",
            "security": [{"session": []}, {"cookie": []}],
            "parameters": [{"name": "agency_code", "in": "query", "required": False, "schema": s}],
            "responses": dict(problem_responses(), **{"200": {"description": "The officers.", "content": {
                "application/json": {"schema": obj({"officers": {"type": "array", "items": {"$ref": "#/components/schemas/OfficerAccount"}}}, ["officers"])}}}}),
        }},
        "/api/v1/sessions#delete": {"delete": {
            "operationId": "signOutEverywhereElse", "tags": ["Tài khoản"],
            "summary": "Ends every session of the signed-in person but this one.",
            "security": [{"session": []}, {"cookie": []}],
            "responses": dict(problem_responses(), **{"200": {"description": "Ended.", "content": {
                "application/json": {"schema": obj({"ended": {"type": "integer"}}, ["ended"])}}}}),
        }},
        "/api/v1/me/password": {"put": {
            "operationId": "changeOwnPassword", "tags": ["Tài khoản"],
            "summary": "The signed-in person changes their password; every other session ends.",
            "security": [{"session": []}, {"cookie": []}],
            "requestBody": json_body(obj({"current_password": s, "new_password": s}, ["current_password", "new_password"])),
            "responses": dict(problem_responses(), **{"204": {"description": "Changed."}}),
        }},
        "/api/v1/me/events": {"get": {
            "operationId": "ownAccountEvents", "tags": ["Tài khoản"],
            "summary": "A citizen's account events, newest first: sign-ins, failed ones, refused ones, password changes.",
            "security": [{"session": []}, {"cookie": []}],
            "responses": dict(problem_responses(), **{"200": {"description": "Events.", "content": {
                "application/json": {"schema": obj({"events": {"type": "array", "items": {"$ref": "#/components/schemas/AccountEvent"}}}, ["events"])}}}}),
        }},
        "/api/v1/officers/{id}": {"patch": {
            "operationId": "changeOfficer", "tags": ["Tài khoản"],
            "summary": "An agency's administrator changes an officer's roles or disables/enables the account; the officer's sessions end.",
            "security": [{"session": []}, {"cookie": []}],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": s}],
            "requestBody": json_body(obj({"roles": {"type": "array", "items": {"type": "string", "enum": ["receiver", "processor", "approver", "admin"]}},
                                          "disabled": {"type": "boolean"}}, [])),
            "responses": dict(problem_responses(), **{"200": {"description": "Changed.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/OfficerAccount"}}}}}),
        }},
        "/api/v1/officers/{id}/password": {"post": {
            "operationId": "resetOfficerPassword", "tags": ["Tài khoản"],
            "summary": "An agency's administrator sets a new password for an officer; the officer's sessions end.",
            "security": [{"session": []}, {"cookie": []}],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": s}],
            "requestBody": json_body(obj({"password": s}, ["password"])),
            "responses": dict(problem_responses(), **{"200": {"description": "Reset.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/OfficerAccount"}}}}}),
        }},
        "/api/v1/officers/{id}/sessions": {"delete": {
            "operationId": "endOfficerSessions", "tags": ["Tài khoản"],
            "summary": "An agency's administrator ends every session of an officer.",
            "security": [{"session": []}, {"cookie": []}],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": s}],
            "responses": dict(problem_responses(), **{"200": {"description": "Ended.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/OfficerAccount"}}}}}),
        }},
        "/api/v1/officers/{id}/events": {"get": {
            "operationId": "officerAccountEvents", "tags": ["Tài khoản"],
            "summary": "An officer's account events, newest first, for the agency's administrator.",
            "security": [{"session": []}, {"cookie": []}],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": s}],
            "responses": dict(problem_responses(), **{"200": {"description": "Events.", "content": {
                "application/json": {"schema": obj({"events": {"type": "array", "items": {"$ref": "#/components/schemas/AccountEvent"}}}, ["events"])}}}}),
        }},
        "/api/v1/sessions/current": {"delete": {
            "operationId": "signOut", "tags": ["Tài khoản"], "summary": "Ends the session of the bearer token or cookie.",
            "security": [{"session": []}, {"cookie": []}],
            "responses": dict(problem_responses(), **{"204": {"description": "Signed out."}}),
        }},
    }


# Requests that carry files (AttachmentUpload) may come as multipart/form-data instead: the
# request in JSON in the part `request`, each file raw in a part `attachments` (docs/gateway.md,
# "Files without base64").
CARRIES_ATTACHMENTS = {"dvc.dossier.v1.SubmitDossierRequest", "dvc.dossier.v1.ActRequest", "dvc.dossier.v1.SaveDraftRequest"}


# Methods that take an idempotency key: a repeat with the same key (and the same body) answers
# what the first call did; the same key with another body is refused naming the key.
IDEMPOTENCY_REQUIRED = {"SubmitDossier", "CreatePayment", "RecordCounterPayment", "SubmitDraft"}
IDEMPOTENCY_OPTIONAL = {"Act"}

# The headers of a call besides Authorization (a security scheme, below).
ON_BEHALF_OF = {
    "name": "X-DVC-On-Behalf-Of", "in": "header", "required": False,
    "description": "With an agency system's API key only: the person the system acts for. "
                   "'citizen:<12-digit id>' needs the key's scope citizens; 'officer:<id>:<role>[,<role>]' "
                   "(receiver, processor, approver) needs the scope officers and an active officer account of "
                   "the key's agency holding those roles. Absent: the agency system itself (reads only).",
    "schema": {"type": "string", "maxLength": 200},
    "examples": {"citizen": {"value": "citizen:001090000123"},
                 "officer": {"value": "officer:nguyen.van.a:receiver"}},
}
REQUEST_ID = {
    "name": "X-Request-Id", "in": "header", "required": False,
    "description": "The caller's id for the request (at most 64 letters, digits, '-', '_', '.'), kept in every "
                   "log line of the platform and sent back; another is made when absent or unfit.",
    "schema": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "example": "erp-2026-000123",
}
CSRF_TOKEN = {
    "name": "X-CSRF-Token", "in": "header", "required": False,
    "description": "With the browser's session cookie only: the session's CSRF token (from sign-in).",
    "schema": {"type": "string"},
}


def idempotency_key(required):
    return {
        "name": "Idempotency-Key", "in": "header", "required": required,
        "description": "1 to 128 bytes chosen by the caller, new for each intended operation and the same for its "
                       "retries: a retry answers what the first call did, and never does it twice.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
        "example": "9b2f6a0e-3c1d-4e59-9a5b-1f0e8c7d2a41",
    }


# Every answer carries X-Request-Id; a 401 also WWW-Authenticate (RFC 9110, 15.5.2).
RESPONSE_HEADERS = {"X-Request-Id": {"description": "The request's id, as in the platform's logs.",
                                     "schema": {"type": "string"}}}


def answers(ok_status, ok):
    out = {"default": {"description": "A refusal or an error.", "headers": RESPONSE_HEADERS,
                       "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
           "401": {"description": "No credentials, or credentials refused.",
                   "headers": dict(RESPONSE_HEADERS, **{"WWW-Authenticate": {
                       "description": "The schemes taken: ApiKey and Bearer.",
                       "schema": {"type": "string"}, "example": 'ApiKey realm="dich-vu-cong", Bearer realm="dich-vu-cong"'}}),
                   "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
    ok = dict(ok)
    ok["headers"] = RESPONSE_HEADERS
    out[ok_status] = ok
    return out


def export_paths():
    s = {"type": "string"}
    day = {"type": "string", "format": "date"}
    common = [
        {"name": "agency_code", "in": "query", "required": False, "schema": s,
         "description": "The agency; the caller's own when absent. Only an agency's own officers and systems export it."},
        {"name": "from", "in": "query", "required": True, "schema": day, "example": "2026-11-01",
         "description": "The first day of the period (Hà Nội time, UTC+7)."},
        {"name": "to", "in": "query", "required": True, "schema": day, "example": "2026-11-30",
         "description": "The last day of the period, included; at most 366 days after from."},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["csv", "json"], "default": "csv"}},
        ON_BEHALF_OF, REQUEST_ID,
    ]
    streamed = lambda what: {"description": f"The {what}, streamed: CSV with a header line (UTF-8, RFC 4180) or a JSON array.",
                             "content": {"text/csv": {"schema": s}, "application/json": {"schema": {"type": "array"}}}}
    return {
        "/api/v1/export/dossiers": {"get": {
            "operationId": "exportDossiers", "tags": ["Xuất dữ liệu"],
            "summary": "An agency's dossiers of a period, by submission, reception or decision date, as CSV or JSON.",
            "security": [{"apiKey": []}, {"session": []}, {"cookie": []}],
            "parameters": common + [{"name": "by", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["submitted", "received", "decided"], "default": "submitted"}}],
            "responses": answers("200", streamed("dossiers")),
        }},
        "/api/v1/export/payments": {"get": {
            "operationId": "exportPayments", "tags": ["Xuất dữ liệu"],
            "summary": "An agency's payments made in a period, as CSV or JSON.",
            "security": [{"apiKey": []}, {"session": []}, {"cookie": []}],
            "parameters": common,
            "responses": answers("200", streamed("payments")),
        }},
    }


def request_content(request):
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}}
    if request in CARRIES_ATTACHMENTS:
        content["multipart/form-data"] = {
            "schema": {"type": "object", "required": ["request"], "properties": {
                "request": {"$ref": f"#/components/schemas/{request}"},
                "attachments": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                                "description": "One part per file; its file name is the attachment's name."},
            }},
            "encoding": {"request": {"contentType": "application/json"}},
        }
    return content


def main():
    fdset = d.FileDescriptorSet()
    with open(sys.argv[1], "rb") as handle:
        fdset.ParseFromString(handle.read())
    desc = Descriptors(fdset)
    used = set()
    paths = people_paths()
    paths.update(export_paths())
    for f, index, service in desc.services:
        if not f.package.startswith("dvc.gateway."):
            continue
        for i, method in enumerate(service.method):
            request = method.input_type.lstrip(".")
            response = method.output_type.lstrip(".")
            used.update([request, response])
            full = f"{f.package}.{service.name}"
            parameters = [ON_BEHALF_OF, REQUEST_ID, CSRF_TOKEN]
            if method.name in IDEMPOTENCY_REQUIRED or method.name in IDEMPOTENCY_OPTIONAL:
                parameters.insert(0, idempotency_key(method.name in IDEMPOTENCY_REQUIRED))
            paths[f"/api/v1/{full}/{method.name}"] = {"post": {
                "operationId": f"{service.name}_{method.name}",
                "tags": [full],
                "summary": desc.comment(f, [6, index, 2, i]) or f"{service.name}.{method.name}",
                "parameters": parameters,
                "requestBody": {"required": False, "content": request_content(request)},
                "responses": answers("200", {"description": "The answer.", "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}}}),
            }}
    schemas = {"Problem": PROBLEM, "OfficerAccount": OFFICER_ACCOUNT, "AccountEvent": ACCOUNT_EVENT}
    pending = sorted(used)
    done = set()
    while pending:
        name = pending.pop()
        if name in done:
            continue
        done.add(name)
        if name in desc.enums:
            schemas[name] = enum_schema(desc, name)
            continue
        more = set()
        schemas[name] = message_schema(desc, name, more)
        pending.extend(sorted(more - done))
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Dịch vụ công trực tuyến — API của cổng (gateway)",
            "version": "1",
            "description": "Every gateway method as POST /api/v1/{package.Service}/{Method} with proto3 JSON; "
                           "refusals as RFC 9457 problem documents. Generated from proto/ by proto/generate.sh.",
        },
        "servers": [{"url": "/"}],
        "security": [{}, {"session": []}, {"apiKey": []}, {"cookie": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "session": {"type": "http", "scheme": "bearer",
                            "description": "A person's session token from POST /api/v1/sessions with kind api: "
                                           "'Authorization: Bearer 3q2-7wE…'."},
                "apiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "An agency system: 'Authorization: ApiKey <id>.<secret>', e.g. "
                                          "'ApiKey k3f9a0c21be7d.PAz-Hn5Hbd-8u3LBJpeSw6Wjg3VxoAlr7UvBeKJdKnA', "
                                          "with X-DVC-On-Behalf-Of to act for a person."},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "__Host-dvc_session",
                           "description": "A browser session; requests must carry its CSRF token in X-CSRF-Token."},
            },
        },
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write(text)
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        out.write("// Generated by proto/generate.sh from proto/ (proto/tools/gen_openapi.py). DO NOT EDIT.\n")
        out.write("// The gateway's HTTP API as OpenAPI 3.1, served at GET /api/v1/openapi.json.\n\n")
        out.write("enum OpenAPIDocument {\n    static let json = #\"\"\"\n")
        out.write(text)
        out.write("\"\"\"#\n}\n")


if __name__ == "__main__":
    main()
