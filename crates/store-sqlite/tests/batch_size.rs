//! Set-based SQL on SQLite: a batch call is a fixed number of statements whatever its size.
//! Statements are counted from sqlx's own per-statement events (`sqlx::query`). What the
//! batch stores is the contract suite's (`tests/contract.rs`).

mod common;

use common::{full_contact, org, take};
use contacts_application::ports::{Actor, ContactUpdate, UnitOfWork};
use contacts_domain::ContactData;

const NOW: i64 = 1_700_000_000_000;

/// Statements of (insert, lock, update, memberships, history, commit) for a batch of `n` contacts.
async fn statements_for(store: &contacts_store_sqlite::SqliteStore, n: usize) -> [usize; 6] {
    let o = org(store, n as i64).await;
    let contacts: Vec<ContactData> = (0..n).map(|i| full_contact(&o, &format!("c{i}"))).collect();
    let count = common::statements();

    let mut tx = store.begin().await.unwrap();
    take(count); // BEGIN
    let ids = tx.insert_contacts(o.id, &contacts, "t", NOW).await.unwrap();
    let insert = take(count);
    tx.commit().await.unwrap();
    take(count);

    let mut tx = store.begin().await.unwrap();
    take(count);
    let externals: Vec<String> = contacts.iter().map(|c| c.external_id.clone()).collect();
    let locked = tx.lock_contacts(o.id, &ids, &externals).await.unwrap();
    let lock = take(count);
    assert_eq!(locked.len(), n);
    let updates: Vec<ContactUpdate> = locked
        .into_iter()
        .map(|c| ContactUpdate {
            id: c.id,
            data: ContactData { first_name: "Changed".into(), ..c.data },
            version: c.version + 1,
            digest: None,
        })
        .collect();
    tx.update_contacts(o.id, &updates, "t", NOW + 1).await.unwrap();
    let update = take(count);
    let memberships: Vec<(i64, i64)> = ids.iter().flat_map(|id| o.groups.iter().map(move |g| (*g, *id))).collect();
    tx.add_memberships(o.id, &memberships).await.unwrap();
    let add = take(count);
    tx.record_history(o.id, &contacts_store_contract::fixtures::history_of(&updates), &Actor::named("t"), NOW + 1)
        .await
        .unwrap();
    let history = take(count);
    tx.commit().await.unwrap();
    let commit = take(count);

    let mut tx = store.begin().await.unwrap();
    let after = tx.lock_contacts(o.id, &ids, &[]).await.unwrap();
    assert_eq!(after.len(), n);
    assert!(after.iter().all(|c| c.data.first_name == "Changed" && c.version == 2 && c.groups.len() == 2));
    [insert, lock, update, add, history, commit]
}

#[tokio::test]
async fn a_batch_of_500_runs_as_many_statements_as_a_batch_of_1() {
    let _serial = common::serial().await;
    let (store, _dir) = common::store().await;
    let one = statements_for(&store, 1).await;
    let many = statements_for(&store, 500).await;
    assert_eq!(one, many);
    // insert: ids + contacts + 4 child tables; lock: 1 + 5 child tables; update: park the
    // renamed externalIds + contacts (only the name changed, so no child table is rewritten; at
    // most 2 + 4 deletes + 4 inserts, see write_shape.rs); memberships: 1; history: 1; commit: 0 (sqlx
    // runs SQLite's BEGIN and COMMIT without a `sqlx::query` event).
    assert_eq!(one, [6, 6, 2, 1, 1, 0]);
}
