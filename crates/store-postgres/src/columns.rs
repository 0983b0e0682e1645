//! The write side of the mapping: contacts turned into one array per column, to be bound to
//! `UNNEST($2::bigint[], $3::text[], ...)`. One bind per column whatever the number of
//! contacts, so every batch size runs the same statement (and the same plan).

use contacts_domain::{Address, ContactAttribute, ContactData, ContactPath};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::Postgres;

use crate::schema::QuietTimeJson;
pub(crate) use contacts_store_sql::{ChildChanges, RowChanges, Tables};

type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// The scalar columns of `contacts`, from `id` to `registered_email`, in the order of
/// [`ScalarColumns::bind`] (and of the UNNEST lists of the insert and update statements).
#[derive(Default)]
pub(crate) struct ScalarColumns {
    id: Vec<i64>,
    external_id: Vec<String>,
    first_name: Vec<String>,
    last_name: Vec<String>,
    middle_initial: Vec<Option<String>>,
    suffix: Vec<Option<String>>,
    country: Vec<Option<String>>,
    business_name: Vec<Option<String>>,
    timezone_id: Vec<Option<String>>,
    language: Vec<Option<String>>,
    preferred_language: Vec<Option<String>>,
    sso_user_id: Vec<Option<String>>,
    security_pin: Vec<Option<String>>,
    account_id: Vec<Option<i64>>,
    vip: Vec<Option<bool>>,
    expatriate: Vec<Option<bool>>,
    record_type_id: Vec<i64>,
    registered_email: Vec<Option<String>>,
}

impl ScalarColumns {
    pub(crate) fn new<'a>(contacts: impl IntoIterator<Item = (i64, &'a ContactData)>) -> Self {
        let mut c = Self::default();
        for (id, d) in contacts {
            c.id.push(id);
            c.external_id.push(d.external_id.clone());
            c.first_name.push(d.first_name.clone());
            c.last_name.push(d.last_name.clone());
            c.middle_initial.push(d.middle_initial.clone());
            c.suffix.push(d.suffix.clone());
            c.country.push(d.country.clone());
            c.business_name.push(d.business_name.clone());
            c.timezone_id.push(d.timezone_id.clone());
            c.language.push(d.language.clone());
            c.preferred_language.push(d.preferred_language.clone());
            c.sso_user_id.push(d.sso_user_id.clone());
            c.security_pin.push(d.security_pin.clone());
            c.account_id.push(d.account_id);
            c.vip.push(d.vip);
            c.expatriate.push(d.expatriate);
            c.record_type_id.push(d.record_type_id);
            c.registered_email.push(d.registered_email.clone());
        }
        c
    }

    /// Binds the 18 columns, in order (as `$2` to `$19` when `$1` is the organization).
    pub(crate) fn bind(self, q: PgQuery<'_>) -> PgQuery<'_> {
        q.bind(self.id)
            .bind(self.external_id)
            .bind(self.first_name)
            .bind(self.last_name)
            .bind(self.middle_initial)
            .bind(self.suffix)
            .bind(self.country)
            .bind(self.business_name)
            .bind(self.timezone_id)
            .bind(self.language)
            .bind(self.preferred_language)
            .bind(self.sso_user_id)
            .bind(self.security_pin)
            .bind(self.account_id)
            .bind(self.vip)
            .bind(self.expatriate)
            .bind(self.record_type_id)
            .bind(self.registered_email)
    }
}

/// The UNNEST list matching [`ScalarColumns::bind`] from `$2`.
macro_rules! scalar_unnest {
    () => {
        "$2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], \
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
         $15::bigint[], $16::boolean[], $17::boolean[], $18::bigint[], $19::text[]"
    };
}
pub(crate) use scalar_unnest;

/// The scalar column names in the order of [`ScalarColumns::bind`].
macro_rules! scalar_names {
    () => {
        "id, external_id, first_name, last_name, middle_initial, suffix, country, \
         business_name, timezone_id, language, preferred_language, sso_user_id, security_pin, \
         account_id, vip, expatriate, record_type_id, registered_email"
    };
}
pub(crate) use scalar_names;

/// The rows of `contact_paths`, one array per column.
#[derive(Default)]
pub(crate) struct PathColumns {
    contact_id: Vec<i64>,
    position: Vec<i32>,
    path_id: Vec<i64>,
    value: Vec<String>,
    country_code: Vec<Option<String>>,
    phone_ext: Vec<Option<String>>,
    wait_time: Vec<Option<i64>>,
    path_enable: Vec<Option<bool>>,
    skip_validation: Vec<Option<bool>>,
    quiet_time_frames: Vec<Json<Vec<QuietTimeJson>>>,
}

