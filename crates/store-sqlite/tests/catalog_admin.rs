//! Updates and deletions of catalog entries on SQLite, a database per test: ids stay,
//! entries that active contacts use are never deleted (nor changed so that their values become
//! invalid), and another organization's entries are never touched.

mod common;

use contacts_application::ports::{
    attribute_def, path_def, CatalogDeletion, CatalogKind, CatalogStore, CatalogUpdate, ContactReader, Directory,
    UnitOfWork,
};
use contacts_application::StoreError;
use contacts_domain::{AttributeDataType, ContactAttribute, PathType, RecordType, Topic};
use contacts_store_sqlite::SqliteStore;

/// Inserts `data` in `org`; returns the ids.
async fn insert(store: &SqliteStore, org: i64, data: Vec<contacts_domain::ContactData>) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(org, &data, "test", 1).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn soft_delete(pool: &sqlx::SqlitePool, org: i64, ids: &[i64]) {
    sqlx::query(
        "UPDATE contacts SET status = 'D', deleted_external_id = external_id, external_id = NULL \
         WHERE organization_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
    )
    .bind(org)
    .bind(serde_json::to_string(ids).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

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
async fn renames_keep_ids_and_refuse_taken_names() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let other = common::org(&store, 2).await;
    let rt = RecordType { id: o.record_type, name: "Staff".into() };
    assert_eq!(store.update_record_type(o.id, rt.clone()).await.unwrap(), CatalogUpdate::Updated(rt));
    let t = Topic { id: o.topics[0], name: "renamed".into() };
    assert_eq!(store.update_topic(o.id, t.clone()).await.unwrap(), CatalogUpdate::Updated(t));
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert_eq!(catalog.record_type(o.record_type).unwrap().name, "Staff");
    assert_eq!(catalog.topic(o.topics[0]).unwrap().name, "renamed");

    let e = store.update_record_type(o.id, RecordType { id: o.record_type, name: "Employee".into() }).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(m)) if m.contains("name")), "{e:?}");
    let e = store.update_topic(o.id, Topic { id: o.topics[0], name: "topic1".into() }).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(_))), "{e:?}");
    let e = store.update_path(o.id, path_def(common::MOBILE, "SMS 1", PathType::Phone)).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(m)) if m.contains("prompt")), "{e:?}");

    // Another organization's ids are not found here, and stay as they were.
    let missing = store.update_topic(o.id, Topic { id: other.topics[0], name: "x".into() }).await.unwrap();
    assert_eq!(missing, CatalogUpdate::NotFound);
    let missing = store.update_record_type(o.id, RecordType { id: other.record_type, name: "x".into() }).await;
    assert_eq!(missing.unwrap(), CatalogUpdate::NotFound);
    let missing =
        store.update_attribute(o.id, attribute_def(other.attributes[0], "x", AttributeDataType::String, vec![]));
    assert_eq!(missing.await.unwrap(), CatalogUpdate::NotFound);
    assert_eq!(store.update_path(o.id, path_def(4242, "x", PathType::Sms)).await.unwrap(), CatalogUpdate::NotFound);
    let theirs = store.load_catalog(other.id).await.unwrap();
    assert_eq!(theirs.topic(other.topics[0]).unwrap().name, "topic0");
    assert_eq!(theirs.record_type(other.record_type).unwrap().name, "Contractor");
}

#[tokio::test]
async fn an_entry_active_contacts_use_is_not_deleted() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let ids = insert(&store, o.id, vec![common::full_contact(&o, "a"), common::full_contact(&o, "b")]).await;
    let used = [
        (CatalogKind::RecordType, o.record_type),
        (CatalogKind::Attribute, o.attributes[0]),
        (CatalogKind::Path, common::SMS),
        (CatalogKind::Topic, o.topics[1]),
    ];
    for (kind, id) in used {
        let outcome = store.delete_entry(o.id, kind, id).await.unwrap();
        assert_eq!(outcome, CatalogDeletion::InUse { contacts: 2, deleted_contacts: 0 }, "{kind:?}");
    }
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.record_type(o.record_type).is_some() && catalog.attribute(o.attributes[0]).is_some());
    assert!(catalog.path(common::SMS).is_some() && catalog.topic(o.topics[1]).is_some());
    assert_eq!(store.get_contact(o.id, ids[0]).await.unwrap().unwrap().data, common::full_contact(&o, "a"));

    // Once the contacts are soft-deleted, their references go with the entry; a record type
    // they have stays.
    soft_delete(store.pool(), o.id, &ids).await;
    for (kind, id) in &used[1..] {
        assert_eq!(store.delete_entry(o.id, *kind, *id).await.unwrap(), CatalogDeletion::Deleted, "{kind:?}");
    }
    assert_eq!(references(store.pool(), "contact_attributes", "attribute_id", o.id, o.attributes[0]).await, 0);
    assert_eq!(references(store.pool(), "contact_paths", "path_id", o.id, common::SMS).await, 0);
    assert_eq!(references(store.pool(), "contact_topics", "topic_id", o.id, o.topics[1]).await, 0);
    // Their other references are kept.
    assert_eq!(references(store.pool(), "contact_topics", "topic_id", o.id, o.topics[0]).await, 2);
    let outcome = store.delete_entry(o.id, CatalogKind::RecordType, o.record_type).await.unwrap();
    assert_eq!(outcome, CatalogDeletion::InUse { contacts: 0, deleted_contacts: 2 });
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.attribute(o.attributes[0]).is_none() && catalog.path(common::SMS).is_none());
    assert!(catalog.topic(o.topics[1]).is_none() && catalog.record_type(o.record_type).is_some());
}

