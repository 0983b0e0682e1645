//! The history of contacts: what a unit of work records is read back whole, newest first, each
//! entry with the state before it; content a change did not touch is carried forward; group ids
//! are the ones the transaction leaves; another organization's history is never read; retention
//! keeps each contact's newest entry; the calls a restore makes (lock any contact, read a
//! recorded state, revive a deleted contact).

use std::collections::BTreeSet;
use std::sync::Arc;

use contacts_application::history::ContactHistory;
use contacts_application::ports::{
    Actor, ContactRef, ContactUpdate, GroupDeletion, HistoryEntry, HistoryRecord, Operation, PageRequest,
};
use contacts_domain::{Contact, ContactData, ContactStatus};

use crate::fixtures::{bare_contact, begin, full_contact, get, org, NOW};
use crate::TestStore;

fn actor(name: &str, request_id: &str) -> Actor {
    Actor::named(name).with_request_id(Some(request_id.to_owned()))
}

fn known(contact_id: i64, version: i64, operation: Operation, data: &ContactData, groups: &[i64]) -> HistoryRecord {
    HistoryRecord::known(contact_id, version, operation, data.clone(), groups.iter().copied().collect())
}

fn carried(contact_id: i64, version: i64, operation: Operation) -> HistoryRecord {
    HistoryRecord::carried(contact_id, version, operation)
}

async fn page<S: TestStore>(store: &S, org: i64, id: i64, number: u32, size: u32) -> (Vec<HistoryEntry>, u64) {
    store.contact_history(org, id, PageRequest { number, size }).await.unwrap()
}

/// `contact` as an entry at `version` by `by` at `at` shows it.
fn as_of(contact: &Contact, data: &ContactData, groups: &[i64], version: i64, at: i64, by: &str) -> Contact {
    Contact {
        data: data.clone(),
        groups: groups.iter().copied().collect(),
        status: ContactStatus::Active,
        version,
        last_modified_date: at,
        last_modified_by: by.to_owned(),
        ..contact.clone()
    }
}

