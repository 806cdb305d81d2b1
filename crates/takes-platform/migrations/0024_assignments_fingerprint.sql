-- Issue 15: every insights request that reads the submitted ratings first
-- checks the in-memory rollup against the database (count, latest and sum
-- of submission times, count and latest withdrawal). This index holds every
-- column that check reads, so it scans the index, not the table, and an
-- append reads the assignments submitted since a time by range.
CREATE INDEX assignments_by_status ON assignments (status, submitted_at, withdrawn_at);
