//! Contacts: the unit of work (lock, insert, update, memberships, commit) and the reads.

use std::collections::BTreeSet;
use std::sync::Arc;

use contacts_application::ports::{ContactUpdate, ListQuery};
use contacts_application::StoreError;
use contacts_domain::{ContactData, ContactStatus, GeoPoint};

use crate::fixtures::{add_memberships, bare_contact, begin, full_contact, get, insert, org, NOW};
use crate::TestStore;

/// Every field of a contact reads back as written, through insert, memberships, a lock by
/// externalId and updates (which set the version and last-modified, keep the creation, the
/// groups, and clear cleared lists).
pub async fn a_contact_reads_back_as_written_through_insert_lock_and_update<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let written = full_contact(&o, "ada");
    let ids = insert(&*store, o.id, std::slice::from_ref(&written)).await;
    let id = ids[0];
    add_memberships(&*store, o.id, &[(o.groups[1], id), (o.groups[0], id), (o.groups[1], id)]).await;

    let read = get(&*store, o.id, id).await;
    assert_eq!(read.data, written);
    assert_eq!(read.id, id);
    assert_eq!(read.organization_id, o.id);
    assert_eq!(read.groups, BTreeSet::from(o.groups));
    assert_eq!(read.status, ContactStatus::Active);
    assert_eq!(read.version, 1);
    assert_eq!((read.created_date, read.created_by.as_str()), (NOW, "tester"));
    assert_eq!((read.last_modified_date, read.last_modified_by.as_str()), (NOW, "tester"));

    // Lock it by externalId, change every part, write it back.
    let mut tx = begin(&*store).await;
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
    changed.addresses[0].gis_location = GeoPoint::new(-33.9, 151.2);
    changed.topics = vec![o.topics[0]];
    tx.update_contacts(
        o.id,
        &[ContactUpdate { id, data: changed.clone(), version: 2, digest: None }],
        "editor",
        NOW + 1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let updated = get(&*store, o.id, id).await;
    assert_eq!(updated.data, changed);
    assert_eq!(updated.version, 2);
    assert_eq!(updated.groups, read.groups);
    assert_eq!((updated.created_date, updated.created_by.as_str()), (NOW, "tester"));
    assert_eq!((updated.last_modified_date, updated.last_modified_by.as_str()), (NOW + 1, "editor"));
    assert_eq!(store.get_contact_by_external_id(o.id, "ada-2").await.unwrap().as_ref(), Some(&updated));
    assert_eq!(store.get_contact_by_external_id(o.id, "ada").await.unwrap(), None);

    // Cleared lists stay cleared.
    let mut tx = begin(&*store).await;
    let bare = bare_contact(&o, "ada-2");
    let update = ContactUpdate { id, data: bare.clone(), version: 3, digest: None };
    tx.update_contacts(o.id, &[update], "editor", NOW + 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get(&*store, o.id, id).await.data, bare);
}

/// Child rows follow the update row by row in one unit of work: lists that grow, shrink and
/// change at some positions, updated twice (the second change is compared with the first, not
/// with what was read), and a contact of the batch left as it was beside them; another contact
/// updated without being locked is rewritten whole. Each reads back exactly as last written.
pub async fn child_rows_grow_shrink_and_change_in_one_unit_of_work<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let (ada, bob, cy) = (full_contact(&o, "ada"), full_contact(&o, "bob"), full_contact(&o, "cy"));
    let ids = insert(&*store, o.id, &[ada.clone(), bob.clone(), cy.clone()]).await;
    let mut tx = begin(&*store).await;
    let locked = tx.lock_contacts(o.id, &ids[..2], &[]).await.unwrap();
    assert_eq!(locked.len(), 2);
    // Grown: one more path and attribute at the end, the topics doubled; changed in the middle.
    let mut first = ada.clone();
    first.paths.push(first.paths[0].clone());
    first.paths[1].value = "changed@example.com".into();
    first.attributes.push(first.attributes[0].clone());
    first.topics.extend(o.topics.iter().copied());
    let update = |id, data: &ContactData, version| ContactUpdate { id, data: data.clone(), version, digest: None };
    tx.update_contacts(o.id, &[update(ids[0], &first, 2), update(ids[1], &bob, 2)], "editor", NOW + 1).await.unwrap();
    // Then, in the same unit of work, shrunk below what was read, the first row changed.
    let mut second = first.clone();
    second.paths.truncate(1);
    second.paths[0].quiet_time_frames.reverse();
    second.attributes.clear();
    second.addresses.truncate(1);
    second.addresses[0].city = Some("Elsewhere".into());
    second.topics.remove(0);
    // The third contact is not locked: its children are rewritten whole.
    let mut third = cy.clone();
    third.paths.swap(0, 1);
    third.topics.clear();
    tx.update_contacts(o.id, &[update(ids[0], &second, 3), update(ids[2], &third, 2)], "editor", NOW + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get(&*store, o.id, ids[0]).await.data, second);
    assert_eq!(get(&*store, o.id, ids[1]).await.data, bob);
    assert_eq!(get(&*store, o.id, ids[2]).await.data, third);
}

