//! Contacts: the unit of work (lock, insert, update, memberships, commit) and the reads, on a
//! database per test.

mod common;

use std::collections::BTreeSet;

use common::{bare_contact, full_contact, org};
use contacts_application::ports::{ContactReader, ContactUpdate, ListQuery, UnitOfWork};
use contacts_application::StoreError;
use contacts_domain::{Contact, ContactData, ContactStatus};

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
async fn a_contact_reads_back_as_written_through_insert_lock_and_update() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let written = full_contact(&o, "ada");
    let ids = insert(&store, o.id, std::slice::from_ref(&written)).await;
    let id = ids[0];

    let mut tx = store.begin().await.unwrap();
    tx.add_memberships(o.id, &[(o.groups[1], id), (o.groups[0], id), (o.groups[1], id)]).await.unwrap();
    tx.commit().await.unwrap();

    let read = get(&store, o.id, id).await;
    assert_eq!(read.data, written);
    assert_eq!(read.id, id);
    assert_eq!(read.organization_id, o.id);
    assert_eq!(read.groups, BTreeSet::from(o.groups));
    assert_eq!(read.status, ContactStatus::Active);
    assert_eq!(read.version, 1);
    assert_eq!((read.created_date, read.created_by.as_str()), (NOW, "tester"));
    assert_eq!((read.last_modified_date, read.last_modified_by.as_str()), (NOW, "tester"));

    // Lock it by externalId, change every part, write it back.
    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_contacts(o.id, &[], &["ada".into()]).await.unwrap();
    assert_eq!(locked, vec![read.clone()]);
    let mut changed = locked[0].data.clone();
    changed.external_id = "ada-2".into();
    changed.middle_initial = None;
    changed.vip = Some(false);
    changed.paths.reverse();
    changed.paths[0].quiet_time_frames.clear();
    changed.paths[2].quiet_time_frames.truncate(1);
    changed.attributes.pop();
    changed.attributes[0].values = vec!["z".into()];
    changed.addresses.remove(1);
    changed.addresses[0].gis_location = contacts_domain::GeoPoint::new(-33.9, 151.2);
    changed.topics = vec![o.topics[0]];
    tx.update_contacts(o.id, &[ContactUpdate { id, data: changed.clone(), version: 2 }], "editor", NOW + 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let updated = get(&store, o.id, id).await;
    assert_eq!(updated.data, changed);
    assert_eq!(updated.version, 2);
    assert_eq!(updated.groups, read.groups);
    assert_eq!((updated.created_date, updated.created_by.as_str()), (NOW, "tester"));
    assert_eq!((updated.last_modified_date, updated.last_modified_by.as_str()), (NOW + 1, "editor"));

    // Cleared lists stay cleared.
    let mut tx = store.begin().await.unwrap();
    let bare = bare_contact(&o, "ada-2");
    let update = ContactUpdate { id, data: bare.clone(), version: 3 };
    tx.update_contacts(o.id, &[update], "editor", NOW + 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get(&store, o.id, id).await.data, bare);
}

#[tokio::test]
async fn a_batch_insert_returns_ascending_ids_in_input_order() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let contacts: Vec<ContactData> = (0..5).map(|i| full_contact(&o, &format!("c{i}"))).collect();
    let ids = insert(&store, o.id, &contacts).await;
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for (id, data) in ids.iter().zip(&contacts) {
        assert_eq!(&get(&store, o.id, *id).await.data, data);
    }
}

