-- Issue 11: an organisation's own hiring process (the process file and the
-- API behind it). Same conventions as 0001: portable types, UUIDv7 text ids,
-- epoch millis.

-- A role's stable key: the process file names roles by it, so a title
-- change keeps the role. Roles made before this migration have none until a
-- process file (or the API) gives them one.
ALTER TABLE job_roles ADD COLUMN role_key TEXT;
CREATE UNIQUE INDEX job_roles_by_key ON job_roles (role_key);
-- The window a candidate gets, in hours. Replaces completion_window_h, whose
-- CHECK (48 to 72) cannot be altered in SQLite: the process lint warns
-- outside 48 h to 7 days instead, and the server refuses only nonsense.
ALTER TABLE job_roles ADD COLUMN completion_window_hours BIGINT;
UPDATE job_roles SET completion_window_hours = completion_window_h;
-- NULL: the server's [invitations] reviewers_per_interview.
ALTER TABLE job_roles ADD COLUMN reviewers_per_interview BIGINT
    CHECK (reviewers_per_interview IS NULL OR reviewers_per_interview >= 1);
ALTER TABLE job_roles ADD COLUMN support_contact TEXT;
ALTER TABLE job_roles ADD COLUMN invitation_message TEXT;
-- The recruiter's intro video, uploaded to this server (media by id).
ALTER TABLE job_roles ADD COLUMN intro_video_media_id TEXT REFERENCES media_objects (id);
-- A role removed from the process while interviews use it is archived,
-- never deleted: no new invitations, everything in flight continues.
ALTER TABLE job_roles ADD COLUMN archived_at BIGINT;
-- The version new invitations get. Interviews keep the question set they
-- were invited with (interviews.question_set_id), and scores keep the
-- rubric of that set's questions.
ALTER TABLE job_roles ADD COLUMN current_question_set_id TEXT REFERENCES question_sets (id);

-- Question sets are versioned per role: 1, 2, … A set that interviews use
-- is never edited; a change makes the next version.
ALTER TABLE question_sets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE questions ADD COLUMN thinking_time_s BIGINT NOT NULL DEFAULT 0
    CHECK (thinking_time_s >= 0);

-- The latest set of each existing role is its current one.
UPDATE job_roles SET current_question_set_id = (
    SELECT s.id FROM question_sets s WHERE s.job_role_id = job_roles.id
    ORDER BY s.created_at DESC, s.id DESC LIMIT 1
);

-- Users are never deleted: a deactivated user's tokens stop working and
-- their past scores stay.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
-- The process file names people by email.
CREATE UNIQUE INDEX users_by_email ON users (email);

-- Recruiters who own a role: they may change it and decide its interviews.
CREATE TABLE role_recruiters (
    job_role_id  TEXT NOT NULL REFERENCES job_roles (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (job_role_id, user_id)
);

-- One row that every change to the process locks first, so two applies
-- serialise on both databases and the second sees the first's result (its
-- ETag no longer matches: 412).
CREATE TABLE process_lock (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO process_lock (id, revision) VALUES (1, 0);

-- Intro videos uploaded for roles (`PUT /v1/process/intro-videos`), by
-- content: a process document names one by its SHA-256, so uploading the
-- same file twice stores it once.
CREATE TABLE intro_videos (
    sha256           TEXT PRIMARY KEY,
    media_object_id  TEXT NOT NULL REFERENCES media_objects (id),
    duration_s       DOUBLE PRECISION NOT NULL,
    uploaded_by      TEXT REFERENCES users (id),
    created_at       BIGINT NOT NULL
);
-- The file name the role's intro video had (export writes it back).
ALTER TABLE job_roles ADD COLUMN intro_video_file_name TEXT;
