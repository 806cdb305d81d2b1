#!/usr/bin/env bash
# schemathesis against a real `takes serve` with the demo data: every
# operation of the served /v1/openapi.json, once per kind of caller
# (reviewer, recruiter, admin, a candidate's access secret, and no token),
# with the examples, coverage,
# fuzzing and stateful (OpenAPI links) phases. Passes only with zero 5xx and
# zero responses that break the document (status code, content type,
# headers, body schema).
#
# Usage: scripts/schemathesis.sh   (run by `cargo xtask test` after the cargo
# tests, with TAKES set to the binary just built). TAKES=/path/to/takes picks
# the binary; ST_MAX_TIME (seconds per caller, default 30) bounds the run;
# KEEP=1 keeps the temp directory (database, server log, reports).
# Needs python3 with schemathesis (`cargo xtask setup` installs it).

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAKES=${TAKES:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/takes}
MAX_TIME=${ST_MAX_TIME:-30}
TMP=$(mktemp -d)
SERVER=""

cleanup() {
    [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "schemathesis.sh: $*" >&2
    [[ -f $TMP/server.log ]] && { echo "--- server log (tail)"; tail -n 40 "$TMP/server.log"; } >&2
    exit 1
}

[[ -x $TAKES ]] || fail "no takes binary at $TAKES; run cargo build first (or set TAKES)"
python3 -c 'import schemathesis' 2>/dev/null || fail "schemathesis is not installed (cargo xtask setup)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
export TAKES_DATABASE="sqlite://$TMP/takes.db" TAKES_MEDIA_DIR=$TMP/media
"$TAKES" seed demo --json >"$TMP/seed.json" 2>"$TMP/seed.log" || fail "takes seed demo: $(cat "$TMP/seed.log")"
token_of() {
    python3 -c 'import json,sys; print([u["token"] for u in json.load(open(sys.argv[1]))["users"] if u["role"]==sys.argv[2]][0])' \
        "$TMP/seed.json" "$1"
}

RUST_LOG=${RUST_LOG:-warn} "$TAKES" serve --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do
    curl -sf "$BASE/v1/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || fail "takes serve exited"
    sleep 0.1
done
curl -sf "$BASE/v1/health" >/dev/null || fail "takes serve did not answer on $BASE"

# A candidate's access secret: a fresh invitation to the first demo role.
ROLE=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM job_roles ORDER BY title").fetchone()[0])' "$TMP/takes.db")
SECRET=$(curl -sf -X POST "$BASE/v1/invitations" -H "Authorization: Bearer $(token_of recruiter)" \
    -H 'content-type: application/json' \
    -d "{\"role_id\": \"$ROLE\", \"candidate_name\": \"Schema Thesis\", \"candidate_email\": \"st@example.org\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_secret"])') || fail "cannot invite a candidate"

# The checks that make a response wrong: a server error, or anything the
# document does not allow. (Checks about what the server *accepts*, such as
# negative_data_rejection, judge validation strictness, not the contract.)
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

status=0
# Raw video bodies (the candidate's upload) need a serializer.
export PYTHONPATH=$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH} SCHEMATHESIS_HOOKS=schemathesis_hooks
# schemathesis keeps a cache in the working directory: not in the repo.
cd "$TMP"
for who in reviewer recruiter admin candidate none; do
    echo "== schemathesis as $who (up to ${MAX_TIME}s)"
    auth=()
    case $who in
    none) ;;
    candidate) auth=(-H "Authorization: Bearer $SECRET") ;;
    *) auth=(-H "Authorization: Bearer $(token_of "$who")") ;;
    esac
    # Fixed seed: a failure reproduces. One worker: with two threads,
    # schemathesis itself crashed now and then inside CPython's compiler
    # ("AST constructor recursion depth mismatch", a KeyError in its
    # coverage phase), which says nothing about the API. The ATS inbound webhooks are left
    # out: they are off without an [ats] config (404) and authenticate by
    # signature, which tests/api/ats_*.rs cover.
    if ! st --no-color run "$BASE/v1/openapi.json" \
        "${auth[@]}" \
        --checks "$CHECKS" \
        --phases examples,coverage,fuzzing,stateful \
        --max-examples 25 \
        --max-time "$MAX_TIME" \
        --workers 1 \
        --seed 1 \
        --request-timeout 10 \
        --continue-on-failure \
        --exclude-path-regex '^/v1/ats/' \
        --suppress-health-check all \
        --report junit --report-dir "$TMP/report-$who" \
        >"$TMP/st-$who.log" 2>&1; then
        status=1
        tail -n 200 "$TMP/st-$who.log"
        echo "== schemathesis as $who FAILED (full log: $TMP/st-$who.log with KEEP=1)"
    else
        tail -n 12 "$TMP/st-$who.log"
    fi
    kill -0 "$SERVER" 2>/dev/null || fail "takes serve died during the run"
done
[[ $status == 0 ]] || fail "schemathesis found 5xx or responses that break the OpenAPI document"
echo "schemathesis: no server errors, no responses outside the document"
