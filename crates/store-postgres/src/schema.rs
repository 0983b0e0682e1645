//! How the model maps onto the tables: the rows as read, and the JSON stored in `jsonb`
//! columns. The write side (columns bound as arrays) is in [`crate::columns`].

use contacts_domain::{
    Address, Contact, ContactAttribute, ContactData, ContactPath, ContactStatus, GeoPoint, QuietTimeFrame,
};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

/// The columns of `contacts` read into a [`ContactRow`], as a literal for `concat!`.
/// A soft-deleted contact's externalId is in `deleted_external_id`.
macro_rules! contact_columns {
    () => {
        "organization_id, id, COALESCE(external_id, deleted_external_id, '') AS external_id, \
         first_name, last_name, middle_initial, suffix, country, business_name, timezone_id, \
         language, preferred_language, sso_user_id, security_pin, account_id, vip, expatriate, \
         record_type_id, status::text AS status, version, created_date, created_by, \
         last_modified_date, last_modified_by"
    };
}
pub(crate) use contact_columns;

/// A contact's children as five more columns of a `SELECT ... FROM contacts c`, one correlated
/// subquery each (read by [`WholeContactRow`]), as a literal for `concat!`: a contact read by
/// key comes whole in one statement, so one snapshot, one round trip.
macro_rules! contact_children {
    () => {
        "(SELECT COALESCE(json_agg(json_build_array(p.path_id, p.value, p.country_code, p.phone_ext, \
                 p.wait_time, p.path_enable, p.skip_validation, p.quiet_time_frames) ORDER BY p.position), '[]') \
          FROM contact_paths p WHERE p.organization_id = c.organization_id AND p.contact_id = c.id) AS paths, \
         (SELECT COALESCE(json_agg(json_build_array(a.attribute_id, a.\"values\") ORDER BY a.position), '[]') \
          FROM contact_attributes a WHERE a.organization_id = c.organization_id AND a.contact_id = c.id) \
          AS attributes, \
         (SELECT COALESCE(json_agg(json_build_array(d.location_name, d.street_address, d.suite, d.city, \
                 d.state, d.postal_code, d.country, d.lat, d.lon) ORDER BY d.position), '[]') \
          FROM contact_addresses d WHERE d.organization_id = c.organization_id AND d.contact_id = c.id) \
          AS addresses, \
         ARRAY(SELECT t.topic_id FROM contact_topics t \
               WHERE t.organization_id = c.organization_id AND t.contact_id = c.id ORDER BY t.position) \
          AS topics, \
         ARRAY(SELECT m.group_id FROM group_members m \
               WHERE m.organization_id = c.organization_id AND m.contact_id = c.id) AS groups"
    };
}
pub(crate) use contact_children;

/// A path as [`contact_children`] aggregates it.
type PathJson =
    (i64, String, Option<String>, Option<String>, Option<i64>, Option<bool>, Option<bool>, Vec<QuietTimeJson>);
/// An address as [`contact_children`] aggregates it.
type AddressJson = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

/// A contact with its children, as read by `contact_columns!(), contact_children!()`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct WholeContactRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    paths: Json<Vec<PathJson>>,
    attributes: Json<Vec<(i64, Vec<String>)>>,
    addresses: Json<Vec<AddressJson>>,
    topics: Vec<i64>,
    groups: Vec<i64>,
}

impl WholeContactRow {
    pub(crate) fn into_contact(self) -> Contact {
        let mut contact = self.contact.into_contact();
        let data = &mut contact.data;
        data.paths = self
            .paths
            .0
            .into_iter()
            .map(|(path_id, value, country_code, phone_ext, wait_time, path_enable, skip_validation, quiet)| {
                ContactPath {
                    path_id,
                    value,
                    country_code,
                    phone_ext,
                    wait_time,
                    path_enable,
                    skip_validation,
                    quiet_time_frames: quiet.into_iter().map(Into::into).collect(),
                }
            })
            .collect();
        data.attributes = self
            .attributes
            .0
            .into_iter()
            .map(|(attribute_id, values)| ContactAttribute { attribute_id, values })
            .collect();
        data.addresses = self
            .addresses
            .0
            .into_iter()
            .map(|(location_name, street_address, suite, city, state, postal_code, country, lat, lon)| Address {
                location_name,
                street_address,
                suite,
                city,
                state,
                postal_code,
                country,
                // Only validated points are written, so a stored pair always makes one.
                gis_location: lat.zip(lon).and_then(|(lat, lon)| GeoPoint::new(lat, lon)),
            })
            .collect();
        data.topics = self.topics;
        contact.groups = self.groups.into_iter().collect();
        contact
    }
}

/// A quiet time frame as stored in `contact_paths.quiet_time_frames` (a JSON array of these).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QuietTimeJson {
    days: Vec<u8>,
    from_hour: u8,
    from_min: u8,
    to_hour: u8,
    to_min: u8,
}

impl From<&QuietTimeFrame> for QuietTimeJson {
    fn from(f: &QuietTimeFrame) -> Self {
        Self {
            days: f.days.clone(),
            from_hour: f.from_hour,
            from_min: f.from_min,
            to_hour: f.to_hour,
            to_min: f.to_min,
        }
    }
}

impl From<QuietTimeJson> for QuietTimeFrame {
    fn from(f: QuietTimeJson) -> Self {
        Self { days: f.days, from_hour: f.from_hour, from_min: f.from_min, to_hour: f.to_hour, to_min: f.to_min }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ContactRow {
    organization_id: i64,
    pub(crate) id: i64,
    external_id: String,
    first_name: String,
    last_name: String,
    middle_initial: Option<String>,
    suffix: Option<String>,
    country: Option<String>,
    business_name: Option<String>,
    timezone_id: Option<String>,
    language: Option<String>,
    preferred_language: Option<String>,
    sso_user_id: Option<String>,
    security_pin: Option<String>,
    account_id: Option<i64>,
    vip: Option<bool>,
    expatriate: Option<bool>,
    record_type_id: i64,
    status: String,
    version: i64,
    created_date: i64,
    created_by: String,
    last_modified_date: i64,
    last_modified_by: String,
}

impl ContactRow {
    /// The contact without its children (paths, attributes, ... are added by the loader).
    pub(crate) fn into_contact(self) -> Contact {
        Contact {
            id: self.id,
            organization_id: self.organization_id,
            data: ContactData {
                external_id: self.external_id,
                first_name: self.first_name,
                last_name: self.last_name,
                middle_initial: self.middle_initial,
                suffix: self.suffix,
                country: self.country,
                business_name: self.business_name,
                timezone_id: self.timezone_id,
                language: self.language,
                preferred_language: self.preferred_language,
                sso_user_id: self.sso_user_id,
                security_pin: self.security_pin,
                account_id: self.account_id,
                vip: self.vip,
                expatriate: self.expatriate,
                record_type_id: self.record_type_id,
                ..ContactData::default()
            },
            groups: Default::default(),
            status: if self.status == "D" { ContactStatus::Deleted } else { ContactStatus::Active },
            version: self.version,
            created_date: self.created_date,
            created_by: self.created_by,
            last_modified_date: self.last_modified_date,
            last_modified_by: self.last_modified_by,
        }
    }
}
