//! SPEC §3.1–3.2, the other list fields: contact attributes, addresses, topics (replaced or
//! cleared) and groups (only ever added).

mod common;

use common::*;
use contacts_domain::UpdateMode;
use serde_json::{json, Value};

use UpdateMode::{Full, Partial};

type Attrs = Vec<(i64, Vec<String>)>;

fn attrs(list: &[(i64, &[&str])]) -> Attrs {
    list.iter().map(|(id, vs)| (*id, vs.iter().map(|v| (*v).to_owned()).collect())).collect()
}

/// §3.1: `contactAttributes` replaces the stored list (left out: cleared), each element found
/// by `orgAttrId` (the id wins) or `name`; unknown is 302, a value not allowed is 305.
#[test]
fn contact_attributes_replace_resolve_and_validate() {
    let ca = |list: Value| with(base(), json!({ "contactAttributes": list }));
    let cases: Vec<(&str, UpdateMode, Value, Expect<Attrs>)> = vec![
        ("full: omitted clears all", Full, base(), Expect::Ok(vec![])),
        (
            "partial: omitted keeps",
            Partial,
            json!({}),
            Expect::Ok(attrs(&[(ATTR1, &["option1"]), (ATTR_LEVEL, &["3"])])),
        ),
        ("partial: null clears", Partial, json!({"contactAttributes": null}), Expect::Ok(vec![])),
        ("full: [] clears", Full, ca(json!([])), Expect::Ok(vec![])),
        (
            "replaces: the one left out is cleared",
            Full,
            ca(json!([{"orgAttrId": ATTR1, "values": ["option2"]}])),
            Expect::Ok(attrs(&[(ATTR1, &["option2"])])),
        ),
        (
            "partial: replaces the whole list",
            Partial,
            json!({"contactAttributes": [{"name": "note", "values": ["hi"]}]}),
            Expect::Ok(attrs(&[(ATTR_NOTE, &["hi"])])),
        ),
        (
            "by orgAttrId as a string",
            Full,
            ca(json!([{"orgAttrId": "1509768514502692", "values": ["option3"]}])),
            Expect::Ok(attrs(&[(ATTR1, &["option3"])])),
        ),
        (
            "by name (seed example)",
            Full,
            ca(json!([{"name": "attr1", "values": ["option1", "option2"]}])),
            Expect::Ok(attrs(&[(ATTR1, &["option1", "option2"])])),
        ),
        (
            "both (seed example)",
            Full,
            ca(json!([{"orgAttrId": ATTR1, "name": "attr1", "values": ["option1", "option2"]}])),
            Expect::Ok(attrs(&[(ATTR1, &["option1", "option2"])])),
        ),
        (
            "id wins over another attribute's name",
            Full,
            ca(json!([{"orgAttrId": ATTR_NOTE, "name": "attr1", "values": ["free text"]}])),
            Expect::Ok(attrs(&[(ATTR_NOTE, &["free text"])])),
        ),
        (
            "id wins over an unknown name",
            Full,
            ca(json!([{"orgAttrId": ATTR_LEVEL, "name": "nope", "values": ["1"]}])),
            Expect::Ok(attrs(&[(ATTR_LEVEL, &["1"])])),
        ),
        (
            "order is kept",
            Full,
            ca(
                json!([{"name": "level", "values": ["-2.5"]}, {"name": "onCall", "values": ["false"]}, {"name": "hiredOn", "values": ["2024-02-29"]}]),
            ),
            Expect::Ok(attrs(&[(ATTR_LEVEL, &["-2.5"]), (ATTR_ON_CALL, &["false"]), (ATTR_HIRED, &["2024-02-29"])])),
        ),
        (
            "DATE as epoch milliseconds",
            Full,
            ca(json!([{"name": "hiredOn", "values": ["1700000000000"]}])),
            Expect::Ok(attrs(&[(ATTR_HIRED, &["1700000000000"])])),
        ),
        (
            "BOOLEAN in capitals",
            Full,
            ca(json!([{"name": "onCall", "values": ["TRUE"]}])),
            Expect::Ok(attrs(&[(ATTR_ON_CALL, &["TRUE"])])),
        ),
        (
            "unknown orgAttrId",
            Full,
            ca(json!([{"orgAttrId": 5, "values": ["x"]}])),
            Expect::Err(&[("contactAttributes[0].orgAttrId", 302)]),
        ),
        (
            "unknown id, known name: the id wins",
            Full,
            ca(json!([{"orgAttrId": 5, "name": "attr1", "values": ["option1"]}])),
            Expect::Err(&[("contactAttributes[0].orgAttrId", 302)]),
        ),
        (
            "unknown name",
            Full,
            ca(json!([{"name": "attr1"}, {"name": "Attr1", "values": ["option1"]}])),
            Expect::Err(&[("contactAttributes[1].name", 302)]),
        ),
        (
            "neither id nor name",
            Full,
            ca(json!([{"values": ["option1"]}])),
            Expect::Err(&[("contactAttributes[0].orgAttrId", 320)]),
        ),
        (
            "not in definedValues",
            Full,
            ca(json!([{"orgAttrId": ATTR1, "values": ["option1", "option4"]}])),
            Expect::Err(&[("contactAttributes[0].values[1]", 305)]),
        ),
        (
            "definedValues are case-sensitive",
            Full,
            ca(json!([{"name": "attr1", "values": ["Option1"]}])),
            Expect::Err(&[("contactAttributes[0].values[0]", 305)]),
        ),
        (
            "not a NUMBER",
            Full,
            ca(json!([{"name": "level", "values": ["3", "three"]}])),
            Expect::Err(&[("contactAttributes[0].values[1]", 305)]),
        ),
        (
            "not a BOOLEAN",
            Full,
            ca(json!([{"name": "onCall", "values": ["yes"]}])),
            Expect::Err(&[("contactAttributes[0].values[0]", 305)]),
        ),
        (
            "not a DATE",
            Full,
            ca(json!([{"name": "hiredOn", "values": ["2023-02-29"]}])),
            Expect::Err(&[("contactAttributes[0].values[0]", 305)]),
        ),
        (
            "not a DATE either",
            Full,
            ca(json!([{"name": "hiredOn", "values": ["yesterday"]}])),
            Expect::Err(&[("contactAttributes[0].values[0]", 305)]),
        ),
        (
            "the same attribute twice",
            Full,
            ca(json!([{"orgAttrId": ATTR1, "values": ["option1"]}, {"name": "attr1", "values": ["option2"]}])),
            Expect::Err(&[("contactAttributes[1].orgAttrId", 320)]),
        ),
    ];
    let stored = stored();
    for (case, mode, item, expect) in &cases {
        check(case, run(case, Some(&stored), item, *mode), expect, |a| {
            a.data.attributes.iter().map(|x| (x.attribute_id, x.values.clone())).collect()
        });
    }
}

