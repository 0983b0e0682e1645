//! What only the tables show of catalog deletions: the references soft-deleted contacts held
//! to a deleted entry go with it, their other references stay. The rules of catalog updates
//! and deletions are the contract suite's (`tests/contract.rs`).

mod common;

use contacts_application::ports::{CatalogDeletion, CatalogKind, CatalogStore, UnitOfWork};

/// How many rows of `table` (a child table of contacts) reference `column = id` in `org`.
async fn references(pool: &sqlx::SqlitePool, table: &str, column: &str, org: i64, id: i64) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE organization_id = ?1 AND {column} = ?2"))
        .bind(org)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deleted_entry_takes_the_references_of_soft_deleted_contacts_with_it() {
    let (store, _dir) = common::store().await;
    let pool = store.pool().clone();
    let o = common::org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let contacts = [common::full_contact(&o, "a"), common::full_contact(&o, "b")];
    let ids = tx.insert_contacts(o.id, &contacts, "t", 1).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.delete_contacts(o.id, &ids, &[], "t", 2).await.unwrap().len(), 2);
    tx.commit().await.unwrap();

    for (kind, id) in [(CatalogKind::Attribute, o.attributes[0]), (CatalogKind::Path, common::SMS)] {
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::Deleted, "{kind:?}");
    }
    assert_eq!(store.delete_entry(o.id, CatalogKind::Topic, o.topics[1]).await.unwrap(), CatalogDeletion::Deleted);
    assert_eq!(references(&pool, "contact_attributes", "attribute_id", o.id, o.attributes[0]).await, 0);
    assert_eq!(references(&pool, "contact_paths", "path_id", o.id, common::SMS).await, 0);
    assert_eq!(references(&pool, "contact_topics", "topic_id", o.id, o.topics[1]).await, 0);
    // Their other references are kept.
    assert_eq!(references(&pool, "contact_topics", "topic_id", o.id, o.topics[0]).await, 2);
    assert_eq!(references(&pool, "contact_attributes", "attribute_id", o.id, o.attributes[1]).await, 2);
}
