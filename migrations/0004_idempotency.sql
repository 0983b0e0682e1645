-- Idempotency-Key on batch calls (SPEC §3.3). One row per key of an organization: inserting it
-- (ON CONFLICT DO NOTHING) claims the key atomically, so two concurrent requests with one key
-- never both run. `status`/`body` stay null while the first request is in progress and then
-- hold its answer, replayed to retries. `request_hash` is SHA-256 of the caller, method, path,
-- query and body: the same key with another request is refused. Rows older than 24 hours
-- (`created_at`, epoch milliseconds) are expired: deleted lazily by the next claim of the org.

CREATE TABLE idempotency_keys (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key             TEXT   NOT NULL,
    request_hash    BYTEA  NOT NULL,
    status          INTEGER,
    body            BYTEA,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, key)
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (organization_id, created_at);
