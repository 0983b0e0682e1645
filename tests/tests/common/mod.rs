//! Fixtures shared by the batch test files (`batch_*.rs`): paths, item builders, catalog
//! helpers and readers of the batch envelope.

#![allow(dead_code)]

use std::collections::BTreeMap;

pub use contacts_tests::*;
pub use reqwest::{Method, StatusCode};
pub use serde_json::Value;

/// Everbridge's well-known delivery paths of every new organization.
pub const EMAIL1: i64 = 241_901_148_045_316;
pub const EMAIL2: i64 = 241_901_148_045_317;
pub const HOME_PHONE: i64 = 241_901_148_045_320;
pub const OFFICE_PHONE: i64 = 241_901_148_045_321;
pub const SMS1: i64 = 241_901_148_045_324;

/// The record type's message of code 300, verbatim from the seed.
pub const RECORD_TYPE_NOT_FOUND: &str = "The externalId recordType not found in org.";

/// `/rest/contacts/{ORG}/batch` followed by `query` (e.g. `"?atomic=false"`).
pub fn batch(query: &str) -> String {
    format!("/rest/contacts/{ORG}/batch{query}")
}

/// `/rest/contacts/{ORG}/{id}`.
pub fn one(id: i64) -> String {
    format!("/rest/contacts/{ORG}/{id}")
}

/// The four required fields.
pub fn minimal(external_id: &str, first_name: &str) -> Value {
    json!({"externalId": external_id, "firstName": first_name, "lastName": "Last", "recordTypeId": EMPLOYEE})
}

/// `minimal` with `id` (for `idType=id`).
pub fn minimal_with_id(id: i64, external_id: &str, first_name: &str) -> Value {
    with(minimal(external_id, first_name), json!({ "id": id }))
}

/// `base` with the keys of `extra` set (a `null` in `extra` sets null).
pub fn with(mut base: Value, extra: Value) -> Value {
    let map = base.as_object_mut().expect("an object");
    for (k, v) in extra.as_object().expect("an object") {
        map.insert(k.clone(), v.clone());
    }
    base
}

/// `base` without the keys in `keys`.
pub fn without(mut base: Value, keys: &[&str]) -> Value {
    let map = base.as_object_mut().expect("an object");
    for k in keys {
        map.remove(*k);
    }
    base
}

/// A contact with every field set (topics excepted: `rich_with_topics`).
pub fn rich(external_id: &str) -> Value {
    json!({
        "externalId": external_id,
        "firstName": "Fiona",
        "middleInitial": "Q",
        "lastName": "Gallagher",
        "suffix": "Jr",
        "country": "US",
        "businessName": "Acme",
        "timezoneId": "America/New_York",
        "language": "en",
        "preferredLanguage": "en-US",
        "ssoUserId": "fiona@sso",
        "securityPIN": "1234",
        "registeredEmail": "fiona@umail.example.edu",
        "accountId": 42,
        "vip": true,
        "expatriate": false,
        "recordTypeId": EMPLOYEE,
        "paths": [
            {"pathId": PHONE, "countryCode": "US", "value": "7815551212", "phoneExt": "204", "waitTime": 30,
             "pathEnable": true, "skipValidation": false,
             "quietTimeFrames": [{"name": "nights", "days": [2, 6], "fromHour": 22, "fromMin": 30, "toHour": 6, "toMin": 15}]},
            {"pathId": EMAIL1, "value": "fiona@example.com", "pathEnable": false, "skipValidation": true}
        ],
        "contactAttributes": [{"orgAttrId": ATTR1, "values": ["option1", "option2"]}],
        "address": [{
            "locationName": "Home", "streetAddress": "1 Main St", "suite": "2B", "city": "Boston",
            "state": "MA", "postalCode": "02110", "country": "US",
            "gisLocation": {"lat": 42.3601, "lon": -71.0589}
        }],
        "groups": [1],
        "groupsName": ["group2"]
    })
}

/// Creates a topic (`POST /rest/topics/{ORG}`) and returns its id.
pub async fn create_topic(app: &TestApp, name: &str) -> i64 {
    let (status, body) = app.post(&format!("/rest/topics/{ORG}"), json!({ "name": name })).await;
    assert_eq!(status, StatusCode::OK, "topic {name}: {body}");
    body["id"].as_i64().unwrap_or_else(|| panic!("topic id in {body}"))
}