/// Create → update → membership change → delete, each recorded as its unit of work makes it:
/// read back newest first, every field of the content as written (paths in order, quiet time
/// frames, attributes, addresses with GIS points, topics), groups as the transaction left them,
/// `before` of each entry the `after` of the one before, nothing after a deletion.
pub async fn history_is_read_back_newest_first_with_the_state_before_each_change<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let v1 = full_contact(&o, "h");
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&v1), "creator", NOW).await.unwrap()[0];
    tx.record_history(o.id, &[known(id, 1, Operation::Created, &v1, &[])], &actor("creator", "r1"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let created = get(&*store, o.id, id).await;

    let v2 = ContactData { first_name: "Augusta".into(), paths: v1.paths[1..].to_vec(), ..v1.clone() };
    let mut tx = begin(&*store).await;
    tx.lock_contacts(o.id, &[id], &[]).await.unwrap();
    let update = ContactUpdate { id, data: v2.clone(), version: 2, digest: None };
    tx.update_contacts(o.id, &[update], "editor", NOW + 1).await.unwrap();
    tx.record_history(o.id, &[known(id, 2, Operation::Updated, &v2, &[])], &actor("editor", "r2"), NOW + 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Memberships only: the content is carried from version 2.
    let mut tx = begin(&*store).await;
    tx.add_memberships(o.id, &[(o.groups[1], id), (o.groups[0], id)]).await.unwrap();
    let update = ContactUpdate { id, data: v2.clone(), version: 3, digest: None };
    tx.update_contacts(o.id, &[update], "member", NOW + 2).await.unwrap();
    tx.record_history(o.id, &[carried(id, 3, Operation::Updated)], &actor("member", "r3"), NOW + 2).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = begin(&*store).await;
    let deleted = tx.delete_contacts(o.id, &[id], &[], "deleter", NOW + 3).await.unwrap();
    assert_eq!(deleted[0].version, 4);
    tx.record_history(o.id, &[carried(id, 4, Operation::Deleted)], &Actor::named("deleter"), NOW + 3).await.unwrap();
    tx.commit().await.unwrap();

    let (entries, total) = page(&*store, o.id, id, 1, 10).await;
    assert_eq!(total, 4);
    let steps: Vec<_> = entries
        .iter()
        .map(|e| (e.version, e.operation, e.changed_at, e.changed_by.as_str(), e.request_id.as_deref()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (4, Operation::Deleted, NOW + 3, "deleter", None),
            (3, Operation::Updated, NOW + 2, "member", Some("r3")),
            (2, Operation::Updated, NOW + 1, "editor", Some("r2")),
            (1, Operation::Created, NOW, "creator", Some("r1")),
        ]
    );
    let groups = [o.groups[0].min(o.groups[1]), o.groups[0].max(o.groups[1])];
    let at1 = as_of(&created, &v1, &[], 1, NOW, "creator");
    let at2 = as_of(&created, &v2, &[], 2, NOW + 1, "editor");
    let at3 = as_of(&created, &v2, &groups, 3, NOW + 2, "member");
    assert_eq!(at1, created, "the first entry's after is the contact as it was read");
    assert_eq!((&entries[3].before, &entries[3].after), (&None, &Some(at1.clone())));
    assert_eq!((&entries[2].before, &entries[2].after), (&Some(at1), &Some(at2.clone())));
    assert_eq!((&entries[1].before, &entries[1].after), (&Some(at2), &Some(at3.clone())));
    assert_eq!((&entries[0].before, &entries[0].after), (&Some(at3), &None));
}

/// Pages of the history are cut newest first, with the total; a page past the end is empty.
pub async fn history_pages_are_cut_newest_first_with_the_total<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let data = bare_contact(&o, "p");
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&data), "t", NOW).await.unwrap()[0];
    let records: Vec<HistoryRecord> = (1..=5)
        .map(|v| known(id, v, if v == 1 { Operation::Created } else { Operation::Updated }, &data, &[]))
        .collect();
    // Several entries of one contact in one statement (the versions it went through).
    tx.record_history(o.id, &records, &Actor::named("t"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let versions = |entries: Vec<HistoryEntry>| entries.iter().map(|e| e.version).collect::<Vec<_>>();
    let (first, total) = page(&*store, o.id, id, 1, 2).await;
    assert_eq!((versions(first), total), (vec![5, 4], 5));
    let (last, total) = page(&*store, o.id, id, 3, 2).await;
    assert_eq!((versions(last), total), (vec![1], 5));
    let (past, total) = page(&*store, o.id, id, 4, 2).await;
    assert_eq!((versions(past), total), (vec![], 5));
}

/// Recording an entry that exists already fails (and the unit of work with it): two changes
/// never reach one version.
pub async fn a_history_entry_is_recorded_once<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let data = bare_contact(&o, "once");
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&data), "t", NOW).await.unwrap()[0];
    tx.record_history(o.id, &[known(id, 1, Operation::Created, &data, &[])], &Actor::named("t"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = begin(&*store).await;
    let again = tx.record_history(o.id, &[known(id, 1, Operation::Updated, &data, &[])], &Actor::named("x"), NOW).await;
    assert!(again.is_err(), "{again:?}");
    drop(tx);
    let (entries, _) = page(&*store, o.id, id, 1, 10).await;
    assert_eq!(entries.iter().map(|e| e.changed_by.as_str()).collect::<Vec<_>>(), vec!["t"]);
}

/// A contact is found whatever its status: by id; by externalId the active holder first, else
/// the deleted contact that held it last. Another organization's contacts are never found, and
/// their history never read.
pub async fn any_contact_is_found_by_id_or_external_id_in_its_organization_only<S: TestStore>(store: Arc<S>) {
    let a = org(&*store, 1).await;
    let b = org(&*store, 2).await;
    let mut tx = begin(&*store).await;
    let ids = tx.insert_contacts(a.id, &[bare_contact(&a, "x"), bare_contact(&a, "x2")], "t", NOW).await.unwrap();
    let other = tx.insert_contacts(b.id, &[bare_contact(&b, "x")], "t", NOW).await.unwrap()[0];
    let data = bare_contact(&b, "x");
    tx.record_history(b.id, &[known(other, 1, Operation::Created, &data, &[])], &Actor::named("t"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let find = |org: i64, target: ContactRef| {
        let store = Arc::clone(&store);
        async move { store.find_any_contact(org, &target).await.unwrap() }
    };
    let ext = |e: &str| ContactRef::ExternalId(e.to_owned());
    assert_eq!(find(a.id, ext("x")).await, Some(ids[0]));
    assert_eq!(find(a.id, ContactRef::Id(other)).await, None, "org B's id through org A");
    assert_eq!(page(&*store, a.id, other, 1, 10).await, (vec![], 0));
    assert_eq!(find(a.id, ext("nobody")).await, None);

    // Deleted: still found, by id and by the externalId it had.
    let mut tx = begin(&*store).await;
    tx.delete_contacts(a.id, &[ids[0]], &[], "t", NOW + 1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(a.id, ContactRef::Id(ids[0])).await, Some(ids[0]));
    assert_eq!(find(a.id, ext("x")).await, Some(ids[0]));
    // The externalId taken again (a rename): the active holder wins.
    let mut tx = begin(&*store).await;
    tx.lock_contacts(a.id, &[ids[1]], &[]).await.unwrap();
    let rename = ContactUpdate { id: ids[1], data: bare_contact(&a, "x"), version: 2, digest: None };
    tx.update_contacts(a.id, &[rename], "t", NOW + 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(a.id, ext("x")).await, Some(ids[1]));
    // Both deleted: the one that held it last.
    let mut tx = begin(&*store).await;
    tx.delete_contacts(a.id, &[ids[1]], &[], "t", NOW + 3).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(a.id, ext("x")).await, Some(ids[1]));
}

/// What a restore does in its unit of work: a deleted contact is locked and loaded whole, its
/// newest recorded state (or a given version's) read, and it is revived under its externalId.
pub async fn a_deleted_contact_is_locked_read_and_revived<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let data = full_contact(&o, "back");
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&data), "t", NOW).await.unwrap()[0];
    tx.add_memberships(o.id, &[(o.groups[0], id)]).await.unwrap();
    tx.record_history(o.id, &[known(id, 1, Operation::Created, &data, &[o.groups[0]])], &Actor::named("t"), NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = begin(&*store).await;
    tx.delete_contacts(o.id, &[id], &[], "t", NOW + 1).await.unwrap();
    tx.record_history(o.id, &[carried(id, 2, Operation::Deleted)], &Actor::named("t"), NOW + 1).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = begin(&*store).await;
    let target = ContactRef::ExternalId("back".into());
    let found = tx.lock_any_contact(o.id, &target).await.unwrap().expect("the deleted contact");
    assert_eq!((found.id, found.status, found.version), (id, ContactStatus::Deleted, 2));
    assert_eq!((&found.data, found.groups.iter().copied().collect::<Vec<_>>()), (&data, vec![o.groups[0]]));
    let newest = tx.history_state(o.id, id, None).await.unwrap().expect("an entry");
    assert_eq!((newest.version, newest.operation), (2, Operation::Deleted));
    assert_eq!((newest.data.as_ref(), newest.groups.clone()), (Some(&data), BTreeSet::from([o.groups[0]])));
    let first = tx.history_state(o.id, id, Some(1)).await.unwrap().expect("version 1");
    assert_eq!((first.version, first.operation, first.data.as_ref()), (1, Operation::Created, Some(&data)));
    assert_eq!(tx.history_state(o.id, id, Some(3)).await.unwrap(), None);
    assert_eq!(tx.lock_any_contact(o.id + 1, &ContactRef::Id(id)).await.unwrap(), None);
    tx.revive_contact(o.id, id, "back").await.unwrap();
    tx.commit().await.unwrap();
    let back = store.get_contact_by_external_id(o.id, "back").await.unwrap().expect("active again");
    assert_eq!((back.id, back.version, back.status, &back.data), (id, 2, ContactStatus::Active, &data));
}

