//! SPEC §3.1–3.3, the contact's own fields: scalars in full and partial mode, the required
//! fields, the record type, lenient parsing, and "unchanged" detection.

mod common;

use common::*;
use contacts_domain::{Contact, ContactData, UpdateMode};
use serde_json::{json, Value};

use UpdateMode::{Full, Partial};

/// The stored contact without quiet time frames, so that clearing `timezoneId` is legal.
fn stored_without_frames() -> Contact {
    let mut c = stored();
    for p in &mut c.data.paths {
        p.quiet_time_frames.clear();
    }
    c
}

type Getter = fn(&ContactData) -> Option<Value>;

/// §3.1 / §3.2: every optional scalar is cleared when omitted in full mode, kept when omitted
/// in partial mode, cleared by `null` in both, and set by a value (given leniently).
#[test]
fn scalars_cleared_in_full_kept_in_partial_cleared_by_null() {
    // (key, value sent, value expected after setting it, getter)
    let scalars: Vec<(&str, Value, Value, Getter)> = vec![
        ("middleInitial", json!("Z"), json!("Z"), |d| d.middle_initial.clone().map(Value::from)),
        ("suffix", json!("Sr"), json!("Sr"), |d| d.suffix.clone().map(Value::from)),
        ("country", json!("CA"), json!("CA"), |d| d.country.clone().map(Value::from)),
        ("businessName", json!("Initech"), json!("Initech"), |d| d.business_name.clone().map(Value::from)),
        ("timezoneId", json!("Europe/Paris"), json!("Europe/Paris"), |d| d.timezone_id.clone().map(Value::from)),
        ("language", json!("fr"), json!("fr"), |d| d.language.clone().map(Value::from)),
        ("preferredLanguage", json!("fr-CA"), json!("fr-CA"), |d| d.preferred_language.clone().map(Value::from)),
        ("ssoUserId", json!(12345), json!("12345"), |d| d.sso_user_id.clone().map(Value::from)),
        ("securityPIN", json!("9876"), json!("9876"), |d| d.security_pin.clone().map(Value::from)),
        ("registeredEmail", json!("fl@example.org"), json!("fl@example.org"), |d| {
            d.registered_email.clone().map(Value::from)
        }),
        ("accountId", json!("77"), json!(77), |d| d.account_id.map(Value::from)),
        ("vip", json!("false"), json!(false), |d| d.vip.map(Value::from)),
        ("expatriate", json!(true), json!(true), |d| d.expatriate.map(Value::from)),
    ];
    let stored = stored_without_frames();
    let original = |get: Getter| get(&stored.data).expect("the fixture sets every scalar");
    // (state, mode, what the item does with the key, expected: None = cleared, Some(true) =
    // the new value, Some(false) = the stored value)
    let states: [(&str, UpdateMode, Option<bool>, Option<bool>); 6] = [
        ("full/omitted", Full, None, None),
        ("full/null", Full, Some(false), None),
        ("full/value", Full, Some(true), Some(true)),
        ("partial/omitted", Partial, None, Some(false)),
        ("partial/null", Partial, Some(false), None),
        ("partial/value", Partial, Some(true), Some(true)),
    ];
    for (key, sent, set, get) in &scalars {
        for (state, mode, send, expect) in &states {
            let case = format!("{key} {state}");
            let item = match send {
                None => base(),
                Some(false) => with(base(), json!({ *key: null })),
                Some(true) => with(base(), json!({ *key: sent })),
            };
            let applied = ok(&case, run(&case, Some(&stored), &item, *mode));
            let want = match expect {
                None => None,
                Some(true) => Some(set.clone()),
                Some(false) => Some(original(*get)),
            };
            assert_eq!(get(&applied.data), want, "[{case}]");
            assert!(applied.changed, "[{case}] the base item changes the names");
        }
    }
}

