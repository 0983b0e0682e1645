//! Groups: lookups, updates of the tree, deletion with the memberships and the members'
//! versions, member listings; another organization's groups and contacts are never touched.

use std::sync::Arc;

use contacts_application::ports::{Actor, GroupDeletion, GroupUpdate, PageRequest};
use contacts_application::StoreError;
use contacts_domain::Group;

use crate::fixtures::{bare_contact, begin, get, org, soft_delete, Org};
use crate::TestStore;

fn group(id: i64, name: &str, parent_id: Option<i64>) -> Group {
    Group { id, name: name.into(), parent_id, description: None }
}

/// Creates contacts `externals` in `org` as members of `groups`; returns their ids.
async fn members<S: TestStore>(store: &S, org: &Org, externals: &[&str], groups: &[i64]) -> Vec<i64> {
    let mut tx = begin(store).await;
    let data: Vec<_> = externals.iter().map(|e| bare_contact(org, e)).collect();
    let ids = tx.insert_contacts(org.id, &data, "test", 1).await.unwrap();
    let memberships: Vec<(i64, i64)> = ids.iter().flat_map(|c| groups.iter().map(move |g| (*g, *c))).collect();
    tx.add_memberships(org.id, &memberships).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

/// Groups are found by id or by name, by id, in their organization only.
pub async fn groups_are_found_by_id_or_name_in_their_organization_only<S: TestStore>(store: Arc<S>) {
    let a = org(&*store, 1).await;
    let b = org(&*store, 2).await;
    store.create_group(b.id, group(500, "only in b", None)).await.unwrap();
    let found = store.find_groups(a.id, &[a.groups[1], 500], &["group0".into(), "only in b".into()]).await.unwrap();
    let ids: Vec<i64> = found.iter().map(|g| g.id).collect();
    assert_eq!(ids, vec![a.groups[0], a.groups[1]]);
    assert_eq!(found[0].name, "group0");
    assert!(store.find_groups(a.id, &[], &[]).await.unwrap().is_empty());
}

/// A group update keeps the id and refuses cycles, taken names and parents that are not the
/// organization's; another organization's group is not found.
pub async fn an_update_keeps_the_id_and_refuses_cycles_duplicates_and_unknown_parents<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    let [g0, g1] = o.groups;
    let child = store.create_group(o.id, group(0, "child", Some(g0))).await.unwrap().id;
    let grandchild = store.create_group(o.id, group(0, "grandchild", Some(child))).await.unwrap().id;

    let renamed = Group { id: g0, name: "renamed".into(), parent_id: Some(g1), description: Some("d".into()) };
    assert_eq!(store.update_group(o.id, renamed.clone()).await.unwrap(), GroupUpdate::Updated(renamed.clone()));
    assert_eq!(store.find_groups(o.id, &[g0], &[]).await.unwrap(), vec![renamed]);

    for parent in [g0, child, grandchild] {
        let outcome = store.update_group(o.id, group(g0, "renamed", Some(parent))).await.unwrap();
        assert_eq!(outcome, GroupUpdate::Cycle, "parent {parent}");
    }
    assert_eq!(store.find_groups(o.id, &[g0], &[]).await.unwrap()[0].parent_id, Some(g1));
    // Back to the top level, then a former descendant may become the parent of g1.
    assert!(matches!(store.update_group(o.id, group(g0, "renamed", None)).await, Ok(GroupUpdate::Updated(_))));
    assert!(matches!(
        store.update_group(o.id, group(g1, "group1", Some(grandchild))).await,
        Ok(GroupUpdate::Updated(_))
    ));

    let e = store.update_group(o.id, group(child, "grandchild", Some(g0))).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(m)) if m.contains("name")), "{e:?}");
    for parent in [987_654, other.groups[0]] {
        let e = store.update_group(o.id, group(child, "child", Some(parent))).await;
        assert!(matches!(&e, Err(StoreError::MissingReference(m)) if m.contains("parent")), "{e:?}");
    }
    // Another organization's group is not found, even with an id that exists there.
    assert_eq!(store.update_group(o.id, group(other.groups[0], "x", None)).await.unwrap(), GroupUpdate::NotFound);
    assert_eq!(store.find_groups(other.id, &[other.groups[0]], &[]).await.unwrap()[0].name, "group0");
}

