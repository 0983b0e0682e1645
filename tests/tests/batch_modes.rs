//! The batch modes of SPEC §3.2–3.3: `updateType=partial`, `atomic`, `dryRun`, unchanged items
//! and versions. POST batch is in `batch_insert.rs`.

mod common;

use common::*;

/// `c` without what every write changes.
fn content(c: &Value) -> Value {
    without(c.clone(), &["version", "lastModifiedDate", "lastModifiedTime"])
}

#[tokio::test]
async fn a_partial_update_changes_only_the_fields_present() {
    let app = TestApp::spawn().await;
    let t1 = create_topic(&app, "t1").await;
    let t2 = create_topic(&app, "t2").await;
    let id = create_one(&app, with(rich("e1"), json!({"topics": [t1]}))).await;
    let before = app.contact(id).await;

    put_ok(&app, "?updateType=partial", json!([{"id": id, "firstName": "Zoe"}])).await;
    let c = app.contact(id).await;
    assert_eq!(content(&c), with(content(&before), json!({"firstName": "Zoe"})));
    assert_eq!(c["version"], 2);

    // null clears; a present array replaces that array only.
    put_ok(&app, "?updateType=partial", json!([{"id": id, "suffix": null, "vip": null, "topics": [t2]}])).await;
    let c = app.contact(id).await;
    let expected = without(with(content(&before), json!({"firstName": "Zoe", "topics": [t2]})), &["suffix", "vip"]);
    assert_eq!(content(&c), expected);

    // A path without quietTimeFrames keeps its frames; groups are added.
    let phone = json!({"pathId": PHONE, "countryCode": "US", "value": "7815550000"});
    put_ok(&app, "?updateType=partial", json!([{"id": id, "paths": [phone], "groups": [3]}])).await;
    let c = app.contact(id).await;
    assert_eq!(path_values(&c), vec![(PHONE, "7815550000".into())]);
    assert_eq!(c["paths"][0]["quietTimeFrames"], before["paths"][0]["quietTimeFrames"]);
    assert_eq!(c["paths"][0]["countryCode"], "US");
    assert!(c["paths"][0]["phoneExt"].is_null(), "the path element is replaced whole: {c}");
    assert_eq!(groups(&c), vec![1, 2, 3]);
    assert_eq!(
        (c["contactAttributes"].clone(), c["address"].clone()),
        (before["contactAttributes"].clone(), before["address"].clone())
    );
    assert_eq!(c["timezoneId"], "America/New_York");

    // null clears a list.
    put_ok(&app, "?updateType=partial", json!([{"id": id, "address": null, "contactAttributes": []}])).await;
    let c = app.contact(id).await;
    assert_eq!((c["address"].clone(), c["contactAttributes"].clone()), (json!([]), json!([])));
    assert_eq!(c["paths"].as_array().unwrap().len(), 1);
    assert_eq!(c["version"], 5);
    app.stop().await;
}

#[tokio::test]
async fn a_partial_update_may_not_clear_a_required_field() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let before = app.contact(id).await;
    let (status, body) = app
        .put(
            &batch("?updateType=partial"),
            json!([{"id": id, "firstName": null, "externalId": "", "recordTypeId": null}]),
        )
        .await;
    assert_error(status, &body, 400, 400, Some(320));
    assert_eq!(errors(&body), vec![err(0, "externalId", 320), err(0, "firstName", 320), err(0, "recordTypeId", 320)]);
    assert_eq!(app.contact(id).await, before);

    // Found by externalId, with nothing else: unchanged.
    let body = put_ok(&app, "?updateType=partial&idType=externalId", json!([{"externalId": "e1"}])).await;
    assert_eq!(statuses(&body), ["unchanged"]);
    assert_eq!(app.contact(id).await, before);
    app.stop().await;
}