/// The version is what the use case sets: the store writes it as given (it does not count on
/// its own) and reads it back, through reads and locks alike.
pub async fn the_version_is_stored_as_the_use_case_sets_it<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b")]).await;
    assert_eq!(get(&*store, o.id, ids[0]).await.version, 1, "an insert is version 1");

    for (version, first_name) in [(2, "two"), (3, "three"), (7, "seven")] {
        let mut tx = begin(&*store).await;
        let locked = tx.lock_contacts(o.id, &ids[..1], &[]).await.unwrap();
        assert_eq!(locked.len(), 1);
        let data = ContactData { first_name: first_name.into(), ..locked[0].data.clone() };
        tx.update_contacts(o.id, &[ContactUpdate { id: ids[0], data, version, digest: None }], "v", NOW + version)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let read = get(&*store, o.id, ids[0]).await;
        assert_eq!((read.version, read.data.first_name.as_str()), (version, first_name));
        assert_eq!(read.last_modified_date, NOW + version);
    }
    let mut tx = begin(&*store).await;
    let locked = tx.lock_contacts(o.id, &ids, &[]).await.unwrap();
    assert_eq!(locked.iter().map(|c| (c.id, c.version)).collect::<Vec<_>>(), vec![(ids[0], 7), (ids[1], 1)]);
    drop(tx);
    let (page, _) = store.list_contacts(o.id, &ListQuery::page(1, 10)).await.unwrap();
    assert_eq!(page.iter().map(|c| c.version).collect::<Vec<_>>(), vec![7, 1]);
}

/// A batch insert returns ascending ids, in input order.
pub async fn a_batch_insert_returns_ascending_ids_in_input_order<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let contacts: Vec<ContactData> = (0..5).map(|i| full_contact(&o, &format!("c{i}"))).collect();
    let ids = insert(&*store, o.id, &contacts).await;
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for (id, data) in ids.iter().zip(&contacts) {
        assert_eq!(&get(&*store, o.id, *id).await.data, data);
    }
}

/// A rotation of externalIds among contacts of one `update_contacts` call works, although
/// every intermediate state has a duplicate.
pub async fn externalids_swap_inside_one_update<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;

    let mut tx = begin(&*store).await;
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
            digest: None,
        })
        .collect();
    tx.update_contacts(o.id, &updates, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    for (id, ext) in ids.iter().zip(["b", "c", "a"]) {
        assert_eq!(get(&*store, o.id, *id).await.data.external_id, ext);
        assert_eq!(store.get_contact_by_external_id(o.id, ext).await.unwrap().map(|c| c.id), Some(*id));
    }
    let mut tx = begin(&*store).await;
    let mut owners = tx.external_id_owners(o.id, &["a".into(), "c".into(), "zz".into()]).await.unwrap();
    owners.sort();
    assert_eq!(owners, vec![("a".into(), ids[2]), ("c".into(), ids[1])]);
}

/// In one `update_contacts` call, a swap (a ⇄ b) and a rename onto an externalId that
/// another contact of the same call gives up (c → d while d → e) work, whatever the order in
/// which the store writes them; each contact is then found under its new externalId only.
pub async fn a_swap_and_a_rename_onto_a_freed_externalid_in_one_update<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;
    let next = insert(&*store, o.id, &[bare_contact(&o, "d")]).await;

    // a ⇄ b; c → d while d → e; nothing else changes.
    let mut tx = begin(&*store).await;
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
            digest: None,
        })
        .collect();
    tx.update_contacts(o.id, &updates, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    for (id, ext) in all.iter().zip(["b", "a", "d", "e"]) {
        let c = get(&*store, o.id, *id).await;
        assert_eq!((c.data.external_id.as_str(), c.version), (ext, 2));
        assert_eq!(store.get_contact_by_external_id(o.id, ext).await.unwrap().map(|c| c.id), Some(*id));
    }
    let mut tx = begin(&*store).await;
    let mut owners = tx.external_id_owners(o.id, &["c".into(), "e".into()]).await.unwrap();
    owners.sort();
    assert_eq!(owners, vec![("e".into(), next[0])]);
}

/// Begins, inserts `data` and commits: the new id, or what the store answered.
async fn insert_and_commit<S: TestStore>(store: Arc<S>, data: ContactData, org: i64) -> Result<i64, StoreError> {
    let mut tx = begin(&*store).await;
    let ids = tx.insert_contacts(org, &[data], "t", NOW).await?;
    tx.commit().await?;
    Ok(ids[0])
}

