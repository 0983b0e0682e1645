//! What only SQLite shows of soft deletes: one statement for the whole batch; the row stays
//! (status `D`, its externalId set aside) with its children and memberships; a concurrent
//! delete waits for its turn at the single writer. The rules of deletes (hidden from every
//! read, the externalId freed, another organization's contacts untouched) are the contract
//! suite's (`tests/contract.rs`). (The tests of this file run one at a time: one counts the
//! statements of the process.)

mod common;

use common::{bare_contact, full_contact, org, take};
use contacts_application::ports::{ContactTx, DeletedContact, UnitOfWork};
use contacts_domain::ContactData;
use contacts_store_sqlite::SqliteStore;

const NOW: i64 = 1_700_000_000_000;

async fn insert(store: &SqliteStore, org: i64, contacts: &[ContactData]) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(org, contacts, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn delete(tx: &mut dyn ContactTx, org: i64, ids: &[i64], external_ids: &[&str]) -> Vec<DeletedContact> {
    let external_ids: Vec<String> = external_ids.iter().map(|e| (*e).to_owned()).collect();
    let mut deleted = tx.delete_contacts(org, ids, &external_ids, "deleter", NOW + 5).await.unwrap();
    deleted.sort_by_key(|d| d.id);
    deleted
}

#[tokio::test]
async fn a_delete_is_one_statement_and_keeps_the_row_its_children_and_memberships() {
    let _serial = common::serial().await;
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let ids = insert(&store, o.id, &[full_contact(&o, "a"), full_contact(&o, "b"), bare_contact(&o, "c")]).await;
    let mut tx = store.begin().await.unwrap();
    tx.add_memberships(o.id, &[(o.groups[0], ids[0]), (o.groups[0], ids[2])]).await.unwrap();
    tx.commit().await.unwrap();

    let count = common::statements();
    let mut tx = store.begin().await.unwrap();
    take(count);
    // By id and by externalId at once; a name given twice is one contact.
    let deleted = delete(&mut *tx, o.id, &[ids[0], ids[0]], &["b", "a"]).await;
    assert_eq!(take(count), 1, "one statement for the whole batch");
    tx.commit().await.unwrap();
    assert_eq!(
        deleted,
        vec![
            DeletedContact { id: ids[0], external_id: "a".into(), version: 2 },
            DeletedContact { id: ids[1], external_id: "b".into(), version: 2 }
        ]
    );

    // The row stays (status D, version + 1, who and when), its externalId set aside.
    let row: (String, Option<String>, Option<String>, i64, i64, String) = sqlx::query_as(
        "SELECT status, external_id, deleted_external_id, version, last_modified_date, last_modified_by \
         FROM contacts WHERE organization_id = ?1 AND id = ?2",
    )
    .bind(o.id)
    .bind(ids[0])
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(row, ("D".into(), None, Some("a".into()), 2, NOW + 5, "deleter".into()));
    // Children and memberships are kept for a restore.
    let kept: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM contact_paths WHERE organization_id = ?1 AND contact_id = ?2), \
                (SELECT count(*) FROM group_members WHERE organization_id = ?1 AND contact_id = ?2)",
    )
    .bind(o.id)
    .bind(ids[0])
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(kept, (3, 1));
}

#[tokio::test]
async fn a_concurrent_delete_waits_and_skips_what_the_first_deleted() {
    let _serial = common::serial().await;
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let ids = insert(&store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;

    let mut first = store.begin().await.unwrap();
    assert_eq!(delete(&mut *first, o.id, &ids[..2], &[]).await.len(), 2);
    let second_store = store.clone();
    let (org_id, rest) = (o.id, ids[1..].to_vec());
    let second = tokio::spawn(async move {
        let mut tx = second_store.begin().await.unwrap();
        let deleted = delete(&mut *tx, org_id, &rest, &[]).await;
        tx.commit().await.unwrap();
        deleted
    });
    common::until_someone_waits_for_the_writer(&store).await;
    first.commit().await.unwrap();
    let deleted = second.await.unwrap();
    assert_eq!(deleted.iter().map(|d| (d.id, d.version)).collect::<Vec<_>>(), vec![(ids[2], 2)]);
}
