//! `PUT /rest/contacts/{org}/batch`, `updateType=full`, SPEC §3.1: the list fields
//! (`contactAttributes`, `paths` and their `quietTimeFrames`, `address`, `topics`) and the
//! group memberships, each read back after the update.

mod common;

use common::*;

/// A full item for contact `id` (externalId `e1`) with the fields of `extra`.
fn item(id: i64, extra: Value) -> Value {
    with(minimal_with_id(id, "e1", "F"), extra)
}

#[tokio::test]
async fn contact_attributes_are_replaced_by_id_or_name_and_cleared_when_omitted() {
    let app = TestApp::spawn().await;
    let attr2 = create_attribute(&app, json!({"name": "attr2", "dataType": "STRING"})).await;
    let id = create_one(&app, minimal("e1", "F")).await;

    put_ok(
        &app,
        "",
        json!([item(id, json!({"contactAttributes": [{"orgAttrId": ATTR1, "values": ["option1", "option2"]}]}))]),
    )
    .await;
    assert_eq!(
        app.contact(id).await["contactAttributes"],
        json!([{"orgAttrId": ATTR1, "name": "attr1", "values": ["option1", "option2"]}])
    );

    // By name; the list replaces the stored one.
    let both = json!([{"name": "attr1", "values": ["option3"]}, {"name": "attr2", "values": ["free text"]}]);
    put_ok(&app, "", json!([item(id, json!({ "contactAttributes": both }))])).await;
    assert_eq!(
        app.contact(id).await["contactAttributes"],
        json!([
            {"orgAttrId": ATTR1, "name": "attr1", "values": ["option3"]},
            {"orgAttrId": attr2, "name": "attr2", "values": ["free text"]}
        ])
    );

    // An attribute left out of the list is cleared; the id wins over the name.
    let only = json!([{"orgAttrId": attr2, "name": "attr1", "values": ["other"]}]);
    put_ok(&app, "", json!([item(id, json!({ "contactAttributes": only }))])).await;
    assert_eq!(
        app.contact(id).await["contactAttributes"],
        json!([{"orgAttrId": attr2, "name": "attr2", "values": ["other"]}])
    );

    // Omitted: all cleared.
    put_ok(&app, "", json!([item(id, json!({}))])).await;
    let c = app.contact(id).await;
    assert_eq!(c["contactAttributes"], json!([]));
    assert_eq!(c["version"], 5);
    app.stop().await;
}

#[tokio::test]
async fn paths_are_replaced_in_order_by_path_id_or_prompt_and_removed_when_omitted() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;

    let three = json!([
        {"prompt": "Email Address 1", "value": "f@example.com"},
        {"pathId": PHONE, "countryCode": "CN", "value": "17525889654"},
        {"pathId": SMS1, "value": "+1 (781) 555-0000"}
    ]);
    put_ok(&app, "", json!([item(id, json!({ "paths": three }))])).await;
    let c = app.contact(id).await;
    assert_eq!(
        path_values(&c),
        vec![(EMAIL1, "f@example.com".into()), (PHONE, "17525889654".into()), (SMS1, "+17815550000".into())]
    );
    assert_eq!(c["paths"][1]["countryCode"], "CN");
    assert_eq!(c["paths"][2]["prompt"], "SMS 1");

    // The new list replaces the old one, in its order; the pathId wins over the prompt.
    let two = json!([
        {"prompt": "phone", "value": "+17815551212"},
        {"pathId": HOME_PHONE, "prompt": "phone", "countryCode": "us", "value": "781-555-0001"}
    ]);
    put_ok(&app, "", json!([item(id, json!({ "paths": two }))])).await;
    let c = app.contact(id).await;
    assert_eq!(path_values(&c), vec![(PHONE, "+17815551212".into()), (HOME_PHONE, "7815550001".into())]);
    assert_eq!(c["paths"][1]["countryCode"], "US");
    assert_eq!(c["paths"][1]["prompt"], "Home Phone");

    put_ok(&app, "", json!([item(id, json!({}))])).await;
    let c = app.contact(id).await;
    assert_eq!(c["paths"], json!([]));
    assert_eq!(c["version"], 4);
    app.stop().await;
}