#[tokio::test]
async fn unused_entries_are_deleted_in_their_organization_only() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let other = common::org(&store, 2).await;
    // The other organization uses its entries, of the same ids where ids are chosen.
    store.create_topic(other.id, Topic { id: o.topics[0], name: "same id".into() }).await.unwrap();
    let mut theirs = common::full_contact(&other, "x");
    theirs.topics.push(o.topics[0]);
    insert(&store, other.id, vec![theirs]).await;

    for (kind, id) in [
        (CatalogKind::RecordType, o.record_type),
        (CatalogKind::Attribute, o.attributes[0]),
        (CatalogKind::Path, common::SMS),
        (CatalogKind::Topic, o.topics[0]),
    ] {
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::Deleted, "{kind:?}");
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::NotFound, "{kind:?}");
    }
    for (kind, id) in [(CatalogKind::Topic, other.topics[0]), (CatalogKind::Attribute, other.attributes[0])] {
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::NotFound, "{kind:?}");
    }
    let catalog = store.load_catalog(other.id).await.unwrap();
    assert!(catalog.path(common::SMS).is_some() && catalog.topic(o.topics[0]).is_some());
    assert!(catalog.topic(other.topics[0]).is_some() && catalog.attribute(other.attributes[0]).is_some());
}

#[tokio::test]
async fn an_attribute_change_that_would_invalidate_stored_values_is_refused() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    let attr = o.attributes[0];
    let with_values = |e: &str, values: &[&str]| {
        let mut c = common::bare_contact(&o, e);
        c.attributes =
            vec![ContactAttribute { attribute_id: attr, values: values.iter().map(|v| v.to_string()).collect() }];
        c
    };
    let ids = insert(
        &store,
        o.id,
        vec![
            with_values("a", &["1", "2"]),
            with_values("b", &["2"]),
            with_values("c", &["x", "3"]),
            with_values("d", &["y"]),
        ],
    )
    .await;

    let number = attribute_def(attr, "attr0", AttributeDataType::Number, vec![]);
    let outcome = store.update_attribute(o.id, number.clone()).await.unwrap();
    assert_eq!(outcome, CatalogUpdate::Incompatible { contacts: 2, values: vec!["x".into(), "y".into()] });
    let limited = attribute_def(attr, "attr0", AttributeDataType::String, vec!["1".into(), "2".into(), "x".into()]);
    let outcome = store.update_attribute(o.id, limited).await.unwrap();
    assert_eq!(outcome, CatalogUpdate::Incompatible { contacts: 2, values: vec!["3".into(), "y".into()] });
    assert_eq!(store.load_catalog(o.id).await.unwrap().attribute(attr).unwrap().data_type, AttributeDataType::String);

    // Soft-deleted contacts do not count; a definition that allows every value held is applied.
    soft_delete(store.pool(), o.id, &ids[2..]).await;
    let renamed = attribute_def(attr, "floor", AttributeDataType::Number, vec!["1".into(), "2".into()]);
    assert_eq!(store.update_attribute(o.id, renamed.clone()).await.unwrap(), CatalogUpdate::Updated(renamed.clone()));
    assert_eq!(store.load_catalog(o.id).await.unwrap().attribute(attr), Some(&renamed));
    let e = store.update_attribute(o.id, attribute_def(attr, "attr1", AttributeDataType::String, vec![])).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(_))), "{e:?}");
}

#[tokio::test]
async fn a_path_in_use_keeps_its_type_but_may_be_renamed() {
    let (store, _dir) = common::store().await;
    let o = common::org(&store, 1).await;
    insert(&store, o.id, vec![common::full_contact(&o, "a")]).await;
    let outcome = store.update_path(o.id, path_def(common::SMS, "SMS 1", PathType::Email)).await.unwrap();
    assert_eq!(outcome, CatalogUpdate::Incompatible { contacts: 1, values: vec![] });
    let renamed = path_def(common::SMS, "Text", PathType::Sms);
    assert_eq!(store.update_path(o.id, renamed.clone()).await.unwrap(), CatalogUpdate::Updated(renamed.clone()));
    // An unused path may change its type.
    let home = path_def(241_901_148_045_320, "Home", PathType::Sms);
    assert_eq!(store.update_path(o.id, home.clone()).await.unwrap(), CatalogUpdate::Updated(home.clone()));
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert_eq!((catalog.path(common::SMS), catalog.path(home.path_id)), (Some(&renamed), Some(&home)));
}

#[tokio::test]
async fn organizations_are_read_by_ids() {
    let (store, _dir) = common::store().await;
    store.create_organization(Some(3), "Three").await.unwrap();
    store.create_organization(Some(1), "One").await.unwrap();
    let found = store.organizations(&[3, 1, 99]).await.unwrap();
    let found: Vec<(i64, &str)> = found.iter().map(|o| (o.id, o.name.as_str())).collect();
    assert_eq!(found, vec![(1, "One"), (3, "Three")]);
    assert!(store.organizations(&[]).await.unwrap().is_empty());
}
