-- Issue 13 §reassignment: a reassigned review is withdrawn, not deleted,
-- so the audit trail and the assignment's id keep pointing at a row.
-- A withdrawn assignment is in no queue, no count and no aggregate; its
-- draft scores were moved to the audit log when it was withdrawn.
ALTER TABLE assignments ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE assignments ADD COLUMN withdrawn_by TEXT REFERENCES users (id);

-- Issue 13 §decisions: the `decision.made` event a decision raised next to
-- its `candidate.*` event; the board's sync state covers both.
ALTER TABLE decisions ADD COLUMN made_event_id TEXT;

-- Issue 13 §benchmark: the board pages in SQL over a recruiter's roles.
CREATE INDEX interviews_by_role ON interviews (job_role_id);
