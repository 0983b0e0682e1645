//! `registeredEmail` (issue 15): stored and read back by every read (one contact, the list, a
//! group's members, the history), through every write (single POST and PUT, batch POST and
//! PUT full and partial, PATCH), as a scalar of SPEC §3.1 (omitted under `full`: cleared;
//! under `partial`: kept; `null`: cleared), validated as an e-mail address.

use contacts_tests::{json, TestApp, EMPLOYEE, ORG};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const ADA: &str = "ada@umail.example.edu";

fn person(external_id: &str, email: Option<&str>) -> Value {
    let mut p =
        json!({"externalId": external_id, "firstName": "Ada", "lastName": "Lovelace", "recordTypeId": EMPLOYEE});
    if let Some(e) = email {
        p["registeredEmail"] = json!(e);
    }
    p
}

async fn email_of(app: &TestApp, id: i64) -> Value {
    app.contact(id).await.get("registeredEmail").cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn it_round_trips_through_every_write_and_read() {
    let app = TestApp::spawn().await;
    // Single POST.
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}"), person("r1", Some(ADA))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(email_of(&app, id).await, ADA);
    // Single PUT (full), with another address.
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/{id}"), person("r1", Some("a.l@example.org"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(email_of(&app, id).await, "a.l@example.org");
    // Batch PUT, partial, without it: kept.
    let batch = format!("/rest/contacts/{ORG}/batch?idType=externalId");
    let (status, body) =
        app.put(&format!("{batch}&updateType=partial"), json!([{"externalId": "r1", "firstName": "A"}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(email_of(&app, id).await, "a.l@example.org");
    // PATCH.
    let patch = json!([{"op": "replace", "path": "/registeredEmail", "value": ADA}]);
    let (status, body, _) =
        app.send_with_headers(Method::PATCH, &format!("/rest/contacts/{ORG}/{id}"), Some(patch), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(email_of(&app, id).await, ADA);
    // Every read shows it: the list, a group's members, the history.
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}?externalIds=r1")).await;
    assert_eq!(list["page"]["data"][0]["registeredEmail"], ADA);
    let (status, _, _) = app
        .send_with_headers(
            Method::POST,
            &format!("/rest/groups/{ORG}/contacts?byType=id&groupId=1"),
            Some(json!([id])),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, members) = app.get(&format!("/rest/contacts/groups/{ORG}?byType=id&groupId=1")).await;
    assert_eq!(members["page"]["data"][0]["registeredEmail"], ADA);
    let (_, history) = app.get(&format!("/rest/contacts/{ORG}/{id}/history")).await;
    let entries = history["page"]["data"].as_array().unwrap();
    // Newest first: membership, PATCH, partial PUT, full PUT, create.
    let after: Vec<&Value> = entries.iter().map(|e| &e["after"]["registeredEmail"]).collect();
    assert_eq!(
        after,
        [ADA, ADA, "a.l@example.org", "a.l@example.org", ADA].map(Value::from).iter().collect::<Vec<_>>()
    );
    // Batch PUT, full, without it: cleared (SPEC §3.1), and the read shows no key.
    let (status, body) = app.put(&batch, json!([person("r1", None)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.contact(id).await.get("registeredEmail").is_none());
    // Batch POST (an upsert of r1, and a new contact).
    let ids = app.create_contacts(json!([person("r1", Some(ADA)), person("r2", Some("b@example.org"))])).await;
    assert_eq!(ids[0], id);
    assert_eq!(email_of(&app, id).await, ADA);
    assert_eq!(email_of(&app, ids[1]).await, "b@example.org");
    // `null` clears it, in partial mode too.
    let (status, _) =
        app.put(&format!("{batch}&updateType=partial"), json!([{"externalId": "r2", "registeredEmail": null}])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(email_of(&app, ids[1]).await, Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn a_resend_with_it_is_unchanged_and_a_change_of_it_alone_is_a_change() {
    let app = TestApp::spawn().await;
    let batch = format!("/rest/contacts/{ORG}/batch?idType=externalId");
    app.create_contacts(json!([person("u1", Some(ADA))])).await;
    let (_, same) = app.put(&batch, json!([person("u1", Some(ADA))])).await;
    assert_eq!(same["results"][0]["status"], "unchanged", "{same}");
    let (_, other) = app.put(&batch, json!([person("u1", Some("other@example.org"))])).await;
    assert_eq!(other["results"][0]["status"], "updated", "{other}");
    assert_eq!(other["results"][0]["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_address_is_a_400_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    for bad in ["not an e-mail", "a@", "@example.org"] {
        let (status, body) = app.post(&format!("/rest/contacts/{ORG}/batch"), json!([person("x1", Some(bad))])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["errors"][0]["field"], "registeredEmail", "{bad}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("e-mail"), "{body}");
    }
    let long = format!("{}@example.org", "a".repeat(250));
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}/batch"), json!([person("x1", Some(&long))])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["field"], "registeredEmail");
    // A number is not an address either (a wrong type).
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}"), json!({"externalId": "x1", "firstName": "A", "lastName": "B", "recordTypeId": EMPLOYEE, "registeredEmail": 5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}")).await;
    assert_eq!(list["page"]["totalCount"], 0, "{list}");
    app.stop().await;
}
