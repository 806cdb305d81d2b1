-- Issue 12 §3: the background transcription stage. One row per response
-- whose transcript the stage owes; responses without a row (demo data,
-- answers from before this migration) keep the transcript they have.
CREATE TABLE transcriptions (
    response_id      TEXT PRIMARY KEY REFERENCES responses (id),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  BIGINT NOT NULL,
    -- A worker holding the job; others leave it alone until then.
    lease_until      BIGINT,
    -- The engine of the last attempt (command, openai, pocketsphinx).
    engine           TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX transcriptions_due ON transcriptions (state, next_attempt_at);
