-- One schema for SQLite and PostgreSQL: portable types only (TEXT, BIGINT,
-- DOUBLE PRECISION), ids are server-generated UUIDv7 strings, times are
-- milliseconds since the Unix epoch (UTC), JSON lives in TEXT columns.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('reviewer', 'recruiter', 'admin')),
    email       TEXT,
    created_at  BIGINT NOT NULL
);

-- Only the SHA-256 of a token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

CREATE TABLE job_roles (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    department  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE question_sets (
    id               TEXT PRIMARY KEY,
    job_role_id      TEXT NOT NULL REFERENCES job_roles (id),
    name             TEXT NOT NULL,
    retakes_allowed  BIGINT NOT NULL DEFAULT 1 CHECK (retakes_allowed >= 0),
    created_at       BIGINT NOT NULL
);

CREATE TABLE questions (
    id               TEXT PRIMARY KEY,
    question_set_id  TEXT NOT NULL REFERENCES question_sets (id),
    position         BIGINT NOT NULL CHECK (position BETWEEN 1 AND 5),
    prompt           TEXT NOT NULL,
    competency       TEXT NOT NULL,
    time_limit_s     BIGINT NOT NULL CHECK (time_limit_s > 0),
    scale_min        BIGINT NOT NULL,
    scale_max        BIGINT NOT NULL,
    pass_score       BIGINT NOT NULL,
    -- JSON array of {score, label, description}
    anchors_json     TEXT NOT NULL,
    CHECK (scale_min < scale_max AND pass_score BETWEEN scale_min AND scale_max),
    UNIQUE (question_set_id, position)
);

CREATE TABLE candidates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    -- Shown to reviewers instead of the name until they have submitted.
    pseudonym   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE interviews (
    id               TEXT PRIMARY KEY,
    candidate_id     TEXT NOT NULL REFERENCES candidates (id),
    job_role_id      TEXT NOT NULL REFERENCES job_roles (id),
    question_set_id  TEXT NOT NULL REFERENCES question_sets (id),
    status           TEXT NOT NULL CHECK (status IN ('invited', 'started', 'completed', 'expired')),
    invited_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    started_at       BIGINT,
    completed_at     BIGINT,
    CHECK (expires_at > invited_at)
);
CREATE INDEX interviews_by_invited ON interviews (invited_at, id);

CREATE TABLE media_objects (
    id            TEXT PRIMARY KEY,
    -- Server-generated file name inside the media directory; never from a client.
    storage_key   TEXT NOT NULL UNIQUE,
    content_type  TEXT NOT NULL,
    bytes         BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- The final take of one question; earlier takes are not kept for reviewers.
CREATE TABLE responses (
    id               TEXT PRIMARY KEY,
    interview_id     TEXT NOT NULL REFERENCES interviews (id),
    question_id      TEXT NOT NULL REFERENCES questions (id),
    media_object_id  TEXT NOT NULL REFERENCES media_objects (id),
    duration_ms      BIGINT NOT NULL,
    -- JSON array of {start_s, end_s, text}
    transcript_json  TEXT NOT NULL,
    retakes_used     BIGINT NOT NULL DEFAULT 0,
    recorded_at      BIGINT NOT NULL,
    UNIQUE (interview_id, question_id)
);

CREATE TABLE assignments (
    id            TEXT PRIMARY KEY,
    interview_id  TEXT NOT NULL REFERENCES interviews (id),
    reviewer_id   TEXT NOT NULL REFERENCES users (id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'submitted')),
    assigned_at   BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    submitted_at  BIGINT,
    UNIQUE (interview_id, reviewer_id)
);
CREATE INDEX assignments_queue ON assignments (reviewer_id, due_at, id);

CREATE TABLE scores (
    assignment_id  TEXT NOT NULL REFERENCES assignments (id),
    question_id    TEXT NOT NULL REFERENCES questions (id),
    rating         BIGINT NOT NULL,
    muted_rating   BIGINT,
    note           TEXT,
    -- JSON array of {start_s, end_s}
    evidence_json  TEXT NOT NULL DEFAULT '[]',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (assignment_id, question_id)
);

-- Answers to score writes that carried an Idempotency-Key, replayed verbatim.
CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL REFERENCES users (id),
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE decisions (
    id            TEXT PRIMARY KEY,
    interview_id  TEXT NOT NULL REFERENCES interviews (id),
    action        TEXT NOT NULL CHECK (action IN ('advance', 'reject', 'hold')),
    reason        TEXT,
    decided_by    TEXT NOT NULL REFERENCES users (id),
    decided_at    BIGINT NOT NULL
);
CREATE INDEX decisions_by_interview ON decisions (interview_id, decided_at);

-- Append-only: the server only ever INSERTs here, in the same transaction as
-- the write it records.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_id     TEXT,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    detail_json  TEXT NOT NULL
);
CREATE INDEX audit_by_entity ON audit_log (entity_type, entity_id, at);
