//! The rules the batch use cases (`ContactBatches`) build on the store: versions as they set
//! them, and the unique externalId (swaps inside one batch, a taken one refused, a deleted
//! one free again), run against the store itself rather than mocks.

use std::sync::Arc;

use contacts_application::batch::{BatchItem, BatchKind, BatchOptions, ContactBatches, IdType, ItemResult, ItemStatus};
use contacts_application::ports::{Actor, CatalogStore, ContactRef, UnitOfWork};
use contacts_domain::{ContactInput, ErrorCode, Field, UpdateMode};

use crate::fixtures::{get, org, Org};
use crate::TestStore;

fn batches<S: TestStore>(store: &Arc<S>) -> ContactBatches {
    ContactBatches::new(store.clone() as Arc<dyn CatalogStore>, store.clone() as Arc<dyn UnitOfWork>, 1000)
}

fn create(o: &Org, external_id: &str) -> BatchItem {
    Ok(ContactInput {
        external_id: Field::Value(external_id.into()),
        first_name: Field::Value("First".into()),
        last_name: Field::Value(format!("Last {external_id}")),
        record_type_id: Field::Value(o.record_type),
        ..ContactInput::default()
    })
}

/// A partial update of contact `id`: its externalId and first name, and the version the
/// client holds.
fn change(id: i64, external_id: &str, first_name: &str, version: Option<i64>) -> BatchItem {
    Ok(ContactInput {
        id: Some(id),
        version,
        external_id: Field::Value(external_id.into()),
        first_name: Field::Value(first_name.into()),
        ..ContactInput::default()
    })
}

const CREATE: BatchOptions = BatchOptions { kind: BatchKind::Create, atomic: false, dry_run: false };
const UPDATE: BatchOptions = BatchOptions {
    kind: BatchKind::Update { id_type: IdType::Id, mode: UpdateMode::Partial },
    atomic: false,
    dry_run: false,
};

fn codes(result: &ItemResult) -> Vec<ErrorCode> {
    result.errors.iter().map(|e| e.code).collect()
}

/// A created contact is version 1; each change adds one, as the batch reports and the store
/// reads back; an unchanged resend keeps the version; a stale version is refused and
/// changes nothing.
pub async fn batch_versions_are_stored_and_checked<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let batches = batches(&store);
    let created = batches.run(o.id, &Actor::named("creator"), vec![create(&o, "v")], CREATE).await.unwrap();
    assert_eq!((created[0].status, created[0].version), (ItemStatus::Created, Some(1)));
    let id = created[0].id.unwrap();
    let stored = get(&*store, o.id, id).await;
    assert_eq!((stored.version, stored.created_by.as_str()), (1, "creator"));

    let r = batches.run(o.id, &Actor::named("editor"), vec![change(id, "v", "Second", Some(1))], UPDATE).await.unwrap();
    assert_eq!((r[0].status, r[0].version), (ItemStatus::Updated, Some(2)));
    let stored = get(&*store, o.id, id).await;
    assert_eq!((stored.version, stored.data.first_name.as_str()), (2, "Second"));
    assert_eq!(stored.last_modified_by, "editor");

    // The same change again is no change: the version stays, nothing is written.
    let r = batches.run(o.id, &Actor::named("resender"), vec![change(id, "v", "Second", None)], UPDATE).await.unwrap();
    assert_eq!((r[0].status, r[0].version), (ItemStatus::Unchanged, Some(2)));
    let unchanged = get(&*store, o.id, id).await;
    assert_eq!(unchanged, stored);

    // A client holding version 1 is refused; nothing changes.
    let r = batches.run(o.id, &Actor::named("stale"), vec![change(id, "v", "Third", Some(1))], UPDATE).await.unwrap();
    assert_eq!((r[0].status, codes(&r[0])), (ItemStatus::Failed, vec![ErrorCode::VersionMismatch]));
    assert_eq!(get(&*store, o.id, id).await, stored);

    let r = batches.run(o.id, &Actor::named("fresh"), vec![change(id, "v", "Third", Some(2))], UPDATE).await.unwrap();
    assert_eq!((r[0].status, r[0].version), (ItemStatus::Updated, Some(3)));
    let stored = get(&*store, o.id, id).await;
    assert_eq!((stored.version, stored.data.first_name.as_str()), (3, "Third"));
}

