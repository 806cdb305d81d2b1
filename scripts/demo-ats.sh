#!/usr/bin/env bash
# The candidate lifecycle end to end, against a real server, with an ATS
# simulated by signed HTTP calls:
#
#   ATS moves a candidate to "screening" (Standard-Webhooks-signed POST)
#   → invitation email → the candidate uploads an answer to every question
#   → acknowledgement email, interview in two reviewers' queues
#   → reviewers rate and submit, the recruiter rejects
#   → signed webhooks reach the ATS, rejection email, Greenhouse scorecard.
#
# Everything is real: `takes serve` on SQLite, `takes mailbox` as the SMTP
# server, a Python receiver checking every webhook signature with the
# `standardwebhooks` package, ffprobe checking every upload.
#
# Usage: scripts/demo-ats.sh   (after `cargo build`; `cargo xtask demo-ats`
# does both). TAKES=/path/to/takes picks the binary; KEEP=1 keeps the temp
# directory (database, mail, logs) afterwards. Needs python3 with
# standardwebhooks, curl, and ffprobe (`cargo xtask setup` installs them).
# Exits non-zero, naming the step, if anything does not happen as it should.

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAKES=${TAKES:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/takes}
CLIPS=$ROOT/crates/takes-platform/demo/clips
RECEIVER=$ROOT/scripts/demo/webhook_receiver.py
# How long to wait for anything asynchronous (emails, webhooks), in seconds.
WAIT=${WAIT:-30}

STEP="starting"
PIDS=()
TMP=""
STARTED=$(date +%s)

bold() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
step() { STEP=$*; bold "$*"; }

fail() {
    # Inside $(…) only the subshell would exit: leave the reason for the
    # main shell, whose ERR trap reports it.
    if [[ $BASHPID != "$$" ]]; then
        [[ -n $TMP ]] && printf '%s' "$*" >"$TMP/failure"
        exit 1
    fi
    echo >&2
    echo "demo-ats: FAILED at step \"$STEP\": $*" >&2
    if [[ -n $TMP ]]; then
        for log in server mailbox receiver; do
            if [[ -s $TMP/$log.log ]]; then
                echo "--- last lines of $log.log ---" >&2
                tail -n 15 "$TMP/$log.log" >&2
            fi
        done
        KEEP=1
        echo "(everything is kept in $TMP)" >&2
    fi
    exit 1
}

cleanup() {
    local code=$?
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $TMP && ${KEEP:-0} != 1 ]]; then
        rm -rf "$TMP"
    elif [[ -n $TMP ]]; then
        echo "demo-ats: kept $TMP" >&2
    fi
    exit "$code"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM
on_err() {
    if [[ -n $TMP && -s $TMP/failure ]]; then
        fail "$(cat "$TMP/failure")"
    fi
    fail "command failed (line $1): $2"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

for tool in python3 curl ffprobe; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (cargo xtask setup installs it)"
done
[[ -x $TAKES ]] || fail "no takes binary at $TAKES; run cargo build first (or set TAKES)"
python3 -c 'import standardwebhooks' 2>/dev/null ||
    fail "the Python package standardwebhooks is missing (pip install standardwebhooks)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/takes-demo-ats.XXXXXX")
mkdir -p "$TMP/mail"

# json EXPR < doc: prints a Python expression over the parsed document `d`.
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if isinstance(v,str) else json.dumps(v))' "$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# api METHOD PATH TOKEN [curl args…]: the body on stdout; fails on non-2xx,
# showing the problem document.
api() {
    local method=$1 path=$2 token=$3
    shift 3
    local out status
    out=$(curl -sS -o "$TMP/resp" -w '%{http_code}' -X "$method" \
        -H "authorization: Bearer $token" "$@" "$BASE$path") || fail "$method $path: curl failed"
    status=$out
    if [[ $status != 2* ]]; then
        fail "$method $path answered $status: $(cat "$TMP/resp")"
    fi
    cat "$TMP/resp"
}

# wait_for DESCRIPTION COMMAND…: retries COMMAND until it succeeds or WAIT passes.
wait_for() {
    local what=$1
    shift
    local deadline=$(($(date +%s) + WAIT))
    until "$@" >/dev/null 2>&1; do
        (($(date +%s) < deadline)) || fail "no $what after ${WAIT}s"
        sleep 0.2
    done
}

