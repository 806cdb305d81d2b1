-- Issue 16: results pages shared by link. The link's token is the
-- credential (an ATS user clicking through has no API token), so only its
-- SHA-256 is stored, like API tokens, and every link expires.
CREATE TABLE share_links (
    id            TEXT PRIMARY KEY,
    interview_id  TEXT NOT NULL REFERENCES interviews (id),
    token_hash    TEXT NOT NULL UNIQUE,
    -- NULL: made by the platform itself when the results completed.
    created_by    TEXT REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX share_links_interview ON share_links (interview_id, created_at);
