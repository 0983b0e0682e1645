//! The statements of idempotency keys that are the same in both SQL stores.

/// Forgets the keys of organization `$1` claimed before `$2` (expired: older than
/// `IDEMPOTENCY_TTL_MS`), and those still in progress that were claimed before `$3` (abandoned:
/// their request is over, its server stopped before it could finish or free them). One
/// statement, run before each claim (lazy expiry). `$n` placeholders: sqlx reads them
/// positionally on SQLite too.
pub const FORGET: &str = "DELETE FROM idempotency_keys WHERE organization_id = $1 \
     AND (created_at < $2 OR (status IS NULL AND created_at < $3))";
