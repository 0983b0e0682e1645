//! Idempotency keys of batch calls (SPEC §3.3): the first request with a key claims it and
//! records its answer; a retry with the same key and the same request gets that answer again.

use async_trait::async_trait;

use super::StoreError;

/// How long a key is remembered, in milliseconds (24 hours): an older one is free again.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// What [`IdempotencyStore::begin`] found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key was free and is now claimed by this request: run it, then
    /// [`finish`](IdempotencyStore::finish) or [`abandon`](IdempotencyStore::abandon).
    New,
    /// The key answered this very request already: send this answer again.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used with another request (another body, path, query or caller).
    Mismatch,
    /// The same request with this key is still running.
    InProgress,
}

/// The idempotency keys of each organization.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` of `org` for the request whose fingerprint is `request_hash`, atomically:
    /// of two concurrent claims of one key, exactly one gets [`Begin::New`]. Keys claimed more
    /// than [`IDEMPOTENCY_TTL_MS`] before `now_ms` are forgotten first, and so are keys still in
    /// progress that were claimed before `abandoned_before_ms` (their request is over: its
    /// server stopped before it could finish or free them).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn begin(
        &self,
        org: i64,
        key: &str,
        request_hash: &[u8],
        now_ms: i64,
        abandoned_before_ms: i64,
    ) -> Result<Begin, StoreError>;

    /// Records the answer of the request that claimed `key`, to be replayed to its retries.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn finish(&self, org: i64, key: &str, status: u16, body: &[u8]) -> Result<(), StoreError>;

    /// Frees `key` claimed by a request that ended without an answer worth replaying (a server
    /// error, a transient conflict, a panic), so that a retry runs it again. A key whose answer
    /// is recorded is left as it is.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn abandon(&self, org: i64, key: &str) -> Result<(), StoreError>;
}
