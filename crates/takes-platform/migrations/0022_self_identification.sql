-- Voluntary self-identification (issue 15, adverse impact): what a
-- candidate chose to say about themselves, one row per interview (the
-- invitation) and category. Kept apart from every interview and review
-- row: only the adverse-impact aggregate reads it, no reviewer-facing
-- query joins it. `answer` is one of the documented values of the category
-- (takes_api::self_identification), `prefer_not_to_say` included; a
-- category the candidate skipped has no row. Deleted with the interview.
CREATE TABLE self_identifications (
    interview_id  TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    category      TEXT NOT NULL,
    answer        TEXT NOT NULL,
    -- The version of the question text the page showed.
    text_version  TEXT NOT NULL,
    answered_at   BIGINT NOT NULL,
    PRIMARY KEY (interview_id, category)
);
