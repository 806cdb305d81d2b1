-- Accommodations a recruiter grants one candidate (issue 12): a longer
-- window, more time per question, more retakes, answering by voice only.
-- One row per interview, the current grant; every grant is also in the
-- audit log with what it replaced. Flags are 0/1 integers: one SQL set
-- serves SQLite and PostgreSQL.
CREATE TABLE candidate_accommodations (
    interview_id                TEXT PRIMARY KEY REFERENCES interviews (id),
    extra_window_hours          BIGINT NOT NULL DEFAULT 0 CHECK (extra_window_hours >= 0),
    extra_seconds_per_question  BIGINT NOT NULL DEFAULT 0 CHECK (extra_seconds_per_question >= 0),
    extra_retakes               BIGINT NOT NULL DEFAULT 0 CHECK (extra_retakes >= 0),
    audio_only                  BIGINT NOT NULL DEFAULT 0 CHECK (audio_only IN (0, 1)),
    note                        TEXT,
    granted_by                  TEXT NOT NULL REFERENCES users (id),
    granted_at                  BIGINT NOT NULL
);
