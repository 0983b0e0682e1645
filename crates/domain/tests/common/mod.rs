//! The fixture shared by the domain's test suites: a catalog like the seed's, a stored
//! contact with every field set, and helpers to build inputs from JSON and to assert outcomes.
#![allow(dead_code)]

use std::collections::BTreeSet;

use contacts_domain::{
    apply, Address, Applied, AttributeDataType, AttributeDef, Catalog, Contact, ContactAttribute, ContactData,
    ContactInput, ContactPath, FieldError, GeoPoint, Group, PathDef, PathType, QuietTimeFrame, RecordType, Topic,
    UpdateMode,
};
use serde_json::{json, Value};

pub const EMPLOYEE: i64 = 1_533_823_015_714_817;
pub const CONTRACTOR: i64 = 1_533_823_015_714_818;
pub const ATTR1: i64 = 1_509_768_514_502_692;
pub const ATTR_LEVEL: i64 = 1_509_768_514_502_693;
pub const ATTR_ON_CALL: i64 = 1_509_768_514_502_694;
pub const ATTR_HIRED: i64 = 1_509_768_514_502_695;
pub const ATTR_NOTE: i64 = 1_509_768_514_502_696;
pub const EMAIL: i64 = 241_901_148_045_316;
pub const PHONE: i64 = 241_901_148_045_319;
pub const HOME_PHONE: i64 = 241_901_148_045_320;
pub const SMS: i64 = 241_901_148_045_324;
pub const TOPIC_WEATHER: i64 = 11;
pub const TOPIC_TRAFFIC: i64 = 12;
pub const TOPIC_SECURITY: i64 = 13;

/// The seed's organization: record type `Employee` (and `Contractor`), `group1`..`group3`,
/// `attr1` (STRING, option1..option3) plus NUMBER, BOOLEAN, DATE and free STRING attributes,
/// the `phone` path and e-mail, home-phone and SMS paths, three topics.
pub fn catalog() -> Catalog {
    let attr = |id, name: &str, data_type, defined: &[&str]| AttributeDef {
        id,
        name: name.into(),
        data_type,
        defined_values: defined.iter().map(|s| (*s).to_owned()).collect(),
        display_format: None,
    };
    let path = |path_id, prompt: &str, path_type| PathDef { path_id, prompt: prompt.into(), path_type };
    Catalog::new(
        vec![
            RecordType { id: EMPLOYEE, name: "Employee".into() },
            RecordType { id: CONTRACTOR, name: "Contractor".into() },
        ],
        (1..=3).map(|id| Group { id, name: format!("group{id}"), parent_id: None, description: None }).collect(),
        vec![
            attr(ATTR1, "attr1", AttributeDataType::String, &["option1", "option2", "option3"]),
            attr(ATTR_LEVEL, "level", AttributeDataType::Number, &[]),
            attr(ATTR_ON_CALL, "onCall", AttributeDataType::Boolean, &[]),
            attr(ATTR_HIRED, "hiredOn", AttributeDataType::Date, &[]),
            attr(ATTR_NOTE, "note", AttributeDataType::String, &[]),
        ],
        vec![
            path(PHONE, "phone", PathType::Phone),
            path(EMAIL, "Email Address 1", PathType::Email),
            path(HOME_PHONE, "Home Phone", PathType::Phone),
            path(SMS, "SMS 1", PathType::Sms),
        ],
        vec![
            Topic { id: TOPIC_WEATHER, name: "weather".into() },
            Topic { id: TOPIC_TRAFFIC, name: "traffic".into() },
            Topic { id: TOPIC_SECURITY, name: "security".into() },
        ],
    )
}

/// Monday and Friday, 22:30 to 06:15 (wraps past midnight).
pub fn night_frame() -> QuietTimeFrame {
    QuietTimeFrame { name: None, days: vec![2, 6], from_hour: 22, from_min: 30, to_hour: 6, to_min: 15 }
}

