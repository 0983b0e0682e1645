//! Every field of Everbridge's contact object (issue 15, README "Every field of Everbridge's
//! contact object"), by class:
//! - stored fields round-trip through every write: single POST and PUT, batch POST, batch PUT
//!   full and partial, PATCH;
//! - read-only fields are returned, and a client sending them back (even changed) is
//!   accepted and changes nothing;
//! - ignored fields are accepted and not returned.

mod common;
use common::*;
use contacts_tests::{json, TestApp, ORG};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The stored fields of [`rich`], as JSON pointers into a contact.
const STORED: [&str; 33] = [
    "/externalId",
    "/firstName",
    "/middleInitial",
    "/lastName",
    "/suffix",
    "/country",
    "/businessName",
    "/timezoneId",
    "/language",
    "/preferredLanguage",
    "/ssoUserId",
    "/securityPIN",
    "/registeredEmail",
    "/accountId",
    "/vip",
    "/expatriate",
    "/recordTypeId",
    "/paths/0/phoneExt",
    "/paths/0/waitTime",
    "/paths/0/pathEnable",
    "/paths/0/skipValidation",
    "/paths/0/quietTimeFrames/0/name",
    "/paths/0/quietTimeFrames/0/days",
    "/paths/0/quietTimeFrames/0/fromHour",
    "/paths/0/quietTimeFrames/0/toMin",
    "/paths/1/value",
    "/contactAttributes/0/values",
    "/address/0/locationName",
    "/address/0/streetAddress",
    "/address/0/suite",
    "/address/0/city",
    "/address/0/postalCode",
    "/address/0/gisLocation",
];

/// [`rich`] with every stored text made particular to `tag`.
fn tagged(external_id: &str, tag: &str) -> Value {
    let mut c = rich(external_id);
    for key in ["firstName", "lastName", "businessName", "ssoUserId", "language"] {
        c[key] = json!(format!("{}-{tag}", c[key].as_str().unwrap()));
    }
    c["registeredEmail"] = json!(format!("{tag}@umail.example.edu"));
    c["paths"][0]["phoneExt"] = json!(tag.len().to_string());
    c["paths"][0]["quietTimeFrames"][0]["name"] = json!(format!("nights {tag}"));
    c["address"][0]["city"] = json!(format!("Boston {tag}"));
    c
}

/// Asserts that `read` holds each stored field of `sent` as sent.
fn assert_stored(read: &Value, sent: &Value, how: &str) {
    for pointer in STORED {
        let expected = sent.pointer(pointer).unwrap_or_else(|| panic!("{how}: the item sends {pointer}"));
        assert_eq!(read.pointer(pointer), Some(expected), "{how}: {pointer} in {read}");
    }
}

