-- Calibration sessions: every participant scores the same sample responses
-- independently; results open to a participant once they have submitted.
-- Same conventions as 0001: portable types, UUIDv7 text ids, epoch millis.

CREATE TABLE calibration_sessions (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    -- Scores can be written and submitted until then; reveal only after.
    deadline_at  BIGINT NOT NULL,
    -- Set when an admin opened the results to every participant.
    revealed_at  BIGINT,
    revealed_by  TEXT REFERENCES users (id),
    CHECK (deadline_at > created_at),
    CHECK ((revealed_at IS NULL) = (revealed_by IS NULL))
);
CREATE INDEX calibration_sessions_by_created ON calibration_sessions (created_at, id);

-- A sample response. The question and rubric are copied at creation so a
-- session's results (and flags, which use the pass score) stay what they
-- were; the candidate is reached only through the response, never shown.
CREATE TABLE calibration_items (
    id            TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES calibration_sessions (id),
    position      BIGINT NOT NULL CHECK (position >= 1),
    response_id   TEXT NOT NULL REFERENCES responses (id),
    question_id   TEXT NOT NULL REFERENCES questions (id),
    prompt        TEXT NOT NULL,
    competency    TEXT NOT NULL,
    time_limit_s  BIGINT NOT NULL,
    scale_min     BIGINT NOT NULL,
    scale_max     BIGINT NOT NULL,
    pass_score    BIGINT NOT NULL,
    -- JSON array of {score, label, description}
    anchors_json  TEXT NOT NULL,
    CHECK (scale_min < scale_max AND pass_score BETWEEN scale_min AND scale_max),
    UNIQUE (session_id, position),
    UNIQUE (session_id, response_id)
);
-- Media authorisation looks participants up by response.
CREATE INDEX calibration_items_by_response ON calibration_items (response_id, session_id);

CREATE TABLE calibration_participants (
    session_id    TEXT NOT NULL REFERENCES calibration_sessions (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    -- Touched by every score write: the UPDATE takes the row lock that
    -- orders score writes against submit on PostgreSQL.
    updated_at    BIGINT NOT NULL,
    submitted_at  BIGINT,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX calibration_participants_by_user ON calibration_participants (user_id, session_id);

CREATE TABLE calibration_scores (
    session_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL REFERENCES calibration_items (id),
    user_id     TEXT NOT NULL,
    rating      BIGINT NOT NULL,
    note        TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id),
    FOREIGN KEY (session_id, user_id) REFERENCES calibration_participants (session_id, user_id)
);
CREATE INDEX calibration_scores_by_session ON calibration_scores (session_id, user_id);

-- Discussion after the results are visible; append-only like the audit log.
CREATE TABLE calibration_notes (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES calibration_sessions (id),
    item_id     TEXT NOT NULL REFERENCES calibration_items (id),
    author_id   TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX calibration_notes_by_session ON calibration_notes (session_id, created_at, id);
