-- Issue 10: API tokens expire and record their last use; undeliverable
-- email is dead-lettered (the outbox's state CHECK gains 'dead').

-- NULL: the token does not expire.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
-- Written at most about once a minute per token.
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;

-- A CHECK constraint cannot be altered in SQLite: the table is rebuilt, the
-- same way on both databases. Nothing references email_outbox.
CREATE TABLE email_outbox_new (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL UNIQUE,
    interview_id     TEXT REFERENCES interviews (id),
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    message_id       TEXT NOT NULL UNIQUE,
    -- The candidate's access secret, sealed (ChaCha20-Poly1305 under
    -- [email] secret_key), while the message waits; erased once it is sent
    -- or dead-lettered.
    secret           TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT,
    dead_at          BIGINT
);
INSERT INTO email_outbox_new (id, kind, dedupe_key, interview_id, to_address, subject, body,
    message_id, secret, state, attempts, next_attempt_at, last_error, lease_until, created_at, sent_at)
SELECT id, kind, dedupe_key, interview_id, to_address, subject, body,
    message_id, secret, state, attempts, next_attempt_at, last_error, lease_until, created_at, sent_at
FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at);
CREATE INDEX email_outbox_by_interview ON email_outbox (interview_id, created_at);
