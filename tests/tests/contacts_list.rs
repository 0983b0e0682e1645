//! The contact listing, `GET /rest/contacts/{org}` (SPEC §2): filters, searchType, every sort
//! key in both directions, paging through 1,050 contacts that sees each exactly once, page
//! links that keep the query, and precise 400s.

mod common;

use std::collections::BTreeSet;

use common::*;

fn list_path(query: &str) -> String {
    format!("/rest/contacts/{ORG}?{query}")
}

fn page_ids(body: &Value) -> Vec<i64> {
    body["page"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no page.data in {body}"))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn list_ok(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.get(&list_path(query)).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    assert_eq!(body["message"], "OK");
    body
}

/// Follows `nextPageUri` from `first` to the end: every contact in order, and the pages seen.
async fn walk(app: &TestApp, first: &str) -> (Vec<Value>, usize) {
    let mut path = first.to_owned();
    let mut contacts = Vec::new();
    let mut pages = 0;
    loop {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        pages += 1;
        contacts.extend(body["page"]["data"].as_array().unwrap().iter().cloned());
        match body["nextPageUri"].as_str() {
            Some(next) => path = next.strip_prefix(&app.base).expect("an absolute link to this service").to_owned(),
            None => return (contacts, pages),
        }
    }
}

#[tokio::test]
async fn paging_through_1050_contacts_by_each_sort_key_sees_each_exactly_once() {
    let app = TestApp::spawn().await;
    // Two batches of 525: two lastModifiedDates shared by hundreds of contacts each; 100
    // distinct last names (ten or eleven contacts share each); unique externalIds, not in id order.
    let mut ids = Vec::new();
    for half in 0..2 {
        let items: Vec<Value> = (0..525)
            .map(|i| {
                let n = half * 525 + i;
                json!({"externalId": format!("ext{:04}", (n * 7919) % 1050), "firstName": "P",
                       "lastName": format!("Name{:02}", n % 100), "recordTypeId": EMPLOYEE})
            })
            .collect();
        ids.extend(app.create_contacts(json!(items)).await);
    }
    let all: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(all.len(), 1050);

    for (sort, field) in
        [("", "id"), ("lastModifiedDate", "lastModifiedDate"), ("externalId", "externalId"), ("lastName", "lastName")]
    {
        for direction in ["", "ASC", "DESC"] {
            let mut query = String::from("pageSize=100");
            if !sort.is_empty() {
                query.push_str(&format!("&sortBy={sort}"));
            }
            if !direction.is_empty() {
                query.push_str(&format!("&direction={direction}"));
            }
            let (contacts, pages) = walk(&app, &list_path(&query)).await;
            let seen: Vec<i64> = contacts.iter().map(|c| c["id"].as_i64().unwrap()).collect();
            assert_eq!((seen.len(), pages), (1050, 11), "{query}");
            assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all, "{query}: each exactly once");
            let descending = direction == "DESC" || (direction.is_empty() && sort == "lastModifiedDate");
            // (sort key, id) strictly ordered: the id breaks ties in the same direction.
            for pair in contacts.windows(2) {
                let key = |c: &Value| (c[field].to_string(), c["id"].as_i64().unwrap());
                let (a, b) = (key(&pair[0]), key(&pair[1]));
                let ordered = if field == "lastModifiedDate" || field == "id" {
                    let num = |c: &Value| (c[field].as_i64().unwrap(), c["id"].as_i64().unwrap());
                    if descending {
                        num(&pair[0]) > num(&pair[1])
                    } else {
                        num(&pair[0]) < num(&pair[1])
                    }
                } else if descending {
                    a > b
                } else {
                    a < b
                };
                assert!(ordered, "{query}: {a:?} then {b:?}");
            }
        }
    }
    // The last page holds the remaining 50; past it, an empty page.
    let body = list_ok(&app, "pageSize=100&pageNumber=11&sortBy=lastName").await;
    assert_eq!(page_ids(&body).len(), 50);
    assert_eq!((body["page"]["totalCount"].clone(), body["page"]["totalPageCount"].clone()), (json!(1050), json!(11)));
    let body = list_ok(&app, "pageSize=100&pageNumber=12&sortBy=lastName").await;
    assert_eq!(body["page"]["data"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn last_modified_date_lists_the_newest_first_by_default() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C")])).await;
    // Change the first one until its lastModifiedDate is past the others' (the clock counts
    // milliseconds: usually once).
    let created = app.contact(ids[2]).await["lastModifiedDate"].as_i64().unwrap();
    for round in 0.. {
        assert!(round < 1000, "the clock does not move");
        let body = put_ok(&app, "", json!([minimal_with_id(ids[0], "a", &format!("Changed{round}"))])).await;
        assert_eq!(statuses(&body), vec!["updated"]);
        if app.contact(ids[0]).await["lastModifiedDate"].as_i64().unwrap() > created {
            break;
        }
    }
    let body = list_ok(&app, "sortBy=lastModifiedDate").await;
    assert_eq!(page_ids(&body)[0], ids[0]);
    let body = list_ok(&app, "sortBy=lastModifiedDate&direction=asc").await;
    assert_eq!(page_ids(&body)[2], ids[0]);
    // Without sortBy, creation (id) order.
    assert_eq!(page_ids(&list_ok(&app, "").await), ids);
    assert_eq!(page_ids(&list_ok(&app, "direction=DESC").await), ids.iter().rev().copied().collect::<Vec<_>>());
    app.stop().await;
}

#[tokio::test]
async fn filters_select_by_ids_external_ids_and_groups_combined_by_search_type() {
    let app = TestApp::spawn().await;
    let ids = app
        .create_contacts(json!([
            with(minimal("e0", "A"), json!({"groups": [1]})),
            with(minimal("e1", "B"), json!({"groups": [1, 2]})),
            with(minimal("e2", "C"), json!({"groupsName": ["group3"]})),
            minimal("e3", "D"),
        ]))
        .await;
    for (query, expected) in [
        (format!("contactIds={},{}", ids[3], ids[1]), vec![ids[1], ids[3]]),
        (format!("contactIds={}&contactIds={}", ids[3], ids[1]), vec![ids[1], ids[3]]),
        ("externalIds=e2,e0,nobody".into(), vec![ids[0], ids[2]]),
        ("externalIds=e2&externalIds=e0".into(), vec![ids[0], ids[2]]),
        ("groupIds=1".into(), vec![ids[0], ids[1]]),
        ("groupIds=2,3".into(), vec![ids[1], ids[2]]),
        // AND (the default): every filter given.
        ("groupIds=1&externalIds=e1,e2".into(), vec![ids[1]]),
        ("groupIds=1&externalIds=e1,e2&searchType=AND".into(), vec![ids[1]]),
        (format!("contactIds={}&groupIds=3", ids[0]), vec![]),
        // OR: any of them.
        ("groupIds=1&externalIds=e1,e2&searchType=OR".into(), vec![ids[0], ids[1], ids[2]]),
        (format!("contactIds={}&groupIds=3&searchType=or", ids[3]), vec![ids[2], ids[3]]),
        // Ids that exist nowhere, an unknown group: nothing, not an error.
        ("contactIds=999999".into(), vec![]),
        ("groupIds=999".into(), vec![]),
    ] {
        let body = list_ok(&app, &query).await;
        assert_eq!(page_ids(&body), expected, "{query}");
        assert_eq!(body["page"]["totalCount"], expected.len(), "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn page_links_keep_the_filters_and_the_sort() {
    let app = TestApp::spawn().await;
    let items: Vec<Value> = (0..5).map(|i| with(minimal(&format!("k{i}"), "K"), json!({"groups": [1]}))).collect();
    let ids = app.create_contacts(json!(items)).await;
    app.create_contacts(json!([minimal("outsider", "O")])).await;
    let body = list_ok(&app, "groupIds=1&sortBy=%22externalId%22&direction=desc&pageSize=2&_=1").await;
    let link = |n: u32| {
        format!(
            "{}/rest/contacts/{ORG}?pageNumber={n}&pageSize=2&groupIds=1&sortBy=externalId&direction=DESC",
            app.base
        )
    };
    assert_eq!(body["firstPageUri"], link(1));
    assert_eq!(body["lastPageUri"], link(3));
    assert_eq!(body["nextPageUri"], link(2));
    assert_eq!(body.get("previousPageUri"), None);
    let (contacts, pages) = walk(&app, &list_path("groupIds=1&sortBy=externalId&direction=DESC&pageSize=2")).await;
    assert_eq!(pages, 3);
    let seen: Vec<i64> = contacts.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, ids.iter().rev().copied().collect::<Vec<_>>());
    // externalIds are repeated in the links, URL-encoded.
    let body = list_ok(&app, "externalIds=k1,k%262&externalIds=k3&pageSize=1").await;
    assert_eq!(
        body["nextPageUri"],
        format!(
            "{}/rest/contacts/{ORG}?pageNumber=2&pageSize=1&externalIds=k1&externalIds=k%262&externalIds=k3",
            app.base
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_list_parameters_are_precise_400s() {
    let app = TestApp::spawn().await;
    app.create_contacts(json!([minimal("a", "A")])).await;
    for (query, message) in [
        ("pageSize=0", "Query parameter pageSize must be an integer from 1 to 3000 (got '0')"),
        ("pageSize=5000", "Query parameter pageSize must be an integer from 1 to 3000 (got '5000')"),
        ("pageNumber=0", "Query parameter pageNumber must be an integer from 1 to 4294967295 (got '0')"),
        (
            "sortBy=firstName",
            "Query parameter sortBy must be one of lastModifiedDate, externalId, lastName (got 'firstName')",
        ),
        ("sortBy=lastName&direction=UP", "Query parameter direction must be one of ASC, DESC (got 'UP')"),
        ("searchType=XOR", "Query parameter searchType must be one of AND, OR (got 'XOR')"),
        ("contactIds=1,abc", "Query parameter contactIds must hold integer ids (got 'abc')"),
        ("groupIds=1.5", "Query parameter groupIds must hold integer ids (got '1.5')"),
    ] {
        let (status, body) = app.get(&list_path(query)).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"message": message, "status": 400})), "{query}");
    }
    let (status, body) = app.anonymous().send(Method::GET, &list_path(""), None).await;
    assert_error(status, &body, 401, 401, None);
    let (status, body) = app.get("/rest/contacts/3?pageSize=10").await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"message": "Org 3 is invalid.", "status": 401})));
    // A viewer may list.
    let (status, body) = app.as_user("viewer", "viewer").send(Method::GET, &list_path("sortBy=lastName"), None).await;
    assert_eq!((status, body["page"]["totalCount"].clone()), (StatusCode::OK, json!(1)));
    app.stop().await;
}
