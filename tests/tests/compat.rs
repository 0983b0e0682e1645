//! Compatibility with real Everbridge clients (issue part 6) on the single-contact, delete and
//! list calls: trailing slashes, cache busters, list parameters in both spellings, ids and
//! booleans as strings, quoted sort keys, a contact read and written back whole, both
//! `Authorization` spellings, and a JSON envelope on every answer.

mod common;

use base64::Engine;
use common::*;

fn bare_b64(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

async fn delete(app: &TestApp, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, body, _) = app.send_with_headers(Method::DELETE, path, body, &[]).await;
    (status, body)
}

#[tokio::test]
async fn trailing_slashes_and_unknown_parameters_are_accepted_on_every_contact_call() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}/?_=123"), minimal("t1", "T")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["id"].as_i64().unwrap();
    let ids = app.create_contacts(json!([minimal("t2", "T"), minimal("t3", "T")])).await;
    for path in [
        format!("/rest/contacts/{ORG}/{id}/?_=1700000000000"),
        format!("/rest/contacts/{ORG}/t1/?idType=externalId&_=1&cache=no"),
        format!("/rest/contacts/{ORG}/?sortBy=lastName&_=123&foo=bar"),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!((status, body["message"].clone()), (StatusCode::OK, json!("OK")), "{path}: {body}");
    }
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/t1/?idType=externalId&_=5"), minimal("t1", "U")).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(id)), "{body}");
    let (status, body) = delete(&app, &format!("/rest/contacts/{ORG}/{id}/?_=9"), None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"message": "OK", "id": id})));
    let (status, body) = delete(&app, &format!("/rest/contacts/{ORG}/batch/?_=9&idType=id"), Some(json!(ids))).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::OK, json!(100)), "{body}");
    assert!(all_contacts(&app).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn list_parameters_are_accepted_repeated_comma_separated_or_quoted() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C")])).await;
    let expected = json!([ids[0], ids[2]]);
    for query in [
        "externalIds=a,c".to_owned(),
        "externalIds=a&externalIds=c".into(),
        "externalIds=%22a%22,%22c%22".into(),
        "externalIds=a,&externalIds=%20c%20".into(),
        format!("contactIds={},{}", ids[2], ids[0]),
        format!("contactIds={}&contactIds=%22{}%22", ids[0], ids[2]),
    ] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        let got: Vec<Value> = body["page"]["data"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
        assert_eq!(json!(got), expected, "{query}");
    }
    // A quoted sort key (with its quotes), a quoted direction, a lower-case one.
    for query in ["sortBy=%22lastName%22", "sortBy='lastName'&direction=%22ASC%22", "sortBy=lastname&direction=asc"] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(body["page"]["data"][0]["lastName"], "Last", "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn ids_booleans_and_numbers_are_accepted_as_strings() {
    let app = TestApp::spawn().await;
    let body = json!({
        "id": "123", "externalId": "s1", "firstName": "S", "lastName": "T", "recordTypeId": EMPLOYEE.to_string(),
        "vip": "true", "expatriate": "false", "accountId": "42",
        "paths": [{"pathId": PHONE.to_string(), "value": "+17815551212", "skipValidation": "false", "pathEnable": "true",
                   "waitTime": "30"}],
        "groups": ["1", 2]
    });
    let (status, answer) = app.post(&format!("/rest/contacts/{ORG}"), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["id"].as_i64().unwrap();
    let c = app.contact(id).await;
    assert_eq!(
        (c["vip"].clone(), c["expatriate"].clone(), c["accountId"].clone()),
        (json!(true), json!(false), json!(42))
    );
    let p = &c["paths"][0];
    assert_eq!(
        (p["skipValidation"].clone(), p["pathEnable"].clone(), p["waitTime"].clone()),
        (json!(false), json!(true), json!(30))
    );
    assert_eq!(c["groups"], json!([1, 2]));
    // A path segment with leading zeros names the same id.
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}/000{id}")).await;
    assert_eq!((status, body["result"]["id"].clone()), (StatusCode::OK, json!(id)));
    // Batch flags as quoted strings.
    let (status, body) =
        app.put(&batch("?atomic=%22false%22&dryRun=%22true%22"), json!([minimal_with_id(id, "s1", "D")])).await;
    assert_eq!((status, body["data"].clone()), (StatusCode::OK, json!([])), "{body}");
    assert_eq!(app.contact(id).await["firstName"], "S", "a dry run writes nothing");
    // Delete ids as a string and a number.
    let other = create_one(&app, minimal("s2", "S")).await;
    let (status, body) = delete(&app, &batch(""), Some(json!([id.to_string(), other]))).await;
    assert_eq!((status, body["data"].clone()), (StatusCode::OK, json!([id.to_string(), other.to_string()])), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_contact_read_is_accepted_back_whole_by_put_by_external_id_and_by_the_batch() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([rich("w1"), rich("w2")])).await;
    // From a single read, PUT by externalId: nothing changes, not even the version.
    let first = app.contact(ids[0]).await;
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/w1?idType=externalId"), first.clone()).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(ids[0])), "{body}");
    assert_eq!(app.contact(ids[0]).await, first);
    // From the list envelope, PUT back as a batch by externalId.
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}?sortBy=externalId")).await;
    let listed = list["page"]["data"].clone();
    let body = put_ok(&app, "?idType=externalId", listed.clone()).await;
    assert_eq!(statuses(&body), vec!["unchanged", "unchanged"]);
    assert_eq!(json!([app.contact(ids[0]).await, app.contact(ids[1]).await]), listed);
    app.stop().await;
}