/// Retention deletes entries older than the cutoff, in chunks of the limit, but never a
/// contact's newest entry (whatever its age), of any organization.
pub async fn pruning_keeps_each_contacts_newest_entry<S: TestStore>(store: Arc<S>) {
    let a = org(&*store, 1).await;
    let b = org(&*store, 2).await;
    let mut tx = begin(&*store).await;
    let x = tx.insert_contacts(a.id, &[bare_contact(&a, "x")], "t", NOW).await.unwrap()[0];
    let y = tx.insert_contacts(b.id, &[bare_contact(&b, "y")], "t", NOW).await.unwrap()[0];
    let data = bare_contact(&a, "x");
    let old = NOW - 1_000_000;
    // x: versions 1-3 old, 4 recent; y: one old entry only.
    for v in 1..=3 {
        tx.record_history(a.id, &[known(x, v, Operation::Updated, &data, &[])], &Actor::named("t"), old + v)
            .await
            .unwrap();
    }
    tx.record_history(a.id, &[known(x, 4, Operation::Updated, &data, &[])], &Actor::named("t"), NOW).await.unwrap();
    tx.record_history(b.id, &[known(y, 1, Operation::Created, &data, &[])], &Actor::named("t"), old).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(store.prune_history(NOW - 10, 2).await.unwrap(), 2, "a chunk is bounded by the limit");
    assert_eq!(store.prune_history(NOW - 10, 2).await.unwrap(), 1);
    assert_eq!(store.prune_history(NOW - 10, 2).await.unwrap(), 0);
    let versions = |entries: Vec<HistoryEntry>| entries.iter().map(|e| e.version).collect::<Vec<_>>();
    let (kept, total) = page(&*store, a.id, x, 1, 10).await;
    assert_eq!((versions(kept), total), (vec![4], 1));
    let (kept, total) = page(&*store, b.id, y, 1, 10).await;
    assert_eq!((versions(kept.clone()), total), (vec![1], 1), "an old but newest entry stays");
    // The oldest entry kept has no earlier one to show as `before`.
    assert_eq!(kept[0].before, None);
}