# mail_matching TO SUBJECT-SUBSTRING: the path of the first saved message to TO whose subject contains it.
mail_matching() {
    python3 - "$TMP/mail" "$1" "$2" <<'PY'
import email, email.policy, pathlib, sys
folder, to, subject = sys.argv[1:4]
for p in sorted(pathlib.Path(folder).glob("*.eml")):
    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
    if to in str(m["To"]) and subject in str(m["Subject"]):
        print(p)
        sys.exit(0)
sys.exit(1)
PY
}

# show_mail PATH: headers that matter and the decoded body.
show_mail() {
    python3 - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
for h in ("From", "To", "Subject"):
    print(f"{h + ':':<9}{m[h]}")
print()
print("    " + m.get_content().strip().replace("\n", "\n    "))
PY
}

# ───────────────────────────────────────────────────────────────────────
step "1. Seed the demo data and configure the server"
MAIL_PORT=$(free_port)
API_PORT=$(free_port)
HOOK_PORT=$(free_port)
BASE=http://127.0.0.1:$API_PORT
DB="sqlite://$TMP/takes.db"
export TAKES_DATABASE=$DB TAKES_MEDIA_DIR=$TMP/media
"$TAKES" seed demo --json >"$TMP/seed.json" 2>"$TMP/seed.log" || fail "takes seed demo: $(cat "$TMP/seed.log")"
token_of() { json "[u['token'] for u in d['users'] if u['name']=='$1'][0]" <"$TMP/seed.json"; }
RECRUITER=$(token_of "Dana Brooks")
ADMIN=$(token_of "Alex Kim")
declare -A REVIEWER
for name in "Riley Chen" "Sam Okoro" "Jordan Alvarez"; do
    REVIEWER[$name]=$(token_of "$name")
done
# The ATS knows its own job ids; [ats.generic.jobs] maps them to our roles.
# Set up once by an admin; here read straight from the fresh database.
SRE_ROLE=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM job_roles WHERE title = ?", ("Site Reliability Engineer",)).fetchone()[0])' "$TMP/takes.db") ||
    fail "the demo data has no Site Reliability Engineer role"
INBOUND_SECRET=$(python3 -c 'import base64,os; print("whsec_" + base64.b64encode(os.urandom(24)).decode())')
cat >"$TMP/server.toml" <<EOF
public_url = "$BASE"
allow_http_public_url = true
# The demo ATS listens on this machine; webhooks to private addresses are
# refused unless listed here.
allow_private_networks = ["127.0.0.1"]

[email]
smtp_host = "127.0.0.1"
smtp_port = $MAIL_PORT
tls = "none"
from = "Hiring team <jobs@example.com>"
support_contact = "Dana Brooks <dana.brooks@example.com>"
poll_interval_ms = 200

[invitations]
reviewers_per_interview = 2

[ats.generic]
secret = "$INBOUND_SECRET"
screening_stage = "screening"

[ats.generic.jobs]
"ats-job-sre" = "$SRE_ROLE"
EOF
echo "server config: $TMP/server.toml (role $SRE_ROLE is the ATS's job ats-job-sre)"

step "2. Start the mailbox and the server"
"$TAKES" mailbox --bind "127.0.0.1:$MAIL_PORT" --dir "$TMP/mail" >"$TMP/mailbox.log" 2>&1 &
PIDS+=($!)
RUST_LOG=${RUST_LOG:-warn} "$TAKES" serve --bind "127.0.0.1:$API_PORT" --config "$TMP/server.toml" >"$TMP/server.log" 2>&1 &
PIDS+=($!)
wait_for "answer from the server on $BASE" curl -sf "$BASE/v1/health"
wait_for "mailbox on port $MAIL_PORT" grep -q "listening on" "$TMP/mailbox.log"
echo "server $BASE, mailbox smtp://127.0.0.1:$MAIL_PORT"

step "3. The ATS registers a webhook endpoint and starts listening"
ENDPOINT=$(api POST /v1/webhooks/endpoints "$ADMIN" -H 'content-type: application/json' \
    -d "{\"url\": \"http://127.0.0.1:$HOOK_PORT/takes-events\", \"description\": \"demo ATS\"}")
HOOK_SECRET=$(json "d['secret']" <<<"$ENDPOINT")
WEBHOOK_SECRET=$HOOK_SECRET python3 "$RECEIVER" --port "$HOOK_PORT" --log "$TMP/events.jsonl" >"$TMP/receiver.log" 2>&1 &
PIDS+=($!)
wait_for "webhook receiver on port $HOOK_PORT" grep -q "listening on" "$TMP/receiver.log"
echo "endpoint $(json "d['id']" <<<"$ENDPOINT") → http://127.0.0.1:$HOOK_PORT/takes-events"

