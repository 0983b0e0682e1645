//! How the model maps onto the tables: the rows as read, and the JSON stored in text columns
//! (quiet time frames, attribute values). The write side (rows bound as one JSON array per
//! table) is in [`crate::columns`].

use contacts_domain::{Address, ContactAttribute, ContactPath, GeoPoint};
use sqlx::types::Json;

pub(crate) use contacts_store_sql::{ContactRow, QuietTimeJson};

/// The columns of `contacts` read into a [`ContactRow`], as a literal for `concat!`.
/// A soft-deleted contact's externalId is in `deleted_external_id`.
macro_rules! contact_columns {
    () => {
        "organization_id, id, COALESCE(external_id, deleted_external_id, '') AS external_id, \
         first_name, last_name, middle_initial, suffix, country, business_name, timezone_id, \
         language, preferred_language, sso_user_id, security_pin, registered_email, account_id, vip, \
         expatriate, record_type_id, status, version, created_date, created_by, \
         last_modified_date, last_modified_by"
    };
}
pub(crate) use contact_columns;

/// A row of `contact_paths`; rows are read in `(contact_id, position)` order.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PathRow {
    pub(crate) contact_id: i64,
    path_id: i64,
    value: String,
    country_code: Option<String>,
    phone_ext: Option<String>,
    wait_time: Option<i64>,
    path_enable: Option<bool>,
    skip_validation: Option<bool>,
    quiet_time_frames: Json<Vec<QuietTimeJson>>,
}

impl From<PathRow> for ContactPath {
    fn from(r: PathRow) -> Self {
        Self {
            path_id: r.path_id,
            value: r.value,
            country_code: r.country_code,
            phone_ext: r.phone_ext,
            wait_time: r.wait_time,
            path_enable: r.path_enable,
            skip_validation: r.skip_validation,
            quiet_time_frames: r.quiet_time_frames.0.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AttributeRow {
    pub(crate) contact_id: i64,
    attribute_id: i64,
    values: Json<Vec<String>>,
}

impl From<AttributeRow> for ContactAttribute {
    fn from(r: AttributeRow) -> Self {
        Self { attribute_id: r.attribute_id, values: r.values.0 }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AddressRow {
    pub(crate) contact_id: i64,
    location_name: Option<String>,
    street_address: Option<String>,
    suite: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    /// Exact decimal text (see the column).
    lat: Option<String>,
    lon: Option<String>,
}

impl From<AddressRow> for Address {
    fn from(r: AddressRow) -> Self {
        Self {
            location_name: r.location_name,
            street_address: r.street_address,
            suite: r.suite,
            city: r.city,
            state: r.state,
            postal_code: r.postal_code,
            country: r.country,
            // Only validated points are written, so a stored pair always makes one.
            gis_location: r
                .lat
                .zip(r.lon)
                .and_then(|(lat, lon)| Some((lat.parse().ok()?, lon.parse().ok()?)))
                .and_then(|(lat, lon)| GeoPoint::new(lat, lon)),
        }
    }
}
