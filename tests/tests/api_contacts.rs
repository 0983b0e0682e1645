//! Single-contact calls and the contact list over HTTP (SPEC §1, §2): envelopes, ETag,
//! not-found answers, full replace by id, paging, and the leniency of paths, query strings and
//! headers; a contact read can be written back whole.

use contacts_tests::{json, TestApp, ATTR1, EMPLOYEE, ORG, PHONE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const EMAIL_1: i64 = 241_901_148_045_316;

fn person(external_id: &str, first_name: &str) -> Value {
    json!({"externalId": external_id, "firstName": first_name, "lastName": "Doe", "recordTypeId": EMPLOYEE})
}

/// A contact using every kind of field, references by id and by name.
fn rich(external_id: &str) -> Value {
    json!({
        "externalId": external_id,
        "firstName": "Ann",
        "middleInitial": "Q",
        "lastName": "Lee",
        "suffix": "Jr",
        "country": "US",
        "businessName": "ACME",
        "timezoneId": "America/New_York",
        "language": "en-US",
        "ssoUserId": "ann@sso",
        "securityPIN": "1234",
        "vip": true,
        "expatriate": "false",
        "recordTypeName": "Employee",
        "paths": [
            {"pathId": EMAIL_1, "value": "ann@example.com", "waitTime": 0},
            {"prompt": "phone", "value": "7815551212", "countryCode": "US", "phoneExt": "12", "pathEnable": true,
             "quietTimeFrames": [{"days": [1, 7], "fromHour": 22, "fromMin": 0, "toHour": 6, "toMin": 30}]}
        ],
        "contactAttributes": [{"name": "attr1", "values": ["option1", "option3"]}],
        "address": [{"locationName": "HQ", "streetAddress": "1 Main St", "city": "Boston", "state": "MA",
                     "postalCode": "02110", "country": "US", "gisLocation": {"lat": 42.36, "lon": -71.06}}],
        "groups": ["1"],
        "groupsName": ["group2"]
    })
}

#[tokio::test]
async fn a_contact_is_read_in_the_single_read_envelope_with_its_version_as_etag() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([rich("r1")])).await[0];
    let (status, body, headers) =
        app.send_with_headers(Method::GET, &format!("/rest/contacts/{ORG}/{id}"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "OK");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
    let c = &body["result"];
    for (key, value) in [
        ("id", json!(id)),
        ("organizationId", json!(ORG)),
        ("externalId", json!("r1")),
        ("firstName", json!("Ann")),
        ("middleInitial", json!("Q")),
        ("businessName", json!("ACME")),
        ("securityPIN", json!("1234")),
        ("vip", json!(true)),
        ("expatriate", json!(false)),
        ("recordTypeId", json!(EMPLOYEE)),
        ("recordTypeName", json!("Employee")),
        ("groups", json!([1, 2])),
        ("groupsName", json!(["group1", "group2"])),
        ("version", json!(1)),
        ("status", json!("A")),
    ] {
        assert_eq!(c[key], value, "{key} in {c}");
    }
    assert_eq!(c["paths"][0]["pathId"], EMAIL_1);
    assert_eq!(c["paths"][1]["pathId"], PHONE);
    assert_eq!(c["paths"][1]["prompt"], "phone");
    assert_eq!(c["paths"][1]["phoneExt"], "12");
    assert_eq!(c["paths"][1]["quietTimeFrames"][0]["toMin"], 30);
    assert_eq!(
        c["contactAttributes"],
        json!([{"orgAttrId": ATTR1, "name": "attr1", "values": ["option1", "option3"]}])
    );
    assert_eq!(c["address"][0]["gisLocation"], json!({"lat": 42.36, "lon": -71.06}));
    assert!(c["createdDate"].as_i64().unwrap() > 1_600_000_000_000, "{c}");
    assert_eq!(c["createdDate"], c["lastModifiedDate"]);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_or_malformed_contact_id_is_404() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([person("n1", "N")])).await[0];
    for (segment, expected) in [
        ("999", "999".to_owned()),
        ("abc", "abc".into()),
        ("99999999999999999999999", "99999999999999999999999".into()),
        (&*format!("{id}x"), format!("{id}x")),
    ] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}/{segment}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{segment}: {body}");
        assert_eq!(body, json!({"message": format!("Contact {expected} not found."), "status": 404, "code": 404}));
    }
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/999"), person("n2", "N")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["message"], "Contact 999 not found.");
    assert_eq!((body["status"].clone(), body["code"].clone()), (json!(404), json!(404)));
    app.stop().await;
}

