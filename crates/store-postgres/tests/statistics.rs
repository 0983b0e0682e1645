//! The planner's statistics keep up with a fast-growing contacts table (see `src/stats.rs`):
//! without them a first import scanned the whole organization for each batch's lookups.

mod common;

use common::{bare_contact, org};
use contacts_application::ports::UnitOfWork;
use sqlx::PgPool;

const NOW: i64 = 1_700_000_000_000;

async fn known_rows(pool: &PgPool) -> f32 {
    sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'contacts'::regclass").fetch_one(pool).await.unwrap()
}

async fn insert(store: &contacts_store_postgres::PgStore, o: &common::Org, from: usize, n: usize) {
    let contacts: Vec<_> = (from..from + n).map(|i| bare_contact(o, &format!("c{i}"))).collect();
    let mut tx = store.begin().await.unwrap();
    tx.insert_contacts(o.id, &contacts, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_writes_that_grow_the_contacts_table_keep_its_statistics(pool: PgPool) {
    // Autovacuum would analyze on its own schedule: off, so that what is seen is the store's doing.
    sqlx::query("ALTER TABLE contacts SET (autovacuum_enabled = false)").execute(&pool).await.unwrap();
    let store = common::store(pool.clone());
    let o = org(&store, 1).await;
    assert!(known_rows(&pool).await < 0.0, "a fresh database has no statistics");

    // 1,000 new contacts: analyzed with the commit that brought them.
    insert(&store, &o, 0, 1_000).await;
    assert_eq!(known_rows(&pool).await, 1_000.0);
    // Fewer than 1,000 more are not looked at ...
    insert(&store, &o, 1_000, 500).await;
    assert_eq!(known_rows(&pool).await, 1_000.0);
    // ... 1,000 more, counted over both writes, are: the table doubled since its statistics.
    insert(&store, &o, 1_500, 500).await;
    assert_eq!(known_rows(&pool).await, 2_000.0);
}