#[tokio::test]
async fn quiet_time_frames_are_kept_when_absent_replaced_when_given_and_cleared_by_empty() {
    let app = TestApp::spawn().await;
    let f1 = json!({"days": [1], "fromHour": 1, "fromMin": 0, "toHour": 5, "toMin": 0});
    let f2 = json!({"days": [2, 3, 4], "fromHour": 23, "fromMin": 0, "toHour": 7, "toMin": 59});
    let f3 = json!({"days": [7], "fromHour": 0, "fromMin": 0, "toHour": 23, "toMin": 59});
    let tz = json!("Europe/Paris");
    let phone = |value: &str, frames: Option<Value>| {
        let mut p = json!({"pathId": PHONE, "value": value});
        if let Some(f) = frames {
            p["quietTimeFrames"] = f;
        }
        p
    };
    let email = json!({"pathId": EMAIL1, "value": "f@example.com"});
    let id = create_one(
        &app,
        with(minimal("e1", "F"), json!({"timezoneId": tz, "paths": [phone("+17815551212", Some(json!([f1])))]})),
    )
    .await;
    let frames = |c: &Value, i: usize| c["paths"][i]["quietTimeFrames"].clone();
    assert_eq!(frames(&app.contact(id).await, 0), json!([f1]));

    // Absent: the stored frames of that pathId are kept, even when the path is named by its
    // prompt and moves in the list.
    let by_prompt = json!({"prompt": "phone", "value": "+17815550000"});
    put_ok(&app, "", json!([item(id, json!({"timezoneId": tz, "paths": [email, by_prompt]}))])).await;
    let c = app.contact(id).await;
    assert_eq!(path_values(&c), vec![(EMAIL1, "f@example.com".into()), (PHONE, "+17815550000".into())]);
    assert_eq!(frames(&c, 0), json!([]));
    assert_eq!(frames(&c, 1), json!([f1]));
    assert_eq!(c["version"], 2);

    // Kept frames still need a time zone (SPEC §3.4): omitting timezoneId is a 320.
    let (status, body) = app.put(&batch(""), json!([item(id, json!({"paths": [phone("+17815550000", None)]}))])).await;
    assert_error(status, &body, 400, 400, Some(320));
    assert_eq!(errors(&body), vec![err(0, "timezoneId", 320)]);

    // Non-empty: replaces.
    put_ok(
        &app,
        "",
        json!([item(id, json!({"timezoneId": tz, "paths": [phone("+17815550000", Some(json!([f2, f3])))]}))]),
    )
    .await;
    assert_eq!(frames(&app.contact(id).await, 0), json!([f2, f3]));

    // Absent again: kept.
    put_ok(&app, "", json!([item(id, json!({"timezoneId": tz, "paths": [phone("+17815550000", None), email]}))])).await;
    let c = app.contact(id).await;
    assert_eq!(frames(&c, 0), json!([f2, f3]));
    assert_eq!(c["version"], 4);

    // Frames belong to their pathId: another path does not inherit them.
    let home = json!({"pathId": HOME_PHONE, "value": "+17815550000"});
    put_ok(&app, "", json!([item(id, json!({"timezoneId": tz, "paths": [home, phone("+17815550000", None)]}))])).await;
    let c = app.contact(id).await;
    assert_eq!((frames(&c, 0), frames(&c, 1)), (json!([]), json!([f2, f3])));

    // []: cleared (and then the time zone may go).
    put_ok(&app, "", json!([item(id, json!({"paths": [phone("+17815550000", Some(json!([])))]}))])).await;
    let c = app.contact(id).await;
    assert_eq!(frames(&c, 0), json!([]));
    assert!(c["timezoneId"].is_null(), "{c}");
    assert_eq!(c["version"], 6);
    app.stop().await;
}

