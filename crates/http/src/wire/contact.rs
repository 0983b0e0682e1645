//! A contact as read: every field it was given, plus `groups`, `groupsName`,
//! `recordTypeName`, `version`, `status`, `createdDate`, `lastModifiedDate`.

use contacts_domain::{Address, Catalog, Contact, ContactPath, QuietTimeFrame};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactOut<'a> {
    id: i64,
    organization_id: i64,
    external_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    middle_initial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sso_user_id: Option<&'a str>,
    /// Everbridge's spelling, as the request side reads it.
    #[serde(rename = "securityPIN", skip_serializing_if = "Option::is_none")]
    security_pin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vip: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expatriate: Option<bool>,
    record_type_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_type_name: Option<&'a str>,
    paths: Vec<PathOut<'a>>,
    contact_attributes: Vec<AttributeOut<'a>>,
    address: Vec<AddressOut<'a>>,
    topics: &'a [i64],
    groups: Vec<i64>,
    groups_name: Vec<&'a str>,
    status: &'static str,
    version: i64,
    created_date: i64,
    created_name: &'a str,
    last_modified_date: i64,
    last_modified_name: &'a str,
    // Read-only keys of Everbridge's contact object, returned so that a client that reads
    // them finds them; a client sending them back changes nothing (README, "Every field of
    // Everbridge's contact object").
    /// `lastModifiedDate` again, as Everbridge also returns it.
    last_modified_time: i64,
    /// Everbridge's misspelt duplicate of `registeredEmail`, returned beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    registed_email: Option<&'a str>,
    /// Always `false`: a write here is done when it answers (Everbridge's asynchronous upload
    /// flag).
    upload_processing: bool,
    /// Always 0: this service has no resource bundles (Everbridge's value for none).
    resource_bundle_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct PathOut<'a> {
    path_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_ext: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_validation: Option<bool>,
    quiet_time_frames: Vec<FrameOut<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct FrameOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    days: &'a [u8],
    from_hour: u8,
    from_min: u8,
    to_hour: u8,
    to_min: u8,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct AttributeOut<'a> {
    org_attr_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    values: &'a [String],
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct AddressOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    location_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suite: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gis_location: Option<GeoOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct GeoOut {
    lat: f64,
    lon: f64,
}

fn frame(f: &QuietTimeFrame) -> FrameOut<'_> {
    FrameOut {
        name: f.name.as_deref(),
        days: &f.days,
        from_hour: f.from_hour,
        from_min: f.from_min,
        to_hour: f.to_hour,
        to_min: f.to_min,
    }
}

fn path<'a>(p: &'a ContactPath, catalog: &'a Catalog) -> PathOut<'a> {
    PathOut {
        path_id: p.path_id,
        prompt: catalog.path(p.path_id).map(|d| d.prompt.as_str()),
        value: &p.value,
        country_code: p.country_code.as_deref(),
        phone_ext: p.phone_ext.as_deref(),
        wait_time: p.wait_time,
        path_enable: p.path_enable,
        skip_validation: p.skip_validation,
        quiet_time_frames: p.quiet_time_frames.iter().map(frame).collect(),
    }
}

fn address(a: &Address) -> AddressOut<'_> {
    AddressOut {
        location_name: a.location_name.as_deref(),
        street_address: a.street_address.as_deref(),
        suite: a.suite.as_deref(),
        city: a.city.as_deref(),
        state: a.state.as_deref(),
        postal_code: a.postal_code.as_deref(),
        country: a.country.as_deref(),
        gis_location: a.gis_location.map(|g| GeoOut { lat: g.lat(), lon: g.lon() }),
    }
}

impl<'a> ContactOut<'a> {
    /// The read representation of `c`, naming its references from `catalog`.
    pub fn new(c: &'a Contact, catalog: &'a Catalog) -> Self {
        let d = &c.data;
        Self {
            id: c.id,
            organization_id: c.organization_id,
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
            registered_email: d.registered_email.as_deref(),
            account_id: d.account_id,
            vip: d.vip,
            expatriate: d.expatriate,
            record_type_id: d.record_type_id,
            record_type_name: catalog.record_type(d.record_type_id).map(|r| r.name.as_str()),
            paths: d.paths.iter().map(|p| path(p, catalog)).collect(),
            contact_attributes: d
                .attributes
                .iter()
                .map(|a| AttributeOut {
                    org_attr_id: a.attribute_id,
                    name: catalog.attribute(a.attribute_id).map(|x| x.name.as_str()),
                    values: &a.values,
                })
                .collect(),
            address: d.addresses.iter().map(address).collect(),
            topics: &d.topics,
            groups: c.groups.iter().copied().collect(),
            groups_name: c.groups.iter().filter_map(|g| catalog.group(*g).map(|g| g.name.as_str())).collect(),
            status: c.status.as_code(),
            version: c.version,
            created_date: c.created_date,
            created_name: &c.created_by,
            last_modified_date: c.last_modified_date,
            last_modified_name: &c.last_modified_by,
            last_modified_time: c.last_modified_date,
            registed_email: d.registered_email.as_deref(),
            upload_processing: false,
            resource_bundle_id: 0,
        }
    }
}
