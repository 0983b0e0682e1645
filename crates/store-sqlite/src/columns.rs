//! The write side of the mapping: the rows of a call, per table, as one JSON array of objects
//! bound once and read by `json_each(?)` (each key named as its column). One bind per table
//! whatever the number of contacts, so every batch size runs the same statement, and SQLite's
//! limit on bound parameters never applies.

use contacts_domain::ContactData;
use serde::Serialize;

use crate::schema::QuietTimeJson;
pub(crate) use contacts_store_sql::Tables;

/// Serializes rows for a `json_each(?)` bind.
pub(crate) fn json<T: Serialize + ?Sized>(rows: &T) -> String {
    // Plain structs, vectors and strings: serialization cannot fail.
    serde_json::to_string(rows).unwrap_or_else(|_| "[]".to_owned())
}

/// The columns of `contacts` from `id` to `registered_email`, read from the JSON element `j`, in
/// the order of [`scalar_names`].
macro_rules! scalar_values {
    () => {
        "j.value ->> 'id', j.value ->> 'external_id', j.value ->> 'first_name', \
         j.value ->> 'last_name', j.value ->> 'middle_initial', j.value ->> 'suffix', \
         j.value ->> 'country', j.value ->> 'business_name', j.value ->> 'timezone_id', \
         j.value ->> 'language', j.value ->> 'preferred_language', j.value ->> 'sso_user_id', \
         j.value ->> 'security_pin', j.value ->> 'account_id', j.value ->> 'vip', \
         j.value ->> 'expatriate', j.value ->> 'record_type_id', j.value ->> 'registered_email'"
    };
}
pub(crate) use scalar_values;

/// The scalar column names in the order of [`scalar_values`].
macro_rules! scalar_names {
    () => {
        "id, external_id, first_name, last_name, middle_initial, suffix, country, \
         business_name, timezone_id, language, preferred_language, sso_user_id, security_pin, \
         account_id, vip, expatriate, record_type_id, registered_email"
    };
}
pub(crate) use scalar_names;

/// A row of `contacts` (its scalar columns, and the new version of an update). It carries its
/// organization so that an `UPDATE ... FROM json_each(?)` can match `(organization_id, id)` to
/// the row: SQLite then drives the update from the JSON rows, one primary key lookup each (a
/// bare `organization_id = ?` would let the planner scan the whole organization for each row
/// when it has no statistics).
#[derive(Serialize)]
pub(crate) struct ContactJson<'a> {
    organization_id: i64,
    id: i64,
    external_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    middle_initial: Option<&'a str>,
    suffix: Option<&'a str>,
    country: Option<&'a str>,
    business_name: Option<&'a str>,
    timezone_id: Option<&'a str>,
    language: Option<&'a str>,
    preferred_language: Option<&'a str>,
    sso_user_id: Option<&'a str>,
    security_pin: Option<&'a str>,
    account_id: Option<i64>,
    vip: Option<bool>,
    expatriate: Option<bool>,
    record_type_id: i64,
    registered_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    /// Hex (`unhex` makes it a BLOB again); absent: NULL.
    #[serde(skip_serializing_if = "Option::is_none")]
    input_digest: Option<String>,
}

impl<'a> ContactJson<'a> {
    pub(crate) fn new(organization_id: i64, id: i64, d: &'a ContactData, version: Option<i64>) -> Self {
        Self {
            organization_id,
            id,
            external_id: &d.external_id,
            first_name: &d.first_name,
            last_name: &d.last_name,
            middle_initial: d.middle_initial.as_deref(),
            suffix: d.suffix.as_deref(),
            country: d.country.as_deref(),
            business_name: d.business_name.as_deref(),
            timezone_id: d.timezone_id.as_deref(),
            language: d.language.as_deref(),
            preferred_language: d.preferred_language.as_deref(),
            sso_user_id: d.sso_user_id.as_deref(),
            security_pin: d.security_pin.as_deref(),
            account_id: d.account_id,
            vip: d.vip,
            expatriate: d.expatriate,
            record_type_id: d.record_type_id,
            registered_email: d.registered_email.as_deref(),
            version,
            input_digest: None,
        }
    }

    /// With the digest of the item that wrote it.
    pub(crate) fn with_digest(mut self, digest: Option<&[u8]>) -> Self {
        self.input_digest = digest.map(hex);
        self
    }
}