#[derive(Default)]
pub(crate) struct AttributeColumns {
    contact_id: Vec<i64>,
    position: Vec<i32>,
    attribute_id: Vec<i64>,
    values: Vec<Json<Vec<String>>>,
}

#[derive(Default)]
pub(crate) struct AddressColumns {
    contact_id: Vec<i64>,
    position: Vec<i32>,
    location_name: Vec<Option<String>>,
    street_address: Vec<Option<String>>,
    suite: Vec<Option<String>>,
    city: Vec<Option<String>>,
    state: Vec<Option<String>>,
    postal_code: Vec<Option<String>>,
    country: Vec<Option<String>>,
    lat: Vec<Option<f64>>,
    lon: Vec<Option<f64>>,
}

#[derive(Default)]
pub(crate) struct TopicColumns {
    contact_id: Vec<i64>,
    position: Vec<i32>,
    topic_id: Vec<i64>,
}

/// Every child row of some contacts, per child table.
#[derive(Default)]
pub(crate) struct ChildColumns {
    pub(crate) paths: PathColumns,
    pub(crate) attributes: AttributeColumns,
    pub(crate) addresses: AddressColumns,
    pub(crate) topics: TopicColumns,
}

/// A list index as the `position` column.
fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

impl ChildColumns {
    /// The rows of the tables `which` names, per contact.
    pub(crate) fn new<'a>(contacts: impl IntoIterator<Item = (i64, &'a ContactData, Tables)>) -> Self {
        let mut c = Self::default();
        for (id, d, which) in contacts {
            if which.paths {
                d.paths.iter().enumerate().for_each(|(i, p)| c.paths.push(id, i, p));
            }
            if which.attributes {
                d.attributes.iter().enumerate().for_each(|(i, a)| c.attributes.push(id, i, a));
            }
            if which.addresses {
                d.addresses.iter().enumerate().for_each(|(i, a)| c.addresses.push(id, i, a));
            }
            if which.topics {
                d.topics.iter().enumerate().for_each(|(i, t)| c.topics.push(id, i, *t));
            }
        }
        c
    }

    /// Adds the rows `pick` chooses of each table of `changes` (its changed rows or its added ones).
    pub(crate) fn add_rows(&mut self, changes: &ChildChanges<'_>, pick: Pick) {
        for &(id, i, p) in pick.of(&changes.paths) {
            self.paths.push(id, i, p);
        }
        for &(id, i, a) in pick.of(&changes.attributes) {
            self.attributes.push(id, i, a);
        }
        for &(id, i, a) in pick.of(&changes.addresses) {
            self.addresses.push(id, i, a);
        }
        for &(id, i, t) in pick.of(&changes.topics) {
            self.topics.push(id, i, *t);
        }
    }
}

/// The catalog entries some child rows refer to, per catalog table, each id once, ascending.
#[derive(Default)]
pub(crate) struct References {
    pub(crate) paths: Vec<i64>,
    pub(crate) attributes: Vec<i64>,
    pub(crate) topics: Vec<i64>,
}

impl References {
    /// Adds the references of `rows`.
    pub(crate) fn add(&mut self, rows: &ChildColumns) {
        self.paths.extend(&rows.paths.path_id);
        self.attributes.extend(&rows.attributes.attribute_id);
        self.topics.extend(&rows.topics.topic_id);
        for ids in [&mut self.paths, &mut self.attributes, &mut self.topics] {
            ids.sort_unstable();
            ids.dedup();
        }
    }
}

/// Which rows of a [`RowChanges`] [`ChildColumns::add_rows`] takes.
#[derive(Clone, Copy)]
pub(crate) enum Pick {
    Changed,
    Added,
}

impl Pick {
    fn of<'r, 'a, T>(self, rows: &'r RowChanges<'a, T>) -> &'r [(i64, usize, &'a T)] {
        match self {
            Pick::Changed => &rows.changed,
            Pick::Added => &rows.added,
        }
    }
}

