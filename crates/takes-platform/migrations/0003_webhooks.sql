-- Outbound webhooks: a durable outbox written in the same transaction as the
-- change it reports, fanned out to registered endpoints, delivered by a
-- background worker with retries, and logged attempt by attempt.
-- Same conventions as 0001: portable types, UUIDv7 text ids, epoch millis.

CREATE TABLE webhook_endpoints (
    id                TEXT PRIMARY KEY,
    url               TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    -- JSON array of event type names; an empty array subscribes to all.
    event_types_json  TEXT NOT NULL DEFAULT '[]',
    -- `whsec_` + base64 of the key. Kept in the clear because HMAC needs
    -- the key itself; shown to the API only once, at creation.
    secret            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
    disabled_reason   TEXT,
    created_by        TEXT REFERENCES users (id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_created ON webhook_endpoints (created_at, id);

-- One counter per ordering stream (`interview:{id}`). Taking the next value
-- is an upsert, which row-locks the counter on PostgreSQL until commit, so
-- within a stream `seq` order is commit order: the worker can never see
-- event N+1 committed while event N is still invisible to it.
CREATE TABLE webhook_streams (
    stream    TEXT PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);

-- The outbox. `body` is the exact JSON delivered (and signed), frozen at
-- write time so retries and replays send identical bytes.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    event_type   TEXT NOT NULL,
    stream       TEXT,
    seq          BIGINT,
    interview_id TEXT,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_events_by_created ON webhook_events (created_at, id);
CREATE INDEX webhook_events_by_interview ON webhook_events (interview_id, created_at);

-- One event to one endpoint. A replay adds a new row for the same pair, so
-- the history of earlier deliveries stays as it was.
CREATE TABLE webhook_deliveries (
    id                TEXT PRIMARY KEY,
    event_id          TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id       TEXT NOT NULL REFERENCES webhook_endpoints (id),
    -- Copied from the event so the ordering check is one indexed look-up.
    stream            TEXT,
    seq               BIGINT,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT NOT NULL,
    first_attempt_at  BIGINT,
    last_attempt_at   BIGINT,
    last_status       BIGINT,
    last_error        TEXT,
    -- A worker claims a row by setting these; an expired lease (the worker
    -- died mid-attempt) makes the row due again.
    lease_owner       TEXT,
    lease_until       BIGINT,
    -- The delivery this one replays, if it is a replay.
    replay_of         TEXT,
    created_at        BIGINT NOT NULL,
    finished_at       BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_stream ON webhook_deliveries (endpoint_id, stream, seq);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id, endpoint_id);
CREATE INDEX webhook_deliveries_by_created ON webhook_deliveries (created_at, id);

-- The delivery log: every HTTP attempt and what came of it.
CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at  BIGINT NOT NULL,
    -- NULL when no HTTP answer arrived (refused, timed out, TLS, …).
    status_code   BIGINT,
    error         TEXT,
    duration_ms   BIGINT NOT NULL,
    -- The first bytes of the receiver's answer, for operators.
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, attempted_at);