step "4. The candidate enters the screening stage in the ATS (signed inbound event)"
CANDIDATE_EMAIL=morgan.lee@example.org
EVENT=$(python3 -c 'import json,sys; print(json.dumps({"type": "candidate.stage_changed", "data": {"stage": "Screening", "job_id": "ats-job-sre", "application_id": "app-1001", "candidate": {"id": "cand-1001", "name": "Morgan Lee", "email": sys.argv[1]}}}))' "$CANDIDATE_EMAIL")
MSG_ID="msg_$(python3 -c 'import uuid; print(uuid.uuid4().hex)')"
TS=$(date +%s)
SIGNATURE=$(printf '%s' "$EVENT" | python3 -c '
import sys
from datetime import datetime, timezone
from standardwebhooks.webhooks import Webhook
secret, msg_id, ts = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), sys.stdin.read()))
' "$INBOUND_SECRET" "$MSG_ID" "$TS")
OUTCOME=$(curl -sS -w '\n%{http_code}' -X POST "$BASE/v1/ats/inbound" -H 'content-type: application/json' \
    -H "webhook-id: $MSG_ID" -H "webhook-timestamp: $TS" -H "webhook-signature: $SIGNATURE" --data-binary "$EVENT")
[[ ${OUTCOME##*$'\n'} == 200 ]] || fail "POST /v1/ats/inbound answered ${OUTCOME##*$'\n'}: ${OUTCOME%$'\n'*}"
OUTCOME=${OUTCOME%$'\n'*}
echo "$OUTCOME"
[[ $(json "d['status']" <<<"$OUTCOME") == created ]] || fail "the inbound event did not invite: $OUTCOME"
INTERVIEW=$(json "d['interview_id']" <<<"$OUTCOME")
# An ATS retries; the same message again changes nothing.
AGAIN=$(curl -sS -X POST "$BASE/v1/ats/inbound" -H 'content-type: application/json' \
    -H "webhook-id: $MSG_ID" -H "webhook-timestamp: $TS" -H "webhook-signature: $SIGNATURE" --data-binary "$EVENT")
[[ $(json "d['replayed']" <<<"$AGAIN") == true && $(json "d['interview_id']" <<<"$AGAIN") == "$INTERVIEW" ]] ||
    fail "a repeated inbound event was not recognised: $AGAIN"
echo "interview $INTERVIEW (a repeat of the event was answered as a replay)"

step "5. The invitation email"
wait_for "invitation email to $CANDIDATE_EMAIL" mail_matching "$CANDIDATE_EMAIL" "Your video interview"
INVITATION=$(mail_matching "$CANDIDATE_EMAIL" "Your video interview")
show_mail "$INVITATION"
SECRET=$(show_mail "$INVITATION" | grep -o 'ci_[A-Za-z0-9_-]*' | head -1) ||
    fail "the invitation has no personal link with an access secret"

step "6. The candidate records an answer to every question"
QUESTIONS=$(curl -sSf -H "authorization: Bearer $SECRET" "$BASE/v1/candidate/interview") ||
    fail "the access secret from the email does not open the interview"
mapfile -t QIDS < <(json "'\n'.join(q['id'] for q in d['questions'])" <<<"$QUESTIONS")
((${#QIDS[@]} > 0)) || fail "the interview has no questions"
# Nothing is stored before the candidate agrees to be recorded; the page
# sends the version of the consent text it showed.
CONSENT_VERSION=$(json "d['consent_version']" <"$ROOT/crates/takes-platform/candidate/i18n/en.json")
api PUT /v1/candidate/consent "$SECRET" -H 'content-type: application/json' \
    --data "{\"decision\": \"agreed\", \"text_version\": \"$CONSENT_VERSION\"}" >/dev/null
echo "consent: agreed to text $CONSENT_VERSION"
i=0
for qid in "${QIDS[@]}"; do
    i=$((i + 1))
    clip=$CLIPS/c0$(((i - 1) % 4 + 1))-q$(((i - 1) % 4 + 1)).webm
    [[ -f $clip ]] || fail "demo clip $clip is missing"
    # The candidate's secret, not a user token, authorises the upload.
    UPLOAD=$(api PUT "/v1/candidate/responses/$qid" "$SECRET" -H 'content-type: video/webm' --data-binary "@$clip")
    echo "question $i: response $(json "d['response_id']" <<<"$UPLOAD"), $(json "d['duration_s']" <<<"$UPLOAD") s, interview now $(json "d['interview_status']" <<<"$UPLOAD")"
done
[[ $(json "d['interview_status']" <<<"$UPLOAD") == completed ]] || fail "the interview is not completed after every answer"

step "7. The acknowledgement email"
wait_for "acknowledgement email" mail_matching "$CANDIDATE_EMAIL" "We received"
show_mail "$(mail_matching "$CANDIDATE_EMAIL" "We received")"

step "8. The interview is in reviewers' queues"
ASSIGNED=()
for name in "Riley Chen" "Sam Okoro" "Jordan Alvarez"; do
    QUEUE=$(api GET "/v1/queue?limit=200" "${REVIEWER[$name]}")
    ASSIGNMENT=$(json "next((i['id'] for i in d['items'] if i['interview_id']=='$INTERVIEW'), '')" <<<"$QUEUE")
    if [[ -n $ASSIGNMENT ]]; then
        echo "$name: assignment $ASSIGNMENT, due $(json "[i['due_at'] for i in d['items'] if i['id']=='$ASSIGNMENT'][0]" <<<"$QUEUE")"
        ASSIGNED+=("$name=$ASSIGNMENT")
    else
        echo "$name: not assigned"
    fi
done
((${#ASSIGNED[@]} == 2)) || fail "expected the interview in 2 reviewers' queues, found ${#ASSIGNED[@]}"

step "9. The reviewers rate every answer and submit"
r=0
for pair in "${ASSIGNED[@]}"; do
    name=${pair%%=*}
    assignment=${pair#*=}
    token=${REVIEWER[$name]}
    DETAIL=$(api GET "/v1/assignments/$assignment" "$token")
    mapfile -t QS < <(json "'\n'.join(q['id'] for q in d['questions'])" <<<"$DETAIL")
    ratings=()
    q=0
    for qid in "${QS[@]}"; do
        # Weak-to-middling answers, different per reviewer, so the panel disagrees a little.
        rating=$(((q + r) % 2 + 1))
        api PUT "/v1/assignments/$assignment/scores/$qid" "$token" -H 'content-type: application/json' \
            -d "{\"rating\": $rating, \"note\": \"Demo rating by $name\"}" >/dev/null
        ratings+=("$rating")
        q=$((q + 1))
    done
    api POST "/v1/assignments/$assignment/submit" "$token" >/dev/null
    echo "$name rated ${ratings[*]} and submitted"
    r=$((r + 1))
done

step "10. The recruiter rejects"
DECISION=$(api POST "/v1/interviews/$INTERVIEW/decision" "$RECRUITER" -H 'content-type: application/json' \
    -d '{"action": "reject", "reason": "Below the bar on incident handling"}')
echo "$DECISION"

step "11. The rejection email"
wait_for "rejection email" mail_matching "$CANDIDATE_EMAIL" "Your application"
show_mail "$(mail_matching "$CANDIDATE_EMAIL" "Your application")"

step "12. Signed webhooks the ATS received"
EXPECTED="invitation.sent interview.completed review.submitted review.submitted interview.reviewed candidate.rejected"
events_complete() {
    python3 - "$TMP/events.jsonl" "$INTERVIEW" $EXPECTED <<'PY'
import collections, json, sys
path, interview, *expected = sys.argv[1:]
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    sys.exit(1)
seen = collections.Counter(json.loads(l)["event"]["type"] for l in lines if interview in l)
need = collections.Counter(expected)
sys.exit(0 if all(seen[t] >= n for t, n in need.items()) else 1)
PY
}
wait_for "webhook events ($EXPECTED)" events_complete
cat "$TMP/receiver.log"
if grep -q "✗ rejected" "$TMP/receiver.log"; then
    fail "the receiver rejected a webhook signature"
fi
echo
echo "the candidate.rejected event:"
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event"]["type"] == "candidate.rejected":
        print(json.dumps(r["event"], indent=2))' "$TMP/events.jsonl"

step "13. The Greenhouse-shaped scorecard"
SCORECARD=$(api GET "/v1/interviews/$INTERVIEW/scorecard?format=greenhouse" "$RECRUITER")
python3 -m json.tool --no-ensure-ascii <<<"$SCORECARD"
[[ $(json "len(d['scorecards'])" <<<"$SCORECARD") == 2 ]] || fail "the scorecard export does not hold both reviewers' scorecards"

trap - ERR
bold "Done in $(($(date +%s) - STARTED)) s: ATS event → invitation → answers → reviews → rejection → webhooks and scorecard"
