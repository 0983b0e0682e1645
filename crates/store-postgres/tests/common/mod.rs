//! Fixtures shared by the PostgreSQL tests: an organization with a catalog, contacts that use
//! every field, and a counter of the statements sqlx sends.
#![allow(dead_code)] // each test binary uses a part of it

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use contacts_application::ports::{CatalogStore, Directory};
use contacts_domain::{
    Address, ContactAttribute, ContactData, ContactPath, GeoPoint, Group, QuietTimeFrame, RecordType, Topic,
};
use contacts_store_postgres::PgStore;
use sqlx::PgPool;
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
pub async fn org(store: &PgStore, id: i64) -> Org {
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

pub fn store(pool: PgPool) -> PgStore {
    PgStore::from_pool(pool)
}

/// Counts the statements sqlx runs on this thread (every statement is an event of target
/// `sqlx::query`) while the returned guard lives. `#[sqlx::test]` runs on a current-thread
/// runtime, so every query of the test runs on this thread.
pub fn count_statements() -> (Arc<AtomicUsize>, tracing::subscriber::DefaultGuard) {
    struct Count(Arc<AtomicUsize>);
    impl<S: tracing::Subscriber> Layer<S> for Count {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(Count(count.clone()));
    (count, tracing::subscriber::set_default(subscriber))
}

/// The value of a counter from [`count_statements`], reset to 0.
pub fn take(count: &AtomicUsize) -> usize {
    count.swap(0, Ordering::SeqCst)
}
