//! Groups on SQLite, a database per test: lookups, updates of the tree, deletion with the
//! memberships and the members' versions, member listings; another organization's groups and
//! contacts are never touched.

mod common;

use contacts_application::ports::{
    CatalogStore, ContactReader, GroupDeletion, GroupStore, GroupUpdate, PageRequest, UnitOfWork,
};
use contacts_application::StoreError;
use contacts_domain::Group;
use contacts_store_sqlite::SqliteStore;

fn group(id: i64, name: &str, parent_id: Option<i64>) -> Group {
    Group { id, name: name.into(), parent_id, description: None }
}

/// Creates contacts `externals` in `org` as members of `groups`; returns their ids.
async fn members(store: &SqliteStore, org: &common::Org, externals: &[&str], groups: &[i64]) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let data: Vec<_> = externals.iter().map(|e| common::bare_contact(org, e)).collect();
    let ids = tx.insert_contacts(org.id, &data, "test", 1).await.unwrap();
    let memberships: Vec<(i64, i64)> = ids.iter().flat_map(|c| groups.iter().map(move |g| (*g, *c))).collect();
    tx.add_memberships(org.id, &memberships).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn soft_delete(pool: &sqlx::SqlitePool, org: i64, id: i64) {
    sqlx::query(
        "UPDATE contacts SET status = 'D', deleted_external_id = external_id, external_id = NULL \
         WHERE organization_id = ?1 AND id = ?2",
    )
    .bind(org)
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn groups_are_found_by_id_or_name_in_their_organization_only() {
    let (store, _dir) = common::store().await;
    let a = common::org(&store, 1).await;
    let b = common::org(&store, 2).await;
    store.create_group(b.id, group(500, "only in b", None)).await.unwrap();
    let found = store.find_groups(a.id, &[a.groups[1], 500], &["group0".into(), "only in b".into()]).await.unwrap();
    let ids: Vec<i64> = found.iter().map(|g| g.id).collect();
    assert_eq!(ids, vec![a.groups[0], a.groups[1]]);
    assert_eq!(found[0].name, "group0");
    assert!(store.find_groups(a.id, &[], &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_update_keeps_the_id_and_refuses_cycles_duplicates_and_unknown_parents() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let other = common::org(&store, 2).await;
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

#[tokio::test]
async fn deleting_a_group_removes_its_memberships_and_moves_the_members_versions() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let other = common::org(&store, 2).await;
    let [g0, g1] = o.groups;
    let ids = members(&store, &o, &["a", "b", "c"], &[g0, g1]).await;
    // The other organization has a group of the same id, with a member.
    store.create_group(other.id, group(g1, "same id", None)).await.unwrap();
    let theirs = members(&store, &other, &["a"], &[g1]).await;
    soft_delete(store.pool(), o.id, ids[2]).await;

    assert_eq!(store.delete_group(o.id, 987_654, "admin", 5).await.unwrap(), GroupDeletion::NotFound);
    store.create_group(o.id, group(0, "sub", Some(g0))).await.unwrap();
    assert_eq!(store.delete_group(o.id, g0, "admin", 5).await.unwrap(), GroupDeletion::HasSubgroups { subgroups: 1 });

    assert_eq!(store.delete_group(o.id, g1, "admin", 5).await.unwrap(), GroupDeletion::Deleted { members: 2 });
    for id in &ids[..2] {
        let c = store.get_contact(o.id, *id).await.unwrap().unwrap();
        assert_eq!(c.groups.iter().copied().collect::<Vec<_>>(), vec![g0]);
        assert_eq!((c.version, c.last_modified_date, c.last_modified_by.as_str()), (2, 5, "admin"));
    }
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.group(g1).is_none());
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM group_members WHERE organization_id = ?1 AND group_id = ?2")
            .bind(o.id)
            .bind(g1)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(left, 0);
    // The other organization's group of the same id, and its member, are untouched.
    let c = store.get_contact(other.id, theirs[0]).await.unwrap().unwrap();
    assert_eq!((c.version, c.groups.iter().copied().collect::<Vec<_>>()), (1, vec![g1]));
    assert!(store.load_catalog(other.id).await.unwrap().group(g1).is_some());
}

#[tokio::test]
async fn members_are_listed_by_id_once_each_active_only_and_paged() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let other = common::org(&store, 2).await;
    let [g0, g1] = o.groups;
    let both = members(&store, &o, &["m1", "m2", "m3", "m4", "m5"], &[g0, g1]).await;
    let only_g1 = members(&store, &o, &["n1"], &[g1]).await;
    members(&store, &o, &["outsider"], &[]).await;
    store.create_group(other.id, group(g0, "same id", None)).await.unwrap();
    members(&store, &other, &["x1", "x2"], &[g0, other.groups[1]]).await;
    soft_delete(store.pool(), o.id, both[1]).await;

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
