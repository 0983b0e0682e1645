//! What only the tables show of a group deletion: every membership of the group goes, those
//! of soft-deleted contacts too. The rules of groups are the contract suite's
//! (`tests/contract.rs`).

mod common;

use contacts_application::ports::{Actor, GroupDeletion, GroupStore, UnitOfWork};
use sqlx::PgPool;

async fn memberships_of(pool: &PgPool, org: i64, group: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM group_members WHERE organization_id = $1 AND group_id = $2")
        .bind(org)
        .bind(group)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_a_group_removes_every_membership_of_it(pool: PgPool) {
    let store = common::store(pool.clone());
    let o = common::org(&store, 1).await;
    let [g0, g1] = o.groups;
    let mut tx = store.begin().await.unwrap();
    let data: Vec<_> = ["a", "b", "c"].iter().map(|e| common::bare_contact(&o, e)).collect();
    let ids = tx.insert_contacts(o.id, &data, "test", 1).await.unwrap();
    let memberships: Vec<(i64, i64)> = ids.iter().flat_map(|c| [(g0, *c), (g1, *c)]).collect();
    tx.add_memberships(o.id, &memberships).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.delete_contacts(o.id, &ids[2..], &[], "test", 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(memberships_of(&pool, o.id, g1).await, 3);

    assert_eq!(
        store.delete_group(o.id, g1, &Actor::named("admin"), 5).await.unwrap(),
        GroupDeletion::Deleted { members: 2 }
    );
    assert_eq!(memberships_of(&pool, o.id, g1).await, 0);
    // The soft-deleted contact keeps its other memberships, for a restore.
    assert_eq!(memberships_of(&pool, o.id, g0).await, 3);
}