/// Creates a record type and returns its id.
pub async fn create_record_type(app: &TestApp, name: &str) -> i64 {
    let (status, body) = app.post(&format!("/rest/recordTypes/{ORG}"), json!({ "name": name })).await;
    assert_eq!(status, StatusCode::OK, "record type {name}: {body}");
    body["id"].as_i64().unwrap_or_else(|| panic!("record type id in {body}"))
}

/// Creates a contact attribute definition and returns its id.
pub async fn create_attribute(app: &TestApp, def: Value) -> i64 {
    let (status, body) = app.post(&format!("/rest/contactAttributes/{ORG}"), def.clone()).await;
    assert_eq!(status, StatusCode::OK, "attribute {def}: {body}");
    body["id"].as_i64().unwrap_or_else(|| panic!("attribute id in {body}"))
}

/// Creates one contact (POST batch) and returns its id.
pub async fn create_one(app: &TestApp, item: Value) -> i64 {
    app.create_contacts(json!([item])).await[0]
}

/// The batch envelope's `data`, as strings.
pub fn data(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data array in {body}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("data holds strings: {body}")).to_owned())
        .collect()
}

/// The `status` of each entry of `results`.
pub fn statuses(body: &Value) -> Vec<String> {
    results(body).iter().map(|r| r["status"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The batch envelope's `results`.
pub fn results(body: &Value) -> &Vec<Value> {
    body["results"].as_array().unwrap_or_else(|| panic!("no results array in {body}"))
}

/// `errors` of an error body (or of one result) as `(index, field, code)`, in order.
pub fn errors(body: &Value) -> Vec<(i64, String, i64)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {body}"))
        .iter()
        .map(|e| {
            (
                e["index"].as_i64().unwrap_or(-1),
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_i64().unwrap_or_else(|| panic!("an error without code in {body}")),
            )
        })
        .collect()
}

/// `(index, field, code)`, to compare with [`errors`].
pub fn err(index: i64, field: &str, code: i64) -> (i64, String, i64) {
    (index, field.to_owned(), code)
}

/// Asserts an error body: HTTP status, body `status`, body `code` (`None`: absent).
#[track_caller]
pub fn assert_error(status: StatusCode, body: &Value, http: u16, body_status: i64, code: Option<i64>) {
    assert_eq!(status.as_u16(), http, "HTTP status of {body}");
    assert_eq!(body["status"].as_i64(), Some(body_status), "body status of {body}");
    assert_eq!(body["code"].as_i64(), code, "body code of {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "a message in {body}");
}

/// Reads every contact of `ids`.
pub async fn snapshot(app: &TestApp, ids: &[i64]) -> Vec<Value> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(app.contact(*id).await);
    }
    out
}

/// Every contact of the organization (one page of up to 3000).
pub async fn all_contacts(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?pageSize=3000")).await;
    assert_eq!(status, StatusCode::OK, "list: {body}");
    let data = body["page"]["data"].as_array().unwrap_or_else(|| panic!("no page.data in {body}")).clone();
    assert_eq!(body["page"]["totalCount"].as_u64(), Some(data.len() as u64), "one page holds all: {body}");
    data
}

/// How many contacts hold each externalId.
pub async fn external_id_counts(app: &TestApp) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for c in all_contacts(app).await {
        *counts.entry(c["externalId"].as_str().unwrap_or_default().to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The `paths` of a contact as `(pathId, value)`.
pub fn path_values(contact: &Value) -> Vec<(i64, String)> {
    contact["paths"]
        .as_array()
        .unwrap_or_else(|| panic!("no paths in {contact}"))
        .iter()
        .map(|p| (p["pathId"].as_i64().unwrap(), p["value"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// The group ids of a contact.
pub fn groups(contact: &Value) -> Vec<i64> {
    contact["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("no groups in {contact}"))
        .iter()
        .map(|g| g.as_i64().unwrap())
        .collect()
}

/// The string values of an array field.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// Sends a batch (`PUT` or `POST`) that must succeed with `code` 100, and returns the body.
pub async fn batch_ok(app: &TestApp, method: Method, query: &str, items: Value) -> Value {
    let (status, body, _) = app.send_with_headers(method.clone(), &batch(query), Some(items), &[]).await;
    assert_eq!(status, StatusCode::OK, "{method} batch{query}: {body}");
    assert_eq!(body["code"], 100, "{body}");
    assert_eq!(body["message"], "OK", "{body}");
    body
}

/// `PUT /rest/contacts/{ORG}/batch{query}` that must succeed.
pub async fn put_ok(app: &TestApp, query: &str, items: Value) -> Value {
    batch_ok(app, Method::PUT, query, items).await
}