/// Two active contacts of an organization never hold one externalId: of two concurrent units
/// of work inserting it, one commits and the other meets [`StoreError::Conflict`] (at the
/// insert or at the commit: a transient conflict, which the use cases retry); a rename onto
/// an externalId held outside the unit of work fails the same way and changes nothing.
pub async fn two_active_contacts_never_hold_one_externalid<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;

    let first = tokio::spawn(insert_and_commit(store.clone(), bare_contact(&o, "dup"), o.id));
    let second = tokio::spawn(insert_and_commit(store.clone(), bare_contact(&o, "dup"), o.id));
    let outcomes = [first.await.unwrap(), second.await.unwrap()];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|r| matches!(r, Err(StoreError::Conflict))), "{outcomes:?}");
    let winner = outcomes.iter().find_map(|r| r.as_ref().ok().copied()).unwrap();
    assert_eq!(store.get_contact_by_external_id(o.id, "dup").await.unwrap().map(|c| c.id), Some(winner));

    // The same, one after the other.
    let again = insert_and_commit(store.clone(), bare_contact(&o, "dup"), o.id).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");

    // A rename onto an externalId kept by a contact outside the batch fails the same way.
    let ids = insert(&*store, o.id, &[bare_contact(&o, "other")]).await;
    let mut tx = begin(&*store).await;
    let update = ContactUpdate { id: ids[0], data: bare_contact(&o, "dup"), version: 2, digest: None };
    let renamed = match tx.update_contacts(o.id, &[update], "t", NOW).await {
        Ok(()) => tx.commit().await,
        Err(e) => Err(e),
    };
    assert!(matches!(renamed, Err(StoreError::Conflict)), "{renamed:?}");
    drop(tx);

    let (all, total) = store.list_contacts(o.id, &ListQuery::page(1, 10)).await.unwrap();
    assert_eq!(total, 2);
    let exts: BTreeSet<_> = all.iter().map(|c| c.data.external_id.as_str()).collect();
    assert_eq!(exts, BTreeSet::from(["dup", "other"]));
    assert_eq!(get(&*store, o.id, ids[0]).await.version, 1);
}

/// A unit of work dropped without commit leaves nothing behind.
pub async fn dropping_a_unit_of_work_rolls_it_back<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let existing = insert(&*store, o.id, &[bare_contact(&o, "kept")]).await;
    let mut tx = begin(&*store).await;
    let ids = tx.insert_contacts(o.id, &[full_contact(&o, "gone")], "t", NOW).await.unwrap();
    let update = ContactUpdate { id: existing[0], data: bare_contact(&o, "renamed"), version: 2, digest: None };
    tx.update_contacts(o.id, &[update], "t", NOW).await.unwrap();
    tx.add_memberships(o.id, &[(o.groups[0], existing[0])]).await.unwrap();
    drop(tx);
    assert_eq!(store.get_contact(o.id, ids[0]).await.unwrap(), None);
    assert_eq!(store.get_contact_by_external_id(o.id, "gone").await.unwrap(), None);
    let kept = get(&*store, o.id, existing[0]).await;
    assert_eq!((kept.data.external_id.as_str(), kept.version, kept.groups.len()), ("kept", 1, 0));
}

/// A catalog entry that is not the organization's (another organization's record type or
/// group) is a missing reference.
pub async fn vanished_catalog_entries_are_missing_references<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;

    // Another organization's record type is not this one's.
    let mut foreign = bare_contact(&o, "x");
    foreign.record_type_id = theirs.record_type;
    let mut tx = begin(&*store).await;
    let err = tx.insert_contacts(o.id, &[foreign], "t", NOW).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("record type")), "{err:?}");
    drop(tx);

    let mut tx = begin(&*store).await;
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "y")], "t", NOW).await.unwrap();
    let err = tx.add_memberships(o.id, &[(theirs.groups[0], ids[0])]).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("group")), "{err:?}");
    drop(tx);

    // A path that does not exist, another organization's attribute or topic: refused on insert,
    // and on an update that changes a stored row in place, and nothing is written.
    type Spoiler = fn(&mut ContactData, &crate::fixtures::Org);
    let spoilers: [(&str, Spoiler); 3] = [
        ("path", |d, _| d.paths[0].path_id = 987_654),
        ("attribute", |d, theirs| d.attributes[0].attribute_id = theirs.attributes[0]),
        ("topic", |d, theirs| d.topics[0] = theirs.topics[0]),
    ];
    let kept = full_contact(&o, "kept");
    let kept_id = insert(&*store, o.id, std::slice::from_ref(&kept)).await[0];
    for (what, spoil) in spoilers {
        let mut data = full_contact(&o, &format!("new-{what}"));
        spoil(&mut data, &theirs);
        let mut tx = begin(&*store).await;
        let err = tx.insert_contacts(o.id, &[data], "t", NOW).await;
        assert!(matches!(&err, Err(StoreError::MissingReference(_))), "insert, {what}: {err:?}");
        drop(tx);

        let mut tx = begin(&*store).await;
        let stored = tx.lock_contacts(o.id, &[kept_id], &[]).await.unwrap().pop().unwrap();
        let mut data = stored.data.clone();
        spoil(&mut data, &theirs);
        let update = ContactUpdate { id: kept_id, data, version: 2, digest: None };
        let err = tx.update_contacts(o.id, &[update], "t", NOW + 1).await;
        assert!(matches!(&err, Err(StoreError::MissingReference(_))), "update, {what}: {err:?}");
        drop(tx);
        assert_eq!(get(&*store, o.id, kept_id).await.data, kept, "{what}");
        assert_eq!(store.get_contact_by_external_id(o.id, &format!("new-{what}")).await.unwrap(), None);
    }
}

