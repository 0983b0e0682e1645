//! Updates and deletions of catalog entries: ids stay, entries that active contacts use are
//! never deleted (nor changed so that their values become invalid), and another
//! organization's entries are never touched.

use std::sync::Arc;

use contacts_application::ports::{attribute_def, path_def, CatalogDeletion, CatalogKind, CatalogUpdate};
use contacts_application::StoreError;
use contacts_domain::{AttributeDataType, ContactAttribute, PathType, RecordType, Topic};

use crate::fixtures::{bare_contact, full_contact, get, insert, org, soft_delete, MOBILE, SMS};
use crate::TestStore;

/// Renames keep ids and refuse a name (prompt) another entry of the organization has; another
/// organization's ids are not found and stay as they were.
pub async fn renames_keep_ids_and_refuse_taken_names<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
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
    let e = store.update_path(o.id, path_def(MOBILE, "SMS 1", PathType::Phone)).await;
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

/// An entry that active contacts use is not deleted; once they are soft-deleted, a path,
/// attribute or topic goes (with their references), a record type stays.
pub async fn an_entry_active_contacts_use_is_not_deleted<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[full_contact(&o, "a"), full_contact(&o, "b")]).await;
    let used = [
        (CatalogKind::RecordType, o.record_type),
        (CatalogKind::Attribute, o.attributes[0]),
        (CatalogKind::Path, SMS),
        (CatalogKind::Topic, o.topics[1]),
    ];
    for (kind, id) in used {
        let outcome = store.delete_entry(o.id, kind, id).await.unwrap();
        assert_eq!(outcome, CatalogDeletion::InUse { contacts: 2, deleted_contacts: 0 }, "{kind:?}");
    }
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.record_type(o.record_type).is_some() && catalog.attribute(o.attributes[0]).is_some());
    assert!(catalog.path(SMS).is_some() && catalog.topic(o.topics[1]).is_some());
    assert_eq!(get(&*store, o.id, ids[0]).await.data, full_contact(&o, "a"));

    // Once the contacts are soft-deleted, their references go with the entry; a record type
    // they have stays.
    assert_eq!(soft_delete(&*store, o.id, &ids).await.len(), 2);
    for (kind, id) in &used[1..] {
        assert_eq!(store.delete_entry(o.id, *kind, *id).await.unwrap(), CatalogDeletion::Deleted, "{kind:?}");
    }
    let outcome = store.delete_entry(o.id, CatalogKind::RecordType, o.record_type).await.unwrap();
    assert_eq!(outcome, CatalogDeletion::InUse { contacts: 0, deleted_contacts: 2 });
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert!(catalog.attribute(o.attributes[0]).is_none() && catalog.path(SMS).is_none());
    assert!(catalog.topic(o.topics[1]).is_none() && catalog.record_type(o.record_type).is_some());
}

/// Unused entries are deleted (then not found), in their organization only, even when the
/// other organization uses entries of the same ids.
pub async fn unused_entries_are_deleted_in_their_organization_only<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    // The other organization uses its entries, of the same ids where ids are chosen.
    store.create_topic(other.id, Topic { id: o.topics[0], name: "same id".into() }).await.unwrap();
    let mut theirs = full_contact(&other, "x");
    theirs.topics.push(o.topics[0]);
    insert(&*store, other.id, &[theirs]).await;

    for (kind, id) in [
        (CatalogKind::RecordType, o.record_type),
        (CatalogKind::Attribute, o.attributes[0]),
        (CatalogKind::Path, SMS),
        (CatalogKind::Topic, o.topics[0]),
    ] {
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::Deleted, "{kind:?}");
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::NotFound, "{kind:?}");
    }
    for (kind, id) in [(CatalogKind::Topic, other.topics[0]), (CatalogKind::Attribute, other.attributes[0])] {
        assert_eq!(store.delete_entry(o.id, kind, id).await.unwrap(), CatalogDeletion::NotFound, "{kind:?}");
    }
    let catalog = store.load_catalog(other.id).await.unwrap();
    assert!(catalog.path(SMS).is_some() && catalog.topic(o.topics[0]).is_some());
    assert!(catalog.topic(other.topics[0]).is_some() && catalog.attribute(other.attributes[0]).is_some());
}

/// An attribute definition that would make values held by active contacts invalid is refused
/// with how many contacts hold such values (and some of them); soft-deleted contacts do not
/// count.
pub async fn an_attribute_change_that_would_invalidate_stored_values_is_refused<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let attr = o.attributes[0];
    let with_values = |e: &str, values: &[&str]| {
        let mut c = bare_contact(&o, e);
        c.attributes =
            vec![ContactAttribute { attribute_id: attr, values: values.iter().map(|v| v.to_string()).collect() }];
        c
    };
    let ids = insert(
        &*store,
        o.id,
        &[
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
    soft_delete(&*store, o.id, &ids[2..]).await;
    let renamed = attribute_def(attr, "floor", AttributeDataType::Number, vec!["1".into(), "2".into()]);
    assert_eq!(store.update_attribute(o.id, renamed.clone()).await.unwrap(), CatalogUpdate::Updated(renamed.clone()));
    assert_eq!(store.load_catalog(o.id).await.unwrap().attribute(attr), Some(&renamed));
    let e = store.update_attribute(o.id, attribute_def(attr, "attr1", AttributeDataType::String, vec![])).await;
    assert!(matches!(&e, Err(StoreError::Duplicate(_))), "{e:?}");
}

/// A path that active contacts use keeps its type but may be renamed; an unused one may
/// change its type.
pub async fn a_path_in_use_keeps_its_type_but_may_be_renamed<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    insert(&*store, o.id, &[full_contact(&o, "a")]).await;
    let outcome = store.update_path(o.id, path_def(SMS, "SMS 1", PathType::Email)).await.unwrap();
    assert_eq!(outcome, CatalogUpdate::Incompatible { contacts: 1, values: vec![] });
    let renamed = path_def(SMS, "Text", PathType::Sms);
    assert_eq!(store.update_path(o.id, renamed.clone()).await.unwrap(), CatalogUpdate::Updated(renamed.clone()));
    // An unused path may change its type.
    let home = path_def(241_901_148_045_320, "Home", PathType::Sms);
    assert_eq!(store.update_path(o.id, home.clone()).await.unwrap(), CatalogUpdate::Updated(home.clone()));
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert_eq!((catalog.path(SMS), catalog.path(home.path_id)), (Some(&renamed), Some(&home)));
}
