//! Concurrent units of work on the same contacts: each sees what the other committed, none
//! loses another's write, and the use cases' retries on [`StoreError::Conflict`] are enough
//! for all of them to commit.
//!
//! [`StoreError::Conflict`]: contacts_application::StoreError::Conflict

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use contacts_application::batch::{BatchItem, BatchKind, BatchOptions, ContactBatches, IdType, ItemStatus};
use contacts_application::ports::{Actor, CatalogStore, ContactUpdate, ListQuery, UnitOfWork};
use contacts_domain::{ContactData, ContactInput, Field, UpdateMode};

use crate::fixtures::{bare_contact, begin, get, insert, org, retrying, Org, NOW};
use crate::TestStore;

/// A unit of work that starts while another holds contacts (named by id and by externalId)
/// sees them as that one committed them.
pub async fn a_unit_of_work_sees_what_a_concurrent_one_committed<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b")]).await;

    let mut first = begin(&*store).await;
    let locked = first.lock_contacts(o.id, &ids, &[]).await.unwrap();
    let updates: Vec<ContactUpdate> = locked
        .iter()
        .map(|c| ContactUpdate {
            id: c.id,
            data: ContactData { first_name: "First".into(), ..c.data.clone() },
            version: c.version + 1,
            digest: None,
        })
        .collect();
    first.update_contacts(o.id, &updates, "first", NOW + 1).await.unwrap();

    // The second names one contact by externalId, the other by id.
    let second_store = store.clone();
    let (org_id, id_b) = (o.id, ids[1]);
    let second = tokio::spawn(async move {
        retrying(|| {
            let store = second_store.clone();
            async move {
                let mut tx = UnitOfWork::begin(&*store).await?;
                let seen = tx.lock_contacts(org_id, &[id_b], &["a".into()]).await?;
                tx.commit().await?;
                Ok(seen)
            }
        })
        .await
    });
    first.commit().await.unwrap();

    let seen = second.await.unwrap();
    assert_eq!(seen.len(), 2);
    for c in seen {
        assert_eq!((c.data.first_name.as_str(), c.version), ("First", 2), "{c:?}");
    }
}

/// A contact renamed by a concurrent unit of work is not found under its old externalId once
/// that one committed.
pub async fn a_renamed_contact_is_not_locked_under_its_old_externalid<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "old")]).await;

    let mut first = begin(&*store).await;
    first.lock_contacts(o.id, &ids, &[]).await.unwrap();
    let rename = ContactUpdate { id: ids[0], data: bare_contact(&o, "new"), version: 2, digest: None };
    first.update_contacts(o.id, &[rename], "first", NOW + 1).await.unwrap();

    let second_store = store.clone();
    let org_id = o.id;
    let second = tokio::spawn(async move {
        retrying(|| {
            let store = second_store.clone();
            async move {
                let mut tx = UnitOfWork::begin(&*store).await?;
                let old = tx.lock_contacts(org_id, &[], &["old".into()]).await?;
                let new = tx.lock_contacts(org_id, &[], &["new".into()]).await?;
                tx.commit().await?;
                Ok((old, new))
            }
        })
        .await
    });
    first.commit().await.unwrap();
    // After the wait (if any), the contact no longer holds "old".
    let (old, new) = second.await.unwrap();
    assert_eq!(old, vec![]);
    assert_eq!(new.iter().map(|c| (c.id, c.version)).collect::<Vec<_>>(), vec![(ids[0], 2)]);
}

fn batches<S: TestStore>(store: &Arc<S>) -> ContactBatches {
    ContactBatches::new(store.clone() as Arc<dyn CatalogStore>, store.clone() as Arc<dyn UnitOfWork>, 1000)
}

/// An item naming its contact by externalId and setting its first name.
fn rename_first(external_id: &str, first_name: &str) -> BatchItem {
    Ok(ContactInput {
        external_id: Field::Value(external_id.into()),
        first_name: Field::Value(first_name.into()),
        ..ContactInput::default()
    })
}

/// A whole contact (for an insert-or-replace).
fn whole(o: &Org, external_id: &str, first_name: &str) -> BatchItem {
    Ok(ContactInput {
        external_id: Field::Value(external_id.into()),
        first_name: Field::Value(first_name.into()),
        last_name: Field::Value(format!("Last {external_id}")),
        record_type_id: Field::Value(o.record_type),
        ..ContactInput::default()
    })
}