/// A stored contact with every field set: two paths (the phone one with a quiet time frame),
/// two attributes, an address, two topics, member of `group1`.
pub fn stored() -> Contact {
    Contact {
        id: 42,
        organization_id: 7,
        data: ContactData {
            external_id: "001".into(),
            first_name: "Fiona".into(),
            last_name: "Lee".into(),
            middle_initial: Some("Q".into()),
            suffix: Some("Jr".into()),
            country: Some("US".into()),
            business_name: Some("Acme".into()),
            timezone_id: Some("America/New_York".into()),
            language: Some("en".into()),
            preferred_language: Some("en-US".into()),
            sso_user_id: Some("fiona@sso".into()),
            security_pin: Some("1234".into()),
            registered_email: Some("fiona@umail.example.edu".into()),
            account_id: Some(99),
            vip: Some(true),
            expatriate: Some(false),
            record_type_id: EMPLOYEE,
            paths: vec![
                ContactPath {
                    path_id: PHONE,
                    value: "+17815551212".into(),
                    country_code: None,
                    phone_ext: Some("12".into()),
                    wait_time: Some(5),
                    path_enable: Some(true),
                    skip_validation: Some(false),
                    quiet_time_frames: vec![night_frame()],
                },
                ContactPath {
                    path_id: EMAIL,
                    value: "fiona@example.com".into(),
                    country_code: None,
                    phone_ext: None,
                    wait_time: None,
                    path_enable: None,
                    skip_validation: None,
                    quiet_time_frames: vec![],
                },
            ],
            attributes: vec![
                ContactAttribute { attribute_id: ATTR1, values: vec!["option1".into()] },
                ContactAttribute { attribute_id: ATTR_LEVEL, values: vec!["3".into()] },
            ],
            addresses: vec![Address {
                location_name: Some("HQ".into()),
                street_address: Some("1 Main St".into()),
                suite: Some("100".into()),
                city: Some("Boston".into()),
                state: Some("MA".into()),
                postal_code: Some("02110".into()),
                country: Some("US".into()),
                gis_location: GeoPoint::new(42.36, -71.06),
            }],
            topics: vec![TOPIC_WEATHER, TOPIC_TRAFFIC],
        },
        groups: BTreeSet::from([1]),
        version: 3,
        ..Contact::default()
    }
}

/// The smallest valid item: the four required fields.
pub fn base() -> Value {
    json!({
        "externalId": "001",
        "firstName": "F",
        "lastName": "L",
        "recordTypeId": EMPLOYEE
    })
}

/// `base` with the keys of `patch` set (a `null` in the patch sets `null`).
pub fn with(mut base: Value, patch: Value) -> Value {
    let (Value::Object(b), Value::Object(p)) = (&mut base, patch) else {
        panic!("with() takes two JSON objects");
    };
    b.extend(p);
    base
}

/// `base` without `keys`.
pub fn without(mut base: Value, keys: &[&str]) -> Value {
    let Value::Object(b) = &mut base else {
        panic!("without() takes a JSON object");
    };
    for k in keys {
        b.remove(*k);
    }
    base
}

/// Parses an item as the service does (lenient serde).
pub fn input(case: &str, json: &Value) -> ContactInput {
    serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("[{case}] input does not parse: {e}\n{json}"))
}

/// Parses `json` and applies it to `stored` against the fixture catalog.
pub fn run(case: &str, stored: Option<&Contact>, json: &Value, mode: UpdateMode) -> Result<Applied, Vec<FieldError>> {
    apply(stored, &input(case, json), &catalog(), mode)
}

/// The applied result, or a panic naming the case and listing the errors.
pub fn ok(case: &str, result: Result<Applied, Vec<FieldError>>) -> Applied {
    result.unwrap_or_else(|errors| panic!("[{case}] expected success, got errors: {errors:#?}"))
}

/// `(field, code)` of every error, sorted.
pub fn error_keys(errors: &[FieldError]) -> Vec<(String, u16)> {
    let mut keys: Vec<(String, u16)> = errors.iter().map(|e| (e.field.clone(), e.code.code())).collect();
    keys.sort();
    keys
}

/// Asserts that the item failed with exactly `expected` (field, code) errors, in any order,
/// and returns the errors for further checks.
pub fn errs(case: &str, result: Result<Applied, Vec<FieldError>>, expected: &[(&str, u16)]) -> Vec<FieldError> {
    let errors = match result {
        Ok(applied) => panic!("[{case}] expected errors {expected:?}, got success: {applied:#?}"),
        Err(errors) => errors,
    };
    let mut want: Vec<(String, u16)> = expected.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect();
    want.sort();
    assert_eq!(error_keys(&errors), want, "[{case}] errors: {errors:#?}");
    errors
}

/// The expected outcome of one row of a table.
#[derive(Debug)]
pub enum Expect<T> {
    /// Success, and the checked part of the result equals this.
    Ok(T),
    /// Failure with exactly these `(field, code)` errors.
    Err(&'static [(&'static str, u16)]),
}

/// Asserts one row: on success, `project` picks the part of the result to compare.
pub fn check<T: PartialEq + std::fmt::Debug>(
    case: &str,
    result: Result<Applied, Vec<FieldError>>,
    expect: &Expect<T>,
    project: impl Fn(&Applied) -> T,
) {
    match expect {
        Expect::Ok(want) => {
            let applied = ok(case, result);
            assert_eq!(&project(&applied), want, "[{case}]");
        }
        Expect::Err(want) => {
            errs(case, result, want);
        }
    }
}