#[tokio::test]
async fn put_replaces_the_contact_named_by_the_uri_whatever_the_body_id() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([rich("p1"), person("p2", "Other")])).await;
    let mut replacement = person("p1-renamed", "Bea");
    replacement["id"] = json!(ids[1]);
    replacement["organizationId"] = json!(99);
    replacement["createdDate"] = json!(0);
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{}", ids[0]), replacement).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let base = format!("{}/rest/contacts/{ORG}/", app.base);
    assert_eq!(
        body,
        json!({"message": "OK", "id": ids[0], "baseUri": base, "instanceUri": format!("{base}{}", ids[0])})
    );
    let c = app.contact(ids[0]).await;
    assert_eq!((c["externalId"].clone(), c["firstName"].clone()), (json!("p1-renamed"), json!("Bea")));
    assert_eq!(c["version"], 2);
    // A full replace: what the body left out is cleared (group memberships stay).
    assert_eq!(c.get("businessName"), None, "{c}");
    assert_eq!(
        (c["paths"].clone(), c["address"].clone(), c["contactAttributes"].clone()),
        (json!([]), json!([]), json!([]))
    );
    assert_eq!(c["groups"], json!([1, 2]));
    assert_eq!(c["organizationId"], ORG);
    // The contact named by the body's id is untouched.
    let other = app.contact(ids[1]).await;
    assert_eq!(
        (other["externalId"].clone(), other["firstName"].clone(), other["version"].clone()),
        (json!("p2"), json!("Other"), json!(1))
    );
    // A string id in the URI with surrounding slash is the same contact.
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{}/", ids[0]), person("p1-renamed", "Cy")).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(ids[0])));
    assert_eq!(app.contact(ids[0]).await["firstName"], "Cy");
    app.stop().await;
}

#[tokio::test]
async fn put_without_a_contact_id_is_404_missing_contact_id() {
    let app = TestApp::spawn().await;
    for path in [format!("/rest/contacts/{ORG}/"), format!("/rest/contacts/{ORG}")] {
        let (status, body) = app.put(&path, person("m1", "M")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body, json!({"message": "Missing Contact Id", "status": 404}), "{path}");
    }
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}")).await;
    assert_eq!(list["page"]["totalCount"], 0);
    app.stop().await;
}

#[tokio::test]
async fn the_list_is_paged_in_the_list_envelope() {
    let app = TestApp::spawn().await;
    let mut ids = app.create_contacts(json!((1..=5).map(|i| person(&format!("l{i}"), "L")).collect::<Vec<_>>())).await;
    ids.sort_unstable();
    let uri = |n: u32| format!("{}/rest/contacts/{ORG}?pageNumber={n}&pageSize=2", app.base);
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?pageNumber=2&pageSize=2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "OK");
    assert_eq!(body["firstPageUri"], json!(uri(1)));
    assert_eq!(body["lastPageUri"], json!(uri(3)));
    assert_eq!(body["nextPageUri"], json!(uri(3)));
    assert_eq!(body["previousPageUri"], json!(uri(1)));
    let page = &body["page"];
    assert_eq!(
        (&page["currentPageNo"], &page["pageSize"], &page["start"], &page["totalCount"], &page["totalPageCount"]),
        (&json!(2), &json!(2), &json!(2), &json!(5), &json!(3))
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    // The pages together hold every contact once.
    let mut seen = Vec::new();
    for n in 1..=3 {
        let (_, body) = app.get(&format!("/rest/contacts/{ORG}?pageNumber={n}&pageSize=2")).await;
        assert_eq!(body.get("previousPageUri").is_some(), n > 1, "page {n}");
        assert_eq!(body.get("nextPageUri").is_some(), n < 3, "page {n}");
        seen.extend(body["page"]["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
    }
    seen.sort_unstable();
    assert_eq!(seen, ids);
    // Past the end: an empty page, not an error.
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?pageNumber=9&pageSize=2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["page"]["data"], json!([]));
    assert_eq!(body["page"]["totalCount"], 5);
    assert_eq!(body["previousPageUri"], json!(uri(8)));
    // The default page size is 100.
    let (_, body) = app.get(&format!("/rest/contacts/{ORG}")).await;
    assert_eq!((&body["page"]["pageSize"], &body["page"]["currentPageNo"]), (&json!(100), &json!(1)));
    assert_eq!(body["page"]["data"].as_array().unwrap().len(), 5);
    app.stop().await;
}

#[tokio::test]
async fn page_parameters_out_of_range_are_400() {
    let app = TestApp::spawn().await;
    for (query, name, got) in [
        ("pageSize=0", "pageSize", "0"),
        ("pageSize=5000", "pageSize", "5000"),
        ("pageSize=3001", "pageSize", "3001"),
        ("pageSize=ten", "pageSize", "ten"),
        ("pageNumber=0", "pageNumber", "0"),
        ("pageNumber=-1", "pageNumber", "-1"),
    ] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["status"], 400);
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("Query parameter {name} must be an integer")), "{query}: {message}");
        assert!(message.ends_with(&format!("(got '{got}')")), "{query}: {message}");
    }
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?pageSize=3000")).await;
    assert_eq!((status, body["page"]["pageSize"].clone()), (StatusCode::OK, json!(3000)));
    app.stop().await;
}

