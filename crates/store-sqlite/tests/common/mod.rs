//! Fixtures shared by the SQLite-specific tests: a fresh database file per test, an
//! organization with a catalog and contacts that use every field (both from the contract
//! suite, `contacts-store-contract`), a counter of the statements sqlx runs, and a wait for
//! the single-writer queue.
#![allow(dead_code, unused_imports)] // each test binary uses a part of it

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use contacts_store_sqlite::SqliteStore;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

// The organization and contact fixtures are the contract suite's.
pub use contacts_store_contract::fixtures::{bare_contact, full_contact, org, Org, EMAIL_1, MOBILE, SMS};

/// A migrated store on a new database file, and the directory holding it (deleted when the
/// guard drops, so keep it alive as long as the store).
pub async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("contacts.db");
    let store = SqliteStore::open(path.to_str().expect("a UTF-8 path")).await.expect("open the database");
    store.migrate().await.expect("migrate");
    (store, dir)
}

/// Counts the statements sqlx runs (every statement is an event of target `sqlx::query`).
/// SQLite statements run on sqlx's worker threads, so the counter is process-wide: a test that
/// counts holds [`serial`] so that no other test of its binary runs statements meanwhile.
pub fn statements() -> &'static AtomicUsize {
    struct Count;
    impl<S: tracing::Subscriber> Layer<S> for Count {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                COUNT.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count))
            .expect("the only global subscriber of this test binary");
    });
    &COUNT
}

/// Runs the tests of a binary that counts statements one at a time.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    SERIAL.lock().await
}

/// The value of the counter of [`statements`], reset to 0.
pub fn take(count: &AtomicUsize) -> usize {
    count.swap(0, Ordering::SeqCst)
}

/// Waits until a writer of `store` waits for its turn (the write lock another holds).
pub async fn until_someone_waits_for_the_writer(store: &SqliteStore) {
    for _ in 0..100_000 {
        if store.queued_writers() > 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("nobody waited for the writer");
}
