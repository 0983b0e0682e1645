//! Set-based SQL: a batch call is a fixed number of statements whatever its size. Statements
//! are counted from sqlx's own per-statement events (`sqlx::query`).

mod common;

use common::{count_statements, full_contact, org, take};
use contacts_application::ports::{Actor, ContactUpdate, UnitOfWork};
use contacts_domain::ContactData;
use sqlx::PgPool;

const NOW: i64 = 1_700_000_000_000;

/// Statements of (insert, lock, update, memberships, history, commit) for a batch of `n` contacts.
async fn statements_for(store: &contacts_store_postgres::PgStore, n: usize) -> [usize; 6] {
    let o = org(store, n as i64).await;
    let contacts: Vec<ContactData> = (0..n).map(|i| full_contact(&o, &format!("c{i}"))).collect();
    let (count, _guard) = count_statements();

    let mut tx = store.begin().await.unwrap();
    take(&count); // BEGIN
    let ids = tx.insert_contacts(o.id, &contacts, "t", NOW).await.unwrap();
    let insert = take(&count);
    tx.commit().await.unwrap();
    take(&count);

    let mut tx = store.begin().await.unwrap();
    take(&count);
    let externals: Vec<String> = contacts.iter().map(|c| c.external_id.clone()).collect();
    let locked = tx.lock_contacts(o.id, &ids, &externals).await.unwrap();
    let lock = take(&count);
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
    let update = take(&count);
    let memberships: Vec<(i64, i64)> = ids.iter().flat_map(|id| o.groups.iter().map(move |g| (*g, *id))).collect();
    tx.add_memberships(o.id, &memberships).await.unwrap();
    let add = take(&count);
    tx.record_history(o.id, &contacts_store_contract::fixtures::history_of(&updates), &Actor::named("t"), NOW + 1)
        .await
        .unwrap();
    let history = take(&count);
    tx.commit().await.unwrap();
    let commit = take(&count);

    let mut tx = store.begin().await.unwrap();
    let after = tx.lock_contacts(o.id, &ids, &[]).await.unwrap();
    assert_eq!(after.len(), n);
    assert!(after.iter().all(|c| c.data.first_name == "Changed" && c.version == 2 && c.groups.len() == 2));
    [insert, lock, update, add, history, commit]
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_batch_of_500_runs_as_many_statements_as_a_batch_of_1(pool: PgPool) {
    let store = common::store(pool);
    let one = statements_for(&store, 1).await;
    let many = statements_for(&store, 500).await;
    assert_eq!(one, many);
    // insert: ids + contacts + 3 catalog locks (paths, attributes, topics: the references the
    // store checks itself, migration 0011) + 4 child tables; lock: 1 (the locks) + 1 (the whole
    // contacts, a correlated subquery per child table); update: 1 (only the name changed, so no
    // child row is written; see write_shape.rs for the rest); memberships: 1 (the groups
    // locked) + 1; history: 1; commit: 1.
    assert_eq!(one, [9, 2, 1, 2, 1, 1]);
}
