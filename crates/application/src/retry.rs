//! Retrying a unit of work that met a transient conflict (a deadlock, a serialization failure,
//! an externalId claimed by a concurrent transaction).

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How many times a unit of work is tried when it meets a transient conflict.
pub(crate) const ATTEMPTS: usize = 8;

/// The pause before try `attempt + 1`, after try `attempt` (1-based) met a conflict: 25 ms
/// doubled at each try, at most 1 s, times a random factor in [0.5, 1.5).
///
/// Why pause at all: concurrent batches creating the same new externalIds each insert it, and
/// the deferred unique check makes them wait for one another at COMMIT, a deadlock PostgreSQL
/// breaks one transaction per `deadlock_timeout` (1 s). A loser retrying at once found the
/// others still uncommitted, inserted again and joined the next cycle; under load one batch
/// lost four times in a row (the contract test `concurrent_upserts_...` failed once in about
/// ten runs, 19 deadlocks in 17 s). Retrying later, and not all at the same moment, it finds
/// the winner committed and updates its contacts instead.
pub(crate) fn pause(attempt: usize) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(u32::MAX).min(6);
    let base_ms = (25u64 << exponent).min(1_000);
    // RandomState is seeded afresh from the OS's randomness per thread and moves on with each
    // instance: jitter enough, without a random number generator of our own.
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let factor = 0.5 + (random % 1_000) as f64 / 1_000.0;
    Duration::from_secs_f64(base_ms as f64 * factor / 1_000.0)
}

/// After try `attempt` of `what` met a conflict: says so, and waits [`pause`]`(attempt)`.
pub(crate) async fn after_conflict(attempt: usize, what: &str) {
    tracing::info!(attempt, "{what} met a concurrent conflict; retrying");
    metrics::counter!("contacts_conflict_retries_total", "unit" => what.to_owned()).increment(1);
    tokio::time::sleep(pause(attempt)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README states the number of tries; it is this one (the README once said 4 where
    /// the code did 8).
    #[test]
    fn the_readme_states_this_number_of_attempts() {
        let readme = include_str!("../../../README.md").split_whitespace().collect::<Vec<_>>().join(" ");
        let stated = format!("tried up to {ATTEMPTS} times in all");
        assert!(readme.contains(&stated), "README.md does not say {stated:?}");
    }

    #[test]
    fn pauses_grow_to_a_second_and_vary() {
        // The documented schedule, in ms, for tries 1 to 8.
        let schedule = [25, 50, 100, 200, 400, 800, 1_000, 1_000];
        assert_eq!(schedule.len(), ATTEMPTS);
        for (attempt, base_ms) in (1..=ATTEMPTS).zip(schedule) {
            let base = f64::from(base_ms) / 1_000.0;
            let pauses: Vec<f64> = (0..50).map(|_| pause(attempt).as_secs_f64()).collect();
            for p in &pauses {
                assert!(
                    *p >= base * 0.5 && *p < base * 1.5,
                    "attempt {attempt}: {p} s outside [{}, {})",
                    base * 0.5,
                    base * 1.5
                );
            }
            let distinct: std::collections::BTreeSet<u64> = pauses.iter().map(|p| (p * 1e9) as u64).collect();
            assert!(distinct.len() > 10, "attempt {attempt}: the pauses do not vary: {pauses:?}");
        }
        assert!(pause(ATTEMPTS).as_secs_f64() < 1.5);
    }
}
