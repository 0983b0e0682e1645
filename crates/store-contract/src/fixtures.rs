//! Fixtures shared by the cases: an organization with a catalog, contacts that use every
//! field, and short-hands for the port calls the cases repeat.

use contacts_application::ports::{
    attribute_def, CatalogStore, ContactReader, ContactTx, ContactUpdate, DeletedContact, Directory, HistoryRecord,
    Operation, UnitOfWork,
};
use contacts_application::StoreError;
use contacts_domain::{
    Address, AttributeDataType, Contact, ContactAttribute, ContactData, ContactPath, GeoPoint, Group, QuietTimeFrame,
    RecordType, Topic,
};

/// Well-known contact paths every organization is seeded with.
pub const EMAIL_1: i64 = 241_901_148_045_316;
pub const MOBILE: i64 = 241_901_148_045_319;
pub const SMS: i64 = 241_901_148_045_324;

/// A timestamp (epoch milliseconds) for the writes of the cases.
pub const NOW: i64 = 1_700_000_000_000;

/// An organization and the ids of its catalog.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: i64,
    pub record_type: i64,
    pub groups: [i64; 2],
    pub attributes: [i64; 2],
    pub topics: [i64; 2],
}

/// Creates organization `id` with a record type (`Contractor`), two groups (`group0`,
/// `group1`), two string attributes (`attr0`, `attr1`) and two topics (`topic0`, `topic1`), all
/// with generated ids.
pub async fn org<S: Directory + CatalogStore + ?Sized>(store: &S, id: i64) -> Org {
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
        let def = attribute_def(0, &format!("attr{i}"), AttributeDataType::String, vec![]);
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
        registered_email: Some("ada@umail.example.edu".into()),
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
                    QuietTimeFrame {
                        name: Some("MWF 9-5".into()),
                        days: vec![1, 7],
                        from_hour: 22,
                        from_min: 30,
                        to_hour: 6,
                        to_min: 0,
                    },
                    QuietTimeFrame {
                        name: None,
                        days: vec![2, 3, 4],
                        from_hour: 12,
                        from_min: 0,
                        to_hour: 13,
                        to_min: 15,
                    },
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

/// Begins a unit of work. (`begin` alone is ambiguous on a [`crate::TestStore`]: the
/// idempotency port has one too.)
pub async fn begin<S: UnitOfWork + ?Sized>(store: &S) -> Box<dyn ContactTx> {
    UnitOfWork::begin(store).await.unwrap()
}

/// Inserts `contacts` into `org` at `now` in a unit of work of its own; returns their ids.
pub async fn insert_at<S: UnitOfWork + ?Sized>(store: &S, org: i64, contacts: &[ContactData], now: i64) -> Vec<i64> {
    let mut tx = begin(store).await;
    let ids = tx.insert_contacts(org, contacts, "tester", now).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

/// Inserts `contacts` into `org` at [`NOW`]; returns their ids.
pub async fn insert<S: UnitOfWork + ?Sized>(store: &S, org: i64, contacts: &[ContactData]) -> Vec<i64> {
    insert_at(store, org, contacts, NOW).await
}

/// Adds `(group id, contact id)` memberships in a unit of work of its own.
pub async fn add_memberships<S: UnitOfWork + ?Sized>(store: &S, org: i64, memberships: &[(i64, i64)]) {
    let mut tx = begin(store).await;
    tx.add_memberships(org, memberships).await.unwrap();
    tx.commit().await.unwrap();
}

/// Soft-deletes the contacts `ids` of `org` in a unit of work of its own.
pub async fn soft_delete<S: UnitOfWork + ?Sized>(store: &S, org: i64, ids: &[i64]) -> Vec<DeletedContact> {
    let mut tx = begin(store).await;
    let deleted = tx.delete_contacts(org, ids, &[], "deleter", NOW).await.unwrap();
    tx.commit().await.unwrap();
    deleted
}

/// The active contact `id` of `org`, which must exist.
pub async fn get<S: ContactReader + ?Sized>(store: &S, org: i64, id: i64) -> Contact {
    store.get_contact(org, id).await.unwrap().unwrap_or_else(|| panic!("contact {id} of org {org}"))
}

/// How many times [`retrying`] tries a unit of work: as many as the use cases do
/// (`contacts_application::batch`).
pub const ATTEMPTS: usize = 4;

/// Runs the unit of work `unit` (begin … commit), again as a whole when it meets a transient
/// [`StoreError::Conflict`], at most [`ATTEMPTS`] times, as the use cases do; panics on any
/// other error or when every attempt conflicted.
pub async fn retrying<T, F, Fut>(mut unit: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match unit().await {
            Ok(value) => return value,
            Err(StoreError::Conflict) if attempt < ATTEMPTS => continue,
            Err(e) => panic!("attempt {attempt} of a unit of work failed: {e:?}"),
        }
    }
}

/// The history entries of `updates`: every other one with its new content (and no group), the
/// others carried from the entry before (as a membership change records them).
pub fn history_of(updates: &[ContactUpdate]) -> Vec<HistoryRecord> {
    updates
        .iter()
        .enumerate()
        .map(|(i, u)| match i % 2 {
            0 => HistoryRecord::known(u.id, u.version, Operation::Updated, u.data.clone(), Default::default()),
            _ => HistoryRecord::carried(u.id, u.version, Operation::Updated),
        })
        .collect()
}
