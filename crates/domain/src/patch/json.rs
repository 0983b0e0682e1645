//! The contact item as the JSON document a patch edits, and back.

use serde_json::{json, Map, Value};

use crate::field::Field;
use crate::input::{AddressInput, AttributeInput, ContactInput, GeoInput, PathInput, QuietTimeFrameInput};

/// Reads the document back, as a body is read.
///
/// # Errors
/// The type error, e.g. `invalid type: string "x", expected an integer`.
pub(super) fn from_json(doc: &Value) -> Result<ContactInput, String> {
    serde_json::from_value(doc.clone()).map_err(|e| format!("the value does not fit: {e}"))
}

fn field(f: &Field<impl serde::Serialize>) -> Option<Value> {
    match f {
        Field::Absent => None,
        Field::Null => Some(Value::Null),
        Field::Value(v) => Some(json!(v)),
    }
}

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

/// `input` as the document operations edit: every field of it but the identity (`id`,
/// `version`) and the memberships (`groups`, `groupsName`), which are handled apart. The
/// destructuring is exhaustive so that a new field of [`ContactInput`] cannot be forgotten
/// here (it would be cleared by every PATCH).
pub(super) fn to_json(input: &ContactInput) -> Value {
    let ContactInput {
        id: _,
        version: _,
        external_id,
        first_name,
        middle_initial,
        last_name,
        suffix,
        country,
        business_name,
        timezone_id,
        language,
        preferred_language,
        sso_user_id,
        security_pin,
        registered_email,
        account_id,
        vip,
        expatriate,
        record_type_id,
        record_type_name,
        paths,
        contact_attributes,
        address,
        topics,
        groups: _,
        groups_name: _,
        text_digest: _,
    } = input;
    let mut m = Map::new();
    insert(&mut m, "externalId", field(external_id));
    insert(&mut m, "firstName", field(first_name));
    insert(&mut m, "middleInitial", field(middle_initial));
    insert(&mut m, "lastName", field(last_name));
    insert(&mut m, "suffix", field(suffix));
    insert(&mut m, "country", field(country));
    insert(&mut m, "businessName", field(business_name));
    insert(&mut m, "timezoneId", field(timezone_id));
    insert(&mut m, "language", field(language));
    insert(&mut m, "preferredLanguage", field(preferred_language));
    insert(&mut m, "ssoUserId", field(sso_user_id));
    insert(&mut m, "securityPIN", field(security_pin));
    insert(&mut m, "registeredEmail", field(registered_email));
    insert(&mut m, "accountId", field(account_id));
    insert(&mut m, "vip", field(vip));
    insert(&mut m, "expatriate", field(expatriate));
    insert(&mut m, "recordTypeId", field(record_type_id));
    insert(&mut m, "recordTypeName", field(record_type_name));
    insert(&mut m, "paths", field(&paths.as_ref().map(|ps| ps.iter().map(path).collect::<Vec<_>>())));
    insert(
        &mut m,
        "contactAttributes",
        field(&contact_attributes.as_ref().map(|xs| xs.iter().map(attribute).collect::<Vec<_>>())),
    );
    insert(&mut m, "address", field(&address.as_ref().map(|xs| xs.iter().map(address_json).collect::<Vec<_>>())));
    insert(&mut m, "topics", field(topics));
    Value::Object(m)
}

fn path(p: &PathInput) -> Value {
    let PathInput {
        path_id,
        prompt,
        value,
        country_code,
        phone_ext,
        wait_time,
        path_enable,
        skip_validation,
        quiet_time_frames,
    } = p;
    let mut m = Map::new();
    m.insert("pathId".into(), json!(path_id));
    m.insert("prompt".into(), json!(prompt));
    m.insert("value".into(), json!(value));
    m.insert("countryCode".into(), json!(country_code));
    m.insert("phoneExt".into(), json!(phone_ext));
    m.insert("waitTime".into(), json!(wait_time));
    m.insert("pathEnable".into(), json!(path_enable));
    m.insert("skipValidation".into(), json!(skip_validation));
    let frames = quiet_time_frames.as_ref().map(|fs| fs.iter().map(frame).collect::<Vec<_>>());
    insert(&mut m, "quietTimeFrames", field(&frames));
    Value::Object(m)
}

fn frame(f: &QuietTimeFrameInput) -> Value {
    let QuietTimeFrameInput { name, days, from_hour, from_min, to_hour, to_min } = f;
    let mut frame =
        json!({ "days": days, "fromHour": from_hour, "fromMin": from_min, "toHour": to_hour, "toMin": to_min });
    if let Some(name) = name {
        frame["name"] = json!(name);
    }
    frame
}

fn attribute(a: &AttributeInput) -> Value {
    let AttributeInput { org_attr_id, name, values } = a;
    json!({ "orgAttrId": org_attr_id, "name": name, "values": values })
}

fn address_json(a: &AddressInput) -> Value {
    let AddressInput { location_name, street_address, suite, city, state, postal_code, country, gis_location } = a;
    let gis = gis_location.as_ref().map(|g| {
        let GeoInput { lat, lon } = g;
        json!({ "lat": lat, "lon": lon })
    });
    json!({
        "locationName": location_name,
        "streetAddress": street_address,
        "suite": suite,
        "city": city,
        "state": state,
        "postalCode": postal_code,
        "country": country,
        "gisLocation": gis,
    })
}
