//! Fixtures shared by the SQLite tests: a fresh database file per test, an organization with a
//! catalog, contacts that use every field, and a counter of the statements sqlx runs.
#![allow(dead_code)] // each test binary uses a part of it

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use contacts_application::ports::{CatalogStore, Directory};
use contacts_domain::{
    Address, ContactAttribute, ContactData, ContactPath, GeoPoint, Group, QuietTimeFrame, RecordType, Topic,
};
use contacts_store_sqlite::SqliteStore;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

pub const EMAIL_1: i64 = 241_901_148_045_316;
pub const MOBILE: i64 = 241_901_148_045_319;
pub const SMS: i64 = 241_901_148_045_324;

/// An organization and the ids of its catalog.
pub struct Org {
    pub id: i64,
    pub record_type: i64,
    pub groups: [i64; 2],
    pub attributes: [i64; 2],
    pub topics: [i64; 2],
}

/// Creates organization `id` with a record type, two groups, two attributes and two topics.
pub async fn org(store: &SqliteStore, id: i64) -> Org {
    let o = store.create_organization(Some(id), &format!("org {id}")).await.unwrap();
    let rt = store.create_record_type(o.id, RecordType { id: 0, name: "Contractor".into() }).await.unwrap();
    let mut groups = [0; 2];
    for (i, g) in groups.iter_mut().enumerate() {
        *g = store
            .create_group(o.id, Group { id: 0, name: format!("group{i}"), parent_id: None, description: None })
            .await
            .unwrap()
            .id;
    }
    let mut attributes = [0; 2];
    for (i, a) in attributes.iter_mut().enumerate() {
        let def = contacts_application::ports::attribute_def(
            0,
            &format!("attr{i}"),
            contacts_domain::AttributeDataType::String,
            vec![],
        );
        *a = store.create_attribute(o.id, def).await.unwrap().id;
    }
    let mut topics = [0; 2];
    for (i, t) in topics.iter_mut().enumerate() {
        *t = store.create_topic(o.id, Topic { id: 0, name: format!("topic{i}") }).await.unwrap().id;
    }
    Org { id: o.id, record_type: rt.id, groups, attributes, topics }
}

/// A contact using every field: paths out of id order (the order of preference must stay),
/// quiet time frames, attributes with several values, addresses with and without a GIS point,
/// topics.
pub fn full_contact(org: &Org, external_id: &str) -> ContactData {
    ContactData {
        external_id: external_id.to_owned(),
        first_name: "Ada".into(),
        last_name: format!("Lovelace {external_id}"),
        middle_initial: Some("K".into()),
        suffix: Some("Jr".into()),
        country: Some("GB".into()),
        business_name: Some("Analytical Engines".into()),
        timezone_id: Some("Europe/London".into()),
        language: Some("en".into()),
        preferred_language: Some("en-GB".into()),
        sso_user_id: Some("ada@sso".into()),
        security_pin: Some("1234".into()),
        account_id: Some(77),
        vip: Some(true),
        expatriate: Some(false),
        record_type_id: org.record_type,
        paths: vec![
            ContactPath {
                path_id: SMS,
                value: "+447700900123".into(),
                country_code: Some("GB".into()),
                phone_ext: Some("12".into()),
                wait_time: Some(5),
                path_enable: Some(true),
                skip_validation: Some(false),
                quiet_time_frames: vec![
                    QuietTimeFrame { days: vec![1, 7], from_hour: 22, from_min: 30, to_hour: 6, to_min: 0 },
                    QuietTimeFrame { days: vec![2, 3, 4], from_hour: 12, from_min: 0, to_hour: 13, to_min: 15 },
                ],
            },
            ContactPath {
                path_id: EMAIL_1,
                value: format!("{external_id}@example.com"),
                country_code: None,
                phone_ext: None,
                wait_time: None,
                path_enable: None,
                skip_validation: Some(true),
                quiet_time_frames: vec![],
            },
            ContactPath {
                path_id: MOBILE,
                value: "+17815551212".into(),
                country_code: Some("US".into()),
                phone_ext: None,
                wait_time: Some(0),
                path_enable: Some(false),
                skip_validation: None,
                quiet_time_frames: vec![],
            },
        ],
        attributes: vec![
            ContactAttribute { attribute_id: org.attributes[1], values: vec!["b".into(), "a".into()] },
            ContactAttribute { attribute_id: org.attributes[0], values: vec!["only".into()] },
        ],
        addresses: vec![
            Address {
                location_name: Some("Home".into()),
                street_address: Some("12 St James's Square".into()),
                suite: Some("2B".into()),
                city: Some("London".into()),
                state: None,
                postal_code: Some("SW1Y 4JH".into()),
                country: Some("GB".into()),
                gis_location: GeoPoint::new(51.5074, -0.1350),
            },
            Address { location_name: Some("Office".into()), ..Address::default() },
        ],
        topics: vec![org.topics[1], org.topics[0]],
    }
}

/// A contact with the required fields only.
pub fn bare_contact(org: &Org, external_id: &str) -> ContactData {
    ContactData {
        external_id: external_id.to_owned(),
        first_name: "Bare".into(),
        last_name: external_id.to_owned(),
        record_type_id: org.record_type,
        ..ContactData::default()
    }
}

/// A migrated store on a new database file, and the directory holding it (deleted when the
/// guard drops, so keep it alive as long as the store).
pub async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("contacts.db");
    let store = SqliteStore::open(path.to_str().expect("a UTF-8 path")).await.expect("open the database");
    store.migrate().await.expect("migrate");
    (store, dir)
}

/// Counts the statements sqlx runs (every statement is an event of target `sqlx::query`).
/// SQLite statements run on sqlx's worker threads, so the counter is process-wide: a test that
/// counts holds [`serial`] so that no other test of its binary runs statements meanwhile.
pub fn statements() -> &'static AtomicUsize {
    struct Count;
    impl<S: tracing::Subscriber> Layer<S> for Count {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                COUNT.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count))
            .expect("the only global subscriber of this test binary");
    });
    &COUNT
}

/// Runs the tests of a binary that counts statements one at a time.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    SERIAL.lock().await
}

/// The value of the counter of [`statements`], reset to 0.
pub fn take(count: &AtomicUsize) -> usize {
    count.swap(0, Ordering::SeqCst)
}

/// Waits until a writer of `store` waits for its turn (the write lock another holds).
pub async fn until_someone_waits_for_the_writer(store: &SqliteStore) {
    for _ in 0..100_000 {
        if store.queued_writers() > 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("nobody waited for the writer");
}