/// `bytes` as lowercase hex, for SQLite's `unhex`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A row of `contact_paths`.
#[derive(Serialize)]
pub(crate) struct PathJson<'a> {
    contact_id: i64,
    position: usize,
    path_id: i64,
    value: &'a str,
    country_code: Option<&'a str>,
    phone_ext: Option<&'a str>,
    wait_time: Option<i64>,
    path_enable: Option<bool>,
    skip_validation: Option<bool>,
    /// Nested: `->>` reads it back as the JSON text stored in the column.
    quiet_time_frames: Vec<QuietTimeJson>,
}

/// A row of `contact_attributes`.
#[derive(Serialize)]
pub(crate) struct AttributeJson<'a> {
    contact_id: i64,
    position: usize,
    attribute_id: i64,
    values: &'a [String],
}

/// A coordinate as stored: the shortest text that Rust reads back to the same `f64`. As a JSON
/// number it would be converted by SQLite, whose text-to-REAL conversion is off in the last
/// bit for a few values (a contact resent unchanged would then read as changed).
fn coordinate(x: f64) -> String {
    x.to_string()
}

/// A row of `contact_addresses`.
#[derive(Serialize)]
pub(crate) struct AddressJson<'a> {
    contact_id: i64,
    position: usize,
    location_name: Option<&'a str>,
    street_address: Option<&'a str>,
    suite: Option<&'a str>,
    city: Option<&'a str>,
    state: Option<&'a str>,
    postal_code: Option<&'a str>,
    country: Option<&'a str>,
    /// As text: see [`coordinate`].
    lat: Option<String>,
    lon: Option<String>,
}

/// A row of `contact_topics`.
#[derive(Serialize)]
pub(crate) struct TopicJson {
    contact_id: i64,
    position: usize,
    topic_id: i64,
}

/// Every child row of some contacts, per child table.
#[derive(Default)]
pub(crate) struct ChildRows<'a> {
    pub(crate) paths: Vec<PathJson<'a>>,
    pub(crate) attributes: Vec<AttributeJson<'a>>,
    pub(crate) addresses: Vec<AddressJson<'a>>,
    pub(crate) topics: Vec<TopicJson>,
}

impl<'a> ChildRows<'a> {
    /// The rows of the tables `which` names, per contact.
    pub(crate) fn new(contacts: impl IntoIterator<Item = (i64, &'a ContactData, Tables)>) -> Self {
        let mut c = Self::default();
        for (id, d, which) in contacts {
            let paths = if which.paths { d.paths.as_slice() } else { &[] };
            let attributes = if which.attributes { d.attributes.as_slice() } else { &[] };
            let addresses = if which.addresses { d.addresses.as_slice() } else { &[] };
            let topics = if which.topics { d.topics.as_slice() } else { &[] };
            c.paths.extend(paths.iter().enumerate().map(|(position, p)| PathJson {
                contact_id: id,
                position,
                path_id: p.path_id,
                value: &p.value,
                country_code: p.country_code.as_deref(),
                phone_ext: p.phone_ext.as_deref(),
                wait_time: p.wait_time,
                path_enable: p.path_enable,
                skip_validation: p.skip_validation,
                quiet_time_frames: p.quiet_time_frames.iter().map(Into::into).collect(),
            }));
            c.attributes.extend(attributes.iter().enumerate().map(|(position, a)| AttributeJson {
                contact_id: id,
                position,
                attribute_id: a.attribute_id,
                values: &a.values,
            }));
            c.addresses.extend(addresses.iter().enumerate().map(|(position, a)| AddressJson {
                contact_id: id,
                position,
                location_name: a.location_name.as_deref(),
                street_address: a.street_address.as_deref(),
                suite: a.suite.as_deref(),
                city: a.city.as_deref(),
                state: a.state.as_deref(),
                postal_code: a.postal_code.as_deref(),
                country: a.country.as_deref(),
                lat: a.gis_location.map(|g| coordinate(g.lat())),
                lon: a.gis_location.map(|g| coordinate(g.lon())),
            }));
            c.topics.extend(topics.iter().enumerate().map(|(position, t)| TopicJson {
                contact_id: id,
                position,
                topic_id: *t,
            }));
        }
        c
    }
}
