-- The audit log becomes a hash chain: each entry has a position (`seq`,
-- 1, 2, 3, ... with no gaps), the hash of the entry before it and the hash
-- of its own content together with that previous hash, so a changed,
-- removed or reordered entry breaks the chain at that point
-- (`takes audit verify` finds it).
--
-- Entries written before this migration have no position yet: the server
-- chains them, oldest first, when it next starts (`store::audit::install`,
-- which also installs the triggers that refuse UPDATE and DELETE; their
-- DDL differs between SQLite and PostgreSQL, so it cannot live here).
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (seq);
