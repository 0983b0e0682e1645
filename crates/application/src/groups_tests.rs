//! Use-case tests of [`GroupService`] against mocked ports: a membership change writes exactly
//! the contacts whose membership changes (version + 1), and nothing at all when a group or a
//! contact is unknown. A port method without an expectation panics when called.

use std::sync::{Arc, Mutex};

use contacts_domain::{Contact, ContactData, Group};
use mockall::predicate::eq;

use super::*;
use crate::ports::{MockCatalogStore, MockContactTx, MockGroupStore, MockUnitOfWork};

const ORG: i64 = 7;
const OPS: i64 = 10;

fn ops() -> Group {
    Group { id: OPS, name: "Ops".into(), parent_id: None, description: None }
}

/// A stored contact, member of `groups`.
fn stored(id: i64, version: i64, groups: &[i64]) -> Contact {
    Contact {
        id,
        organization_id: ORG,
        data: ContactData {
            external_id: format!("e{id}"),
            first_name: "F".into(),
            last_name: "L".into(),
            ..ContactData::default()
        },
        groups: groups.iter().copied().collect(),
        version,
        ..Contact::default()
    }
}

/// A group store that knows the group `Ops` (by id and by name).
fn group_store() -> MockGroupStore {
    let mut store = MockGroupStore::new();
    store.expect_find_groups().returning(|_, ids, names| {
        let g = ops();
        Ok(if ids.contains(&g.id) || names.contains(&g.name) { vec![g] } else { vec![] })
    });
    store
}

/// What a transaction was asked to write.
#[derive(Default, Debug)]
struct Written {
    added: Vec<(i64, i64)>,
    removed: Vec<(i64, i64)>,
    updated: Vec<(i64, i64)>,
    /// `(contact, version, operation, content carried)`.
    history: Vec<(i64, i64, Operation, bool)>,
    committed: bool,
}

/// A unit of work whose transaction holds `locked` and records what it is asked to write.
fn uow(locked: Vec<Contact>, written: Arc<Mutex<Written>>) -> MockUnitOfWork {
    let mut uow = MockUnitOfWork::new();
    uow.expect_begin().times(1).returning(move || {
        let mut tx = MockContactTx::new();
        let locked = locked.clone();
        tx.expect_lock_contacts().times(1).returning(move |org, _, _| {
            assert_eq!(org, ORG);
            Ok(locked.clone())
        });
        let w = written.clone();
        tx.expect_add_memberships().returning(move |_, m| {
            w.lock().unwrap().added.extend_from_slice(m);
            Ok(())
        });
        let w = written.clone();
        tx.expect_remove_memberships().returning(move |_, m| {
            w.lock().unwrap().removed.extend_from_slice(m);
            Ok(())
        });
        let w = written.clone();
        tx.expect_update_contacts().returning(move |_, updates, actor, _| {
            assert_eq!(actor, "editor");
            w.lock().unwrap().updated.extend(updates.iter().map(|u| (u.id, u.version)));
            Ok(())
        });
        let w = written.clone();
        tx.expect_record_history().returning(move |_, records, actor, _| {
            assert_eq!(actor.name, "editor");
            let mut w = w.lock().unwrap();
            let carried = |r: &HistoryRecord| r.state == crate::ports::Recorded::Carried;
            w.history.extend(records.iter().map(|r| (r.contact_id, r.version, r.operation, carried(r))));
            Ok(())
        });
        let w = written.clone();
        tx.expect_commit().returning(move || {
            w.lock().unwrap().committed = true;
            Ok(())
        });
        Ok(Box::new(tx))
    });
    uow
}

fn service(groups: MockGroupStore, uow: MockUnitOfWork) -> GroupService {
    GroupService::new(Arc::new(groups), Arc::new(MockCatalogStore::new()), Arc::new(uow))
}