#[tokio::test]
async fn externalids_swap_inside_one_transaction() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let ids = insert(&store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;

    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_contacts(o.id, &ids, &[]).await.unwrap();
    assert_eq!(locked.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
    // a → b, b → c, c → a: every intermediate state has a duplicate.
    let updates: Vec<ContactUpdate> = locked
        .iter()
        .zip(["b", "c", "a"])
        .map(|(c, ext)| ContactUpdate {
            id: c.id,
            data: ContactData { external_id: ext.into(), ..c.data.clone() },
            version: 2,
        })
        .collect();
    tx.update_contacts(o.id, &updates, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    for (id, ext) in ids.iter().zip(["b", "c", "a"]) {
        assert_eq!(get(&store, o.id, *id).await.data.external_id, ext);
    }
    let mut tx = store.begin().await.unwrap();
    let mut owners = tx.external_id_owners(o.id, &["a".into(), "c".into(), "zz".into()]).await.unwrap();
    owners.sort();
    assert_eq!(owners, vec![("a".into(), ids[2]), ("c".into(), ids[1])]);
}

#[tokio::test]
async fn a_swap_a_rename_onto_a_freed_externalid_and_an_unchanged_one_in_one_update() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let ids = insert(&store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;
    let next = insert(&store, o.id, &[bare_contact(&o, "d")]).await;

    // a ⇄ b; c → d while d → e; nothing else changes.
    let mut tx = store.begin().await.unwrap();
    let mut all = ids.clone();
    all.extend(&next);
    let locked = tx.lock_contacts(o.id, &all, &[]).await.unwrap();
    let updates: Vec<ContactUpdate> = locked
        .iter()
        .zip(["b", "a", "d", "e"])
        .map(|(c, ext)| ContactUpdate {
            id: c.id,
            data: ContactData { external_id: ext.into(), ..c.data.clone() },
            version: 2,
        })
        .collect();
    tx.update_contacts(o.id, &updates, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    for (id, ext) in all.iter().zip(["b", "a", "d", "e"]) {
        let c = get(&store, o.id, *id).await;
        assert_eq!((c.data.external_id.as_str(), c.version), (ext, 2));
        assert_eq!(store.get_contact_by_external_id(o.id, ext).await.unwrap().map(|c| c.id), Some(*id));
    }
    // No externalId was left parked on its temporary (BLOB) value.
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
    let update = ContactUpdate { id: ids[0], data: bare_contact(&o, "dup"), version: 2 };
    let err = tx.update_contacts(o.id, &[update], "t", NOW).await;
    assert!(matches!(err, Err(StoreError::Conflict)), "{err:?}");
    assert!(tx.commit().await.is_err());

    let (all, total) = store.list_contacts(o.id, &ListQuery::page(1, 10)).await.unwrap();
    assert_eq!(total, 2);
    let exts: BTreeSet<_> = all.iter().map(|c| c.data.external_id.as_str()).collect();
    assert_eq!(exts, BTreeSet::from(["dup", "other"]));
}

#[tokio::test]
async fn dropping_a_transaction_rolls_it_back() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[full_contact(&o, "gone")], "t", NOW).await.unwrap();
    drop(tx);
    assert_eq!(store.get_contact(o.id, ids[0]).await.unwrap(), None);
}

#[tokio::test]
async fn vanished_catalog_entries_are_missing_references() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let theirs = org(&store, 2).await;

    // Another organization's record type is not this one's.
    let mut foreign = bare_contact(&o, "x");
    foreign.record_type_id = theirs.record_type;
    let mut tx = store.begin().await.unwrap();
    let err = tx.insert_contacts(o.id, &[foreign], "t", NOW).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("record type")), "{err:?}");
    // One writer at a time: the next unit of work waits for this one to end.
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "y")], "t", NOW).await.unwrap();
    let err = tx.add_memberships(o.id, &[(theirs.groups[0], ids[0])]).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("group")), "{err:?}");
}

#[tokio::test]
async fn another_organizations_contacts_are_never_seen() {
    let (store, _dir) = common::store().await;
    let mine = org(&store, 1).await;
    let theirs = org(&store, 2).await;
    let my_ids = insert(&store, mine.id, &[full_contact(&mine, "same")]).await;
    let their_ids = insert(&store, theirs.id, &[full_contact(&theirs, "same")]).await;

    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_contacts(mine.id, &their_ids, &["same".into()]).await.unwrap();
    assert_eq!(locked.iter().map(|c| c.id).collect::<Vec<_>>(), my_ids);
    assert_eq!(locked[0].organization_id, mine.id);
    let owners = tx.external_id_owners(mine.id, &["same".into()]).await.unwrap();
    assert_eq!(owners, vec![("same".into(), my_ids[0])]);
    // An update naming another organization's contact touches nothing.
    let update = ContactUpdate { id: their_ids[0], data: bare_contact(&mine, "hijack"), version: 9 };
    assert!(tx.update_contacts(mine.id, &[update], "t", NOW).await.is_err());
    drop(tx);

    assert_eq!(store.get_contact(mine.id, their_ids[0]).await.unwrap(), None);
    let (page, total) = store.list_contacts(mine.id, &ListQuery::page(1, 100)).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(page.iter().map(|c| c.id).collect::<Vec<_>>(), my_ids);
    assert_eq!(get(&store, theirs.id, their_ids[0]).await.data, full_contact(&theirs, "same"));
}

#[tokio::test]
async fn pages_are_stable_by_id_with_the_total() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let contacts: Vec<ContactData> = (0..25).map(|i| full_contact(&o, &format!("p{i:02}"))).collect();
    let mut ids = insert(&store, o.id, &contacts[..10]).await;
    ids.extend(insert(&store, o.id, &contacts[10..]).await);
    ids.sort_unstable();

    let mut seen = Vec::new();
    for (number, expected) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
        let (page, total) = store.list_contacts(o.id, &ListQuery::page(number, 10)).await.unwrap();
        assert_eq!(total, 25);
        assert_eq!(page.len(), expected, "page {number}");
        for c in &page {
            assert_eq!(c.data.paths.len(), 3, "children are loaded");
        }
        seen.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(seen, ids);
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