/// Memberships are added once however often named, and removed; removing absent ones is fine.
pub async fn memberships_are_added_once_and_removed<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b")]).await;
    let their_ids = insert(&*store, theirs.id, &[bare_contact(&theirs, "a")]).await;
    add_memberships(&*store, theirs.id, &[(theirs.groups[0], their_ids[0])]).await;
    let [g0, g1] = o.groups;
    add_memberships(&*store, o.id, &[(g0, ids[0]), (g1, ids[0]), (g0, ids[1])]).await;
    // Adding existing ones again changes nothing.
    add_memberships(&*store, o.id, &[(g0, ids[0]), (g0, ids[0])]).await;
    assert_eq!(get(&*store, o.id, ids[0]).await.groups, BTreeSet::from([g0, g1]));

    let mut tx = begin(&*store).await;
    // (g1, b) was never a membership; another organization's pair is not this one's.
    tx.remove_memberships(o.id, &[(g0, ids[0]), (g1, ids[1]), (theirs.groups[0], their_ids[0])]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get(&*store, o.id, ids[0]).await.groups, BTreeSet::from([g1]));
    assert_eq!(get(&*store, o.id, ids[1]).await.groups, BTreeSet::from([g0]));
    assert_eq!(get(&*store, theirs.id, their_ids[0]).await.groups, BTreeSet::from([theirs.groups[0]]));
    // Membership changes alone do not move the version: the use cases set it.
    assert_eq!(get(&*store, o.id, ids[0]).await.version, 1);
}

/// Another organization's contacts are never read, locked, changed nor listed, even under an
/// externalId both organizations use.
pub async fn another_organizations_contacts_are_never_seen<S: TestStore>(store: Arc<S>) {
    let mine = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let my_ids = insert(&*store, mine.id, &[full_contact(&mine, "same")]).await;
    let their_ids = insert(&*store, theirs.id, &[full_contact(&theirs, "same")]).await;

    let mut tx = begin(&*store).await;
    let locked = tx.lock_contacts(mine.id, &their_ids, &["same".into()]).await.unwrap();
    assert_eq!(locked.iter().map(|c| c.id).collect::<Vec<_>>(), my_ids);
    assert_eq!(locked[0].organization_id, mine.id);
    let owners = tx.external_id_owners(mine.id, &["same".into()]).await.unwrap();
    assert_eq!(owners, vec![("same".into(), my_ids[0])]);
    // An update naming another organization's contact touches nothing.
    let update = ContactUpdate { id: their_ids[0], data: bare_contact(&mine, "hijack"), version: 9, digest: None };
    assert!(tx.update_contacts(mine.id, &[update], "t", NOW).await.is_err());
    drop(tx);

    assert_eq!(store.get_contact(mine.id, their_ids[0]).await.unwrap(), None);
    assert_eq!(store.get_contact_by_external_id(mine.id, "hijack").await.unwrap(), None);
    let (page, total) = store.list_contacts(mine.id, &ListQuery::page(1, 100)).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(page.iter().map(|c| c.id).collect::<Vec<_>>(), my_ids);
    let their = get(&*store, theirs.id, their_ids[0]).await;
    assert_eq!((their.data, their.version), (full_contact(&theirs, "same"), 1));
}

/// Pages in creation order see each contact once, with its children, and the total.
pub async fn pages_are_stable_by_id_with_the_total<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let contacts: Vec<ContactData> = (0..25).map(|i| full_contact(&o, &format!("p{i:02}"))).collect();
    let mut ids = insert(&*store, o.id, &contacts[..10]).await;
    ids.extend(insert(&*store, o.id, &contacts[10..]).await);
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