/// Per child table, the (contact id, rows kept) of the contacts left with fewer rows.
pub(crate) fn truncations(changes: &ChildChanges<'_>) -> [(Vec<i64>, Vec<i32>); 4] {
    fn split<T>(rows: &RowChanges<'_, T>) -> (Vec<i64>, Vec<i32>) {
        rows.truncated.iter().map(|&(id, kept)| (id, position(kept))).unzip()
    }
    [split(&changes.paths), split(&changes.attributes), split(&changes.addresses), split(&changes.topics)]
}

impl PathColumns {
    fn push(&mut self, id: i64, i: usize, p: &ContactPath) {
        self.contact_id.push(id);
        self.position.push(position(i));
        self.path_id.push(p.path_id);
        self.value.push(p.value.clone());
        self.country_code.push(p.country_code.clone());
        self.phone_ext.push(p.phone_ext.clone());
        self.wait_time.push(p.wait_time);
        self.path_enable.push(p.path_enable);
        self.skip_validation.push(p.skip_validation);
        self.quiet_time_frames.push(Json(p.quiet_time_frames.iter().map(Into::into).collect()));
    }
}

impl AttributeColumns {
    fn push(&mut self, id: i64, i: usize, a: &ContactAttribute) {
        self.contact_id.push(id);
        self.position.push(position(i));
        self.attribute_id.push(a.attribute_id);
        self.values.push(Json(a.values.clone()));
    }
}

impl AddressColumns {
    fn push(&mut self, id: i64, i: usize, a: &Address) {
        self.contact_id.push(id);
        self.position.push(position(i));
        self.location_name.push(a.location_name.clone());
        self.street_address.push(a.street_address.clone());
        self.suite.push(a.suite.clone());
        self.city.push(a.city.clone());
        self.state.push(a.state.clone());
        self.postal_code.push(a.postal_code.clone());
        self.country.push(a.country.clone());
        self.lat.push(a.gis_location.map(|g| g.lat()));
        self.lon.push(a.gis_location.map(|g| g.lon()));
    }
}

impl TopicColumns {
    fn push(&mut self, id: i64, i: usize, topic: i64) {
        self.contact_id.push(id);
        self.position.push(position(i));
        self.topic_id.push(topic);
    }
}

impl PathColumns {
    pub(crate) fn is_empty(&self) -> bool {
        self.contact_id.is_empty()
    }
    pub(crate) fn len(&self) -> usize {
        self.contact_id.len()
    }
    /// Binds the 10 columns as `$2` to `$11`.
    pub(crate) fn bind(self, q: PgQuery<'_>) -> PgQuery<'_> {
        q.bind(self.contact_id)
            .bind(self.position)
            .bind(self.path_id)
            .bind(self.value)
            .bind(self.country_code)
            .bind(self.phone_ext)
            .bind(self.wait_time)
            .bind(self.path_enable)
            .bind(self.skip_validation)
            .bind(self.quiet_time_frames)
    }
}

impl AttributeColumns {
    pub(crate) fn is_empty(&self) -> bool {
        self.contact_id.is_empty()
    }
    pub(crate) fn len(&self) -> usize {
        self.contact_id.len()
    }
    /// Binds the 4 columns as `$2` to `$5`.
    pub(crate) fn bind(self, q: PgQuery<'_>) -> PgQuery<'_> {
        q.bind(self.contact_id).bind(self.position).bind(self.attribute_id).bind(self.values)
    }
}

impl AddressColumns {
    pub(crate) fn is_empty(&self) -> bool {
        self.contact_id.is_empty()
    }
    pub(crate) fn len(&self) -> usize {
        self.contact_id.len()
    }
    /// Binds the 11 columns as `$2` to `$12`.
    pub(crate) fn bind(self, q: PgQuery<'_>) -> PgQuery<'_> {
        q.bind(self.contact_id)
            .bind(self.position)
            .bind(self.location_name)
            .bind(self.street_address)
            .bind(self.suite)
            .bind(self.city)
            .bind(self.state)
            .bind(self.postal_code)
            .bind(self.country)
            .bind(self.lat)
            .bind(self.lon)
    }
}

impl TopicColumns {
    pub(crate) fn is_empty(&self) -> bool {
        self.contact_id.is_empty()
    }
    pub(crate) fn len(&self) -> usize {
        self.contact_id.len()
    }
    /// Binds the 3 columns as `$2` to `$4`.
    pub(crate) fn bind(self, q: PgQuery<'_>) -> PgQuery<'_> {
        q.bind(self.contact_id).bind(self.position).bind(self.topic_id)
    }
}