/// Deleting a group removes its memberships and gives each active member a new version; a
/// group with subgroups stays; another organization's group of the same id is untouched.
pub async fn deleting_a_group_removes_its_memberships_and_moves_the_members_versions<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    let [g0, g1] = o.groups;
    let ids = members(&*store, &o, &["a", "b", "c"], &[g0, g1]).await;
    // The other organization has a group of the same id, with a member.
    store.create_group(other.id, group(g1, "same id", None)).await.unwrap();
    let theirs = members(&*store, &other, &["a"], &[g1]).await;
    soft_delete(&*store, o.id, &ids[2..]).await;

    assert_eq!(store.delete_group(o.id, 987_654, &Actor::named("admin"), 5).await.unwrap(), GroupDeletion::NotFound);
    store.create_group(o.id, group(0, "sub", Some(g0))).await.unwrap();
    assert_eq!(
        store.delete_group(o.id, g0, &Actor::named("admin"), 5).await.unwrap(),
        GroupDeletion::HasSubgroups { subgroups: 1 }
    );

    assert_eq!(
        store.delete_group(o.id, g1, &Actor::named("admin"), 5).await.unwrap(),
        GroupDeletion::Deleted { members: 2 }
    );
    for id in &ids[..2] {
        let c = get(&*store, o.id, *id).await;
        assert_eq!(c.groups.iter().copied().collect::<Vec<_>>(), vec![g0]);
        assert_eq!((c.version, c.last_modified_date, c.last_modified_by.as_str()), (2, 5, "admin"));
    }
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.group(g1).is_none());
    assert!(store.find_groups(o.id, &[g1], &[]).await.unwrap().is_empty());
    let (listed, total) = store.list_members(o.id, &[g1], PageRequest { number: 1, size: 10 }).await.unwrap();
    assert!(listed.is_empty() && total == 0, "{listed:?}");
    // The other organization's group of the same id, and its member, are untouched.
    let c = get(&*store, other.id, theirs[0]).await;
    assert_eq!((c.version, c.groups.iter().copied().collect::<Vec<_>>()), (1, vec![g1]));
    assert!(store.load_catalog(other.id).await.unwrap().group(g1).is_some());
}

/// Members of any of the groups asked are listed by id, once each, active ones only, paged,
/// with their total; another organization's groups list nothing.
pub async fn members_are_listed_by_id_once_each_active_only_and_paged<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    let [g0, g1] = o.groups;
    let both = members(&*store, &o, &["m1", "m2", "m3", "m4", "m5"], &[g0, g1]).await;
    let only_g1 = members(&*store, &o, &["n1"], &[g1]).await;
    members(&*store, &o, &["outsider"], &[]).await;
    store.create_group(other.id, group(g0, "same id", None)).await.unwrap();
    members(&*store, &other, &["x1", "x2"], &[g0, other.groups[1]]).await;
    soft_delete(&*store, o.id, &both[1..2]).await;

    let page = |number, size| PageRequest { number, size };
    let (first, total) = store.list_members(o.id, &[g0], page(1, 3)).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), vec![both[0], both[2], both[3]]);
    assert!(first.iter().all(|c| c.groups.contains(&g0) && c.groups.contains(&g1)));
    let (second, _) = store.list_members(o.id, &[g0], page(2, 3)).await.unwrap();
    assert_eq!(second.iter().map(|c| c.id).collect::<Vec<_>>(), vec![both[4]]);
    let (past, total) = store.list_members(o.id, &[g0], page(9, 3)).await.unwrap();
    assert!(past.is_empty());
    assert_eq!(total, 4);

    let (union, total) = store.list_members(o.id, &[g0, g1], page(1, 100)).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(union.last().map(|c| c.id), Some(only_g1[0]));
    // Another organization's groups list nothing here.
    let (none, total) = store.list_members(o.id, &other.groups, page(1, 100)).await.unwrap();
    assert!(none.is_empty() && total == 0, "{none:?}");
}
