//! Organizations, their catalog and users.

use std::sync::Arc;

use contacts_application::auth::Role;
use contacts_application::ports::{attribute_def, path_def};
use contacts_application::StoreError;
use contacts_domain::{AttributeDataType, Group, PathType, RecordType, Topic, WELL_KNOWN_PATHS};

use crate::TestStore;

fn topic(id: i64, name: &str) -> Topic {
    Topic { id, name: name.into() }
}

fn group(id: i64, name: &str, parent_id: Option<i64>) -> Group {
    Group { id, name: name.into(), parent_id, description: Some(format!("{name} description")) }
}

/// A new organization is seeded with the record type `Employee` (its well-known id) and the
/// six well-known contact paths.
pub async fn a_new_organization_has_employee_and_the_well_known_paths<S: TestStore>(store: Arc<S>) {
    let org = store.create_organization(None, "Acme").await.unwrap();
    assert!(org.id > 0);
    assert_eq!(store.organization(org.id).await.unwrap(), Some(org.clone()));
    assert_eq!(store.organization(org.id + 1).await.unwrap(), None);

    let catalog = store.load_catalog(org.id).await.unwrap();
    assert_eq!(catalog.record_types.len(), 1);
    assert_eq!(catalog.record_types[0].name, "Employee");
    assert_eq!(catalog.record_types[0].id, contacts_domain::DEFAULT_RECORD_TYPE_ID);
    assert!(catalog.record_types[0].id > 0);
    assert_eq!(catalog.paths.len(), 6);
    for (id, prompt, path_type) in WELL_KNOWN_PATHS {
        let path = catalog.path(id).expect("well-known path");
        assert_eq!((path.prompt.as_str(), path.path_type), (prompt, path_type));
    }
}

/// An organization takes the id given, or a generated one past it; a taken id is a duplicate
/// and the failed create leaves nothing behind.
pub async fn organizations_take_explicit_or_generated_ids<S: TestStore>(store: Arc<S>) {
    let explicit = store.create_organization(Some(1000), "given").await.unwrap();
    assert_eq!(explicit.id, 1000);
    let generated = store.create_organization(None, "generated").await.unwrap();
    assert!(generated.id > 1000, "{}", generated.id);
    let err = store.create_organization(Some(1000), "again").await;
    assert!(matches!(&err, Err(StoreError::Duplicate(m)) if m.contains("1000")), "{err:?}");
    // The failed create left nothing behind: the first one's catalog is intact.
    assert_eq!(store.load_catalog(1000).await.unwrap().paths.len(), 6);
}

/// `organizations` answers the existing ones among the ids asked, by id.
pub async fn organizations_are_read_by_ids<S: TestStore>(store: Arc<S>) {
    store.create_organization(Some(3), "Three").await.unwrap();
    store.create_organization(Some(1), "One").await.unwrap();
    let found = store.organizations(&[3, 1, 99]).await.unwrap();
    let found: Vec<(i64, &str)> = found.iter().map(|o| (o.id, o.name.as_str())).collect();
    assert_eq!(found, vec![(1, "One"), (3, "Three")]);
    assert!(store.organizations(&[]).await.unwrap().is_empty());
}

/// Every kind of catalog entry takes the id given, or (id 0) a generated one past every id
/// given so far.
pub async fn catalog_entries_take_explicit_or_generated_ids<S: TestStore>(store: Arc<S>) {
    let org = store.create_organization(None, "Acme").await.unwrap().id;

    let rt = RecordType { id: 1_533_823_015_714_818, name: "Staff".into() };
    assert_eq!(store.create_record_type(org, rt.clone()).await.unwrap(), rt);
    for id in 1..=3 {
        let g = store.create_group(org, group(id, &format!("group{id}"), None)).await.unwrap();
        assert_eq!(g.id, id);
    }
    let child = store.create_group(org, group(0, "child", Some(2))).await.unwrap();
    assert!(child.id > 3);
    let attr = store
        .create_attribute(
            org,
            attribute_def(1_509_768_514_502_692, "attr1", AttributeDataType::Number, vec!["1".into(), "2".into()]),
        )
        .await
        .unwrap();
    let path = store.create_path(org, path_def(0, "Pager", PathType::Pager)).await.unwrap();
    let t = store.create_topic(org, topic(0, "weather")).await.unwrap();

    let catalog = store.load_catalog(org).await.unwrap();
    assert_eq!(catalog.record_type_named("Staff"), Some(&rt));
    assert_eq!(catalog.group(child.id), Some(&child));
    assert_eq!(catalog.group_named("group2").map(|g| g.id), Some(2));
    assert_eq!(catalog.attribute(attr.id), Some(&attr));
    assert_eq!(catalog.path_prompted("Pager"), Some(&path));
    assert_eq!(catalog.topic(t.id), Some(&t));
    // Generated ids are past every explicit one given so far.
    assert!(path.path_id > WELL_KNOWN_PATHS[5].0);
    assert!(t.id > attr.id && t.id > rt.id);
}