/// §3.1 / §3.2: `externalId`, `firstName`, `lastName` and the record type are required in full
/// mode (320 when missing); in partial mode an absent one is kept and a `null` one is 320.
#[test]
fn required_fields() {
    type Names = (String, String, String, i64);
    let kept: Names = ("001".into(), "Fiona".into(), "Lee".into(), EMPLOYEE);
    let sent = |x: &str, f: &str, l: &str| -> Names { (x.into(), f.into(), l.into(), EMPLOYEE) };
    let cases: Vec<(&str, UpdateMode, bool, Value, Expect<Names>)> = vec![
        ("full: all given", Full, true, base(), Expect::Ok(sent("001", "F", "L"))),
        (
            "full: new externalId renames",
            Full,
            true,
            with(base(), json!({"externalId": "002"})),
            Expect::Ok(sent("002", "F", "L")),
        ),
        ("full: externalId missing", Full, true, without(base(), &["externalId"]), Expect::Err(&[("externalId", 320)])),
        ("full: firstName missing", Full, true, without(base(), &["firstName"]), Expect::Err(&[("firstName", 320)])),
        ("full: lastName missing", Full, true, without(base(), &["lastName"]), Expect::Err(&[("lastName", 320)])),
        (
            "full: record type missing",
            Full,
            true,
            without(base(), &["recordTypeId"]),
            Expect::Err(&[("recordTypeId", 320)]),
        ),
        (
            "full: all four missing",
            Full,
            true,
            json!({"vip": true}),
            Expect::Err(&[("externalId", 320), ("firstName", 320), ("lastName", 320), ("recordTypeId", 320)]),
        ),
        (
            "full: firstName null",
            Full,
            true,
            with(base(), json!({"firstName": null})),
            Expect::Err(&[("firstName", 320)]),
        ),
        (
            "full: lastName blank",
            Full,
            true,
            with(base(), json!({"lastName": "   "})),
            Expect::Err(&[("lastName", 320)]),
        ),
        (
            "full: externalId empty",
            Full,
            true,
            with(base(), json!({"externalId": ""})),
            Expect::Err(&[("externalId", 320)]),
        ),
        (
            "full: record type both null",
            Full,
            true,
            with(base(), json!({"recordTypeId": null, "recordTypeName": null})),
            Expect::Err(&[("recordTypeId", 320)]),
        ),
        (
            "full create: lastName missing",
            Full,
            false,
            without(base(), &["lastName"]),
            Expect::Err(&[("lastName", 320)]),
        ),
        ("partial: all absent are kept", Partial, true, json!({}), Expect::Ok(kept.clone())),
        (
            "partial: only firstName given",
            Partial,
            true,
            json!({"firstName": "Flo"}),
            Expect::Ok(("001".into(), "Flo".into(), "Lee".into(), EMPLOYEE)),
        ),
        ("partial: externalId null", Partial, true, json!({"externalId": null}), Expect::Err(&[("externalId", 320)])),
        ("partial: firstName null", Partial, true, json!({"firstName": null}), Expect::Err(&[("firstName", 320)])),
        ("partial: lastName null", Partial, true, json!({"lastName": null}), Expect::Err(&[("lastName", 320)])),
        (
            "partial: recordTypeId null",
            Partial,
            true,
            json!({"recordTypeId": null}),
            Expect::Err(&[("recordTypeId", 320)]),
        ),
        (
            "partial: recordTypeName null",
            Partial,
            true,
            json!({"recordTypeName": null}),
            Expect::Err(&[("recordTypeId", 320)]),
        ),
        ("partial: firstName blank", Partial, true, json!({"firstName": " "}), Expect::Err(&[("firstName", 320)])),
        (
            "partial create: nothing to keep",
            Partial,
            false,
            json!({"firstName": "F"}),
            Expect::Err(&[("externalId", 320), ("lastName", 320), ("recordTypeId", 320)]),
        ),
    ];
    let stored = stored();
    for (case, mode, has_stored, item, expect) in &cases {
        let result = run(case, has_stored.then_some(&stored), item, *mode);
        check(case, result, expect, |a| {
            (a.data.external_id.clone(), a.data.first_name.clone(), a.data.last_name.clone(), a.data.record_type_id)
        });
    }
}