type Addr = (Option<String>, Option<String>, Option<(f64, f64)>);

/// §3.1 `address` replaces or clears the list; §3.4 `gisLocation` lat in −90..90, lon in
/// −180..180, `country` ISO alpha-2.
#[test]
fn address_replace_and_validate() {
    let ad = |list: Value| with(base(), json!({ "address": list }));
    let a = |city: &str, country: Option<&str>, gis: Option<(f64, f64)>| -> Addr {
        (Some(city.into()), country.map(Into::into), gis)
    };
    let cases: Vec<(&str, UpdateMode, Value, Expect<Vec<Addr>>)> = vec![
        ("full: omitted removes all", Full, base(), Expect::Ok(vec![])),
        (
            "partial: omitted keeps",
            Partial,
            json!({}),
            Expect::Ok(vec![a("Boston", Some("US"), Some((42.36, -71.06)))]),
        ),
        ("partial: null removes all", Partial, json!({"address": null}), Expect::Ok(vec![])),
        ("full: [] removes all", Full, ad(json!([])), Expect::Ok(vec![])),
        (
            "replaces, in order",
            Full,
            ad(json!([{"city": "Paris", "country": "FR"}, {"city": "Lyon"}])),
            Expect::Ok(vec![a("Paris", Some("FR"), None), a("Lyon", None, None)]),
        ),
        (
            "country upper-cased",
            Full,
            ad(json!([{"city": "Austin", "country": "us"}])),
            Expect::Ok(vec![a("Austin", Some("US"), None)]),
        ),
        (
            "gis at the bounds",
            Full,
            ad(json!([{"city": "Pole", "gisLocation": {"lat": -90, "lon": 180}}])),
            Expect::Ok(vec![a("Pole", None, Some((-90.0, 180.0)))]),
        ),
        (
            "gis at the other bounds",
            Full,
            ad(json!([{"city": "Pole", "gisLocation": {"lat": 90.0, "lon": -180.0}}])),
            Expect::Ok(vec![a("Pole", None, Some((90.0, -180.0)))]),
        ),
        (
            "gis as strings",
            Full,
            ad(json!([{"city": "X", "gisLocation": {"lat": "42.5", "lon": "-71"}}])),
            Expect::Ok(vec![a("X", None, Some((42.5, -71.0)))]),
        ),
        (
            "lat over 90",
            Full,
            ad(json!([{"city": "X", "gisLocation": {"lat": 90.01, "lon": 0}}])),
            Expect::Err(&[("address[0].gisLocation.lat", 320)]),
        ),
        (
            "lon under -180",
            Full,
            ad(json!([{"city": "X"}, {"city": "Y", "gisLocation": {"lat": 0, "lon": -180.5}}])),
            Expect::Err(&[("address[1].gisLocation.lon", 320)]),
        ),
        (
            "both out of range",
            Full,
            ad(json!([{"gisLocation": {"lat": -91, "lon": 181}}])),
            Expect::Err(&[("address[0].gisLocation.lat", 320), ("address[0].gisLocation.lon", 320)]),
        ),
        (
            "lat without lon",
            Full,
            ad(json!([{"gisLocation": {"lat": 1}}])),
            Expect::Err(&[("address[0].gisLocation.lon", 320)]),
        ),
        (
            "country alpha-3",
            Full,
            ad(json!([{"city": "X", "country": "USA"}])),
            Expect::Err(&[("address[0].country", 320)]),
        ),
        (
            "country as a dialling code",
            Full,
            ad(json!([{"city": "X", "country": "1"}])),
            Expect::Err(&[("address[0].country", 320)]),
        ),
        (
            "country not assigned",
            Full,
            ad(json!([{"city": "X", "country": "ZZ"}])),
            Expect::Err(&[("address[0].country", 320)]),
        ),
    ];
    let stored = stored();
    for (case, mode, item, expect) in &cases {
        check(case, run(case, Some(&stored), item, *mode), expect, |a| {
            a.data
                .addresses
                .iter()
                .map(|x| {
                    let gis = x.gis_location.map(|g| (g.lat(), g.lon()));
                    (x.city.clone(), x.country.clone(), gis)
                })
                .collect()
        });
    }
}