#[tokio::test]
async fn an_atomic_batch_with_failures_lists_every_failing_item_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let ids =
        app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C"), minimal("d", "D")])).await;
    let before = snapshot(&app, &ids).await;

    let items = json!([
        minimal_with_id(ids[0], "a", "A2"),
        with(minimal_with_id(ids[1], "b", "B"), json!({"groups": [99]})),
        minimal_with_id(ids[2], "c", "C2"),
        with(minimal_with_id(ids[3], "d", "D"), json!({"recordTypeId": 5, "middleInitial": "XY", "topics": [77]})),
    ]);
    let (status, body) = app.put(&batch(""), items.clone()).await;
    // The first failing item decides the status, message and code: item 1's group.
    assert_error(status, &body, 400, 400, Some(301));
    assert_eq!(body["message"], "group 99 not found in org");
    assert_eq!(
        sorted(errors(&body)),
        vec![
            err(1, "groups[0]", 301),
            err(3, "middleInitial", 320),
            err(3, "recordTypeId", 300),
            err(3, "topics[0]", 304)
        ]
    );
    assert_eq!(body["errors"][0]["id"], ids[1]);
    assert_eq!(body["errors"][0]["externalId"], "b");
    assert_eq!(snapshot(&app, &ids).await, before, "nothing is written");

    // atomic=true is the default; saying so changes nothing.
    let (status, again) = app.put(&batch("?atomic=true"), items).await;
    assert_eq!((status, again), (StatusCode::BAD_REQUEST, body));

    // A first failure of another kind sets another status: 412 here, although item 2 is a 300.
    let items = json!([
        minimal_with_id(ids[0], "a", "A3"),
        with(minimal_with_id(ids[1], "b", "B"), json!({"version": 7})),
        with(minimal_with_id(ids[2], "c", "C"), json!({"recordTypeName": "Nope", "recordTypeId": null})),
    ]);
    let (status, body) = app.put(&batch(""), items).await;
    assert_error(status, &body, 412, 412, Some(330));
    assert_eq!(errors(&body), vec![err(1, "version", 330), err(2, "recordTypeName", 300)]);
    assert_eq!(snapshot(&app, &ids).await, before, "nothing is written");
    app.stop().await;
}

/// `errors` by index, then field.
fn sorted(mut e: Vec<(i64, String, i64)>) -> Vec<(i64, String, i64)> {
    e.sort();
    e
}

#[tokio::test]
async fn a_non_atomic_batch_writes_the_valid_items_and_reports_the_failed_ones() {
    let app = TestApp::spawn().await;
    let ids =
        app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C"), minimal("d", "D")])).await;
    let before = snapshot(&app, &ids).await;

    let items = json!([
        minimal_with_id(ids[0], "a", "A2"),
        with(minimal_with_id(ids[1], "b", "B"), json!({"paths": [{"pathId": 123, "value": "x"}]})),
        minimal_with_id(ids[2], "c", "C"),
        minimal("no-id", "X"),
        minimal_with_id(987_654_321, "zz", "Z"),
        with(minimal_with_id(ids[3], "d", "D2"), json!({"groups": ["2"]})),
    ]);
    let (status, body) = app.put(&batch("?atomic=false"), items).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 101);
    assert_eq!(body["message"], "Completed with errors");
    assert_eq!(statuses(&body), ["updated", "failed", "unchanged", "failed", "failed", "updated"]);
    assert_eq!(data(&body), vec![ids[0].to_string(), ids[2].to_string(), ids[3].to_string()]);
    let r = results(&body);
    assert_eq!(
        (r[0]["version"].clone(), r[2]["version"].clone(), r[5]["version"].clone()),
        (json!(2), json!(1), json!(2))
    );
    assert_eq!(r[1]["id"], ids[1]);
    assert_eq!(errors(&r[1]), vec![err(1, "paths[0].pathId", 303)]);
    assert_eq!(errors(&r[3]), vec![err(3, "id", 404)]);
    assert_eq!(errors(&r[4]), vec![err(4, "id", 404)]);
    assert_eq!(r[4]["errors"][0]["message"], "Contact 987654321 not found.");
    assert!(r[0].get("errors").is_none() && r[2].get("errors").is_none(), "{body}");

    let after = snapshot(&app, &ids).await;
    assert_eq!((after[0]["firstName"].clone(), after[0]["version"].clone()), (json!("A2"), json!(2)));
    assert_eq!(after[1], before[1], "the failed item is not written");
    assert_eq!(after[2], before[2], "the unchanged item is not written");
    assert_eq!((after[3]["firstName"].clone(), groups(&after[3])), (json!("D2"), vec![2]));
    assert_eq!(all_contacts(&app).await.len(), 4, "nothing created");

    // Without failures a non-atomic batch answers like an atomic one.
    let body = put_ok(&app, "?atomic=false", json!([minimal_with_id(ids[1], "b", "B2")])).await;
    assert_eq!(data(&body), vec![ids[1].to_string()]);
    app.stop().await;
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B")])).await;
    let before = snapshot(&app, &ids).await;

    let body =
        put_ok(&app, "?dryRun=true", json!([minimal_with_id(ids[0], "a", "A2"), minimal_with_id(ids[1], "b", "B")]))
            .await;
    assert_eq!(data(&body), Vec::<String>::new());
    assert_eq!(statuses(&body), ["updated", "unchanged"]);
    assert_eq!((results(&body)[0]["version"].clone(), results(&body)[1]["version"].clone()), (json!(2), json!(1)));
    assert_eq!(results(&body)[0]["id"], ids[0]);
    assert_eq!(snapshot(&app, &ids).await, before);

    // POST: created or updated, still nothing written.
    let body = batch_ok(&app, Method::POST, "?dryRun=true", json!([minimal("new", "N"), minimal("a", "A3")])).await;
    assert_eq!(data(&body), Vec::<String>::new());
    assert_eq!(statuses(&body), ["created", "updated"]);
    assert_eq!((results(&body)[0]["version"].clone(), results(&body)[1]["version"].clone()), (json!(1), json!(2)));
    assert_eq!(all_contacts(&app).await.len(), 2);
    assert_eq!(snapshot(&app, &ids).await, before);

    // The same validation: an atomic dry run with a bad item is the same error.
    let bad =
        json!([minimal_with_id(ids[0], "a", "A2"), with(minimal_with_id(ids[1], "b", "B"), json!({"groups": [42]}))]);
    let (status, body) = app.put(&batch("?dryRun=true"), bad.clone()).await;
    assert_error(status, &body, 400, 400, Some(301));
    assert_eq!(errors(&body), vec![err(1, "groups[0]", 301)]);

    // Non-atomic: 200 with code 101, and still nothing written.
    let (status, body) = app.put(&batch("?dryRun=true&atomic=false"), bad).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 101);
    assert_eq!(statuses(&body), ["updated", "failed"]);
    assert_eq!(data(&body), Vec::<String>::new());
    assert_eq!(snapshot(&app, &ids).await, before);
    app.stop().await;
}