/// §3.1: the record type is resolved by `recordTypeId` or `recordTypeName`, the id wins when
/// both are given, and an unknown one is code 300 with Everbridge's verbatim message.
#[test]
fn record_type_by_id_or_name_id_wins_unknown_is_300() {
    let rt = |patch: Value| with(without(base(), &["recordTypeId"]), patch);
    let cases: Vec<(&str, UpdateMode, Value, Expect<i64>)> = vec![
        ("by id", Full, rt(json!({"recordTypeId": CONTRACTOR})), Expect::Ok(CONTRACTOR)),
        ("by id as a string", Full, rt(json!({"recordTypeId": "1533823015714818"})), Expect::Ok(CONTRACTOR)),
        ("by name", Full, rt(json!({"recordTypeName": "Employee"})), Expect::Ok(EMPLOYEE)),
        ("by another name", Full, rt(json!({"recordTypeName": "Contractor"})), Expect::Ok(CONTRACTOR)),
        (
            "id wins over the name of another type",
            Full,
            rt(json!({"recordTypeId": EMPLOYEE, "recordTypeName": "Contractor"})),
            Expect::Ok(EMPLOYEE),
        ),
        (
            "id wins over an unknown name",
            Full,
            rt(json!({"recordTypeId": CONTRACTOR, "recordTypeName": "Nobody"})),
            Expect::Ok(CONTRACTOR),
        ),
        (
            "name used when the id is null",
            Full,
            rt(json!({"recordTypeId": null, "recordTypeName": "Contractor"})),
            Expect::Ok(CONTRACTOR),
        ),
        ("partial: by name", Partial, json!({"recordTypeName": "Contractor"}), Expect::Ok(CONTRACTOR)),
        ("unknown id", Full, rt(json!({"recordTypeId": 1})), Expect::Err(&[("recordTypeId", 300)])),
        (
            "unknown id, known name: the id wins",
            Full,
            rt(json!({"recordTypeId": 1, "recordTypeName": "Employee"})),
            Expect::Err(&[("recordTypeId", 300)]),
        ),
        ("unknown name", Full, rt(json!({"recordTypeName": "Visitor"})), Expect::Err(&[("recordTypeName", 300)])),
        (
            "names are case-sensitive",
            Full,
            rt(json!({"recordTypeName": "employee"})),
            Expect::Err(&[("recordTypeName", 300)]),
        ),
        ("partial: unknown id", Partial, json!({"recordTypeId": "123"}), Expect::Err(&[("recordTypeId", 300)])),
    ];
    let stored = stored();
    for (case, mode, item, expect) in &cases {
        let result = run(case, Some(&stored), item, *mode);
        if let Err(errors) = &result {
            for e in errors.iter().filter(|e| e.code.code() == 300) {
                assert_eq!(
                    e.message, "The externalId recordType not found in org.",
                    "[{case}] the message of 300 is Everbridge's, verbatim"
                );
            }
        }
        check(case, result, expect, |a| a.data.record_type_id);
    }
}

/// SPEC §1: ids as strings, booleans as `"false"`, topics as objects, numbers as strings,
/// `addresses` for `address`, and unknown or read-only keys ignored.
#[test]
fn lenient_parsing() {
    type Seen = (i64, Option<bool>, Option<i64>, Vec<i64>, Vec<i64>, usize);
    let cases: Vec<(&str, Value, Seen)> = vec![
        (
            "plain JSON types",
            with(base(), json!({"vip": false, "accountId": 5, "topics": [11], "groups": [2]})),
            (EMPLOYEE, Some(false), Some(5), vec![11], vec![2], 0),
        ),
        (
            "ids and numbers as strings",
            with(
                base(),
                json!({"recordTypeId": "1533823015714818", "accountId": "5", "topics": ["12"], "groups": ["3", 2]}),
            ),
            (CONTRACTOR, None, Some(5), vec![12], vec![2, 3], 0),
        ),
        (
            "booleans as strings",
            with(base(), json!({"vip": "false", "expatriate": "TRUE"})),
            (EMPLOYEE, Some(false), None, vec![], vec![], 0),
        ),
        (
            "topics as objects",
            with(base(), json!({"topics": [{"id": 13, "name": "security"}, {"id": "11"}]})),
            (EMPLOYEE, None, None, vec![13, 11], vec![], 0),
        ),
        (
            "addresses is an alias of address",
            with(base(), json!({"addresses": [{"city": "Boston"}]})),
            (EMPLOYEE, None, None, vec![], vec![], 1),
        ),
        (
            "unknown and read-only keys ignored",
            with(
                base(),
                json!({
                    "id": "42", "organizationId": 7, "status": "A", "createdDate": 1700000000000_i64,
                    "lastModifiedDate": 1700000000001_i64, "errors": [], "recordTypeName": "Contractor",
                    "somethingNew": {"nested": [1, 2]}, "version": "3"
                }),
            ),
            (EMPLOYEE, None, None, vec![], vec![], 0),
        ),
    ];
    let stored = stored();
    for (case, item, want) in &cases {
        let applied = ok(case, run(case, Some(&stored), item, Full));
        let d = &applied.data;
        let seen: Seen =
            (d.record_type_id, d.vip, d.account_id, d.topics.clone(), applied.new_groups.clone(), d.addresses.len());
        assert_eq!(&seen, want, "[{case}]");
    }
    let parsed = input("read-only keys", &cases[5].1);
    assert_eq!((parsed.id, parsed.version), (Some(42), Some(3)));
}

