//! What only PostgreSQL can show of the catalog and the store: the id sequence, the health
//! check and the migrations. The rules of organizations, catalogs and users are the contract
//! suite's (`tests/contract.rs`).

mod common;

use contacts_application::ports::{CatalogStore, Directory};
use contacts_domain::Topic;
use sqlx::PgPool;

fn topic(id: i64, name: &str) -> Topic {
    Topic { id, name: name.into() }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_generated_id_skips_an_explicit_one_the_sequence_did_not_see(pool: PgPool) {
    let store = common::store(pool.clone());
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let explicit = store.create_topic(org, topic(9_000_000_000_000_000, "given")).await.unwrap();
    let next = store.create_topic(org, topic(0, "next")).await.unwrap();
    assert!(next.id > explicit.id, "{} > {}", next.id, explicit.id);

    // Two concurrent bumps can leave the sequence below an explicit id: simulate it.
    sqlx::query("SELECT setval('catalog_id_seq', $1)").bind(explicit.id - 1).execute(&pool).await.unwrap();
    // The next values, X and X + 1, are taken ("given" and "next"): both are skipped.
    let after = store.create_topic(org, topic(0, "after")).await.unwrap();
    assert_eq!(after.id, explicit.id + 2);
    assert_eq!(next.id, explicit.id + 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_store_answers_ping(pool: PgPool) {
    let store = common::store(pool);
    assert!(store.ping().await);
    // Migrating an up-to-date database is a no-op.
    store.migrate().await.unwrap();
}
