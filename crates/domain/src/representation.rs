//! A stored contact rendered back into the item a client sends: what a GET returns and a
//! client PUTs back whole.

use crate::catalog::Catalog;
use crate::contact::{Address, Contact, ContactAttribute, ContactPath, QuietTimeFrame};
use crate::field::Field;
use crate::input::{AddressInput, AttributeInput, ContactInput, GeoInput, PathInput, QuietTimeFrameInput};

/// The full [`ContactInput`] of `contact`: every field explicit (an empty scalar is
/// [`Field::Null`], an empty list `[]`, every path carries its `quietTimeFrames`), ids for
/// every reference and, where `catalog` knows them, names too (`recordTypeName`, `prompt`,
/// attribute `name`, `groupsName`; ids win over names when it is applied).
///
/// Applying it to any stored contact, in either [`crate::UpdateMode`], yields
/// `contact.data`; applying it to `contact` itself is `unchanged`.
pub fn full_input(contact: &Contact, catalog: &Catalog) -> ContactInput {
    let d = &contact.data;
    ContactInput {
        id: Some(contact.id),
        version: Some(contact.version),
        external_id: Field::Value(d.external_id.clone()),
        first_name: Field::Value(d.first_name.clone()),
        middle_initial: d.middle_initial.clone().into(),
        last_name: Field::Value(d.last_name.clone()),
        suffix: d.suffix.clone().into(),
        country: d.country.clone().into(),
        business_name: d.business_name.clone().into(),
        timezone_id: d.timezone_id.clone().into(),
        language: d.language.clone().into(),
        preferred_language: d.preferred_language.clone().into(),
        sso_user_id: d.sso_user_id.clone().into(),
        security_pin: d.security_pin.clone().into(),
        registered_email: d.registered_email.clone().into(),
        account_id: d.account_id.into(),
        vip: d.vip.into(),
        expatriate: d.expatriate.into(),
        record_type_id: Field::Value(d.record_type_id),
        record_type_name: catalog.record_type(d.record_type_id).map(|r| r.name.clone()).into(),
        paths: Field::Value(d.paths.iter().map(|p| path(p, catalog)).collect()),
        contact_attributes: Field::Value(d.attributes.iter().map(|a| attribute(a, catalog)).collect()),
        address: Field::Value(d.addresses.iter().map(address).collect()),
        topics: Field::Value(d.topics.clone()),
        groups: Field::Value(contact.groups.iter().copied().collect()),
        groups_name: Field::Value(
            contact.groups.iter().filter_map(|&g| catalog.group(g).map(|g| g.name.clone())).collect(),
        ),
        text_digest: None,
    }
}

fn path(p: &ContactPath, catalog: &Catalog) -> PathInput {
    PathInput {
        path_id: Some(p.path_id),
        prompt: catalog.path(p.path_id).map(|d| d.prompt.clone()),
        value: Some(p.value.clone()),
        country_code: p.country_code.clone(),
        phone_ext: p.phone_ext.clone(),
        wait_time: p.wait_time,
        path_enable: p.path_enable,
        skip_validation: p.skip_validation,
        quiet_time_frames: Field::Value(p.quiet_time_frames.iter().map(frame).collect()),
    }
}

fn frame(f: &QuietTimeFrame) -> QuietTimeFrameInput {
    QuietTimeFrameInput {
        name: f.name.clone(),
        days: f.days.iter().map(|&d| i64::from(d)).collect(),
        from_hour: Some(i64::from(f.from_hour)),
        from_min: Some(i64::from(f.from_min)),
        to_hour: Some(i64::from(f.to_hour)),
        to_min: Some(i64::from(f.to_min)),
    }
}

fn attribute(a: &ContactAttribute, catalog: &Catalog) -> AttributeInput {
    AttributeInput {
        org_attr_id: Some(a.attribute_id),
        name: catalog.attribute(a.attribute_id).map(|d| d.name.clone()),
        values: a.values.clone(),
    }
}

fn address(a: &Address) -> AddressInput {
    AddressInput {
        location_name: a.location_name.clone(),
        street_address: a.street_address.clone(),
        suite: a.suite.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postal_code: a.postal_code.clone(),
        country: a.country.clone(),
        gis_location: a.gis_location.map(|g| GeoInput { lat: Some(g.lat()), lon: Some(g.lon()) }),
    }
}
