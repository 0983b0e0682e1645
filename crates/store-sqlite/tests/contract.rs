//! The store contract (`contacts-store-contract`) on SQLite: every case on a database file of
//! its own in a temporary directory, migrated, removed with the directory when the case ends.

use contacts_store_sqlite::SqliteStore;

/// A fresh, migrated, empty database, and the directory that holds it (kept for the case).
async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("contacts.db");
    let store = SqliteStore::open(path.to_str().expect("a UTF-8 path")).await.expect("open the case's database");
    store.migrate().await.expect("migrate the case's database");
    (store, dir)
}

contacts_store_contract::store_contract_tests!(fresh_store);
