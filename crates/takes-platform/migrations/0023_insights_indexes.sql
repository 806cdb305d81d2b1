-- Indexes for the insights at 100,000 interviews (issue 15, docs/BENCHMARKS.md).
-- The turnaround and validity reads select interviews by completion time;
-- a period filter then reads only the interviews of that period.
CREATE INDEX interviews_by_completed ON interviews (completed_at, job_role_id);
