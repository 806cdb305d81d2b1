-- Issue 16, points 1 and 5.

-- Secrets the server makes for itself, once, shared by every server on
-- the database. `share_links`: the HMAC key from which the platform's own
-- results links (Greenhouse's partner_profile_url, outbound events'
-- results_url) derive their ids and tokens, so the same link can be shown
-- on every poll while share_links still stores only the token's hash.
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The [[ats.greenhouse.organisations]] entry whose key sent the test (its
-- name); the completion PATCH goes back with that key. NULL: the single
-- [ats.greenhouse] api_key.
ALTER TABLE greenhouse_tests ADD COLUMN organisation TEXT;
