-- Inbound ATS integrations (generic Standard Webhooks, Greenhouse
-- Assessment Partner API, Lever). Invitations themselves, with the ATS's
-- id that makes a repeated event a no-op, live in `invitations` (0004).
-- Same conventions as 0001: portable types, UUIDv7 text ids, epoch millis.

-- Signed messages already handled, by the sender's message id, so a
-- replayed delivery is answered as the first was and changes nothing.
CREATE TABLE ats_inbound_messages (
    source       TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    -- The JSON answer first given.
    response     TEXT NOT NULL,
    PRIMARY KEY (source, message_id)
);
-- Old ids are pruned: a message that old fails the timestamp check anyway.
CREATE INDEX ats_inbound_messages_by_received ON ats_inbound_messages (received_at);

-- Greenhouse tests (send_test). Our interview id is the
-- `partner_interview_id` Greenhouse polls and links with.
CREATE TABLE greenhouse_tests (
    interview_id     TEXT PRIMARY KEY REFERENCES interviews (id),
    partner_test_id  TEXT NOT NULL,
    -- Where Greenhouse wants the "test completed" PATCH.
    patch_url        TEXT NOT NULL,
    -- The candidate's Greenhouse application, for people following links.
    profile_url      TEXT,
    created_at       BIGINT NOT NULL
);

-- The PATCH notices owed to Greenhouse: one row per test and milestone,
-- so a milestone is announced once however often the worker looks. The
-- worker claims a row with a lease before sending (like webhook
-- deliveries) and retries with backoff until Greenhouse answers 2xx.
CREATE TABLE greenhouse_patches (
    id               TEXT PRIMARY KEY,
    interview_id     TEXT NOT NULL REFERENCES greenhouse_tests (interview_id),
    milestone        TEXT NOT NULL CHECK (milestone IN ('completed', 'reviewed')),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    first_attempt_at BIGINT,
    last_attempt_at  BIGINT,
    last_status      BIGINT,
    last_error       TEXT,
    lease_owner      TEXT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    UNIQUE (interview_id, milestone)
);
CREATE INDEX greenhouse_patches_due ON greenhouse_patches (state, next_attempt_at);
