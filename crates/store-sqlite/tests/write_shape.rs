//! What the SQLite store does to be fast without changing what it stores: an update rewrites
//! only the child tables whose rows changed. Rewrites are seen by triggers this test adds to
//! its own database (SQLite has no row versions to compare, as PostgreSQL's `xmin`). Each case
//! would fail if the shortcut were taken when it must not be (a lost child change) or never.
//! That an update reads back as written is the contract suite's (`tests/contract.rs`).

mod common;

use common::{full_contact, org};
use contacts_application::ports::{ContactReader, ContactUpdate, UnitOfWork};
use contacts_store_sqlite::SqliteStore;

const NOW: i64 = 1_700_000_000_000;
const TABLES: [&str; 4] = ["contact_paths", "contact_attributes", "contact_addresses", "contact_topics"];

/// Records every insert into a child table in `child_inserts`.
async fn watch_child_inserts(store: &SqliteStore) {
    sqlx::query("CREATE TABLE child_inserts (tbl TEXT NOT NULL)").execute(store.pool()).await.unwrap();
    for table in TABLES {
        let trigger = format!(
            "CREATE TRIGGER {table}_watched AFTER INSERT ON {table} \
             BEGIN INSERT INTO child_inserts (tbl) VALUES ('{table}'); END"
        );
        sqlx::query(&trigger).execute(store.pool()).await.unwrap();
    }
}

/// The child tables written since the last call, in the order of [`TABLES`].
async fn rewritten(store: &SqliteStore) -> Vec<&'static str> {
    let written: Vec<String> =
        sqlx::query_scalar("DELETE FROM child_inserts RETURNING tbl").fetch_all(store.pool()).await.unwrap();
    TABLES.into_iter().filter(|t| written.iter().any(|w| w == t)).collect()
}

#[tokio::test]
async fn an_update_rewrites_only_the_child_tables_that_changed() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    watch_child_inserts(&store).await;
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_contacts(o.id, &[full_contact(&o, "x")], "t", NOW).await.unwrap()[0];
    tx.commit().await.unwrap();
    assert_eq!(rewritten(&store).await, TABLES, "the fixture has rows in every child table");

    // Only the first name changes: no child row is rewritten.
    let mut tx = store.begin().await.unwrap();
    let stored = tx.lock_contacts(o.id, &[id], &[]).await.unwrap().pop().unwrap();
    let mut data = stored.data.clone();
    data.first_name = "Renamed".into();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 2, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rewritten(&store).await, Vec::<&str>::new());
    assert_eq!(store.get_contact(o.id, id).await.unwrap().unwrap().data, data);

    // A path value changes: the paths are rewritten, the other tables are not, and the read
    // gives the new content whole.
    let mut tx = store.begin().await.unwrap();
    tx.lock_contacts(o.id, &[id], &[]).await.unwrap();
    data.paths[0].value = "changed@example.com".into();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 3, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rewritten(&store).await, vec!["contact_paths"]);
    assert_eq!(store.get_contact(o.id, id).await.unwrap().unwrap().data, data);

    // A contact the transaction did not lock: every table is rewritten (its rows are not known).
    let mut tx = store.begin().await.unwrap();
    data.topics.clear();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 4, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rewritten(&store).await, TABLES[..3].to_vec(), "topics are cleared: none inserted");
    assert_eq!(store.get_contact(o.id, id).await.unwrap().unwrap().data, data);
}
