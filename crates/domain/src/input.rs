//! An incoming contact item, as an Everbridge client sends it.
//!
//! These types are the request side of the domain: they keep absent / `null` / value apart
//! ([`Field`]) because that difference *is* the update semantics. They deserialize leniently
//! (ids and numbers as JSON numbers or strings, booleans as `"true"`/`"false"`, unknown and
//! read-only keys ignored), so a contact read with GET can be PUT back whole. Nothing here is
//! validated yet: [`crate::update::apply`] checks every field and reports every problem.

use serde::Deserialize;

use crate::field::Field;

pub mod lenient;

/// One item of a batch (or the body of a single write).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInput {
    /// Identifies the item when `idType=id`; ignored otherwise.
    #[serde(deserialize_with = "lenient::opt")]
    pub id: Option<i64>,
    /// Optimistic concurrency: applied only if it equals the stored version.
    #[serde(deserialize_with = "lenient::opt")]
    pub version: Option<i64>,

    #[serde(deserialize_with = "lenient::field")]
    pub external_id: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub first_name: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub middle_initial: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub last_name: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub suffix: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub country: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub business_name: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub timezone_id: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub language: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub preferred_language: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub sso_user_id: Field<String>,
    #[serde(deserialize_with = "lenient::field", rename = "securityPIN", alias = "securityPin")]
    pub security_pin: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub registered_email: Field<String>,
    #[serde(deserialize_with = "lenient::field")]
    pub account_id: Field<i64>,
    #[serde(deserialize_with = "lenient::field")]
    pub vip: Field<bool>,
    #[serde(deserialize_with = "lenient::field")]
    pub expatriate: Field<bool>,

    #[serde(deserialize_with = "lenient::field")]
    pub record_type_id: Field<i64>,
    #[serde(deserialize_with = "lenient::field")]
    pub record_type_name: Field<String>,

    pub paths: Field<Vec<PathInput>>,
    pub contact_attributes: Field<Vec<AttributeInput>>,
    /// Everbridge spells the key singular although it holds a list.
    #[serde(alias = "addresses")]
    pub address: Field<Vec<AddressInput>>,
    #[serde(deserialize_with = "lenient::field_refs")]
    pub topics: Field<Vec<i64>>,
    #[serde(deserialize_with = "lenient::field_vec")]
    pub groups: Field<Vec<i64>>,
    #[serde(deserialize_with = "lenient::field_vec")]
    pub groups_name: Field<Vec<String>>,

    /// A digest of the item's JSON text, when the edge read it from its text (the batch calls):
    /// lets a batch sent again unchanged be answered without reading its contacts. Never
    /// read from the JSON itself.
    #[serde(skip)]
    pub text_digest: Option<[u8; 16]>,
}

/// A delivery path of an item, found by `pathId`, else by `prompt`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PathInput {
    #[serde(deserialize_with = "lenient::opt")]
    pub path_id: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub prompt: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub value: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub country_code: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub phone_ext: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub wait_time: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub path_enable: Option<bool>,
    #[serde(deserialize_with = "lenient::opt")]
    pub skip_validation: Option<bool>,
    /// Absent: the stored frames of this `pathId` are kept. `[]` or `null`: cleared.
    pub quiet_time_frames: Field<Vec<QuietTimeFrameInput>>,
}

/// A quiet time frame as sent; ranges are checked by [`crate::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QuietTimeFrameInput {
    #[serde(deserialize_with = "lenient::opt")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::vec")]
    pub days: Vec<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub from_hour: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub from_min: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub to_hour: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub to_min: Option<i64>,
}

/// A contact attribute of an item, found by `orgAttrId`, else by `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AttributeInput {
    #[serde(deserialize_with = "lenient::opt", alias = "id")]
    pub org_attr_id: Option<i64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::vec")]
    pub values: Vec<String>,
}

/// An address of an item.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddressInput {
    #[serde(deserialize_with = "lenient::opt")]
    pub location_name: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub street_address: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub suite: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub city: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub state: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub postal_code: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub country: Option<String>,
    pub gis_location: Option<GeoInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GeoInput {
    #[serde(deserialize_with = "lenient::opt")]
    pub lat: Option<f64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub lon: Option<f64>,
}