/// §3.3: an item whose result equals the stored contact is unchanged (`changed == false`),
/// unless it adds the contact to a group it is not yet in.
#[test]
fn unchanged_detection() {
    // The stored contact as a client reads it (GET) and sends it back, read-only keys included.
    let whole = json!({
        "id": 42, "status": "A", "version": 3, "createdDate": 1, "lastModifiedDate": 2,
        "externalId": "001", "firstName": "Fiona", "lastName": "Lee", "middleInitial": "Q",
        "suffix": "Jr", "country": "US", "businessName": "Acme", "timezoneId": "America/New_York",
        "language": "en", "preferredLanguage": "en-US", "ssoUserId": "fiona@sso",
        "securityPIN": "1234", "registeredEmail": "fiona@umail.example.edu", "accountId": 99,
        "vip": true, "expatriate": "false",
        "recordTypeId": EMPLOYEE, "recordTypeName": "Employee",
        "paths": [
            {"pathId": PHONE, "prompt": "phone", "value": "+1 (781) 555-1212", "phoneExt": "12",
             "waitTime": 5, "pathEnable": true, "skipValidation": false,
             "quietTimeFrames": [{"days": [2, 6], "fromHour": 22, "fromMin": 30, "toHour": 6, "toMin": 15}]},
            {"pathId": EMAIL, "value": "fiona@example.com"}
        ],
        "contactAttributes": [
            {"orgAttrId": ATTR1, "name": "attr1", "values": ["option1"]},
            {"name": "level", "values": ["3"]}
        ],
        "address": [{"locationName": "HQ", "streetAddress": "1 Main St", "suite": "100",
            "city": "Boston", "state": "MA", "postalCode": "02110", "country": "us",
            "gisLocation": {"lat": 42.36, "lon": -71.06}}],
        "topics": [{"id": TOPIC_WEATHER}, TOPIC_TRAFFIC],
        "groups": [1], "groupsName": ["group1"]
    });
    let mut frames_omitted = whole.clone();
    frames_omitted["paths"][0].as_object_mut().unwrap().remove("quietTimeFrames");
    type Outcome = (bool, Vec<i64>);
    let cases: Vec<(&str, UpdateMode, bool, Value, Outcome)> = vec![
        ("full: the whole contact sent back", Full, true, whole.clone(), (false, vec![])),
        ("partial: the whole contact sent back", Partial, true, whole.clone(), (false, vec![])),
        ("full: quietTimeFrames omitted are kept", Full, true, frames_omitted, (false, vec![])),
        ("full: groups omitted", Full, true, without(whole.clone(), &["groups", "groupsName"]), (false, vec![])),
        (
            "full: groups [] removes nothing",
            Full,
            true,
            with(whole.clone(), json!({"groups": [], "groupsName": []})),
            (false, vec![]),
        ),
        ("partial: empty item", Partial, true, json!({}), (false, vec![])),
        ("partial: same value again", Partial, true, json!({"vip": "true", "firstName": "Fiona"}), (false, vec![])),
        ("partial: only groups already joined", Partial, true, json!({"groupsName": ["group1"]}), (false, vec![])),
        ("full: a new group", Full, true, with(whole.clone(), json!({"groups": [1, 2]})), (true, vec![2])),
        ("partial: a new group only", Partial, true, json!({"groupsName": ["group3"]}), (true, vec![3])),
        ("full: firstName differs", Full, true, with(whole.clone(), json!({"firstName": "Flo"})), (true, vec![])),
        ("full: a scalar omitted", Full, true, without(whole.clone(), &["suffix"]), (true, vec![])),
        (
            "full: attribute order differs",
            Full,
            true,
            with(
                whole.clone(),
                json!({"contactAttributes": [{"name": "level", "values": ["3"]}, {"name": "attr1", "values": ["option1"]}]}),
            ),
            (true, vec![]),
        ),
        (
            "full: quietTimeFrames cleared",
            Full,
            true,
            with(
                whole.clone(),
                json!({"paths": [{"pathId": PHONE, "value": "+17815551212", "phoneExt": "12", "waitTime": 5, "pathEnable": true, "skipValidation": false, "quietTimeFrames": []}, {"pathId": EMAIL, "value": "fiona@example.com"}]}),
            ),
            (true, vec![]),
        ),
        ("partial: a scalar nulled", Partial, true, json!({"language": null}), (true, vec![])),
        ("create", Full, false, whole.clone(), (true, vec![1])),
    ];
    let stored = stored();
    for (case, mode, has_stored, item, want) in &cases {
        let applied = ok(case, run(case, has_stored.then_some(&stored), item, *mode));
        assert_eq!(&(applied.changed, applied.new_groups.clone()), want, "[{case}]");
        if !applied.changed {
            assert_eq!(applied.data, stored.data, "[{case}] unchanged means equal");
        }
    }
}
