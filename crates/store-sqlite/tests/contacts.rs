//! What is particular to SQLite in contacts: the unique externalId is checked at once, not at
//! COMMIT (one writer at a time, so the second insert of an externalId fails itself), swaps
//! and renames inside one update park externalIds on temporary BLOB values that never stay,
//! and coordinates read back bit for bit (no text-to-REAL conversion on the way). The rules
//! themselves are the contract suite's (`tests/contract.rs`).

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::{bare_contact, org};
use contacts_application::ports::{ContactReader, ContactUpdate, ListQuery, UnitOfWork};
use contacts_application::StoreError;
use contacts_domain::{Contact, ContactData};

const NOW: i64 = 1_700_000_000_000;

async fn insert(store: &impl UnitOfWork, org: i64, contacts: &[ContactData]) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(org, contacts, "tester", NOW).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn get(store: &impl ContactReader, org: i64, id: i64) -> Contact {
    store.get_contact(org, id).await.unwrap().expect("contact")
}

#[tokio::test]
async fn no_externalid_is_left_parked_on_its_temporary_blob_after_swaps_and_renames() {
    let (store, _dir) = common::store().await;
    // The contract's case: a ⇄ b and c → d while d → e, in one update.
    contacts_store_contract::cases::a_swap_and_a_rename_onto_a_freed_externalid_in_one_update(Arc::new(store.clone()))
        .await;

    // The rows hold the new externalIds, as TEXT: none was left parked on its temporary
    // (BLOB) value.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT external_id FROM contacts ORDER BY id").fetch_all(store.pool()).await.unwrap();
    assert_eq!(stored, ["b", "a", "d", "e"]);
    let parked: i64 = sqlx::query_scalar("SELECT count(*) FROM contacts WHERE typeof(external_id) = 'blob'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(parked, 0);
}

#[tokio::test]
async fn the_database_refuses_two_contacts_with_one_externalid() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;

    // Two transactions insert the same externalId. SQLite runs them one after the other (a
    // single writer) and checks the unique key at once, not at COMMIT: the second insert
    // fails, as a conflict to retry, and its transaction cannot commit.
    let mut first = store.begin().await.unwrap();
    first.insert_contacts(o.id, &[bare_contact(&o, "dup")], "t", NOW).await.unwrap();
    first.commit().await.unwrap();
    let mut second = store.begin().await.unwrap();
    let err = second.insert_contacts(o.id, &[bare_contact(&o, "dup")], "t", NOW).await;
    assert!(matches!(err, Err(StoreError::Conflict)), "{err:?}");
    assert!(second.commit().await.is_err());

    // A rename onto an externalId kept by a contact outside the batch fails the same way.
    let ids = insert(&store, o.id, &[bare_contact(&o, "other")]).await;
    let mut tx = store.begin().await.unwrap();
    let update = ContactUpdate { id: ids[0], data: bare_contact(&o, "dup"), version: 2, digest: None };
    let err = tx.update_contacts(o.id, &[update], "t", NOW).await;
    assert!(matches!(err, Err(StoreError::Conflict)), "{err:?}");
    assert!(tx.commit().await.is_err());

    let (all, total) = store.list_contacts(o.id, &ListQuery::page(1, 10)).await.unwrap();
    assert_eq!(total, 2);
    let exts: BTreeSet<_> = all.iter().map(|c| c.data.external_id.as_str()).collect();
    assert_eq!(exts, BTreeSet::from(["dup", "other"]));
}

#[tokio::test]
async fn coordinates_read_back_bit_for_bit() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    // 1.242900000000006 and 1.180400000000006, sent as JSON numbers, came back from SQLite's
    // text-to-REAL conversion one bit off (…061): a contact resent unchanged would then differ.
    let mut data = bare_contact(&o, "geo");
    data.addresses =
        [(1.242_900_000_000_006, -1.180_400_000_000_006), (-89.999_999_999_999_99, 179.999_999_999_999_97)]
            .into_iter()
            .map(|(lat, lon)| contacts_domain::Address {
                gis_location: contacts_domain::GeoPoint::new(lat, lon),
                ..contacts_domain::Address::default()
            })
            .collect();
    assert!(data.addresses.iter().all(|a| a.gis_location.is_some()));
    let ids = insert(&store, o.id, std::slice::from_ref(&data)).await;
    assert_eq!(get(&store, o.id, ids[0]).await.data, data);
}
