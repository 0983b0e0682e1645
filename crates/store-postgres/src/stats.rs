//! Planner statistics for the contact tables while they grow fast.
//!
//! PostgreSQL plans with the statistics of the last `ANALYZE`. A fresh database has none until
//! autovacuum first gets to it (a minute or more), and the indexes, made on empty tables,
//! claim to be empty: the planner then takes `organization_id = $1` for one row and reads a
//! batch's contacts by scanning the whole organization through a listing index. A first import
//! of 100,000 contacts through `POST .../batch` went quadratic that way (its lookups took up
//! to 1.4 s each, 100 s in all). So the writes of this process count the contacts they insert,
//! and once they are as many as the statistics know of (the table doubled, or it was never
//! analyzed), the write that crossed the line analyzes the contact tables before it returns.
//! Autovacuum still does the rest (deletes, updates, other writers).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::PgPool;

/// Below this many new contacts, the statistics are not looked at.
const MIN_INSERTED: u64 = 1_000;

/// What the statistics knew is stale once this many times as many contacts were inserted since
/// (the table doubled): the planner extrapolates row counts from the pages in between.
const STALE_FRACTION: f64 = 1.0;

/// The contact tables, analyzed together.
const ANALYZE: &str =
    "ANALYZE contacts, contact_paths, contact_attributes, contact_addresses, contact_topics, group_members";

/// Shared by a store's units of work.
#[derive(Debug, Default)]
pub(crate) struct Statistics {
    /// Contacts inserted by this process since its last look at the statistics.
    inserted: AtomicU64,
    /// A look (and maybe an `ANALYZE`) is under way.
    running: AtomicBool,
}

impl Statistics {
    /// After a commit that inserted `inserted` contacts: analyzes the contact tables when the
    /// statistics never were taken or are stale. Returns whether it analyzed. Failures are
    /// logged, never returned: the write itself has committed.
    pub(crate) async fn after_insert(&self, pool: &PgPool, inserted: u64) -> bool {
        let total = self.inserted.fetch_add(inserted, Ordering::Relaxed) + inserted;
        if total < MIN_INSERTED || self.running.swap(true, Ordering::AcqRel) {
            return false;
        }
        let known: Result<f32, sqlx::Error> =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'contacts'::regclass").fetch_one(pool).await;
        let analyzed = match known {
            #[allow(clippy::cast_precision_loss)]
            Ok(known) if known < 0.0 || total as f64 >= f64::from(known) * STALE_FRACTION => {
                self.inserted.store(0, Ordering::Relaxed);
                match sqlx::query(ANALYZE).execute(pool).await {
                    Ok(_) => {
                        tracing::info!(inserted = total, known, "contact tables analyzed");
                        true
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not analyze the contact tables");
                        false
                    }
                }
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the contact tables' statistics");
                false
            }
        };
        self.running.store(false, Ordering::Release);
        analyzed
    }
}
