//! What is particular to PostgreSQL in the unique externalId: the check is deferred to COMMIT
//! (which is what lets swaps inside one statement work), so two open transactions may both
//! insert one externalId and the second fails at its COMMIT. The rules themselves are the
//! contract suite's (`tests/contract.rs`).

mod common;

use common::{bare_contact, org};
use contacts_application::ports::{ContactReader, ContactUpdate, UnitOfWork};
use contacts_application::StoreError;

const NOW: i64 = 1_700_000_000_000;

#[sqlx::test(migrations = "../../migrations")]
async fn the_externalid_check_is_deferred_to_commit(pool: sqlx::PgPool) {
    let store = common::store(pool);
    let o = org(&store, 1).await;

    // Two transactions insert the same externalId: the deferred check fails the second
    // at COMMIT, as a conflict to retry.
    let mut first = store.begin().await.unwrap();
    let mut second = store.begin().await.unwrap();
    first.insert_contacts(o.id, &[bare_contact(&o, "dup")], "t", NOW).await.unwrap();
    second.insert_contacts(o.id, &[bare_contact(&o, "dup")], "t", NOW).await.unwrap();
    first.commit().await.unwrap();
    let err = second.commit().await;
    assert!(matches!(err, Err(StoreError::Conflict)), "{err:?}");

    // A rename onto an externalId kept by a contact outside the batch: the update passes,
    // the COMMIT fails.
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "other")], "t", NOW).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let update = ContactUpdate { id: ids[0], data: bare_contact(&o, "dup"), version: 2, digest: None };
    tx.update_contacts(o.id, &[update], "t", NOW).await.unwrap();
    assert!(matches!(tx.commit().await, Err(StoreError::Conflict)));
    assert_eq!(store.get_contact(o.id, ids[0]).await.unwrap().unwrap().data.external_id, "other");
}
