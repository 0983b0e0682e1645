//! A stored contact: its content ([`ContactData`]), its group memberships and its metadata.

use std::collections::BTreeSet;

/// A quiet time window of a delivery path: no messages between `from` and `to` on `days`
/// (1 = Sunday … 7 = Saturday), in the contact's `timezoneId`. The window may wrap past
/// midnight (`from` later than `to`). Only [`crate::validate`] builds these from input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietTimeFrame {
    /// Its name as the client gave it (Everbridge's PATCH selects a frame by it:
    /// `quietTimeFrames/name:MWF 9-5`).
    pub name: Option<String>,
    pub days: Vec<u8>,
    pub from_hour: u8,
    pub from_min: u8,
    pub to_hour: u8,
    pub to_min: u8,
}

/// A validated GIS position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    /// `lat` in −90..90, `lon` in −180..180, both finite.
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Self { lat, lon })
    }
    pub fn lat(&self) -> f64 {
        self.lat
    }
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

/// One delivery path of a contact, in order of preference.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPath {
    pub path_id: i64,
    /// As written, or normalised for phone-like paths (non-digits stripped, a leading `+` kept).
    pub value: String,
    pub country_code: Option<String>,
    pub phone_ext: Option<String>,
    pub wait_time: Option<i64>,
    pub path_enable: Option<bool>,
    pub skip_validation: Option<bool>,
    pub quiet_time_frames: Vec<QuietTimeFrame>,
}

/// The values of one contact attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAttribute {
    pub attribute_id: i64,
    pub values: Vec<String>,
}

/// One address of a contact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub location_name: Option<String>,
    pub street_address: Option<String>,
    pub suite: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub gis_location: Option<GeoPoint>,
}

/// What a full-replace update replaces: every field of a contact but its identity, its group
/// memberships (only ever added to by an update) and its metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactData {
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub middle_initial: Option<String>,
    pub suffix: Option<String>,
    pub country: Option<String>,
    pub business_name: Option<String>,
    pub timezone_id: Option<String>,
    pub language: Option<String>,
    pub preferred_language: Option<String>,
    pub sso_user_id: Option<String>,
    pub security_pin: Option<String>,
    /// The e-mail the contact registered with (Everbridge's member portal), an e-mail address.
    pub registered_email: Option<String>,
    pub account_id: Option<i64>,
    pub vip: Option<bool>,
    pub expatriate: Option<bool>,
    pub record_type_id: i64,
    pub paths: Vec<ContactPath>,
    pub attributes: Vec<ContactAttribute>,
    pub addresses: Vec<Address>,
    pub topics: Vec<i64>,
}

/// `A`ctive or soft-`D`eleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactStatus {
    #[default]
    Active,
    Deleted,
}

impl ContactStatus {
    pub fn as_code(self) -> &'static str {
        match self {
            ContactStatus::Active => "A",
            ContactStatus::Deleted => "D",
        }
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contact {
    pub id: i64,
    pub organization_id: i64,
    pub data: ContactData,
    /// Group ids, kept sorted.
    pub groups: BTreeSet<i64>,
    pub status: ContactStatus,
    /// Starts at 1, +1 per applied change.
    pub version: i64,
    /// Epoch milliseconds.
    pub created_date: i64,
    pub created_by: String,
    pub last_modified_date: i64,
    pub last_modified_by: String,
}
