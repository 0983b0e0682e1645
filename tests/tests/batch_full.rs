//! `PUT /rest/contacts/{org}/batch` with `updateType=full` (the default), SPEC §3.1: the
//! scalar fields, the required ones, the record type, renames, and reading back what was
//! written. The list fields are in `batch_full_lists.rs`.

mod common;

use common::*;

/// The optional scalar fields of a contact, all set by `rich`.
const OPTIONAL_SCALARS: [&str; 12] = [
    "middleInitial",
    "suffix",
    "country",
    "businessName",
    "timezoneId",
    "language",
    "preferredLanguage",
    "ssoUserId",
    "securityPIN",
    "accountId",
    "vip",
    "expatriate",
];

#[tokio::test]
async fn a_full_update_writes_every_field_and_a_read_returns_it() {
    let app = TestApp::spawn().await;
    let topic = create_topic(&app, "t1").await;
    let id = create_one(&app, minimal("e1", "Old")).await;

    let item = with(rich("e1"), json!({ "id": id, "topics": [topic] }));
    let body = put_ok(&app, "", json!([item])).await;
    assert_eq!(data(&body), vec![id.to_string()]);
    let r = &results(&body)[0];
    assert_eq!(r["index"], 0);
    assert_eq!(r["id"], id);
    assert_eq!(r["externalId"], "e1");
    assert_eq!(r["status"], "updated");
    assert_eq!(r["version"], 2);
    assert!(r.get("errors").is_none(), "{r}");

    let c = app.contact(id).await;
    assert_eq!(c["id"], id);
    assert_eq!(c["organizationId"], ORG);
    assert_eq!(c["externalId"], "e1");
    assert_eq!(c["firstName"], "Fiona");
    assert_eq!(c["middleInitial"], "Q");
    assert_eq!(c["lastName"], "Gallagher");
    assert_eq!(c["suffix"], "Jr");
    assert_eq!(c["country"], "US");
    assert_eq!(c["businessName"], "Acme");
    assert_eq!(c["timezoneId"], "America/New_York");
    assert_eq!(c["language"], "en");
    assert_eq!(c["preferredLanguage"], "en-US");
    assert_eq!(c["ssoUserId"], "fiona@sso");
    assert_eq!(c["securityPIN"], "1234");
    assert_eq!(c["registeredEmail"], "fiona@umail.example.edu");
    assert_eq!(c["accountId"], 42);
    assert_eq!(c["vip"], true);
    assert_eq!(c["expatriate"], false);
    assert_eq!(c["recordTypeId"], EMPLOYEE);
    assert_eq!(c["recordTypeName"], "Employee");
    assert_eq!(
        c["paths"],
        json!([
            {"pathId": PHONE, "prompt": "phone", "value": "7815551212", "countryCode": "US", "phoneExt": "204",
             "waitTime": 30, "pathEnable": true, "skipValidation": false,
             "quietTimeFrames": [{"name": "nights", "days": [2, 6], "fromHour": 22, "fromMin": 30, "toHour": 6, "toMin": 15}]},
            {"pathId": EMAIL1, "prompt": "Email Address 1", "value": "fiona@example.com", "pathEnable": false,
             "skipValidation": true, "quietTimeFrames": []}
        ])
    );
    assert_eq!(
        c["contactAttributes"],
        json!([{"orgAttrId": ATTR1, "name": "attr1", "values": ["option1", "option2"]}])
    );
    assert_eq!(
        c["address"],
        json!([{"locationName": "Home", "streetAddress": "1 Main St", "suite": "2B", "city": "Boston", "state": "MA",
                "postalCode": "02110", "country": "US", "gisLocation": {"lat": 42.3601, "lon": -71.0589}}])
    );
    assert_eq!(c["topics"], json!([topic]));
    assert_eq!(c["groups"], json!([1, 2]));
    assert_eq!(c["groupsName"], json!(["group1", "group2"]));
    assert_eq!(c["status"], "A");
    assert_eq!(c["version"], 2);
    let created = c["createdDate"].as_i64().unwrap();
    let modified = c["lastModifiedDate"].as_i64().unwrap();
    assert!(created > 1_600_000_000_000 && modified >= created, "{c}");
    assert_eq!(c["lastModifiedName"], "demo");
    app.stop().await;
}

