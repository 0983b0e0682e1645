-- Idempotency-Key on batch calls (as /migrations/0004). One row per key of an organization:
-- inserting it (ON CONFLICT DO NOTHING) claims the key atomically, so two concurrent requests
-- with one key never both run. `status`/`body` stay null while the first request is in
-- progress and then hold its answer, replayed to retries. `request_hash` is SHA-256 of the
-- caller, method, path, query and body. Rows older than 24 hours (`created_at`, epoch
-- milliseconds) are expired: deleted lazily by the next claim of the organization.

CREATE TABLE idempotency_keys (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key             TEXT    NOT NULL,
    request_hash    BLOB    NOT NULL,
    status          INTEGER,
    body            BLOB,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (organization_id, created_at);
