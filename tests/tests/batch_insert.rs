//! `POST /rest/contacts/{org}/batch` (SPEC §2): a new externalId creates, an existing one
//! replaces that contact whole, and one externalId may come once per batch.

mod common;

use common::*;

#[tokio::test]
async fn post_batch_creates_new_external_ids_and_fully_replaces_existing_ones() {
    let app = TestApp::spawn().await;
    let existing = create_one(&app, rich("p1")).await;
    assert_eq!(app.contact(existing).await["version"], 1);

    let items = json!([with(minimal("p1", "Replaced"), json!({"groups": [3]})), rich("p2"), minimal("p3", "C")]);
    let body = batch_ok(&app, Method::POST, "?version=1", items).await;
    assert_eq!(statuses(&body), ["updated", "created", "created"]);
    let r = results(&body);
    assert_eq!(r[0]["id"], existing);
    assert_eq!(
        (r[0]["version"].clone(), r[1]["version"].clone(), r[2]["version"].clone()),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!((r[1]["externalId"].clone(), r[2]["externalId"].clone()), (json!("p2"), json!("p3")));
    let ids: Vec<i64> = r.iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert_eq!(data(&body), ids.iter().map(i64::to_string).collect::<Vec<_>>(), "data: ids in input order");
    assert!(ids[1] != ids[2] && !ids[1..].contains(&existing), "{ids:?}");

    // The update was a full replace: what the item left out is gone, memberships were added.
    let c = app.contact(existing).await;
    assert_eq!((c["firstName"].clone(), c["version"].clone()), (json!("Replaced"), json!(2)));
    for key in ["middleInitial", "suffix", "timezoneId", "vip", "securityPIN"] {
        assert!(c[key].is_null(), "{key}: {c}");
    }
    assert_eq!(
        (c["paths"].clone(), c["contactAttributes"].clone(), c["address"].clone()),
        (json!([]), json!([]), json!([]))
    );
    assert_eq!(groups(&c), vec![1, 2, 3]);

    // The created ones carry everything they were given.
    let c = app.contact(ids[1]).await;
    assert_eq!(
        (c["externalId"].clone(), c["version"].clone(), c["status"].clone()),
        (json!("p2"), json!(1), json!("A"))
    );
    assert_eq!(c["paths"].as_array().map(Vec::len), Some(2));
    assert_eq!(groups(&c), vec![1, 2]);
    assert_eq!(c["createdDate"], c["lastModifiedDate"]);
    assert_eq!(all_contacts(&app).await.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn post_batch_with_one_external_id_twice_is_400_code_321_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let items = json!([minimal("x1", "A"), minimal("x2", "B"), minimal("x1", "C")]);
    let (status, body) = app.post(&batch(""), items).await;
    assert_error(status, &body, 400, 400, Some(321));
    assert_eq!(errors(&body), vec![err(2, "externalId", 321)]);
    assert_eq!(body["errors"][0]["externalId"], "x1");
    assert!(all_contacts(&app).await.is_empty());

    // Not atomic: the others are created, the repeat is reported.
    let (status, body) = app.post(&batch("?atomic=false"), json!([minimal("x1", "A"), minimal("x1", "C")])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 101);
    assert_eq!(statuses(&body), ["created", "failed"]);
    assert_eq!(data(&body).len(), 1);
    let all = all_contacts(&app).await;
    assert_eq!((all.len(), all[0]["firstName"].clone()), (1, json!("A")));
    app.stop().await;
}

#[tokio::test]
async fn post_batch_validates_new_contacts_like_updates() {
    let app = TestApp::spawn().await;
    let items = json!([
        minimal("ok", "A"),
        without(minimal("n1", "B"), &["lastName"]),
        {"firstName": "NoExternalId", "lastName": "L", "recordTypeId": EMPLOYEE},
        with(minimal("n3", "C"), json!({"recordTypeId": 1}))
    ]);
    let (status, body) = app.post(&batch(""), items).await;
    assert_error(status, &body, 400, 400, Some(320));
    assert_eq!(errors(&body), vec![err(1, "lastName", 320), err(2, "externalId", 320), err(3, "recordTypeId", 300)]);
    assert!(all_contacts(&app).await.is_empty());
    app.stop().await;
}
