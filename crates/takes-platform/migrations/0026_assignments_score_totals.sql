-- Issue 15: what the insights need of an assignment's scores, kept on the
-- assignment instead of grouped from a million scores per request
-- (docs/BENCHMARKS.md): the time of its first score (reviewer turnaround)
-- and the sum and count of its ratings (adverse impact's mean score per
-- interview). Triggers installed at start, per database, in
-- `store/assignments/score_totals.rs`, keep them equal to MIN(created_at),
-- SUM(rating) and COUNT(*) of its scores on every insert, update and delete.
ALTER TABLE assignments ADD COLUMN first_scored_at BIGINT;
ALTER TABLE assignments ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE assignments ADD COLUMN rating_n BIGINT NOT NULL DEFAULT 0;
UPDATE assignments SET
    first_scored_at = (SELECT MIN(sc.created_at) FROM scores sc WHERE sc.assignment_id = assignments.id),
    rating_sum = COALESCE((SELECT SUM(sc.rating) FROM scores sc WHERE sc.assignment_id = assignments.id), 0),
    rating_n = (SELECT COUNT(*) FROM scores sc WHERE sc.assignment_id = assignments.id);
