#!/usr/bin/env python3
"""A stand-in for an ATS's webhook listener, for scripts/demo-ats.sh.

Accepts POSTs on any path, checks each against its Standard Webhooks
signature with the independent `standardwebhooks` package (pip install
standardwebhooks), answers 401 to anything not signed with the endpoint's
secret, prints each verified event and appends it, one JSON object a line,
to --log.

    WEBHOOK_SECRET=whsec_... webhook_receiver.py --port 8765 --log events.jsonl

The secret comes from the environment, so it does not show in `ps`.
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--log", required=True, help="JSON-lines file of verified events")
    args = parser.parse_args()
    secret = os.environ.get("WEBHOOK_SECRET", "")
    if not secret.startswith("whsec_"):
        print("webhook_receiver: set WEBHOOK_SECRET to the endpoint's whsec_ secret", file=sys.stderr)
        return 2
    verifier = Webhook(secret)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("content-length", "0"))
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self.answer(413, "body too large or without a length")
                return
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verifier.verify(body, headers)
            except WebhookVerificationError as e:
                print(f"✗ rejected {headers.get('webhook-id', '?')}: {e}", flush=True)
                self.answer(401, f"signature: {e}")
                return
            try:
                event = json.loads(body)
            except ValueError as e:
                self.answer(400, f"not JSON: {e}")
                return
            data = event.get("data") or {}
            interview = data.get("interview_id") or (data.get("interview") or {}).get("id", "")
            print(f"✓ verified {event.get('type', '?'):<22} {headers.get('webhook-id', '')}  interview {interview}", flush=True)
            record = {
                "webhook_id": headers.get("webhook-id"),
                "webhook_timestamp": headers.get("webhook-timestamp"),
                "event": event,
            }
            with lock, open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
            self.answer(204, "")

        def answer(self, status: int, message: str) -> None:
            payload = message.encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)

        def log_message(self, *_args) -> None:
            # Each event is printed once, above; the access log would repeat it.
            pass

    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    print(f"webhook_receiver: listening on http://{args.bind}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
