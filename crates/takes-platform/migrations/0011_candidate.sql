-- The candidate's recording page (issue 12): the candidate's consent to
-- being recorded, kept with the exact version of the text they were shown.
-- One row per interview, the latest decision; every decision is also in
-- the audit log.
CREATE TABLE candidate_consents (
    interview_id  TEXT PRIMARY KEY REFERENCES interviews (id),
    decision      TEXT NOT NULL CHECK (decision IN ('agreed', 'declined')),
    text_version  TEXT NOT NULL,
    decided_at    BIGINT NOT NULL
);
