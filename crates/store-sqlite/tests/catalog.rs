//! What only SQLite can show of the catalog and the store: the id counter (a row of
//! `id_sequences`) skips ids taken explicitly, the health check and the migrations, and an
//! in-memory database. The rules of organizations, catalogs and users are the contract
//! suite's (`tests/contract.rs`).

mod common;

use contacts_application::ports::{CatalogStore, Directory};
use contacts_domain::Topic;

fn topic(id: i64, name: &str) -> Topic {
    Topic { id, name: name.into() }
}

#[tokio::test]
async fn a_generated_id_skips_an_explicit_one_the_sequence_did_not_see() {
    let (store, _dir) = common::store().await;
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let explicit = store.create_topic(org, topic(9_000_000_000_000_000, "given")).await.unwrap();
    let next = store.create_topic(org, topic(0, "next")).await.unwrap();
    assert!(next.id > explicit.id, "{} > {}", next.id, explicit.id);

    // A counter below an explicit id (as two concurrent bumps can leave PostgreSQL's
    // sequence): simulate it.
    sqlx::query("UPDATE id_sequences SET last_value = ?1 WHERE name = 'catalog'")
        .bind(explicit.id - 1)
        .execute(store.pool())
        .await
        .unwrap();
    // The next values, X and X + 1, are taken ("given" and "next"): both are skipped.
    let after = store.create_topic(org, topic(0, "after")).await.unwrap();
    assert_eq!(after.id, explicit.id + 2);
    assert_eq!(next.id, explicit.id + 1);
}

#[tokio::test]
async fn the_store_answers_ping() {
    let (store, _dir) = common::store().await;
    assert!(store.ping().await);
    // Migrating an up-to-date database is a no-op.
    store.migrate().await.unwrap();
}

#[tokio::test]
async fn an_in_memory_database_holds_its_data_across_calls() {
    let store = contacts_store_sqlite::SqliteStore::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let org = store.create_organization(None, "Acme").await.unwrap();
    store.create_topic(org.id, topic(0, "weather")).await.unwrap();
    let catalog = store.load_catalog(org.id).await.unwrap();
    assert_eq!((catalog.paths.len(), catalog.topics.len()), (6, 1));
    assert!(store.ping().await);
}