#[tokio::test]
async fn trailing_slashes_unknown_parameters_and_string_ids_are_accepted() {
    let app = TestApp::spawn().await;
    // Ids as strings in the body: recordTypeId, groups, attribute and path ids.
    let body = json!([{"externalId": "s1", "firstName": "S", "lastName": "T", "recordTypeId": EMPLOYEE.to_string(),
        "groups": ["3"], "contactAttributes": [{"orgAttrId": ATTR1.to_string(), "values": ["option2"]}],
        "paths": [{"pathId": EMAIL_1.to_string(), "value": "s@example.com"}]}]);
    let id = app.create_contacts(body).await[0];
    let c = app.contact(id).await;
    assert_eq!((c["groups"].clone(), c["paths"][0]["pathId"].clone()), (json!([3]), json!(EMAIL_1)));
    enum Answer {
        Contact,
        ContactList,
        Catalog,
    }
    for (path, answer) in [
        (format!("/rest/contacts/{ORG}/"), Answer::ContactList),
        (format!("/rest/contacts/{ORG}?_=123"), Answer::ContactList),
        (format!("/rest/contacts/{ORG}/?_=123&foo=bar&pageSize=10"), Answer::ContactList),
        (format!("/rest/contacts/{ORG}/{id}/"), Answer::Contact),
        (format!("/rest/contacts/{ORG}/{id}?_=1700000000000"), Answer::Contact),
        ("/rest/groups/1/".to_owned(), Answer::Catalog),
        ("/rest/groups/1?_=123".to_owned(), Answer::Catalog),
        ("/rest/topics/1/".to_owned(), Answer::Catalog),
        ("/rest/contactPaths/1/?cache=no".to_owned(), Answer::Catalog),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["message"], "OK", "{path}");
        match answer {
            Answer::Contact => assert_eq!(body["result"]["id"], id, "{path}"),
            Answer::ContactList => assert_eq!(body["page"]["data"][0]["id"], id, "{path}: {body}"),
            Answer::Catalog => assert!(body["page"]["totalCount"].is_u64(), "{path}: {body}"),
        }
    }
    // Writes through a trailing slash too.
    let (status, body) = app.post("/rest/topics/1/", json!({"name": "slash"})).await;
    assert_eq!((status, body["message"].clone()), (StatusCode::OK, json!("OK")), "{body}");
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}/batch/?_=5"), json!([person("s2", "S")])).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::OK, json!(100)), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let path = format!("/rest/contacts/{ORG}");
    let (status, _, headers) =
        app.send_with_headers(Method::GET, &path, None, &[("x-request-id", "trace-me-42")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-me-42"));
    // Errors carry it too.
    let (status, _, headers) =
        app.send_with_headers(Method::GET, &format!("{path}/999"), None, &[("x-request-id", "trace-404")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-404"));
    let mut generated = Vec::new();
    for _ in 0..2 {
        let (_, _, headers) = app.send_with_headers(Method::GET, &path, None, &[]).await;
        let id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(id.len() >= 16, "a generated request id, got {id:?}");
        generated.push(id);
    }
    assert_ne!(generated[0], generated[1]);
    app.stop().await;
}

#[tokio::test]
async fn a_json_content_type_on_a_get_without_body_is_fine() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([person("c1", "C")])).await[0];
    let json_type = [("Content-Type", "application/json"), ("Accept", "application/json")];
    for path in [format!("/rest/contacts/{ORG}/{id}"), format!("/rest/contacts/{ORG}"), "/rest/groups/1".into()] {
        let (status, body, _) = app.send_with_headers(Method::GET, &path, None, &json_type).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["message"], "OK");
    }
    app.stop().await;
}

/// A contact as read, without what a write changes by itself.
fn comparable(c: &Value) -> Value {
    let mut c = c.clone();
    let o = c.as_object_mut().unwrap();
    for key in ["version", "lastModifiedDate", "lastModifiedTime", "lastModifiedName"] {
        o.remove(key);
    }
    c
}

#[tokio::test]
async fn a_contact_read_is_accepted_back_whole_by_put_and_by_the_batch() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([rich("w1"), rich("w2")])).await;
    let before = app.contact(ids[0]).await;
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{}", ids[0]), before.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], ids[0]);
    let after = app.contact(ids[0]).await;
    assert_eq!(after, before, "writing back what was read changes nothing, not even the version");

    let second = app.contact(ids[1]).await;
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/batch"), json!([second.clone()])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!([ids[1].to_string()]));
    assert_eq!(body["results"][0]["status"], "unchanged", "{body}");
    assert_eq!(app.contact(ids[1]).await, second);

    // Read, change one field, write back whole: only that field (and the version) changes.
    let mut edited = second.clone();
    edited["businessName"] = json!("Initech");
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/batch"), json!([edited])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["status"], "updated", "{body}");
    let stored = app.contact(ids[1]).await;
    assert_eq!(stored["version"], 2);
    let mut expected = comparable(&second);
    expected["businessName"] = json!("Initech");
    assert_eq!(comparable(&stored), expected);
    app.stop().await;
}