/// An entry's `before` is the entry of the version just before it, never an older one: where
/// that version is not held (pruned), the page shows no `before`.
pub async fn before_is_the_previous_version_only<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, &[bare_contact(&o, "g")], "t", NOW).await.unwrap()[0];
    let mut one = bare_contact(&o, "g");
    one.first_name = "One".into();
    let mut three = bare_contact(&o, "g");
    three.first_name = "Three".into();
    let mut four = bare_contact(&o, "g");
    four.first_name = "Four".into();
    for (v, data) in [(1, &one), (3, &three), (4, &four)] {
        tx.record_history(o.id, &[known(id, v, Operation::Updated, data, &[])], &Actor::named("t"), NOW + v)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let (entries, total) = page(&*store, o.id, id, 1, 10).await;
    assert_eq!(total, 3);
    let shown: Vec<(i64, Option<String>, Option<String>)> = entries
        .iter()
        .map(|e| {
            let first = |c: &Option<contacts_domain::Contact>| c.as_ref().map(|c| c.data.first_name.clone());
            (e.version, first(&e.before), first(&e.after))
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (4, Some("Three".into()), Some("Four".into())),
            (3, None, Some("Three".into())),
            (1, None, Some("One".into())),
        ]
    );
    // Paged, each row still has its own `before`.
    let (second, _) = page(&*store, o.id, id, 2, 1).await;
    assert_eq!(second.iter().map(|e| (e.version, e.before.is_none())).collect::<Vec<_>>(), vec![(3, true)]);
    let (first, _) = page(&*store, o.id, id, 1, 1).await;
    assert_eq!(first[0].before.as_ref().map(|c| c.version), Some(3));
}

