-- The candidate lifecycle: invitations with a completion window, the
-- candidate's own access secret, per-role reviewer pools and a durable
-- email outbox. Same conventions as 0001: portable types, UUIDv7 text ids,
-- epoch millis.

-- The window a candidate gets to answer, an optional intro video from the
-- recruiter, and who hears about completed interviews.
ALTER TABLE job_roles ADD COLUMN completion_window_h BIGINT NOT NULL DEFAULT 72
    CHECK (completion_window_h BETWEEN 48 AND 72);
ALTER TABLE job_roles ADD COLUMN intro_video_url TEXT;
ALTER TABLE job_roles ADD COLUMN hiring_manager_email TEXT;

-- One invitation per interview. Only the SHA-256 of the candidate's access
-- secret is kept; the secret itself travels in the response and the email.
CREATE TABLE invitations (
    interview_id     TEXT PRIMARY KEY REFERENCES interviews (id),
    secret_hash      TEXT NOT NULL UNIQUE,
    -- The ATS and its id for this application ("generic", "greenhouse",
    -- "lever"); the pair is unique so a repeated ATS event invites once.
    external_source  TEXT,
    external_id      TEXT,
    -- Opaque JSON the ATS integration keeps with the invitation.
    external_data    TEXT,
    created_by       TEXT REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    reminded_at      BIGINT,
    UNIQUE (external_source, external_id),
    CHECK ((external_source IS NULL) = (external_id IS NULL))
);

-- Reviewers who may be assigned a role's completed interviews.
CREATE TABLE role_reviewers (
    job_role_id  TEXT NOT NULL REFERENCES job_roles (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (job_role_id, user_id)
);

-- The Idempotency-Key of the upload that made the current final take, so a
-- retried upload answers as the first did instead of using up a retake.
ALTER TABLE responses ADD COLUMN upload_key TEXT;

-- The email outbox: written by the transaction that causes the message,
-- sent by a worker with retries. `dedupe_key` (kind + interview) makes a
-- repeated trigger a no-op; `message_id` is fixed at enqueue time so a
-- resend after a lost acknowledgement is recognisable downstream.
CREATE TABLE email_outbox (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL UNIQUE,
    interview_id     TEXT REFERENCES interviews (id),
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    message_id       TEXT NOT NULL UNIQUE,
    -- The candidate's access secret while an invitation waits to be sent
    -- (the body holds a placeholder); cleared once SMTP accepted it.
    secret           TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at);
CREATE INDEX email_outbox_by_interview ON email_outbox (interview_id, created_at);
