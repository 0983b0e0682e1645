//! What the PostgreSQL store does to be fast without changing what it stores (issue 4): an
//! update rewrites only the child tables whose rows changed, and the catalog is kept in memory
//! while the organization's `catalog_version` says it is current. Each test would fail if the
//! shortcut were taken when it must not be (stale catalog, lost child change) or never taken.

mod common;

use common::{full_contact, org};
use contacts_application::ports::{CatalogStore, ContactReader, ContactRef, ContactUpdate, UnitOfWork};
use contacts_domain::{Catalog, Topic};
use sqlx::PgPool;

const NOW: i64 = 1_700_000_000_000;

/// The transaction id that wrote each row of `table` for contact `id`, in position order.
async fn writers(pool: &PgPool, table: &str, id: i64) -> Vec<String> {
    sqlx::query_scalar(&format!("SELECT xmin::text FROM {table} WHERE contact_id = $1 ORDER BY position"))
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Inserts the fixture contact `x` (every child table has rows); its id.
async fn insert_one(store: &contacts_store_postgres::PgStore, o: &common::Org) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_contacts(o.id, &[full_contact(o, "x")], "t", NOW).await.unwrap()[0];
    tx.commit().await.unwrap();
    id
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_update_rewrites_only_the_child_tables_that_changed(pool: PgPool) {
    let store = common::store(pool.clone());
    let o = org(&store, 1).await;
    let id = insert_one(&store, &o).await;
    let tables = ["contact_paths", "contact_attributes", "contact_addresses", "contact_topics"];
    let mut before = Vec::new();
    for table in tables {
        let rows = writers(&pool, table, id).await;
        assert!(!rows.is_empty(), "the fixture has {table} rows");
        before.push(rows);
    }

    // Only the first name changes: no child row is rewritten.
    let mut tx = store.begin().await.unwrap();
    let stored = tx.lock_contacts(o.id, &[id], &[]).await.unwrap().pop().unwrap();
    let mut data = stored.data.clone();
    data.first_name = "Renamed".into();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 2, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (table, rows) in tables.iter().zip(&before) {
        assert_eq!(&writers(&pool, table, id).await, rows, "{table} was rewritten");
    }

    // A path value changes: that path row is written (in place), the other rows and tables are
    // not, and the read gives the new content whole.
    let mut tx = store.begin().await.unwrap();
    tx.lock_contacts(o.id, &[id], &[]).await.unwrap();
    data.paths[0].value = "changed@example.com".into();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 3, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let paths = writers(&pool, "contact_paths", id).await;
    assert_ne!(paths[0], before[0][0], "the changed path row was not written");
    assert_eq!(paths[1..], before[0][1..], "the unchanged path rows were rewritten");
    for (table, rows) in tables.iter().zip(&before).skip(1) {
        assert_eq!(&writers(&pool, table, id).await, rows, "{table} was rewritten");
    }
    assert_eq!(store.get_contact(o.id, id).await.unwrap().unwrap().data, data);

    // A contact the transaction did not lock: every table is rewritten (its rows are not known).
    let mut tx = store.begin().await.unwrap();
    data.topics.clear();
    tx.update_contacts(o.id, &[ContactUpdate { id, data: data.clone(), version: 4, digest: None }], "t", NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_ne!(writers(&pool, "contact_attributes", id).await, before[1]);
    assert!(writers(&pool, "contact_topics", id).await.is_empty());
    assert_eq!(store.get_contact(o.id, id).await.unwrap().unwrap().data, data);
}

/// Renames a topic with plain SQL, as another server sharing the database (or a person) would.
async fn rename_topic_by_hand(pool: &PgPool, org: i64, topic: i64, name: &str) {
    sqlx::query("UPDATE topics SET name = $3 WHERE organization_id = $1 AND id = $2")
        .bind(org)
        .bind(topic)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
}

/// The entries of a catalog, comparable.
fn entries(c: &Catalog) -> String {
    format!("{:?}", (&c.record_types, &c.groups, &c.attributes, &c.paths, &c.topics))
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_catalog_in_memory_follows_every_change_even_one_made_elsewhere(pool: PgPool) {
    let store = common::store(pool.clone());
    let o = org(&store, 1).await;
    let before = entries(&store.load_catalog(o.id).await.unwrap());
    assert_eq!(entries(&store.load_catalog(o.id).await.unwrap()), before, "the same catalog is read twice");

    // Through the store.
    let topic = store.create_topic(o.id, Topic { id: 0, name: "Storms".into() }).await.unwrap();
    assert!(store.load_catalog(o.id).await.unwrap().topics.iter().any(|t| t.id == topic.id));

    // By another server sharing the database, or by hand.
    rename_topic_by_hand(&pool, o.id, topic.id, "Floods").await;
    let catalog = store.load_catalog(o.id).await.unwrap();
    assert_eq!(catalog.topics.iter().find(|t| t.id == topic.id).map(|t| t.name.as_str()), Some("Floods"));
    sqlx::query("DELETE FROM topics WHERE organization_id = $1 AND id = $2")
        .bind(o.id)
        .bind(topic.id)
        .execute(&pool)
        .await
        .unwrap();
    assert!(!store.load_catalog(o.id).await.unwrap().topics.iter().any(|t| t.id == topic.id));
    assert_eq!(entries(&store.load_catalog(o.id).await.unwrap()), before);
}

/// A single read gives the contact and the catalog version of its snapshot; the catalog at that
/// version comes from memory, and a catalog changed since (through the store or by hand) is
/// read anew, never the one cached at an older version.
#[sqlx::test(migrations = "../../migrations")]
async fn a_contact_read_names_the_catalog_version_it_saw(pool: PgPool) {
    let store = common::store(pool.clone());
    let o = org(&store, 1).await;
    let id = insert_one(&store, &o).await;
    let in_table = || async {
        sqlx::query_scalar::<_, i64>("SELECT catalog_version FROM organizations WHERE id = $1")
            .bind(o.id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    for target in [ContactRef::Id(id), ContactRef::ExternalId("x".into())] {
        let (contact, version) = store.read_contact(o.id, &target).await.unwrap().expect("found");
        assert_eq!(contact, store.get_contact(o.id, id).await.unwrap().unwrap(), "{target}");
        assert_eq!(version, Some(in_table().await), "{target}");
    }
    let (_, v1) = store.read_contact(o.id, &ContactRef::Id(id)).await.unwrap().unwrap();
    assert_eq!(
        entries(&store.load_catalog_at(o.id, v1).await.unwrap()),
        entries(&store.load_catalog(o.id).await.unwrap())
    );

    let topic = store.create_topic(o.id, Topic { id: 0, name: "Storms".into() }).await.unwrap();
    let (_, v2) = store.read_contact(o.id, &ContactRef::Id(id)).await.unwrap().unwrap();
    assert_ne!(v2, v1, "a catalog change moves the version a read sees");
    let names = |c: &Catalog| c.topics.iter().find(|t| t.id == topic.id).map(|t| t.name.clone());
    assert_eq!(names(&store.load_catalog_at(o.id, v2).await.unwrap()).as_deref(), Some("Storms"));

    rename_topic_by_hand(&pool, o.id, topic.id, "Floods").await;
    let (_, v3) = store.read_contact(o.id, &ContactRef::Id(id)).await.unwrap().unwrap();
    assert_ne!(v3, v2);
    assert_eq!(names(&store.load_catalog_at(o.id, v3).await.unwrap()).as_deref(), Some("Floods"));
    // No version (a store that keeps none): the current catalog.
    assert_eq!(names(&store.load_catalog_at(o.id, None).await.unwrap()).as_deref(), Some("Floods"));

    assert!(store.read_contact(o.id, &ContactRef::Id(id + 1000)).await.unwrap().is_none());
    assert!(store.read_contact(o.id + 1, &ContactRef::Id(id)).await.unwrap().is_none(), "another organization's");
}
