"""Submits a dossier for a citizen, polls its state until it reaches the one asked for, and
fetches its result when it has one (docs/clients.md, the Python quickstart).

    dvc-submit-and-poll --gateway HOST:PORT --api-key "ApiKey <id>.<secret>" [--tls-ca ca.pem] \\
        --citizen 001099012345 --agency AGENCY --procedure PROCEDURE --file to-khai.pdf \\
        [--until PROCESSED] [--max-wait 60] [--result-out ket-qua.pdf]

Prints one line per step (`submitted ...`, `state ...`, `result ...`); a refused call prints
`error CODE: message [field: ...]` on standard error and exits with status 1.
"""

import argparse
import os
import sys
import time
import uuid

from dvc_client import Client, RPCError, dossier_pb2

STATE = dossier_pb2.DossierState


def state_name(value):
    return STATE.Name(value).removeprefix("DOSSIER_STATE_")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dvc-submit-and-poll", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", required=True, help="the gateway's RPC address, HOST:PORT")
    parser.add_argument("--api-key", default=os.environ.get("DVC_API_KEY"),
                        help="'ApiKey <id>.<secret>' (or the DVC_API_KEY variable)")
    parser.add_argument("--tls-ca", help="the platform CA's PEM file (TLS); without it, plain TCP")
    parser.add_argument("--citizen", required=True, help="the citizen's 12-digit identity number")
    parser.add_argument("--agency", required=True)
    parser.add_argument("--procedure", required=True)
    parser.add_argument("--file", action="append", default=[], help="a paper to attach (repeatable)")
    parser.add_argument("--idempotency-key", help="reuse to retry the same submission (default: a new one)")
    parser.add_argument("--until", default="SUBMITTED",
                        help="poll until the dossier is in this state (e.g. RECEIVED, PROCESSED, RESULT_RETURNED)")
    parser.add_argument("--max-wait", type=float, default=60.0, help="seconds to poll at most")
    parser.add_argument("--poll-interval", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline of each call, in seconds")
    parser.add_argument("--result-out", help="where to write the result document once there is one")
    args = parser.parse_args(argv)
    until = STATE.Value("DOSSIER_STATE_" + args.until.upper())

    client = Client(args.gateway, api_key=args.api_key, tls_ca=args.tls_ca, timeout=args.timeout,
                    on_behalf_of=f"citizen:{args.citizen}",
                    on_retry=lambda attempt, wait, error: print(
                        f"retry {attempt} in {wait * 1000:.0f} ms after {error.code.name}", file=sys.stderr))
    try:
        request = dossier_pb2.SubmitDossierRequest(agency_code=args.agency, procedure_code=args.procedure,
                                                   channel=dossier_pb2.CHANNEL_ONLINE)
        for path in args.file:
            with open(path, "rb") as f:
                request.attachments.add(name=os.path.basename(path), content=f.read())
        key = args.idempotency_key or str(uuid.uuid4())
        answer = client.dossiers.submit_dossier(request, idempotency_key=key)
        dossier = answer.dossier
        print(f"submitted {dossier.id} state {state_name(dossier.state)} pin {answer.tracking_pin} "
              f"idempotency-key {key}", flush=True)

        give_up = time.monotonic() + args.max_wait
        last = None
        while True:
            dossier = client.dossiers.get_dossier(id=dossier.id)
            if dossier.state != last:
                print(f"state {state_name(dossier.state)} version {dossier.version}"
                      + (f" receipt {dossier.receipt_code}" if dossier.receipt_code else ""), flush=True)
                last = dossier.state
            if dossier.state == until or time.monotonic() >= give_up:
                break
            time.sleep(args.poll_interval)
        if dossier.state != until:
            print(f"error still {state_name(dossier.state)} after {args.max_wait:.0f} s, not {args.until.upper()}",
                  file=sys.stderr)
            return 1

        if dossier.HasField("result_document") and dossier.result_document.id:
            result = client.dossiers.get_file(dossier_id=dossier.id, file_id=dossier.result_document.id)
            print(f"result {result.name} {len(result.content)} bytes {result.media_type}", flush=True)
            if args.result_out:
                with open(args.result_out, "wb") as f:
                    f.write(result.content)
        return 0
    except RPCError as error:
        print(f"error {error}", file=sys.stderr)
        return 1
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
