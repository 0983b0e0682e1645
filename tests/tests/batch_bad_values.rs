//! Bad values in batch items (SPEC §1 codes 301–305 and §3.4 validation, code 320): each is a
//! 400 with the item's index, the field's path and its code, and nothing is written.

mod common;

use common::*;

/// Sends `[good change, bad item]` as PUT batch for contacts `ids` (`e0`, `e1`), expects a 400
/// with body `code` and exactly `expected` errors (all on item 1), and that nothing changed.
async fn rejected(app: &TestApp, ids: &[i64], extra: &Value, code: i64, expected: &[(&str, i64)]) {
    let before = snapshot(app, ids).await;
    let bad = with(minimal_with_id(ids[1], "e1", "F"), extra.clone());
    let (status, body) = app.put(&batch(""), json!([minimal_with_id(ids[0], "e0", "Changed"), bad])).await;
    assert_error(status, &body, 400, 400, Some(code));
    let want: Vec<_> = expected.iter().map(|(field, code)| err(1, field, *code)).collect();
    assert_eq!(errors(&body), want, "{extra}");
    assert_eq!(body["errors"][0]["id"], ids[1], "{extra}");
    assert!(!body["message"].as_str().unwrap().is_empty());
    assert_eq!(snapshot(app, ids).await, before, "nothing written for {extra}");
}

async fn two_contacts(app: &TestApp) -> Vec<i64> {
    app.create_contacts(json!([minimal("e0", "F"), minimal("e1", "F")])).await
}

