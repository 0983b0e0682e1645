//! The retention of the history of contacts (`HISTORY_RETENTION_DAYS`): a background task
//! that deletes the entries older than the retention, in bounded chunks (each its own short
//! transaction, so writers are never held up for long), once at start and then every hour.
//! Each contact's newest entry is always kept: its current state, from which a deleted contact
//! can still be restored.

use std::time::Duration;

use contacts_application::history::ContactHistory;

/// Entries deleted per statement.
pub const CHUNK: u32 = 1_000;

/// How often a pass runs.
pub const EVERY: Duration = Duration::from_secs(60 * 60);

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The time (epoch milliseconds) before which entries go, `days` before `now`.
pub fn cutoff(now: i64, days: u32) -> i64 {
    now.saturating_sub(i64::from(days).saturating_mul(DAY_MS))
}

/// One pass: deletes what `days` of retention no longer keep at `now`; returns how many went.
///
/// # Errors
/// When the store fails (the next pass tries again).
pub async fn pass(history: &ContactHistory, now: i64, days: u32) -> anyhow::Result<u64> {
    Ok(history.prune(cutoff(now, days), CHUNK).await?)
}

/// Starts the background task, unless `days` is 0 (keep everything).
pub fn spawn(history: ContactHistory, days: u32) -> Option<tokio::task::JoinHandle<()>> {
    if days == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            match pass(&history, contacts_application::now_millis(), days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, days, "pruned the history of contacts"),
                Err(e) => tracing::warn!(error = format!("{e:#}"), "pruning the history of contacts failed"),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_that_many_days_back() {
        assert_eq!(cutoff(10 * DAY_MS + 5, 3), 7 * DAY_MS + 5);
        assert_eq!(cutoff(5, 1), 5 - DAY_MS);
        assert_eq!(cutoff(i64::MIN + 1, u32::MAX), i64::MIN);
    }
}
