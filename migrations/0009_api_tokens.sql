-- API tokens (issue 11, SPEC §4 and §5): `Authorization: Bearer <token>` acts with the token's
-- role on its one organization. Only the SHA-256 of the secret is kept (`token_hash`, hex): a
-- token is 256 random bits, so a fast hash leaves nothing to guess, and a request pays one
-- hash and one indexed read. Tokens are revoked, never deleted: `changedBy` in the history
-- names them (`token:<name>`) long after.
CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    name            text   NOT NULL,
    role            text   NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash      text   NOT NULL UNIQUE,
    -- Epoch milliseconds; NULL: never expires / not revoked.
    created_at      bigint NOT NULL,
    expires_at      bigint,
    revoked_at      bigint
);

-- A name names one usable token of its organization at a time (history and logs name tokens
-- by it); a revoked token's name may be taken again.
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (organization_id, name) WHERE revoked_at IS NULL;
