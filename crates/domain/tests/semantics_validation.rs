//! SPEC §3.4, validation: phone and e-mail paths, quiet time frame ranges, lengths, and every
//! error of an item reported at once with its field path.

mod common;

use common::*;
use contacts_domain::UpdateMode::Full;
use serde_json::{json, Value};

/// Applies an item made of `base()` plus `patch` to a new contact.
fn create(case: &str, patch: Value) -> Result<contacts_domain::Applied, Vec<contacts_domain::FieldError>> {
    run(case, None, &with(base(), patch), Full)
}

/// §3.4 phone and SMS paths: normalised (non-digits stripped, a leading `+` kept) and checked
/// for the ISO alpha-2 `countryCode` (a dialling code such as `1` is invalid); without one the
/// number must be international; `skipValidation: true` skips the check and keeps the value.
#[test]
fn phone_validation() {
    // (case, path, expected: stored value or errors)
    let cases: Vec<(&str, Value, Expect<&str>)> = vec![
        (
            "international, no countryCode",
            json!({"pathId": PHONE, "value": "+17815551212"}),
            Expect::Ok("+17815551212"),
        ),
        (
            "international, punctuation stripped",
            json!({"pathId": PHONE, "value": " +1 (781) 555-1212 "}),
            Expect::Ok("+17815551212"),
        ),
        (
            "US national number",
            json!({"pathId": PHONE, "countryCode": "US", "value": "(781) 555.1212"}),
            Expect::Ok("7815551212"),
        ),
        (
            "lower-case country code",
            json!({"pathId": PHONE, "countryCode": "us", "value": "781-555-1212"}),
            Expect::Ok("7815551212"),
        ),
        (
            "CN mobile (seed example)",
            json!({"pathId": PHONE, "countryCode": "CN", "value": "17525889654"}),
            Expect::Ok("17525889654"),
        ),
        (
            "CN, international form",
            json!({"pathId": PHONE, "countryCode": "CN", "value": "+86 175 2588 9654"}),
            Expect::Ok("+8617525889654"),
        ),
        ("SMS path, international", json!({"pathId": SMS, "value": "+1-781-555-0000"}), Expect::Ok("+17815550000")),
        (
            "skipValidation true keeps anything",
            json!({"pathId": PHONE, "value": "call the desk", "skipValidation": true}),
            Expect::Ok("call the desk"),
        ),
        (
            "skipValidation \"true\", not normalised",
            json!({"pathId": SMS, "value": "(781) 555", "skipValidation": "true"}),
            Expect::Ok("(781) 555"),
        ),
        (
            "dialling code as countryCode",
            json!({"pathId": PHONE, "countryCode": "1", "value": "7815551212"}),
            Expect::Err(&[("paths[0].countryCode", 320)]),
        ),
        (
            "alpha-3 countryCode",
            json!({"pathId": PHONE, "countryCode": "USA", "value": "7815551212"}),
            Expect::Err(&[("paths[0].countryCode", 320)]),
        ),
        (
            "national number without countryCode",
            json!({"pathId": PHONE, "value": "7815551212"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "too short for US",
            json!({"pathId": PHONE, "countryCode": "US", "value": "55512"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "no digits",
            json!({"pathId": PHONE, "countryCode": "US", "value": "phone"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "not a number, international",
            json!({"pathId": PHONE, "value": "+1 000"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "skipValidation false checks",
            json!({"pathId": PHONE, "value": "12", "skipValidation": false}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "SMS path without countryCode",
            json!({"pathId": SMS, "value": "555-0000"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
    ];
    for (case, path, expect) in &cases {
        let expect = match expect {
            Expect::Ok(v) => Expect::Ok((*v).to_owned()),
            Expect::Err(e) => Expect::Err(e),
        };
        check(case, create(case, json!({ "paths": [path] })), &expect, |a| a.data.paths[0].value.clone());
    }
}

/// §3.4 e-mail paths: the address must be valid unless `skipValidation` is true.
#[test]
fn email_validation() {
    let cases: Vec<(&str, Value, Expect<&str>)> = vec![
        (
            "valid",
            json!({"pathId": EMAIL, "value": "first.last+tag@example.co.uk"}),
            Expect::Ok("first.last+tag@example.co.uk"),
        ),
        ("by prompt", json!({"prompt": "Email Address 1", "value": "a@b.org"}), Expect::Ok("a@b.org")),
        (
            "skipValidation true",
            json!({"pathId": EMAIL, "value": "not an address", "skipValidation": true}),
            Expect::Ok("not an address"),
        ),
        ("no @", json!({"pathId": EMAIL, "value": "fiona.example.com"}), Expect::Err(&[("paths[0].value", 320)])),
        ("no domain", json!({"pathId": EMAIL, "value": "fiona@"}), Expect::Err(&[("paths[0].value", 320)])),
        ("two @", json!({"pathId": EMAIL, "value": "a@b@c.com"}), Expect::Err(&[("paths[0].value", 320)])),
        (
            "skipValidation false",
            json!({"pathId": EMAIL, "value": "@example.com", "skipValidation": "false"}),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
    ];
    for (case, path, expect) in &cases {
        let expect = match expect {
            Expect::Ok(v) => Expect::Ok((*v).to_owned()),
            Expect::Err(e) => Expect::Err(e),
        };
        check(case, create(case, json!({ "paths": [path] })), &expect, |a| a.data.paths[0].value.clone());
    }
}

/// §3.4 `quietTimeFrames[]`: `days` ⊆ 1..7, hours 0–23, minutes 0–59, windows may wrap past
/// midnight; the error names the frame's field (`paths[1].quietTimeFrames[0].toHour`).
#[test]
fn quiet_time_frame_ranges() {
    let frame =
        |patch: Value| with(json!({"days": [2, 6], "fromHour": 22, "fromMin": 0, "toHour": 6, "toMin": 0}), patch);
    type Bounds = (u8, u8, u8, u8);
    let cases: Vec<(&str, Value, Expect<Bounds>)> = vec![
        ("wraps past midnight", frame(json!({})), Expect::Ok((22, 0, 6, 0))),
        (
            "upper bounds",
            frame(json!({"days": [7], "fromHour": 23, "fromMin": 59, "toHour": 23, "toMin": 59})),
            Expect::Ok((23, 59, 23, 59)),
        ),
        (
            "lower bounds",
            frame(json!({"days": [1], "fromHour": 0, "fromMin": 0, "toHour": 0, "toMin": 0})),
            Expect::Ok((0, 0, 0, 0)),
        ),
        ("all days", frame(json!({"days": [1, 2, 3, 4, 5, 6, 7]})), Expect::Ok((22, 0, 6, 0))),
        ("day 0", frame(json!({"days": [0, 2]})), Expect::Err(&[("paths[1].quietTimeFrames[0].days[0]", 320)])),
        ("day 8", frame(json!({"days": [2, 8]})), Expect::Err(&[("paths[1].quietTimeFrames[0].days[1]", 320)])),
        ("no days", frame(json!({"days": []})), Expect::Err(&[("paths[1].quietTimeFrames[0].days", 320)])),
        ("fromHour 24", frame(json!({"fromHour": 24})), Expect::Err(&[("paths[1].quietTimeFrames[0].fromHour", 320)])),
        ("toHour 24", frame(json!({"toHour": 24})), Expect::Err(&[("paths[1].quietTimeFrames[0].toHour", 320)])),
        ("toHour -1", frame(json!({"toHour": -1})), Expect::Err(&[("paths[1].quietTimeFrames[0].toHour", 320)])),
        ("fromMin 60", frame(json!({"fromMin": 60})), Expect::Err(&[("paths[1].quietTimeFrames[0].fromMin", 320)])),
        ("toMin 60", frame(json!({"toMin": "60"})), Expect::Err(&[("paths[1].quietTimeFrames[0].toMin", 320)])),
        (
            "toMin missing",
            without(frame(json!({})), &["toMin"]),
            Expect::Err(&[("paths[1].quietTimeFrames[0].toMin", 320)]),
        ),
        (
            "everything wrong",
            json!({"days": [9], "fromHour": 99, "fromMin": -5, "toHour": 25, "toMin": 61}),
            Expect::Err(&[
                ("paths[1].quietTimeFrames[0].days[0]", 320),
                ("paths[1].quietTimeFrames[0].fromHour", 320),
                ("paths[1].quietTimeFrames[0].fromMin", 320),
                ("paths[1].quietTimeFrames[0].toHour", 320),
                ("paths[1].quietTimeFrames[0].toMin", 320),
            ]),
        ),
    ];
    for (case, f, expect) in &cases {
        let patch = json!({
            "timezoneId": "America/New_York",
            "paths": [
                {"pathId": EMAIL, "value": "a@b.org"},
                {"pathId": PHONE, "value": "+17815551212", "quietTimeFrames": [f]}
            ]
        });
        check(case, create(case, patch), expect, |a| {
            let q = &a.data.paths[1].quiet_time_frames[0];
            (q.from_hour, q.from_min, q.to_hour, q.to_min)
        });
    }
}

/// §3.4 lengths, in characters: exactly the maximum passes, one more fails (multi-byte
/// characters count once).
#[test]
fn length_limits() {
    // (field path in errors, where it goes, max)
    let limits: [(&str, bool, usize); 10] = [
        ("externalId", false, 50),
        ("firstName", false, 100),
        ("lastName", false, 100),
        ("middleInitial", false, 1),
        ("suffix", false, 10),
        ("locationName", true, 200),
        ("streetAddress", true, 100),
        ("city", true, 40),
        ("state", true, 40),
        ("postalCode", true, 10),
    ];
    // (variant, character, extra characters over the maximum)
    let variants: [(&str, &str, usize); 4] = [
        ("ascii at max", "a", 0),
        ("ascii at max+1", "a", 1),
        ("multi-byte at max", "日", 0),
        ("multi-byte at max+1", "é", 1),
    ];
    for (key, in_address, max) in limits {
        for (variant, ch, over) in variants {
            let case = format!("{key} {variant}");
            let text = ch.repeat(max + over);
            assert!(text.len() > max || ch == "a", "[{case}] more bytes than characters");
            let patch = if in_address {
                json!({ "address": [{ "city": "Boston" }, { key: text }] })
            } else {
                json!({ key: text })
            };
            let field = if in_address { format!("address[1].{key}") } else { key.to_owned() };
            let result = create(&case, patch);
            if over == 0 {
                let applied = ok(&case, result);
                let d = &applied.data;
                let a = d.addresses.last();
                let got = match key {
                    "externalId" => Some(d.external_id.clone()),
                    "firstName" => Some(d.first_name.clone()),
                    "lastName" => Some(d.last_name.clone()),
                    "middleInitial" => d.middle_initial.clone(),
                    "suffix" => d.suffix.clone(),
                    "locationName" => a.and_then(|a| a.location_name.clone()),
                    "streetAddress" => a.and_then(|a| a.street_address.clone()),
                    "city" => a.and_then(|a| a.city.clone()),
                    "state" => a.and_then(|a| a.state.clone()),
                    "postalCode" => a.and_then(|a| a.postal_code.clone()),
                    _ => unreachable!(),
                };
                assert_eq!(got.as_deref(), Some(text.as_str()), "[{case}]");
            } else {
                let errors = errs(&case, result, &[(field.as_str(), 320)]);
                assert!(
                    errors[0].message.contains(&format!("at most {max}")),
                    "[{case}] message: {}",
                    errors[0].message
                );
            }
        }
    }
}

/// §1 / §3.3: every error of an item is reported at once, each with the path of its field.
#[test]
fn all_errors_of_an_item_at_once() {
    let many = json!({
        "externalId": "x".repeat(51),
        "lastName": "L",
        "recordTypeName": "Visitor",
        "paths": [
            {"pathId": EMAIL, "value": "nope"},
            {"pathId": PHONE, "value": "+17815551212",
             "quietTimeFrames": [{"days": [2], "fromHour": 1, "fromMin": 0, "toHour": 24, "toMin": 0}]},
            {"prompt": "pager", "value": "1"},
            {"pathId": PHONE, "value": "+17815551212"}
        ],
        "contactAttributes": [{"name": "attr1", "values": ["option9"]}, {"orgAttrId": 1, "values": []}],
        "address": [{"city": "c".repeat(41), "gisLocation": {"lat": 100, "lon": 0}}],
        "topics": [11, 404],
        "groups": [7],
        "groupsName": ["group2", "nobody"]
    });
    type Keys = Vec<(&'static str, u16)>;
    let cases: Vec<(&str, Value, Keys)> = vec![
        (
            "one of each",
            many,
            vec![
                ("externalId", 320),
                ("firstName", 320),
                ("recordTypeName", 300),
                ("timezoneId", 320),
                ("paths[0].value", 320),
                ("paths[1].quietTimeFrames[0].toHour", 320),
                ("paths[2].prompt", 303),
                ("paths[3].pathId", 320),
                ("contactAttributes[0].values[0]", 305),
                ("contactAttributes[1].orgAttrId", 302),
                ("address[0].city", 320),
                ("address[0].gisLocation.lat", 320),
                ("topics[1]", 304),
                ("groups[0]", 301),
                ("groupsName[1]", 301),
            ],
        ),
        (
            "two problems in one path",
            with(
                base(),
                json!({
                    "timezoneId": "Nowhere/Town",
                    "paths": [{"pathId": SMS, "countryCode": "1", "value": "+17815551212",
                               "quietTimeFrames": [{"days": [0], "fromHour": 0, "fromMin": 0, "toHour": 1, "toMin": 0}]}]
                }),
            ),
            vec![("timezoneId", 320), ("paths[0].countryCode", 320), ("paths[0].quietTimeFrames[0].days[0]", 320)],
        ),
    ];
    for (case, item, want) in &cases {
        let errors = errs(case, run(case, Some(&stored()), item, Full), want);
        for e in &errors {
            assert!(!e.message.is_empty(), "[{case}] {} has a message", e.field);
        }
    }
}

/// §3.4, as decided in the README (Decisions where the contract is silent): a path value given again exactly as stored, under the
/// same path and countryCode, was checked when it was written and is not checked again (the
/// check would give the same value). A value stored with `skipValidation: true` was never
/// checked, and a value given with another countryCode or under another path is new: both are
/// checked. The stored values below are ones today's rules reject (as if stored under older
/// phone metadata), so a check that ran would show.
#[test]
fn a_value_given_again_as_stored_is_not_checked_again() {
    let mut stored = stored();
    let accepted_once =
        |path_id, value: &str, country: Option<&str>, skip: Option<bool>| contacts_domain::ContactPath {
            path_id,
            value: value.into(),
            country_code: country.map(Into::into),
            phone_ext: None,
            wait_time: None,
            path_enable: None,
            skip_validation: skip,
            quiet_time_frames: vec![],
        };
    stored.data.paths = vec![
        accepted_once(PHONE, "55512", Some("US"), Some(false)),
        accepted_once(SMS, "555", Some("US"), Some(true)),
        accepted_once(EMAIL, "old@@example", None, None),
    ];
    let item = |paths: Value| with(base(), json!({ "paths": paths }));
    let cases: Vec<(&str, Value, Expect<Vec<&str>>)> = vec![
        (
            "all as stored",
            json!([{"pathId": PHONE, "countryCode": "US", "value": "55512"}, {"pathId": EMAIL, "value": "old@@example"}]),
            Expect::Ok(vec!["55512", "old@@example"]),
        ),
        (
            "country code in lower case is the same code",
            json!([{"pathId": PHONE, "countryCode": "us", "value": "55512"}]),
            Expect::Ok(vec!["55512"]),
        ),
        (
            "stored with skipValidation, now without: checked",
            json!([{"pathId": SMS, "countryCode": "US", "value": "555"}]),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "another countryCode: checked",
            json!([{"pathId": PHONE, "countryCode": "CN", "value": "55512"}]),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "another path: checked",
            json!([{"pathId": HOME_PHONE, "countryCode": "US", "value": "55512"}]),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "written differently (not the stored text): checked",
            json!([{"pathId": PHONE, "countryCode": "US", "value": "555-12"}]),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
        (
            "e-mail changed: checked",
            json!([{"pathId": EMAIL, "value": "new@@example"}]),
            Expect::Err(&[("paths[0].value", 320)]),
        ),
    ];
    for (case, paths, expect) in &cases {
        let expect = match expect {
            Expect::Ok(v) => Expect::Ok(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()),
            Expect::Err(e) => Expect::Err(e),
        };
        let result = run(case, Some(&stored), &item(paths.clone()), Full);
        check(case, result, &expect, |a| a.data.paths.iter().map(|p| p.value.clone()).collect());
    }
}