/// §3.1 `topics` replaces or clears the list (ids, as strings or `{"id": ..}` objects);
/// unknown is 304.
#[test]
fn topics_replace_or_clear() {
    let tp = |list: Value| with(base(), json!({ "topics": list }));
    let cases: Vec<(&str, UpdateMode, Value, Expect<Vec<i64>>)> = vec![
        ("full: omitted removes all", Full, base(), Expect::Ok(vec![])),
        ("partial: omitted keeps", Partial, json!({}), Expect::Ok(vec![TOPIC_WEATHER, TOPIC_TRAFFIC])),
        ("partial: null removes all", Partial, json!({"topics": null}), Expect::Ok(vec![])),
        ("full: [] removes all", Full, tp(json!([])), Expect::Ok(vec![])),
        ("replaces: one left out is removed", Full, tp(json!([TOPIC_TRAFFIC])), Expect::Ok(vec![TOPIC_TRAFFIC])),
        ("partial: replaces", Partial, json!({"topics": [TOPIC_SECURITY]}), Expect::Ok(vec![TOPIC_SECURITY])),
        (
            "objects and strings, order kept",
            Full,
            tp(json!([{"id": 13, "name": "security"}, "11"])),
            Expect::Ok(vec![TOPIC_SECURITY, TOPIC_WEATHER]),
        ),
        (
            "a repeated id counts once",
            Full,
            tp(json!([11, {"id": "11"}, 12])),
            Expect::Ok(vec![TOPIC_WEATHER, TOPIC_TRAFFIC]),
        ),
        ("unknown", Full, tp(json!([11, 99])), Expect::Err(&[("topics[1]", 304)])),
        (
            "unknown object",
            Full,
            tp(json!([{"id": 98}, {"id": 97}])),
            Expect::Err(&[("topics[0]", 304), ("topics[1]", 304)]),
        ),
    ];
    let stored = stored();
    for (case, mode, item, expect) in &cases {
        check(case, run(case, Some(&stored), item, *mode), expect, |a| a.data.topics.clone());
    }
}