#[tokio::test]
async fn fields_omitted_from_a_full_update_are_cleared_but_memberships_stay() {
    let app = TestApp::spawn().await;
    let topic = create_topic(&app, "t1").await;
    let id = create_one(&app, with(rich("e1"), json!({ "topics": [topic] }))).await;
    let before = app.contact(id).await;
    for key in OPTIONAL_SCALARS {
        assert!(!before[key].is_null(), "{key} was written: {before}");
    }

    let body = put_ok(&app, "", json!([minimal_with_id(id, "e1", "Fiona")])).await;
    assert_eq!(statuses(&body), ["updated"]);

    let c = app.contact(id).await;
    for key in OPTIONAL_SCALARS {
        assert!(c[key].is_null(), "{key} should be cleared: {c}");
    }
    assert_eq!(c["firstName"], "Fiona");
    assert_eq!(c["lastName"], "Last");
    assert_eq!(c["paths"], json!([]));
    assert_eq!(c["contactAttributes"], json!([]));
    assert_eq!(c["address"], json!([]));
    assert_eq!(c["topics"], json!([]));
    assert_eq!(c["groups"], json!([1, 2]), "an update never removes a membership");
    assert_eq!(c["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn required_fields_missing_fail_with_320_naming_every_item_and_field() {
    let app = TestApp::spawn().await;
    let ids =
        app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C"), minimal("d", "D")])).await;
    let before = snapshot(&app, &ids).await;

    let items = json!([
        minimal_with_id(ids[0], "a", "Changed"),
        without(minimal_with_id(ids[1], "b", "B"), &["externalId", "firstName"]),
        without(minimal_with_id(ids[2], "c", "C"), &["lastName", "recordTypeId"]),
        with(minimal_with_id(ids[3], "d", "D"), json!({"firstName": "   ", "lastName": null})),
    ]);
    let (status, body) = app.put(&batch(""), items).await;
    assert_error(status, &body, 400, 400, Some(320));
    assert!(body["message"].as_str().unwrap().contains("externalId"), "the first failure's message: {body}");
    assert_eq!(
        errors(&body),
        vec![
            err(1, "externalId", 320),
            err(1, "firstName", 320),
            err(2, "lastName", 320),
            err(2, "recordTypeId", 320),
            err(3, "firstName", 320),
            err(3, "lastName", 320),
        ]
    );
    assert_eq!(body["errors"][0]["id"], ids[1]);
    assert_eq!(body["errors"][2]["id"], ids[2]);
    assert_eq!(snapshot(&app, &ids).await, before, "nothing is written");
    app.stop().await;
}

#[tokio::test]
async fn the_record_type_is_found_by_id_or_name_and_the_id_wins() {
    let app = TestApp::spawn().await;
    let contractor = create_record_type(&app, "Contractor").await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let item = |rt: Value| with(without(minimal_with_id(id, "e1", "F"), &["recordTypeId"]), rt);

    put_ok(&app, "", json!([item(json!({"recordTypeId": contractor}))])).await;
    let c = app.contact(id).await;
    assert_eq!((c["recordTypeId"].as_i64(), c["recordTypeName"].as_str()), (Some(contractor), Some("Contractor")));

    put_ok(&app, "", json!([item(json!({"recordTypeName": "Employee"}))])).await;
    let c = app.contact(id).await;
    assert_eq!((c["recordTypeId"].as_i64(), c["recordTypeName"].as_str()), (Some(EMPLOYEE), Some("Employee")));

    // Both given: the id wins, even over a name that exists.
    put_ok(&app, "", json!([item(json!({"recordTypeId": contractor, "recordTypeName": "Employee"}))])).await;
    let c = app.contact(id).await;
    assert_eq!(c["recordTypeId"], contractor);
    assert_eq!(c["version"], 4);

    let unknown = [
        (json!({"recordTypeId": 999}), "recordTypeId"),
        (json!({"recordTypeId": 999, "recordTypeName": "Employee"}), "recordTypeId"),
        (json!({"recordTypeName": "Nope"}), "recordTypeName"),
        (json!({"recordTypeId": "999"}), "recordTypeId"),
    ];
    for (rt, field) in unknown {
        let (status, body) = app.put(&batch(""), json!([item(rt.clone())])).await;
        assert_error(status, &body, 400, 300, Some(300));
        assert_eq!(body["message"], RECORD_TYPE_NOT_FOUND, "{rt}");
        assert_eq!(errors(&body), vec![err(0, field, 300)], "{rt}");
    }
    let c = app.contact(id).await;
    assert_eq!((c["recordTypeId"].as_i64(), c["version"].as_i64()), (Some(contractor), Some(4)));
    app.stop().await;
}

#[tokio::test]
async fn a_different_external_id_renames_and_one_already_taken_is_409_code_310() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B")])).await;

    let body = put_ok(&app, "", json!([minimal_with_id(ids[0], "a2", "A")])).await;
    assert_eq!(results(&body)[0]["externalId"], "a2");
    assert_eq!(results(&body)[0]["status"], "updated");
    assert_eq!(app.contact(ids[0]).await["externalId"], "a2");

    // The old externalId is free again: inserting it creates another contact.
    let fresh = app.create_contacts(json!([minimal("a", "New")])).await;
    assert!(!ids.contains(&fresh[0]), "{fresh:?}");

    let before = snapshot(&app, &ids).await;
    let (status, body) = app.put(&batch(""), json!([minimal_with_id(ids[0], "b", "A")])).await;
    assert_error(status, &body, 409, 409, Some(310));
    assert_eq!(errors(&body), vec![err(0, "externalId", 310)]);
    assert_eq!(body["errors"][0]["id"], ids[0]);
    assert_eq!(snapshot(&app, &ids).await, before);
    app.stop().await;
}

#[tokio::test]
async fn the_body_id_is_ignored_when_items_are_found_by_external_id() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B")])).await;
    let b_before = app.contact(ids[1]).await;

    let item = with(minimal("a", "ViaExternalId"), json!({"id": ids[1]}));
    let body = put_ok(&app, "?idType=externalId", json!([item])).await;
    assert_eq!(data(&body), vec![ids[0].to_string()]);
    assert_eq!(results(&body)[0]["id"], ids[0]);

    assert_eq!(app.contact(ids[0]).await["firstName"], "ViaExternalId");
    assert_eq!(app.contact(ids[1]).await, b_before);
    app.stop().await;
}

#[tokio::test]
async fn ids_and_scalars_sent_as_strings_are_accepted() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let item = json!({
        "id": id.to_string(), "externalId": "e1", "firstName": "F", "lastName": "L",
        "recordTypeId": EMPLOYEE.to_string(), "vip": "false", "accountId": "7", "groups": ["2"],
        "status": "A", "organizationId": "1", "createdDate": 1, "lastModifiedDate": 2, "recordTypeName": "Ignored"
    });
    let body = put_ok(&app, "", json!([item])).await;
    assert_eq!(statuses(&body), ["updated"]);
    let c = app.contact(id).await;
    assert_eq!((c["vip"].clone(), c["accountId"].clone(), c["groups"].clone()), (json!(false), json!(7), json!([2])));
    assert_eq!(c["recordTypeName"], "Employee");
    assert_eq!(c["status"], "A");
    app.stop().await;
}
