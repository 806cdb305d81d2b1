-- Issue 13: the recruiter's triage board. Same conventions as 0001.

-- The webhook event a decision raised, so the board can tell whether the
-- ATS has it (the event's deliveries) and retry a failed one. NULL for
-- decisions recorded before this migration.
ALTER TABLE decisions ADD COLUMN event_id TEXT;
-- "The roles I recruit for", read on every board request.
CREATE INDEX role_recruiters_by_user ON role_recruiters (user_id);
-- The board reads every interview's assignments at once.
CREATE INDEX assignments_by_interview ON assignments (interview_id);