#[tokio::test]
async fn adding_writes_only_the_contacts_not_yet_members_with_a_new_version() {
    let written = Arc::new(Mutex::new(Written::default()));
    let locked = vec![stored(1, 3, &[]), stored(2, 5, &[OPS]), stored(3, 1, &[99])];
    let s = service(group_store(), uow(locked, written.clone()));
    let n = s
        .change_members(
            ORG,
            &GroupKey::Name("Ops".into()),
            &ContactRefs::Ids(vec![1, 2, 3, 1]),
            MembershipChange::Add,
            &Actor::named("editor"),
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    let w = written.lock().unwrap();
    assert_eq!(w.added, vec![(OPS, 1), (OPS, 3)]);
    assert_eq!(w.updated, vec![(1, 4), (3, 2)]);
    // Each change is in the history, its content carried (only the memberships changed).
    assert_eq!(w.history, vec![(1, 4, Operation::Updated, true), (3, 2, Operation::Updated, true)]);
    assert!(w.removed.is_empty() && w.committed);
}

#[tokio::test]
async fn removing_writes_only_the_members() {
    let written = Arc::new(Mutex::new(Written::default()));
    let locked = vec![stored(1, 3, &[OPS]), stored(2, 5, &[])];
    let s = service(group_store(), uow(locked, written.clone()));
    let refs = ContactRefs::ExternalIds(vec!["e1".into(), "e2".into()]);
    let n = s
        .change_members(ORG, &GroupKey::Id(OPS), &refs, MembershipChange::Remove, &Actor::named("editor"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let w = written.lock().unwrap();
    assert_eq!((w.removed.clone(), w.updated.clone()), (vec![(OPS, 1)], vec![(1, 4)]));
    assert!(w.added.is_empty());
}

#[tokio::test]
async fn nothing_to_change_writes_nothing() {
    let written = Arc::new(Mutex::new(Written::default()));
    let s = service(group_store(), uow(vec![stored(2, 5, &[OPS])], written.clone()));
    let n = s
        .change_members(
            ORG,
            &GroupKey::Id(OPS),
            &ContactRefs::Ids(vec![2]),
            MembershipChange::Add,
            &Actor::named("editor"),
        )
        .await;
    assert_eq!(n.unwrap(), 0);
    let w = written.lock().unwrap();
    assert!(w.added.is_empty() && w.updated.is_empty() && !w.committed, "{w:?}");
}

#[tokio::test]
async fn an_unknown_contact_changes_nothing() {
    let written = Arc::new(Mutex::new(Written::default()));
    // Contact 4 is not active in the organization: the store does not return it.
    let s = service(group_store(), uow(vec![stored(1, 3, &[])], written.clone()));
    let e = s
        .change_members(
            ORG,
            &GroupKey::Id(OPS),
            &ContactRefs::Ids(vec![1, 4]),
            MembershipChange::Add,
            &Actor::named("editor"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, GroupError::ContactsInvalid { org: ORG }), "{e:?}");
    let w = written.lock().unwrap();
    assert!(w.added.is_empty() && w.updated.is_empty() && !w.committed, "{w:?}");
}

#[tokio::test]
async fn an_unknown_group_is_not_found_before_any_transaction() {
    // No `begin` expected: it would panic.
    let s = service(group_store(), MockUnitOfWork::new());
    for key in [GroupKey::Id(11), GroupKey::Name("ops".into())] {
        let e = s
            .change_members(ORG, &key, &ContactRefs::Ids(vec![1]), MembershipChange::Add, &Actor::named("editor"))
            .await;
        assert!(matches!(&e, Err(GroupError::NotFound(k)) if *k == key), "{e:?}");
    }
    let e = s.members(ORG, &[GroupKey::Id(OPS), GroupKey::Id(12)], PageRequest { number: 1, size: 10 }).await;
    assert!(matches!(e, Err(GroupError::NotFound(GroupKey::Id(12)))), "{e:?}");
}

#[tokio::test]
async fn a_transient_conflict_is_retried() {
    let mut uow = MockUnitOfWork::new();
    let mut calls = 0;
    uow.expect_begin().times(2).returning(move || {
        calls += 1;
        let mut tx = MockContactTx::new();
        tx.expect_lock_contacts().returning(|_, _, _| Ok(vec![stored(1, 1, &[])]));
        tx.expect_add_memberships().returning(|_, _| Ok(()));
        tx.expect_update_contacts().returning(|_, _, _, _| Ok(()));
        let first = calls == 1;
        tx.expect_record_history().returning(|_, _, _, _| Ok(()));
        tx.expect_commit().returning(move || if first { Err(StoreError::Conflict) } else { Ok(()) });
        Ok(Box::new(tx))
    });
    let s = service(group_store(), uow);
    let n = s
        .change_members(
            ORG,
            &GroupKey::Id(OPS),
            &ContactRefs::Ids(vec![1]),
            MembershipChange::Add,
            &Actor::named("editor"),
        )
        .await;
    assert_eq!(n.unwrap(), 1);
}

#[tokio::test]
async fn group_updates_and_deletions_report_what_kept_them_from_happening() {
    let mut store = group_store();
    store
        .expect_update_group()
        .with(eq(ORG), eq(Group { parent_id: Some(20), ..ops() }))
        .returning(|_, _| Ok(GroupUpdate::Cycle));
    store
        .expect_update_group()
        .with(eq(ORG), eq(Group { id: 11, ..ops() }))
        .returning(|_, _| Ok(GroupUpdate::NotFound));
    store.expect_delete_group().times(1).returning(|org, id, actor, _| {
        assert_eq!((org, id, actor.name.as_str()), (ORG, OPS, "admin"));
        Ok(GroupDeletion::HasSubgroups { subgroups: 2 })
    });
    let s = service(store, MockUnitOfWork::new());
    let e = s.update(ORG, Group { parent_id: Some(20), ..ops() }).await.unwrap_err();
    assert!(matches!(e, GroupError::Cycle { group: OPS, parent: 20 }), "{e:?}");
    let e = s.update(ORG, Group { id: 11, ..ops() }).await.unwrap_err();
    assert!(matches!(e, GroupError::NotFound(GroupKey::Id(11))), "{e:?}");
    let e = s.update(ORG, Group { name: " ".into(), ..ops() }).await.unwrap_err();
    assert!(matches!(e, GroupError::Invalid { field: "name", .. }), "{e:?}");
    let e = s.delete(ORG, OPS, &Actor::named("admin")).await.unwrap_err();
    assert!(matches!(e, GroupError::HasSubgroups { group: OPS, subgroups: 2 }), "{e:?}");
}