#[tokio::test]
async fn stored_fields_round_trip_through_every_write() {
    let app = TestApp::spawn().await;
    // Single POST.
    let sent = tagged("f1", "post");
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}"), sent.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_stored(&app.contact(id).await, &sent, "POST one");
    // Single PUT (full).
    let sent = tagged("f1", "put");
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{id}"), sent.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_stored(&app.contact(id).await, &sent, "PUT one");
    // Batch POST (an upsert by externalId).
    let sent = tagged("f1", "batch-post");
    assert_eq!(app.create_contacts(json!([sent.clone()])).await, [id]);
    assert_stored(&app.contact(id).await, &sent, "POST batch");
    // Batch PUT, full.
    let sent = tagged("f1", "batch-full");
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/batch?idType=externalId"), json!([sent.clone()])).await;
    assert_eq!((status, body["results"][0]["status"].clone()), (StatusCode::OK, json!("updated")), "{body}");
    assert_stored(&app.contact(id).await, &sent, "PUT batch full");
    // Batch PUT, partial: the fields sent change, the others are kept.
    let partial = json!({"externalId": "f1", "registeredEmail": "partial@umail.example.edu", "firstName": "P"});
    let (status, body) =
        app.put(&format!("/rest/contacts/{ORG}/batch?idType=externalId&updateType=partial"), json!([partial])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut expected = sent.clone();
    expected["registeredEmail"] = json!("partial@umail.example.edu");
    expected["firstName"] = json!("P");
    assert_stored(&app.contact(id).await, &expected, "PUT batch partial");
    // PATCH: a scalar, a frame's name (selected by its name), an address field.
    let ops = json!([
        {"op": "replace", "path": "/registeredEmail", "value": "patched@umail.example.edu"},
        {"op": "replace", "path": format!("/paths/pathId:{PHONE}/quietTimeFrames/name:nights batch-full/name"), "value": "weekends"},
        {"op": "replace", "path": "/address/locationName:Home/city", "value": "Cambridge"},
    ]);
    let (status, body, _) =
        app.send_with_headers(Method::PATCH, &format!("/rest/contacts/{ORG}/{id}"), Some(ops), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    expected["registeredEmail"] = json!("patched@umail.example.edu");
    expected["paths"][0]["quietTimeFrames"][0]["name"] = json!("weekends");
    expected["address"][0]["city"] = json!("Cambridge");
    assert_stored(&app.contact(id).await, &expected, "PATCH");
    app.stop().await;
}

#[tokio::test]
async fn read_only_fields_are_returned_and_sending_them_back_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([rich("ro1")])).await[0];
    let read = app.contact(id).await;
    for (key, expected) in [
        ("id", json!(id)),
        ("organizationId", json!(ORG)),
        ("status", json!("A")),
        ("version", json!(1)),
        ("createdName", json!("demo")),
        ("lastModifiedName", json!("demo")),
        ("lastModifiedTime", read["lastModifiedDate"].clone()),
        ("registedEmail", json!("fiona@umail.example.edu")),
        ("uploadProcessing", json!(false)),
        ("resourceBundleId", json!(0)),
        ("recordTypeName", json!("Employee")),
    ] {
        assert_eq!(read[key], expected, "{key} in {read}");
    }
    assert!(read["createdDate"].as_i64().is_some_and(|d| d > 0), "{read}");
    // Sent back whole, unchanged: unchanged.
    let batch = format!("/rest/contacts/{ORG}/batch");
    let (status, body) = app.put(&batch, json!([read.clone()])).await;
    assert_eq!((status, body["results"][0]["status"].clone()), (StatusCode::OK, json!("unchanged")), "{body}");
    // Sent back with every read-only field changed (but the id that names it, and the version
    // it is checked against): accepted, and nothing changes.
    let mut changed = read.clone();
    for (key, value) in [
        ("organizationId", json!(999)),
        ("status", json!("D")),
        ("createdDate", json!(1)),
        ("createdName", json!("someone")),
        ("lastModifiedDate", json!(2)),
        ("lastModifiedName", json!("someone else")),
        ("lastModifiedTime", json!(3)),
        ("registedEmail", json!("other@example.org")),
        ("uploadProcessing", json!(true)),
        ("resourceBundleId", json!(42)),
        ("createdId", json!(5)),
        ("lastModifiedId", json!(6)),
    ] {
        changed[key] = value;
    }
    let (status, body) = app.put(&batch, json!([changed.clone()])).await;
    assert_eq!((status, body["results"][0]["status"].clone()), (StatusCode::OK, json!("unchanged")), "{body}");
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{id}"), changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = app.contact(id).await;
    let stable = |c: &Value| without(c.clone(), &["version", "lastModifiedDate", "lastModifiedTime"]);
    assert_eq!(stable(&after), stable(&read), "a read-only field changed");
    app.stop().await;
}

#[tokio::test]
async fn ignored_fields_are_accepted_and_not_returned() {
    let app = TestApp::spawn().await;
    let mut item = rich("ig1");
    item["individualAccountId"] = json!(512514152480135_i64);
    item["geoSearchAddress"] = json!([{"country": "US", "gisLocation": {"lat": 1.0, "lon": 2.0}}]);
    item["paths"][0]["status"] = json!("A");
    item["paths"][0]["systemRequirement"] = json!("x");
    for (key, value) in [
        ("locationId", json!(0)),
        ("locationSourceId", json!(0)),
        ("source", json!("MANUAL")),
        ("iata", json!("BOS")),
        ("assetExternalId", json!("a-1")),
        ("arriveDate", json!("2023-02-15T12:38:52.914Z")),
    ] {
        item["address"][0][key] = value;
    }
    let id = app.create_contacts(json!([item])).await[0];
    let read = app.contact(id).await;
    assert_stored(&read, &rich("ig1"), "with ignored fields");
    for pointer in
        ["/individualAccountId", "/geoSearchAddress", "/paths/0/status", "/address/0/source", "/address/0/iata"]
    {
        assert_eq!(read.pointer(pointer), None, "{pointer} in {read}");
    }
    app.stop().await;
}