/// A generated id is past an explicit one given just before, even a very large one.
pub async fn a_generated_id_is_past_an_explicit_one<S: TestStore>(store: Arc<S>) {
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let explicit = store.create_topic(org, topic(9_000_000_000_000_000, "given")).await.unwrap();
    assert_eq!(explicit.id, 9_000_000_000_000_000);
    let next = store.create_topic(org, topic(0, "next")).await.unwrap();
    assert!(next.id > explicit.id, "{} > {}", next.id, explicit.id);
    let after = store.create_group(org, group(0, "after", None)).await.unwrap();
    assert!(after.id > next.id, "{} > {}", after.id, next.id);
}

/// Ids and names (prompts for paths) are unique per organization, and only there.
pub async fn duplicate_ids_and_names_are_refused<S: TestStore>(store: Arc<S>) {
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let other = store.create_organization(None, "Other").await.unwrap().id;
    store.create_topic(org, topic(5, "weather")).await.unwrap();

    let dup_id = store.create_topic(org, topic(5, "traffic")).await;
    assert!(matches!(&dup_id, Err(StoreError::Duplicate(m)) if m.contains("id is already taken")), "{dup_id:?}");
    let dup_name = store.create_topic(org, topic(0, "weather")).await;
    assert!(matches!(&dup_name, Err(StoreError::Duplicate(m)) if m.contains("name is already taken")), "{dup_name:?}");
    let dup_prompt = store.create_path(org, path_def(0, "SMS 1", PathType::Sms)).await;
    assert!(matches!(&dup_prompt, Err(StoreError::Duplicate(m)) if m.contains("prompt")), "{dup_prompt:?}");
    let dup_path = store.create_path(org, path_def(WELL_KNOWN_PATHS[0].0, "Mail", PathType::Email)).await;
    assert!(matches!(dup_path, Err(StoreError::Duplicate(_))));
    let dup_record_type = store.create_record_type(org, RecordType { id: 0, name: "Employee".into() }).await;
    assert!(matches!(dup_record_type, Err(StoreError::Duplicate(_))));
    // Ids and names are unique per organization only.
    store.create_topic(other, topic(5, "weather")).await.unwrap();
}

/// A parent group must be a group of the same organization.
pub async fn an_unknown_parent_group_is_a_missing_reference<S: TestStore>(store: Arc<S>) {
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let other = store.create_organization(None, "Other").await.unwrap().id;
    let foreign = store.create_group(other, group(0, "theirs", None)).await.unwrap();
    let err = store.create_group(org, group(0, "orphan", Some(foreign.id))).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("parent group")), "{err:?}");
}

/// A user is created once, its password changed and its grants merged by later upserts; a
/// grant on an unknown organization creates nothing.
pub async fn users_are_upserted_with_their_grants<S: TestStore>(store: Arc<S>) {
    let a = store.create_organization(None, "A").await.unwrap().id;
    let b = store.create_organization(None, "B").await.unwrap().id;
    assert_eq!(store.find_user("ada").await.unwrap(), None);

    let id = store.upsert_user("ada", "hash1", a, Role::Viewer).await.unwrap();
    let again = store.upsert_user("ada", "hash2", b, Role::Editor).await.unwrap();
    assert_eq!(id, again);
    store.upsert_user("ada", "hash3", a, Role::Admin).await.unwrap();

    let user = store.find_user("ada").await.unwrap().unwrap();
    assert_eq!(user.id, id);
    assert_eq!(user.password_hash, "hash3");
    let mut grants = user.grants.clone();
    grants.sort();
    let mut expected = vec![(a, Role::Admin), (b, Role::Editor)];
    expected.sort();
    assert_eq!(grants, expected);

    let err = store.upsert_user("bob", "h", a + b + 1, Role::Viewer).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("organization")), "{err:?}");
    // The failed grant did not leave a user without it behind.
    assert_eq!(store.find_user("bob").await.unwrap(), None);
}
