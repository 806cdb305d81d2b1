-- Issue 16: writing back to Lever. Every call owed to the Lever API (a
-- note with the scores, a tag, a stage move) is one row, written by the
-- transaction that owes it (the last review submitted, a decision), and
-- sent by a worker with backoff. `event_key` + `action` is unique, so an
-- event owes each call once however often its trigger is seen; `seq`
-- orders an interview's calls (a later stage move never overtakes an
-- earlier one). `maybe_sent_at` is set while an attempt may have reached
-- Lever without its answer being recorded (a crash, a timeout, a 5xx): a
-- note is then looked up in Lever by `marker` before it is sent again.
CREATE TABLE lever_writebacks (
    id               TEXT PRIMARY KEY,
    interview_id     TEXT NOT NULL REFERENCES interviews (id),
    seq              BIGINT NOT NULL,
    opportunity_id   TEXT NOT NULL,
    event_key        TEXT NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('note', 'tags', 'stage')),
    -- The JSON body Lever is sent.
    body             TEXT NOT NULL,
    -- Text only this note carries (its results link), to find it in Lever.
    marker           TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    first_attempt_at BIGINT,
    last_attempt_at  BIGINT,
    last_status      BIGINT,
    last_error       TEXT,
    maybe_sent_at    BIGINT,
    lease_owner      TEXT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    UNIQUE (event_key, action),
    UNIQUE (interview_id, seq)
);
CREATE INDEX lever_writebacks_due ON lever_writebacks (state, next_attempt_at);
CREATE INDEX lever_writebacks_newest ON lever_writebacks (created_at);
