//! Fixtures shared by the PostgreSQL-specific tests: an organization with a catalog, contacts
//! that use every field (both from the contract suite, `contacts-store-contract`), and a
//! counter of the statements sqlx sends.
#![allow(dead_code, unused_imports)] // each test binary uses a part of it

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use contacts_store_postgres::PgStore;
use sqlx::PgPool;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

// The organization and contact fixtures are the contract suite's.
pub use contacts_store_contract::fixtures::{bare_contact, full_contact, org, Org, EMAIL_1, MOBILE, SMS};

pub fn store(pool: PgPool) -> PgStore {
    PgStore::from_pool(pool)
}

/// Counts the statements sqlx runs on this thread (every statement is an event of target
/// `sqlx::query`) while the returned guard lives. `#[sqlx::test]` runs on a current-thread
/// runtime, so every query of the test runs on this thread.
pub fn count_statements() -> (Arc<AtomicUsize>, tracing::subscriber::DefaultGuard) {
    struct Count(Arc<AtomicUsize>);
    impl<S: tracing::Subscriber> Layer<S> for Count {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(Count(count.clone()));
    (count, tracing::subscriber::set_default(subscriber))
}

/// The value of a counter from [`count_statements`], reset to 0.
pub fn take(count: &AtomicUsize) -> usize {
    count.swap(0, Ordering::SeqCst)
}
