#!/usr/bin/env python3
"""Validates live HTTP answers against the gateway's OpenAPI document.

    validate_openapi.py OPENAPI.json SAMPLES.json

SAMPLES is a list of {"method", "path", "status", "content_type", "body"} as a test recorded
them from the running gateway. Each answer must be documented (path, method, status or
`default`, content type) and its JSON body must satisfy the schema (JSON Schema 2020-12, the
dialect of OpenAPI 3.1). Prints one line per failure; exit status 1 if any.
"""
import json
import sys

from jsonschema import Draft202012Validator


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        document = json.load(handle)
    with open(sys.argv[2], encoding="utf-8") as handle:
        samples = json.load(handle)
    failures = []
    for sample in samples:
        where = f'{sample["method"]} {sample["path"]} → {sample["status"]}'
        operation = document["paths"].get(sample["path"], {}).get(sample["method"].lower())
        if operation is None:
            failures.append(f"{where}: not in the document")
            continue
        status = str(sample["status"])
        key = status if status in operation["responses"] else "default"
        response = operation["responses"].get(key)
        if response is None:
            failures.append(f"{where}: status not documented")
            continue
        content = response.get("content")
        if not content:
            if sample.get("body"):
                failures.append(f"{where}: a body where none is documented")
            continue
        media = sample["content_type"].split(";")[0].strip()
        if media not in content:
            failures.append(f"{where}: content type {media} not documented ({', '.join(content)})")
            continue
        schema = dict(document)
        schema["$ref"] = pointer("paths", sample["path"], sample["method"].lower(), "responses", key, "content", media, "schema")
        try:
            body = json.loads(sample["body"]) if sample["body"] else {}
        except ValueError as error:
            failures.append(f"{where}: not JSON: {error}")
            continue
        for error in Draft202012Validator(schema).iter_errors(body):
            failures.append(f"{where}: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
    for line in failures:
        print(line)
    print(f"{len(samples)} answers checked, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
