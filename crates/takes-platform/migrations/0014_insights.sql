-- Process insights (issue 15): what became of a candidate after the
-- interview, for downstream validity (docs/INSIGHTS.md §7). One row per
-- interview; performance ratings are on the employer's own scale.
CREATE TABLE outcomes (
    interview_id     TEXT PRIMARY KEY REFERENCES interviews (id),
    hired            BIGINT NOT NULL CHECK (hired IN (0, 1)),
    performance_6m   DOUBLE PRECISION,
    performance_12m  DOUBLE PRECISION,
    employed_12m     BIGINT CHECK (employed_12m IN (0, 1)),
    updated_at       BIGINT NOT NULL
);