#[tokio::test]
async fn a_contact_sent_back_as_read_is_unchanged_with_no_new_version() {
    let app = TestApp::spawn().await;
    let topic = create_topic(&app, "t1").await;
    let id = create_one(&app, with(rich("e1"), json!({"topics": [topic]}))).await;
    let read = app.contact(id).await;

    let body = put_ok(&app, "", json!([read.clone()])).await;
    assert_eq!(statuses(&body), ["unchanged"]);
    assert_eq!(results(&body)[0]["version"], 1);
    assert_eq!(data(&body), vec![id.to_string()], "unchanged items are in data");
    assert_eq!(app.contact(id).await, read, "same version, same lastModifiedDate");

    let body = put_ok(&app, "?idType=externalId", json!([read.clone()])).await;
    assert_eq!(statuses(&body), ["unchanged"]);
    let body = batch_ok(&app, Method::POST, "", json!([read.clone()])).await;
    assert_eq!(statuses(&body), ["unchanged"]);

    // The single full replace too.
    let (status, body) = app.put(&one(id), read.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(app.contact(id).await, read);
    app.stop().await;
}

#[tokio::test]
async fn an_item_version_must_match_and_each_change_adds_one() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let (_, _, headers) = app.send_with_headers(Method::GET, &one(id), None, &[]).await;
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));

    let body = put_ok(&app, "", json!([with(minimal_with_id(id, "e1", "G"), json!({"version": 1}))])).await;
    assert_eq!((statuses(&body), results(&body)[0]["version"].clone()), (vec!["updated".to_owned()], json!(2)));
    let (status, body, headers) = app.send_with_headers(Method::GET, &one(id), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"]["version"], 2);
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), Some("\"2\""));

    // A stale version: 412 code 330, nothing written.
    let before = app.contact(id).await;
    let (status, body) =
        app.put(&batch(""), json!([with(minimal_with_id(id, "e1", "H"), json!({"version": "1"}))])).await;
    assert_error(status, &body, 412, 412, Some(330));
    assert_eq!(errors(&body), vec![err(0, "version", 330)]);
    assert_eq!(app.contact(id).await, before);

    // The single PUT with If-Match.
    for stale in ["\"1\"", "W/\"3\"", "1"] {
        let (status, body, _) =
            app.send_with_headers(Method::PUT, &one(id), Some(minimal("e1", "H")), &[("If-Match", stale)]).await;
        assert_error(status, &body, 412, 412, Some(330));
        assert_eq!(app.contact(id).await, before, "If-Match {stale}");
    }
    let (status, body, _) =
        app.send_with_headers(Method::PUT, &one(id), Some(minimal("e1", "H")), &[("If-Match", "\"2\"")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = app.contact(id).await;
    assert_eq!((c["firstName"].clone(), c["version"].clone()), (json!("H"), json!(3)));

    // Without a version the item applies whatever the stored one.
    put_ok(&app, "", json!([minimal_with_id(id, "e1", "I")])).await;
    assert_eq!(app.contact(id).await["version"], 4);
    app.stop().await;
}
