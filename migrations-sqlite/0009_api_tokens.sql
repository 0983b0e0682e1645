-- API tokens (see the PostgreSQL migration 0009, the same table): only the SHA-256 of a
-- token's secret is kept; tokens are revoked, never deleted.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    revoked_at      INTEGER
);

-- One usable token per name and organization; a revoked token's name may be taken again.
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (organization_id, name) WHERE revoked_at IS NULL;
