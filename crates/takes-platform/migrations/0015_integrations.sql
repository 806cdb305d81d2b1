-- Issue 16: outbound webhooks as the Standard Webhooks spec recommends.
-- Secret rotation keeps the previous secret signing alongside the new one
-- until `previous_secret_expires_at`; a receiver that answers 429/502/504
-- (or sends Retry-After) holds back every delivery to it until
-- `throttled_until`; an endpoint failing for long is flagged
-- (`failing_since`) and its owner (`contact_email`) told once per streak.

ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at BIGINT;
ALTER TABLE webhook_endpoints ADD COLUMN contact_email TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN throttled_until BIGINT;
ALTER TABLE webhook_endpoints ADD COLUMN failing_since BIGINT;
ALTER TABLE webhook_endpoints ADD COLUMN failure_notified_at BIGINT;