/// The unique externalId as the batches see it: a swap inside one batch works; a rename onto
/// an externalId another contact keeps, or a create of one, is refused (310) and changes
/// nothing; once its holder is deleted, the externalId is free for a new contact.
pub async fn batch_external_id_rules<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let batches = batches(&store);
    let created =
        batches.run(o.id, &Actor::named("t"), vec![create(&o, "a"), create(&o, "b"), create(&o, "c")], CREATE).await;
    let ids: Vec<i64> = created.unwrap().iter().map(|r| r.id.unwrap()).collect();
    // Another organization may hold the same externalIds.
    let r = batches.run(theirs.id, &Actor::named("t"), vec![create(&theirs, "a")], CREATE).await.unwrap();
    assert_eq!(r[0].status, ItemStatus::Created);

    // a <-> b in one batch.
    let swap = vec![change(ids[0], "b", "First", None), change(ids[1], "a", "First", None)];
    let r = batches.run(o.id, &Actor::named("t"), swap, UPDATE).await.unwrap();
    assert!(r.iter().all(|r| r.status == ItemStatus::Updated), "{r:?}");
    assert_eq!(get(&*store, o.id, ids[0]).await.data.external_id, "b");
    assert_eq!(get(&*store, o.id, ids[1]).await.data.external_id, "a");

    // c onto a (kept by ids[1], outside the batch): refused.
    let r = batches.run(o.id, &Actor::named("t"), vec![change(ids[2], "a", "Other", None)], UPDATE).await.unwrap();
    assert_eq!((r[0].status, codes(&r[0])), (ItemStatus::Failed, vec![ErrorCode::ExternalIdTaken]));
    let c = get(&*store, o.id, ids[2]).await;
    assert_eq!((c.data.external_id.as_str(), c.data.first_name.as_str(), c.version), ("c", "First", 1));
    // A create of a held externalId: refused.
    let r = batches.run(o.id, &Actor::named("t"), vec![create(&o, "a")], CREATE).await.unwrap();
    assert_eq!((r[0].status, codes(&r[0])), (ItemStatus::Failed, vec![ErrorCode::ExternalIdTaken]));

    // Deleted, its externalId is free: for a create, and for a rename.
    let deleted = batches.delete(o.id, &Actor::named("t"), &[ContactRef::ExternalId("a".into())]).await.unwrap();
    assert_eq!((deleted[0].status, deleted[0].id, deleted[0].version), (ItemStatus::Deleted, Some(ids[1]), Some(3)));
    let r = batches.run(o.id, &Actor::named("t"), vec![create(&o, "a")], CREATE).await.unwrap();
    assert_eq!(r[0].status, ItemStatus::Created);
    assert_ne!(r[0].id, Some(ids[1]));
    batches.delete(o.id, &Actor::named("t"), &[ContactRef::Id(r[0].id.unwrap())]).await.unwrap();
    let r = batches.run(o.id, &Actor::named("t"), vec![change(ids[2], "a", "Other", None)], UPDATE).await.unwrap();
    assert_eq!((r[0].status, r[0].version), (ItemStatus::Updated, Some(2)));
    let holder = store.get_contact_by_external_id(o.id, "a").await.unwrap().unwrap();
    assert_eq!(holder.id, ids[2]);
    // The other organization's "a" was never touched.
    let their = store.get_contact_by_external_id(theirs.id, "a").await.unwrap().unwrap();
    assert_eq!(their.version, 1);
}
