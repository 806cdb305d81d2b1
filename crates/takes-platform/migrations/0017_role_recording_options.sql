-- How a role lets candidates record (issue 12): answering with sound only
-- (off unless the role allows it; an accommodation can still grant it to
-- one candidate) and a lower resolution for slow connections (on). Flags
-- are 0/1 integers: one SQL set serves SQLite and PostgreSQL.
ALTER TABLE job_roles ADD COLUMN allow_audio_only BIGINT NOT NULL DEFAULT 0 CHECK (allow_audio_only IN (0, 1));
ALTER TABLE job_roles ADD COLUMN allow_low_resolution BIGINT NOT NULL DEFAULT 1 CHECK (allow_low_resolution IN (0, 1));

-- WebVTT captions of intro videos (`PUT /v1/process/intro-captions`), by
-- content like the videos themselves; checked cue by cue on upload.
CREATE TABLE intro_captions (
    sha256           TEXT PRIMARY KEY,
    media_object_id  TEXT NOT NULL REFERENCES media_objects (id),
    cues             BIGINT NOT NULL,
    uploaded_by      TEXT REFERENCES users (id),
    created_at       BIGINT NOT NULL
);
-- The captions a role's intro video shows, the file name they had and
-- their language (the `<track srclang>`).
ALTER TABLE job_roles ADD COLUMN intro_captions_media_id TEXT REFERENCES media_objects (id);
ALTER TABLE job_roles ADD COLUMN intro_captions_file_name TEXT;
ALTER TABLE job_roles ADD COLUMN intro_captions_language TEXT;

-- Takes started per question (`POST /v1/candidate/responses/{id}/takes`;
-- a whole-body upload starts one itself): the retake allowance counts
-- every recording begun, not only those uploaded.
CREATE TABLE question_takes (
    interview_id     TEXT NOT NULL REFERENCES interviews (id),
    question_id      TEXT NOT NULL REFERENCES questions (id),
    started          BIGINT NOT NULL DEFAULT 0 CHECK (started >= 0),
    last_started_at  BIGINT,
    PRIMARY KEY (interview_id, question_id)
);