/// §3.1 `groups` / `groupsName`: the union is added (without the groups the contact is already
/// in), omitted changes nothing, nothing is ever removed; unknown is 301.
#[test]
fn groups_are_only_added() {
    let gr = |patch: Value| with(base(), patch);
    type Joined = Vec<i64>;
    let cases: Vec<(&str, UpdateMode, bool, Value, Expect<Joined>)> = vec![
        ("full: omitted adds nothing", Full, true, base(), Expect::Ok(vec![])),
        ("partial: omitted adds nothing", Partial, true, json!({}), Expect::Ok(vec![])),
        ("full: [] adds nothing", Full, true, gr(json!({"groups": [], "groupsName": []})), Expect::Ok(vec![])),
        ("full: null adds nothing", Full, true, gr(json!({"groups": null, "groupsName": null})), Expect::Ok(vec![])),
        ("by id (seed example)", Full, true, gr(json!({"groups": [1, 2, 3]})), Expect::Ok(vec![2, 3])),
        (
            "by name (seed example)",
            Full,
            true,
            gr(json!({"groupsName": ["group1", "group2", "group3"]})),
            Expect::Ok(vec![2, 3]),
        ),
        (
            "only current ones: nothing new",
            Full,
            true,
            gr(json!({"groups": [1], "groupsName": ["group1"]})),
            Expect::Ok(vec![]),
        ),
        (
            "union of both lists",
            Full,
            true,
            gr(json!({"groups": ["3"], "groupsName": ["group2", "group3"]})),
            Expect::Ok(vec![2, 3]),
        ),
        ("partial: added", Partial, true, json!({"groupsName": ["group2"]}), Expect::Ok(vec![2])),
        ("new contact joins all", Full, false, gr(json!({"groups": [2, 1]})), Expect::Ok(vec![1, 2])),
        ("unknown id", Full, true, gr(json!({"groups": [2, 9]})), Expect::Err(&[("groups[1]", 301)])),
        (
            "unknown name",
            Full,
            true,
            gr(json!({"groupsName": ["group2", "Group3"]})),
            Expect::Err(&[("groupsName[1]", 301)]),
        ),
        (
            "unknown in both lists",
            Full,
            true,
            gr(json!({"groups": [0], "groupsName": ["none"]})),
            Expect::Err(&[("groups[0]", 301), ("groupsName[0]", 301)]),
        ),
    ];
    let stored = stored();
    for (case, mode, has_stored, item, expect) in &cases {
        let result = run(case, has_stored.then_some(&stored), item, *mode);
        check(case, result, expect, |a| a.new_groups.clone());
    }
}