#[tokio::test]
async fn unknown_references_are_400_with_codes_301_to_305() {
    let app = TestApp::spawn().await;
    let level = create_attribute(&app, json!({"name": "level", "dataType": "NUMBER"})).await;
    let ids = two_contacts(&app).await;
    let cases = [
        (json!({"groups": [99]}), 301, "groups[0]"),
        (json!({"groups": [1, 99]}), 301, "groups[1]"),
        (json!({"groupsName": ["group1", "nope"]}), 301, "groupsName[1]"),
        (json!({"contactAttributes": [{"orgAttrId": 123, "values": ["x"]}]}), 302, "contactAttributes[0].orgAttrId"),
        (json!({"contactAttributes": [{"name": "nope", "values": ["x"]}]}), 302, "contactAttributes[0].name"),
        (json!({"paths": [{"pathId": 123, "value": "+17815551212"}]}), 303, "paths[0].pathId"),
        (json!({"paths": [{"prompt": "nope", "value": "+17815551212"}]}), 303, "paths[0].prompt"),
        (json!({"topics": [123]}), 304, "topics[0]"),
        (
            json!({"contactAttributes": [{"orgAttrId": ATTR1, "values": ["option1", "option9"]}]}),
            305,
            "contactAttributes[0].values[1]",
        ),
        (json!({"contactAttributes": [{"name": "level", "values": ["high"]}]}), 305, "contactAttributes[0].values[0]"),
    ];
    for (extra, code, field) in &cases {
        rejected(&app, &ids, extra, *code, &[(field, *code)]).await;
    }
    // The valid counterparts are accepted.
    let ok = json!({"groupsName": ["group1"], "contactAttributes": [{"orgAttrId": level, "values": ["3.5"]}]});
    put_ok(&app, "", json!([with(minimal_with_id(ids[1], "e1", "F"), ok)])).await;
    assert_eq!(app.contact(ids[1]).await["contactAttributes"][0]["values"], json!(["3.5"]));

    // POST validates references too.
    let (status, body) = app.post(&batch(""), json!([with(minimal("new", "N"), json!({"topics": [5]}))])).await;
    assert_error(status, &body, 400, 400, Some(304));
    assert_eq!(all_contacts(&app).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn values_out_of_range_are_400_code_320_with_the_field_path() {
    let app = TestApp::spawn().await;
    let ids = two_contacts(&app).await;
    let tz = "America/New_York";
    let frame = |f: Value| {
        json!({"timezoneId": tz, "paths": [{"pathId": PHONE, "value": "+17815551212", "quietTimeFrames": [
            with(json!({"days": [1], "fromHour": 0, "fromMin": 0, "toHour": 6, "toMin": 0}), f)
        ]}]})
    };
    let long = |n: usize| "x".repeat(n);
    let cases = [
        (frame(json!({"toHour": 24})), "paths[0].quietTimeFrames[0].toHour"),
        (frame(json!({"fromHour": -1})), "paths[0].quietTimeFrames[0].fromHour"),
        (frame(json!({"fromMin": 60})), "paths[0].quietTimeFrames[0].fromMin"),
        (frame(json!({"days": [2, 8]})), "paths[0].quietTimeFrames[0].days[1]"),
        (frame(json!({"days": []})), "paths[0].quietTimeFrames[0].days"),
        (without(frame(json!({})), &["timezoneId"]), "timezoneId"),
        (with(frame(json!({})), json!({"timezoneId": "Mars/Olympus_Mons"})), "timezoneId"),
        (json!({"timezoneId": "EST5EDT6"}), "timezoneId"),
        (json!({"address": [{"gisLocation": {"lat": 91, "lon": 0}}]}), "address[0].gisLocation.lat"),
        (json!({"address": [{"gisLocation": {"lat": 0, "lon": -180.5}}]}), "address[0].gisLocation.lon"),
        (json!({"address": [{"city": "Boston"}, {"country": "USA"}]}), "address[1].country"),
        (json!({"address": [{"postalCode": long(11)}]}), "address[0].postalCode"),
        (json!({"address": [{"city": long(41)}]}), "address[0].city"),
        (json!({"paths": [{"pathId": PHONE, "countryCode": "1", "value": "7815551212"}]}), "paths[0].countryCode"),
        (json!({"paths": [{"pathId": PHONE, "value": "7815551212"}]}), "paths[0].value"),
        (json!({"paths": [{"pathId": PHONE, "countryCode": "US", "value": "12"}]}), "paths[0].value"),
        (json!({"paths": [{"pathId": EMAIL1, "value": "not-an-email"}]}), "paths[0].value"),
        (json!({"paths": [{"pathId": EMAIL1, "value": ""}]}), "paths[0].value"),
        (json!({"paths": [{"pathId": PHONE, "value": "+17815551212", "waitTime": -1}]}), "paths[0].waitTime"),
        (
            json!({"paths": [{"pathId": PHONE, "value": "+17815551212"}, {"pathId": PHONE, "value": "+17815550000"}]}),
            "paths[1].pathId",
        ),
        (
            json!({"paths": [{"pathId": PHONE, "value": "+17815551212"}, {"prompt": "phone", "value": "+17815550000"}]}),
            "paths[1].pathId",
        ),
        (json!({"paths": [{"value": "+17815551212"}]}), "paths[0].pathId"),
        (json!({"externalId": long(51)}), "externalId"),
        (json!({"firstName": long(101)}), "firstName"),
        (json!({"lastName": long(101)}), "lastName"),
        (json!({"middleInitial": "AB"}), "middleInitial"),
        (json!({"suffix": long(11)}), "suffix"),
    ];
    for (extra, field) in &cases {
        rejected(&app, &ids, extra, 320, &[(field, 320)]).await;
    }

    // Several problems in one item are all listed.
    let many = json!({"firstName": long(101), "address": [{"gisLocation": {"lat": 91, "lon": 181}}]});
    rejected(
        &app,
        &ids,
        &many,
        320,
        &[("firstName", 320), ("address[0].gisLocation.lat", 320), ("address[0].gisLocation.lon", 320)],
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn values_at_the_edge_of_their_range_are_accepted() {
    let app = TestApp::spawn().await;
    let ids = two_contacts(&app).await;
    let edge = json!({
        "externalId": "x".repeat(50), "firstName": "f".repeat(100), "lastName": "l".repeat(100),
        "middleInitial": "M", "suffix": "s".repeat(10), "timezoneId": "Asia/Kolkata",
        "paths": [
            {"pathId": PHONE, "countryCode": "cn", "value": "17525889654",
             "quietTimeFrames": [{"days": [1, 7], "fromHour": 23, "fromMin": 59, "toHour": 0, "toMin": 0}]},
            {"pathId": EMAIL2, "value": "a.b+c@example.co.uk"},
            {"pathId": OFFICE_PHONE, "value": "not a number", "skipValidation": true}
        ],
        "address": [{"postalCode": "p".repeat(10), "city": "c".repeat(40), "country": "fr",
                     "gisLocation": {"lat": -90, "lon": 180}}]
    });
    put_ok(&app, "", json!([with(minimal_with_id(ids[1], "e1", "F"), edge)])).await;
    let c = app.contact(ids[1]).await;
    assert_eq!(c["externalId"], "x".repeat(50));
    assert_eq!(c["paths"][0]["countryCode"], "CN");
    assert_eq!(c["paths"][0]["quietTimeFrames"][0]["fromHour"], 23);
    assert_eq!(c["paths"][2]["value"], "not a number");
    assert_eq!(c["address"][0]["country"], "FR");
    assert_eq!(c["address"][0]["gisLocation"], json!({"lat": -90.0, "lon": 180.0}));
    app.stop().await;
}