/// Concurrent batch updates (`ContactBatches`, as the HTTP layer runs them) of overlapping
/// contacts all commit, and none loses another's write: each contact ends with one version
/// per batch that changed it, and the batches reported every version once.
pub async fn concurrent_batches_on_overlapping_contacts_all_commit<S: TestStore>(store: Arc<S>) {
    const TASKS: usize = 6;
    const ROUNDS: usize = 3;
    const SPAN: usize = 3;
    let o = org(&*store, 1).await;
    let externals: Vec<String> = (0..TASKS).map(|i| format!("c{i}")).collect();
    let data: Vec<ContactData> = externals.iter().map(|e| bare_contact(&o, e)).collect();
    let ids = insert(&*store, o.id, &data).await;

    let opts = BatchOptions {
        kind: BatchKind::Update { id_type: IdType::ExternalId, mode: UpdateMode::Partial },
        atomic: true,
        dry_run: false,
    };
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (batches, org_id, externals) = (batches(&store), o.id, externals.clone());
            tokio::spawn(async move {
                let mut reported = Vec::new();
                for round in 0..ROUNDS {
                    // Task i touches contacts i, i + 1, i + 2 (mod TASKS), in a rotating order.
                    let items: Vec<BatchItem> = (0..SPAN)
                        .map(|k| rename_first(&externals[(task + SPAN - k) % TASKS], &format!("t{task}r{round}")))
                        .collect();
                    let results =
                        batches.run(org_id, &Actor::named("racer"), items, opts).await.expect("the batch commits");
                    for r in results {
                        assert_eq!(r.status, ItemStatus::Updated, "{r:?}");
                        reported.push((r.id.unwrap(), r.version.unwrap()));
                    }
                }
                reported
            })
        })
        .collect();
    let mut versions: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for task in tasks {
        for (id, version) in task.await.unwrap() {
            assert!(versions.entry(id).or_default().insert(version), "version {version} of {id} reported twice");
        }
    }
    let last = 1 + (SPAN * ROUNDS) as i64;
    for id in &ids {
        assert_eq!(versions[id], (2..=last).collect::<BTreeSet<_>>(), "contact {id}");
        let c = get(&*store, o.id, *id).await;
        assert_eq!(c.version, last, "{c:?}");
        assert!(c.data.first_name.ends_with(&format!("r{}", ROUNDS - 1)), "{c:?}");
        assert_eq!(c.last_modified_by, "racer");
    }
}

/// Concurrent insert-or-replace batches (`POST .../batch`) of the same new externalIds all
/// commit (the losers of the race for an externalId retry and update what the winner
/// created): each externalId is created once and updated by every other batch.
pub async fn concurrent_upserts_of_the_same_new_contacts_all_commit<S: TestStore>(store: Arc<S>) {
    const TASKS: usize = 5;
    let o = org(&*store, 1).await;
    let externals = ["n0", "n1", "n2"];
    let opts = BatchOptions { kind: BatchKind::Insert, atomic: true, dry_run: false };
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (batches, o) = (batches(&store), o.clone());
            tokio::spawn(async move {
                let items = externals.iter().map(|e| whole(&o, e, &format!("u{task}"))).collect();
                batches.run(o.id, &Actor::named("upserter"), items, opts).await.expect("the batch commits")
            })
        })
        .collect();
    let mut created: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut versions: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for task in tasks {
        for r in task.await.unwrap() {
            let ext = r.external_id.clone().unwrap();
            match r.status {
                ItemStatus::Created => created.entry(ext.clone()).or_default().push(r.id.unwrap()),
                ItemStatus::Updated => {}
                _ => panic!("{r:?}"),
            }
            assert!(versions.entry(ext).or_default().insert(r.version.unwrap()), "{r:?}");
        }
    }
    let (all, total) = store.list_contacts(o.id, &ListQuery::page(1, 100)).await.unwrap();
    assert_eq!(total, 3, "{all:?}");
    for ext in externals {
        assert_eq!(created[ext].len(), 1, "{ext} created once: {created:?}");
        assert_eq!(versions[ext], (1..=TASKS as i64).collect::<BTreeSet<_>>(), "{ext}");
        let c = store.get_contact_by_external_id(o.id, ext).await.unwrap().unwrap();
        assert_eq!((c.id, c.version), (created[ext][0], TASKS as i64));
    }
}