#[tokio::test]
async fn basic_and_bare_base64_credentials_work_on_every_call() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("c1", "C")).await;
    for header in [basic("demo", "demo"), bare_b64("demo", "demo")] {
        let caller = app.with_authorization(&header);
        let (status, body) = caller.send(Method::GET, &format!("/rest/contacts/{ORG}/{id}"), None).await;
        assert_eq!(status, StatusCode::OK, "{header}: {body}");
        let (status, _) = caller.send(Method::GET, &format!("/rest/contacts/{ORG}?sortBy=lastName"), None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = caller
            .send(Method::PUT, &format!("/rest/contacts/{ORG}/c1?idType=externalId"), Some(minimal("c1", "D")))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) =
            caller.send(Method::POST, &format!("/rest/contacts/{ORG}"), Some(minimal("tmp", "T"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) =
            caller.send(Method::DELETE, &format!("/rest/contacts/{ORG}/tmp?idType=externalId"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = caller.send(Method::DELETE, &batch("?idType=externalId"), Some(json!(["nobody"]))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "authenticated, but an unknown contact: {body}");
        assert_eq!(body["message"], format!("contactIds invalid to the organization {ORG}"));
    }
    let caller = app.with_authorization(&bare_b64("demo", "wrong"));
    let (status, body) = caller.send(Method::GET, &format!("/rest/contacts/{ORG}/{id}"), None).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, json!({"message": "Invalid or missing credentials", "status": 401}))
    );
    app.stop().await;
}

#[tokio::test]
async fn every_answer_is_a_json_envelope_errors_and_deletes_included() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "E")).await;
    let calls: Vec<(Method, String, Option<&str>, u16)> = vec![
        (Method::GET, format!("/rest/contacts/{ORG}/{id}"), None, 200),
        (Method::GET, format!("/rest/contacts/{ORG}/nobody?idType=externalId"), None, 404),
        (Method::GET, format!("/rest/contacts/{ORG}?pageNumber=99"), None, 200),
        (Method::GET, format!("/rest/contacts/{ORG}?pageSize=5000"), None, 400),
        (
            Method::POST,
            format!("/rest/contacts/{ORG}"),
            Some(r#"{"externalId":"e1","firstName":"X","lastName":"Y","recordTypeId":1533823015714817}"#),
            409,
        ),
        (Method::POST, format!("/rest/contacts/{ORG}"), Some("{"), 400),
        (Method::PUT, format!("/rest/contacts/{ORG}/{id}"), Some(r#"{"externalId":"e1"}"#), 400),
        (Method::DELETE, format!("/rest/contacts/{ORG}/batch"), Some("[999999]"), 401),
        (Method::DELETE, format!("/rest/contacts/{ORG}/batch"), Some("[\"x\"]"), 400),
        (Method::DELETE, format!("/rest/contacts/{ORG}/"), None, 404),
        (Method::DELETE, format!("/rest/contacts/{ORG}/{id}"), None, 200),
        (Method::DELETE, format!("/rest/contacts/{ORG}/{id}"), None, 404),
    ];
    for (method, path, body, http) in calls {
        // Sent with `Content-Type: application/json`, also when there is no body.
        let (status, answer) = app.send_raw(method.clone(), &path, body.unwrap_or_default()).await;
        assert_eq!(status.as_u16(), http, "{method} {path}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{method} {path}: {answer}");
        if http >= 400 {
            assert_eq!(answer["status"].as_u64(), Some(u64::from(http)), "{method} {path}: {answer}");
        }
    }
    // A page past the end: 200 and an empty page.data.
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?pageNumber=99&pageSize=10")).await;
    assert_eq!(
        (status, body["page"]["data"].clone(), body["page"]["currentPageNo"].clone()),
        (StatusCode::OK, json!([]), json!(99))
    );
    app.stop().await;
}