#[tokio::test]
async fn addresses_are_replaced_with_their_gis_location_and_removed_when_omitted() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let home = json!({"locationName": "Home", "streetAddress": "1 Main St", "city": "Boston", "state": "MA",
                      "postalCode": "02110", "country": "US", "gisLocation": {"lat": 42.3601, "lon": -71.0589}});
    let office = json!({"locationName": "Office", "city": "Sydney", "country": "AU",
                        "gisLocation": {"lat": -33.8688, "lon": 151.2093}});

    put_ok(&app, "", json!([item(id, json!({"address": [home, office]}))])).await;
    assert_eq!(app.contact(id).await["address"], json!([home, office]));

    // The key is singular as Everbridge's; the list replaces the stored one.
    let moved = json!({"locationName": "Cabin", "gisLocation": {"lat": "-90", "lon": "180"}});
    put_ok(&app, "", json!([item(id, json!({"address": [moved]}))])).await;
    assert_eq!(
        app.contact(id).await["address"],
        json!([{"locationName": "Cabin", "gisLocation": {"lat": -90.0, "lon": 180.0}}])
    );

    put_ok(&app, "", json!([item(id, json!({}))])).await;
    let c = app.contact(id).await;
    assert_eq!(c["address"], json!([]));
    assert_eq!(c["version"], 4);
    app.stop().await;
}

#[tokio::test]
async fn topics_are_replaced_and_removed_when_omitted() {
    let app = TestApp::spawn().await;
    let t1 = create_topic(&app, "t1").await;
    let t2 = create_topic(&app, "t2").await;
    let t3 = create_topic(&app, "t3").await;
    let id = create_one(&app, minimal("e1", "F")).await;

    put_ok(&app, "", json!([item(id, json!({"topics": [t1, t2]}))])).await;
    assert_eq!(app.contact(id).await["topics"], json!([t1, t2]));

    // Clients send topics as ids, strings or objects with an id.
    put_ok(&app, "", json!([item(id, json!({"topics": [{"id": t3, "name": "t3"}, t2.to_string()]}))])).await;
    assert_eq!(app.contact(id).await["topics"], json!([t3, t2]));

    put_ok(&app, "", json!([item(id, json!({}))])).await;
    let c = app.contact(id).await;
    assert_eq!(c["topics"], json!([]));
    assert_eq!(c["version"], 4);
    app.stop().await;
}

#[tokio::test]
async fn groups_and_group_names_only_add_memberships_never_remove_them() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, with(minimal("e1", "F"), json!({"groups": [1]}))).await;
    let c = app.contact(id).await;
    assert_eq!((c["groups"].clone(), c["groupsName"].clone()), (json!([1]), json!(["group1"])));

    // Without groups: memberships kept.
    put_ok(&app, "", json!([with(minimal_with_id(id, "e1", "G"), json!({}))])).await;
    let c = app.contact(id).await;
    assert_eq!((c["groups"].clone(), c["version"].clone()), (json!([1]), json!(2)));

    // With group2 (by name): member of both; a new membership is a change.
    let body = put_ok(&app, "", json!([with(minimal_with_id(id, "e1", "G"), json!({"groupsName": ["group2"]}))])).await;
    assert_eq!((statuses(&body), results(&body)[0]["version"].clone()), (vec!["updated".to_owned()], json!(3)));
    let c = app.contact(id).await;
    assert_eq!((c["groups"].clone(), c["groupsName"].clone()), (json!([1, 2]), json!(["group1", "group2"])));

    // Both lists: their union is added.
    put_ok(&app, "", json!([with(minimal_with_id(id, "e1", "G"), json!({"groups": [3], "groupsName": ["group1"]}))]))
        .await;
    assert_eq!(groups(&app.contact(id).await), vec![1, 2, 3]);

    // Groups it already belongs to, or an empty list: nothing changes.
    for extra in [json!({"groups": [1, 2]}), json!({"groups": []}), json!({"groupsName": []})] {
        let body = put_ok(&app, "", json!([with(minimal_with_id(id, "e1", "G"), extra.clone())])).await;
        assert_eq!(statuses(&body), ["unchanged"], "{extra}");
    }
    let c = app.contact(id).await;
    assert_eq!((groups(&c), c["version"].as_i64()), (vec![1, 2, 3], Some(4)));
    app.stop().await;
}