/// Deleting a group records a new version for each active member: content carried, the group
/// gone from its groups.
pub async fn deleting_a_group_records_each_members_new_version<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let data = bare_contact(&o, "m");
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&data), "t", NOW).await.unwrap()[0];
    tx.add_memberships(o.id, &[(o.groups[0], id), (o.groups[1], id)]).await.unwrap();
    tx.record_history(
        o.id,
        &[known(id, 1, Operation::Created, &data, &[o.groups[0], o.groups[1]])],
        &Actor::named("t"),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let by = actor("admin", "req-g");
    assert_eq!(
        store.delete_group(o.id, o.groups[0], &by, NOW + 5).await.unwrap(),
        GroupDeletion::Deleted { members: 1 }
    );
    let (entries, total) = page(&*store, o.id, id, 1, 10).await;
    assert_eq!(total, 2);
    let e = &entries[0];
    assert_eq!(
        (e.version, e.operation, e.changed_by.as_str(), e.request_id.as_deref()),
        (2, Operation::Updated, "admin", Some("req-g"))
    );
    let after = e.after.as_ref().expect("an after");
    assert_eq!((&after.data, after.groups.iter().copied().collect::<Vec<_>>()), (&data, vec![o.groups[1]]));
    let before = e.before.as_ref().expect("a before");
    assert_eq!(before.groups.len(), 2);
}

/// The restore use case on the store: a version comes back as a new version (content and
/// memberships exactly), recorded as `restored`; a version naming a group that no longer exists
/// fails naming `groups` and changes nothing.
pub async fn a_version_is_restored_through_the_use_case<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    // Every field, and values the rules of a full update accept (the fixture's GB number is
    // a drama number, which they do not).
    let mut v1 = full_contact(&o, "r");
    v1.paths[0].value = "+447911123456".into();
    let mut tx = begin(&*store).await;
    let id = tx.insert_contacts(o.id, std::slice::from_ref(&v1), "t", NOW).await.unwrap()[0];
    tx.add_memberships(o.id, &[(o.groups[0], id)]).await.unwrap();
    tx.record_history(o.id, &[known(id, 1, Operation::Created, &v1, &[o.groups[0]])], &Actor::named("t"), NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let v2 = ContactData { first_name: "Changed".into(), paths: vec![], ..bare_contact(&o, "r") };
    let mut tx = begin(&*store).await;
    tx.lock_contacts(o.id, &[id], &[]).await.unwrap();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: v2.clone(), version: 2, digest: None }], "t", NOW + 1)
        .await
        .unwrap();
    tx.remove_memberships(o.id, &[(o.groups[0], id)]).await.unwrap();
    tx.add_memberships(o.id, &[(o.groups[1], id)]).await.unwrap();
    tx.record_history(o.id, &[known(id, 2, Operation::Updated, &v2, &[o.groups[1]])], &Actor::named("t"), NOW + 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let history = ContactHistory::new(store.clone(), store.clone(), store.clone());
    let restored = history.restore(o.id, &actor("restorer", "rq"), &ContactRef::Id(id), Some(1)).await.unwrap();
    assert_eq!((restored.version, restored.changed), (3, true));
    let now = get(&*store, o.id, id).await;
    assert_eq!((&now.data, now.groups.iter().copied().collect::<Vec<_>>()), (&v1, vec![o.groups[0]]));
    let (entries, _) = page(&*store, o.id, id, 1, 1).await;
    assert_eq!(
        (entries[0].version, entries[0].operation, entries[0].request_id.as_deref()),
        (3, Operation::Restored, Some("rq"))
    );

    // Version 1's group deleted since: the restore of version 1 fails by `groups`, nothing moves.
    let mut tx = begin(&*store).await;
    tx.lock_contacts(o.id, &[id], &[]).await.unwrap();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: v2.clone(), version: 4, digest: None }], "t", NOW + 2)
        .await
        .unwrap();
    tx.record_history(o.id, &[known(id, 4, Operation::Updated, &v2, &[o.groups[0]])], &Actor::named("t"), NOW + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.delete_group(o.id, o.groups[0], &Actor::named("admin"), NOW + 3).await.unwrap();
    let before = get(&*store, o.id, id).await;
    let err = history.restore(o.id, &Actor::named("restorer"), &ContactRef::Id(id), Some(1)).await.unwrap_err();
    let contacts_application::history::RestoreError::Rejected(item) = err else { panic!("a rejection: {err:?}") };
    assert!(item.errors.iter().any(|e| e.field.starts_with("groups")), "{:?}", item.errors);
    assert_eq!(get(&*store, o.id, id).await, before);
}
