-- Indexes for the insights at 100,000 interviews (issue 15, docs/BENCHMARKS.md).
-- The funnel's reviewed stage and the adverse-impact and validity score
-- sums read submitted assignments by interview: this index answers them
-- without visiting the assignment rows.
CREATE INDEX assignments_submitted_by_interview ON assignments (status, interview_id);
-- Every rating figure that is not about single ratings needs per
-- assignment only its ratings' question, value and time (rating sums for
-- adverse impact and validity, the first score for turnaround): a covering
-- index is read instead of the score rows with their notes and evidence.
CREATE INDEX scores_by_assignment ON scores (assignment_id, question_id, rating, created_at);
