//! How the model maps onto the tables: the rows as read, and the JSON stored in `jsonb`
//! columns. The write side (columns bound as arrays) is in [`crate::columns`].

use contacts_domain::Contact;
use sqlx::types::Json;

use contacts_store_sql::{address_from, attribute_from, path_from, AddressTuple, AttributeTuple, PathTuple};
pub(crate) use contacts_store_sql::{ContactRow, QuietTimeJson};

/// The columns of `contacts` read into a [`ContactRow`], as a literal for `concat!`.
/// A soft-deleted contact's externalId is in `deleted_external_id`.
macro_rules! contact_columns {
    () => {
        "organization_id, id, COALESCE(external_id, deleted_external_id, '') AS external_id, \
         first_name, last_name, middle_initial, suffix, country, business_name, timezone_id, \
         language, preferred_language, sso_user_id, security_pin, registered_email, account_id, vip, \
         expatriate, record_type_id, status::text AS status, version, created_date, created_by, \
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

/// A contact with its children, as read by `contact_columns!(), contact_children!()`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct WholeContactRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    paths: Json<Vec<PathTuple>>,
    attributes: Json<Vec<AttributeTuple>>,
    addresses: Json<Vec<AddressTuple>>,
    topics: Vec<i64>,
    groups: Vec<i64>,
}

impl WholeContactRow {
    pub(crate) fn into_contact(self) -> Contact {
        let mut contact = self.contact.into_contact();
        let data = &mut contact.data;
        data.paths = self.paths.0.into_iter().map(path_from).collect();
        data.attributes = self.attributes.0.into_iter().map(attribute_from).collect();
        data.addresses = self.addresses.0.into_iter().map(address_from).collect();
        data.topics = self.topics;
        contact.groups = self.groups.into_iter().collect();
        contact
    }
}
