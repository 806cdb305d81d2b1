-- Completion drop alerts that were sent (issue 15): one row per episode, so
-- an alert goes out once when a role's completion drops, and again only
-- after the role has recovered (a quiet check resolves the episode).
CREATE TABLE insight_alerts (
    id           TEXT PRIMARY KEY,
    job_role_id  TEXT NOT NULL REFERENCES job_roles (id),
    kind         TEXT NOT NULL,
    fired_at     BIGINT NOT NULL,
    resolved_at  BIGINT,
    -- The check that fired it (takes_api::insights::CompletionCheck).
    detail_json  TEXT NOT NULL
);
-- At most one open episode per role and kind: two servers evaluating at
-- once cannot both send.
CREATE UNIQUE INDEX insight_alerts_open ON insight_alerts (job_role_id, kind)
    WHERE resolved_at IS NULL;
