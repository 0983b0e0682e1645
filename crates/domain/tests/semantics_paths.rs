//! SPEC §3.1–3.2, delivery paths: replaced or cleared, resolved by `pathId` or `prompt`, their
//! fields kept as given, and their quiet time frames kept, cleared or replaced.

mod common;

use common::*;
use contacts_domain::{QuietTimeFrame, UpdateMode};
use serde_json::{json, Value};

use UpdateMode::{Full, Partial};

/// §3.1: `paths` replaces the stored list in order of preference; each element is found by
/// `pathId` (the id wins) or `prompt`; unknown is 303, the same `pathId` twice is 320.
#[test]
fn paths_replace_in_order_resolve_by_id_or_prompt() {
    // The stored phone path has a quiet time frame: kept when not given, so a zone is needed.
    let ps = |list: Value| with(base(), json!({ "timezoneId": "UTC", "paths": list }));
    let phone = "+17815551212";
    let email = "fiona@example.com";
    type Listed = Vec<(i64, &'static str)>;
    let cases: Vec<(&str, UpdateMode, Value, Expect<Listed>)> = vec![
        ("full: omitted removes all", Full, base(), Expect::Ok(vec![])),
        ("partial: omitted keeps", Partial, json!({}), Expect::Ok(vec![(PHONE, phone), (EMAIL, email)])),
        ("partial: null removes all", Partial, json!({"paths": null}), Expect::Ok(vec![])),
        ("full: [] removes all", Full, ps(json!([])), Expect::Ok(vec![])),
        (
            "replaces, the order is kept",
            Full,
            ps(
                json!([{"pathId": EMAIL, "value": "a@b.org"}, {"pathId": SMS, "value": "+17815550000"}, {"pathId": PHONE, "value": phone}]),
            ),
            Expect::Ok(vec![(EMAIL, "a@b.org"), (SMS, "+17815550000"), (PHONE, phone)]),
        ),
        (
            "partial: replaces the whole list",
            Partial,
            json!({"paths": [{"pathId": HOME_PHONE, "value": "+17815550001"}]}),
            Expect::Ok(vec![(HOME_PHONE, "+17815550001")]),
        ),
        (
            "by pathId as a string",
            Full,
            ps(json!([{"pathId": "241901148045319", "value": phone}])),
            Expect::Ok(vec![(PHONE, phone)]),
        ),
        (
            "by prompt (seed example)",
            Full,
            ps(json!([{"prompt": "phone", "countryCode": "CN", "value": "17525889654"}])),
            Expect::Ok(vec![(PHONE, "17525889654")]),
        ),
        (
            "id wins over another path's prompt",
            Full,
            ps(json!([{"pathId": EMAIL, "prompt": "phone", "value": email}])),
            Expect::Ok(vec![(EMAIL, email)]),
        ),
        (
            "id wins over an unknown prompt",
            Full,
            ps(json!([{"pathId": PHONE, "prompt": "beeper", "value": phone}])),
            Expect::Ok(vec![(PHONE, phone)]),
        ),
        (
            "unknown pathId",
            Full,
            ps(json!([{"pathId": PHONE, "value": phone}, {"pathId": 1, "value": phone}])),
            Expect::Err(&[("paths[1].pathId", 303)]),
        ),
        (
            "unknown id, known prompt: the id wins",
            Full,
            ps(json!([{"pathId": 1, "prompt": "phone", "value": phone}])),
            Expect::Err(&[("paths[0].pathId", 303)]),
        ),
        (
            "unknown prompt",
            Full,
            ps(json!([{"prompt": "Phone", "value": phone}])),
            Expect::Err(&[("paths[0].prompt", 303)]),
        ),
        ("neither pathId nor prompt", Full, ps(json!([{"value": phone}])), Expect::Err(&[("paths[0].pathId", 320)])),
        (
            "same pathId twice",
            Full,
            ps(
                json!([{"pathId": PHONE, "value": phone}, {"pathId": EMAIL, "value": email}, {"pathId": PHONE, "value": "+17815550000"}]),
            ),
            Expect::Err(&[("paths[2].pathId", 320)]),
        ),
        (
            "same path by id and by prompt",
            Full,
            ps(json!([{"pathId": PHONE, "value": phone}, {"prompt": "phone", "value": "+17815550000"}])),
            Expect::Err(&[("paths[1].pathId", 320)]),
        ),
        ("value missing", Full, ps(json!([{"pathId": EMAIL}])), Expect::Err(&[("paths[0].value", 320)])),
        ("value blank", Full, ps(json!([{"pathId": PHONE, "value": "  "}])), Expect::Err(&[("paths[0].value", 320)])),
        (
            "negative waitTime",
            Full,
            ps(json!([{"pathId": PHONE, "value": phone, "waitTime": -1}])),
            Expect::Err(&[("paths[0].waitTime", 320)]),
        ),
    ];
    let stored = stored();
    for (case, mode, item, expect) in &cases {
        let expect = match expect {
            Expect::Ok(v) => Expect::Ok(v.iter().map(|(i, s)| (*i, (*s).to_owned())).collect()),
            Expect::Err(e) => Expect::Err(e),
        };
        check(case, run(case, Some(&stored), item, *mode), &expect, |a| {
            a.data.paths.iter().map(|p| (p.path_id, p.value.clone())).collect::<Vec<(i64, String)>>()
        });
    }
}

/// §1 and §3.1: every field of a path is kept as given (`countryCode` upper-cased), so that a
/// read returns what was written.
#[test]
fn path_fields_are_kept_as_given() {
    type Kept = (Option<String>, Option<String>, Option<i64>, Option<bool>, Option<bool>);
    let cases: Vec<(&str, Value, Kept)> = vec![
        ("nothing but the value", json!({"pathId": PHONE, "value": "+17815551212"}), (None, None, None, None, None)),
        (
            "every field",
            json!({"pathId": PHONE, "value": "7815551212", "countryCode": "US", "phoneExt": "204", "waitTime": 30, "pathEnable": false, "skipValidation": false}),
            (Some("US".into()), Some("204".into()), Some(30), Some(false), Some(false)),
        ),
        (
            "lenient: strings for numbers and booleans",
            json!({"pathId": "241901148045319", "value": "7815551212", "countryCode": "us", "phoneExt": 204, "waitTime": "30", "pathEnable": "true", "skipValidation": "false"}),
            (Some("US".into()), Some("204".into()), Some(30), Some(true), Some(false)),
        ),
        (
            "skipValidation true is kept",
            json!({"pathId": PHONE, "value": "x", "skipValidation": true}),
            (None, None, None, None, Some(true)),
        ),
    ];
    for (case, path, want) in &cases {
        let item = with(base(), json!({ "timezoneId": "UTC", "paths": [path] }));
        let applied = ok(case, run(case, Some(&stored()), &item, Full));
        let p = &applied.data.paths[0];
        let kept: Kept = (p.country_code.clone(), p.phone_ext.clone(), p.wait_time, p.path_enable, p.skip_validation);
        assert_eq!(&kept, want, "[{case}]");
    }
}

type Frames = Vec<(i64, Vec<QuietTimeFrame>)>;

/// §3.1 `paths[].quietTimeFrames`: absent keeps the stored frames of that `pathId` (also when
/// the path is given by prompt), `[]` and `null` clear, non-empty replaces; `timezoneId` is
/// required whenever the contact ends up with a frame, kept ones included.
#[test]
fn quiet_time_frames_kept_cleared_or_replaced() {
    let tz = json!({"timezoneId": "America/New_York"});
    let ps = |list: Value| with(with(base(), tz.clone()), json!({ "paths": list }));
    let phone = |extra: Value| with(json!({"pathId": PHONE, "value": "+17815551212"}), extra);
    let email = json!({"pathId": EMAIL, "value": "fiona@example.com"});
    let morning = json!([{"name": "mornings", "days": [1, 7], "fromHour": 0, "fromMin": 0, "toHour": 7, "toMin": 59}]);
    let morning_frame = QuietTimeFrame {
        name: Some("mornings".into()),
        days: vec![1, 7],
        from_hour: 0,
        from_min: 0,
        to_hour: 7,
        to_min: 59,
    };
    let night = || vec![night_frame()];
    let cases: Vec<(&str, UpdateMode, bool, Value, Expect<Frames>)> = vec![
        (
            "full: absent keeps, by pathId",
            Full,
            true,
            ps(json!([phone(json!({}))])),
            Expect::Ok(vec![(PHONE, night())]),
        ),
        (
            "full: absent keeps, by prompt",
            Full,
            true,
            ps(json!([{"prompt": "phone", "value": "+17815551212"}])),
            Expect::Ok(vec![(PHONE, night())]),
        ),
        (
            "full: absent keeps, path moved",
            Full,
            true,
            ps(json!([email, phone(json!({}))])),
            Expect::Ok(vec![(EMAIL, vec![]), (PHONE, night())]),
        ),
        (
            "full: absent on a path stored without frames",
            Full,
            true,
            ps(json!([email])),
            Expect::Ok(vec![(EMAIL, vec![])]),
        ),
        (
            "full: absent on a path not stored",
            Full,
            true,
            ps(json!([{"pathId": HOME_PHONE, "value": "+17815551212"}])),
            Expect::Ok(vec![(HOME_PHONE, vec![])]),
        ),
        (
            "full: absent on a new contact",
            Full,
            false,
            ps(json!([phone(json!({}))])),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "partial: paths absent keeps them",
            Partial,
            true,
            json!({}),
            Expect::Ok(vec![(PHONE, night()), (EMAIL, vec![])]),
        ),
        (
            "partial: absent keeps",
            Partial,
            true,
            json!({"paths": [phone(json!({}))]}),
            Expect::Ok(vec![(PHONE, night())]),
        ),
        (
            "full: [] clears",
            Full,
            true,
            ps(json!([phone(json!({"quietTimeFrames": []}))])),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "full: null clears",
            Full,
            true,
            ps(json!([phone(json!({"quietTimeFrames": null}))])),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "partial: [] clears",
            Partial,
            true,
            json!({"paths": [phone(json!({"quietTimeFrames": []}))]}),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "full: non-empty replaces",
            Full,
            true,
            ps(json!([phone(json!({"quietTimeFrames": morning}))])),
            Expect::Ok(vec![(PHONE, vec![morning_frame.clone()])]),
        ),
        (
            "full: a frame without a name has none",
            Full,
            true,
            ps(json!([phone(
                json!({"quietTimeFrames": [{"days": [1, 7], "fromHour": 0, "fromMin": 0, "toHour": 7, "toMin": 59}]})
            )])),
            Expect::Ok(vec![(PHONE, vec![QuietTimeFrame { name: None, ..morning_frame.clone() }])]),
        ),
        (
            "full: lenient frame",
            Full,
            true,
            ps(json!([phone(
                json!({"quietTimeFrames": [{"name": "mornings", "days": ["1", 7], "fromHour": "0", "fromMin": 0, "toHour": "7", "toMin": "59"}]})
            )])),
            Expect::Ok(vec![(PHONE, vec![morning_frame.clone()])]),
        ),
        (
            "full: [] clears, no timezoneId needed",
            Full,
            true,
            with(base(), json!({"paths": [phone(json!({"quietTimeFrames": []}))]})),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "full: kept frames need timezoneId",
            Full,
            true,
            with(base(), json!({"paths": [phone(json!({}))]})),
            Expect::Err(&[("timezoneId", 320)]),
        ),
        (
            "full: new frames need timezoneId",
            Full,
            false,
            with(base(), json!({"paths": [phone(json!({"quietTimeFrames": morning}))]})),
            Expect::Err(&[("timezoneId", 320)]),
        ),
        (
            "partial: timezoneId null with kept frames",
            Partial,
            true,
            json!({"timezoneId": null}),
            Expect::Err(&[("timezoneId", 320)]),
        ),
        (
            "partial: timezoneId null, frames cleared",
            Partial,
            true,
            json!({"timezoneId": null, "paths": [phone(json!({"quietTimeFrames": []}))]}),
            Expect::Ok(vec![(PHONE, vec![])]),
        ),
        (
            "full: invalid IANA zone",
            Full,
            true,
            with(ps(json!([phone(json!({}))])), json!({"timezoneId": "Mars/Olympus"})),
            Expect::Err(&[("timezoneId", 320)]),
        ),
        (
            "full: another IANA zone",
            Full,
            true,
            with(ps(json!([phone(json!({}))])), json!({"timezoneId": "Asia/Shanghai"})),
            Expect::Ok(vec![(PHONE, night())]),
        ),
    ];
    let stored = stored();
    for (case, mode, has_stored, item, expect) in &cases {
        let result = run(case, has_stored.then_some(&stored), item, *mode);
        check(case, result, expect, |a| {
            a.data.paths.iter().map(|p| (p.path_id, p.quiet_time_frames.clone())).collect()
        });
    }
}
