//! Rate limits (`RATE_LIMIT_PER_MINUTE`): per organization and per credential, each a GCRA
//! bucket of `governor` holding `burst` requests and refilled at `per_minute`. A request over
//! either answers 429 with `Retry-After` and Everbridge's error envelope.
//!
//! The state is the instance's own (in memory): behind a load balancer, N instances let
//! through up to N times the limit. The credential is checked before it is verified, keyed by
//! a SHA-256 of the `Authorization` header, so a flood with one credential is cut before
//! argon2 runs; the organization after, so that no unauthenticated caller spends another's
//! budget.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// A limit: `per_minute` requests a minute, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `per_minute` (0: no limit) with `burst` (0: as many as `per_minute`).
    pub fn new(per_minute: u32, burst: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Self { per_minute, burst: NonZeroU32::new(burst).unwrap_or(per_minute) })
    }

    fn quota(self) -> Quota {
        Quota::per_minute(self.per_minute).allow_burst(self.burst)
    }
}

/// How many checks between two sweeps of the keys that are full again (memory stays bounded
/// by the keys active within about a minute).
const SWEEP_EVERY: u64 = 4_096;

/// The two limiters.
pub(crate) struct Limits {
    limit: RateLimit,
    organizations: DefaultKeyedRateLimiter<i64>,
    credentials: DefaultKeyedRateLimiter<[u8; 32]>,
    checks: AtomicU64,
}

impl Limits {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            organizations: RateLimiter::keyed(limit.quota()),
            credentials: RateLimiter::keyed(limit.quota()),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes a request from the credential's bucket.
    ///
    /// # Errors
    /// 429 when it is empty.
    pub(crate) fn credential(&self, key: &[u8; 32]) -> Result<(), ApiError> {
        self.take(&self.credentials, key, "credential")
    }

    /// Takes a request from the organization's bucket.
    ///
    /// # Errors
    /// 429 when it is empty.
    pub(crate) fn organization(&self, org: i64) -> Result<(), ApiError> {
        self.take(&self.organizations, &org, "organization")
    }

    fn take<K: Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
        scope: &'static str,
    ) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.organizations.retain_recent();
            self.credentials.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            metrics::counter!("http_rate_limited_total", "scope" => scope).increment(1);
            // Whole seconds, rounded up: a client waiting that long finds room.
            let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError::RateLimited { scope, per_minute: self.limit.per_minute.get(), retry_after: retry_after.max(1) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_off_at_zero_and_bursts_as_many_as_a_minute_by_default() {
        assert_eq!(RateLimit::new(0, 5), None);
        let l = RateLimit::new(60, 0).unwrap();
        assert_eq!((l.per_minute.get(), l.burst.get()), (60, 60));
        assert_eq!(RateLimit::new(60, 3).unwrap().burst.get(), 3);
    }

    #[test]
    fn each_key_has_its_own_bucket_and_a_refused_request_says_when_to_retry() {
        let limits = Limits::new(RateLimit::new(1, 2).unwrap());
        assert!(limits.organization(1).is_ok() && limits.organization(1).is_ok());
        match limits.organization(1) {
            Err(ApiError::RateLimited { scope: "organization", per_minute: 1, retry_after }) => {
                // One request a minute: the next one in (almost) 60 s.
                assert!((59..=60).contains(&retry_after), "{retry_after}");
            }
            other => panic!("{other:?}"),
        }
        assert!(limits.organization(2).is_ok(), "another organization has its own bucket");
        assert!(limits.credential(&[1; 32]).is_ok() && limits.credential(&[1; 32]).is_ok());
        assert!(matches!(limits.credential(&[1; 32]), Err(ApiError::RateLimited { scope: "credential", .. })));
        assert!(limits.credential(&[2; 32]).is_ok());
    }
}
