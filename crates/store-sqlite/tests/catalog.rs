//! Organizations, their catalog and users, on a database per test.

mod common;

use contacts_application::auth::Role;
use contacts_application::ports::{path_def, CatalogStore, Directory};
use contacts_application::StoreError;
use contacts_domain::{Group, PathType, RecordType, Topic, WELL_KNOWN_PATHS};

fn topic(id: i64, name: &str) -> Topic {
    Topic { id, name: name.into() }
}

fn group(id: i64, name: &str, parent_id: Option<i64>) -> Group {
    Group { id, name: name.into(), parent_id, description: Some(format!("{name} description")) }
}

#[tokio::test]
async fn a_new_organization_has_employee_and_the_well_known_paths() {
    let (store, _dir) = common::store().await;
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

#[tokio::test]
async fn organizations_take_explicit_or_generated_ids() {
    let (store, _dir) = common::store().await;
    let explicit = store.create_organization(Some(1000), "given").await.unwrap();
    assert_eq!(explicit.id, 1000);
    let generated = store.create_organization(None, "generated").await.unwrap();
    assert!(generated.id > 1000, "{}", generated.id);
    let err = store.create_organization(Some(1000), "again").await;
    assert!(matches!(&err, Err(StoreError::Duplicate(m)) if m.contains("1000")), "{err:?}");
    // The failed create left nothing behind: the first one's catalog is intact.
    assert_eq!(store.load_catalog(1000).await.unwrap().paths.len(), 6);
}

#[tokio::test]
async fn catalog_entries_take_explicit_or_generated_ids() {
    let (store, _dir) = common::store().await;
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
            contacts_application::ports::attribute_def(
                1_509_768_514_502_692,
                "attr1",
                contacts_domain::AttributeDataType::Number,
                vec!["1".into(), "2".into()],
            ),
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

#[tokio::test]
async fn duplicate_ids_and_names_are_refused() {
    let (store, _dir) = common::store().await;
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

#[tokio::test]
async fn an_unknown_parent_group_is_a_missing_reference() {
    let (store, _dir) = common::store().await;
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let other = store.create_organization(None, "Other").await.unwrap().id;
    let foreign = store.create_group(other, group(0, "theirs", None)).await.unwrap();
    let err = store.create_group(org, group(0, "orphan", Some(foreign.id))).await;
    assert!(matches!(&err, Err(StoreError::MissingReference(m)) if m.contains("parent group")), "{err:?}");
}

#[tokio::test]
async fn a_generated_id_skips_an_explicit_one_the_sequence_did_not_see() {
    let (store, _dir) = common::store().await;
    let org = store.create_organization(None, "Acme").await.unwrap().id;
    let explicit = store.create_topic(org, topic(9_000_000_000_000_000, "given")).await.unwrap();
    let next = store.create_topic(org, topic(0, "next")).await.unwrap();
    assert!(next.id > explicit.id, "{} > {}", next.id, explicit.id);

    // A counter below an explicit id (as two concurrent bumps can leave PostgreSQL's
    // sequence): simulate it.
    sqlx::query("UPDATE id_sequences SET last_value = ?1 WHERE name = 'catalog'")
        .bind(explicit.id - 1)
        .execute(store.pool())
        .await
        .unwrap();
    // The next values, X and X + 1, are taken ("given" and "next"): both are skipped.
    let after = store.create_topic(org, topic(0, "after")).await.unwrap();
    assert_eq!(after.id, explicit.id + 2);
    assert_eq!(next.id, explicit.id + 1);
}

#[tokio::test]
async fn users_are_upserted_with_their_grants() {
    let (store, _dir) = common::store().await;
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

#[tokio::test]
async fn the_store_answers_ping() {
    let (store, _dir) = common::store().await;
    assert!(store.ping().await);
    // Migrating an up-to-date database is a no-op.
    store.migrate().await.unwrap();
}

#[tokio::test]
async fn an_in_memory_database_holds_its_data_across_calls() {
    let store = contacts_store_sqlite::SqliteStore::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let org = store.create_organization(None, "Acme").await.unwrap();
    store.create_topic(org.id, topic(0, "weather")).await.unwrap();
    let catalog = store.load_catalog(org.id).await.unwrap();
    assert_eq!((catalog.paths.len(), catalog.topics.len()), (6, 1));
    assert!(store.ping().await);
}
