//! `GET /openapi.json` (issue 11): an OpenAPI 3.1 document of every operation the router
//! serves, and of nothing it does not: each documented operation reaches its handler (not the
//! fallback's 404 or 405), each method a documented path does not document answers 405; every
//! authenticated operation documents Everbridge's error envelope and both security schemes.
//! `/docs` serves the interactive page (rendered in a browser by `docs_page.rs`).

use contacts_tests::{TestApp, ORG};
use reqwest::{Method, StatusCode};

use serde_json::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let (status, content_type, text) = app.get_text("/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("application/json"), "{content_type}");
    serde_json::from_str(&text).expect("the document is JSON")
}

/// `template` with its parameters filled in.
fn concrete(template: &str) -> String {
    template.replace("{org}", &ORG.to_string()).replace("{id}", "1").replace("{group}", "1")
}

#[tokio::test]
async fn every_documented_operation_is_served_and_every_other_method_is_405() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (template, item) in paths {
        let path = concrete(template);
        for method in METHODS {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut request = app
                .client
                .request(m, format!("{}{path}", app.base))
                .header("Authorization", contacts_tests::basic("demo", "demo"));
            if matches!(method, "put" | "post" | "patch" | "delete") {
                request = request.header("Content-Type", "application/json").body("[]");
            }
            let response = request.send().await.expect("request");
            let status = response.status();
            let answer = response.text().await.expect("body");
            let message = serde_json::from_str::<Value>(&answer)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if item.get(method).is_some() {
                operations += 1;
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {template} is documented, not served");
                assert!(!message.starts_with("No such resource"), "{method} {template} is documented, not served");
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template} is served, not documented: {answer}"
                );
            }
        }
    }
    // The README's endpoint table counts 45 operations on these paths and the three of operations.
    assert!(operations >= 48, "only {operations} operations are documented");
    app.stop().await;
}

#[tokio::test]
async fn authenticated_operations_document_the_error_envelope_and_both_credentials() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let envelope = &doc["components"]["schemas"]["ErrorEnvelope"];
    for field in ["message", "status"] {
        assert!(envelope["required"].as_array().unwrap().iter().any(|f| f == field), "{envelope}");
    }
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let open = op["tags"].as_array().unwrap().iter().any(|t| t == "operations");
            let security: Vec<&str> = op["security"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
                .collect();
            if open {
                assert!(security.is_empty(), "{method} {template} needs no credentials: {security:?}");
                continue;
            }
            assert_eq!(security, ["basic", "bearer"], "{method} {template}");
            for status in ["400", "401", "403", "404", "429", "500"] {
                let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                assert!(schema.to_string().contains("ErrorEnvelope"), "{method} {template} {status}: {schema}");
            }
            assert!(op["responses"]["200"].is_object() || template == "/rest/contacts/{org}", "{method} {template}");
        }
    }
    // The batch update documents its options and body.
    let update = &doc["paths"]["/rest/contacts/{org}/batch"]["put"];
    let names: Vec<&str> = update["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    for name in ["org", "idType", "updateType", "atomic", "dryRun", "Idempotency-Key"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(update["requestBody"]["content"]["application/json"]["schema"].is_object(), "{update}");
    app.stop().await;
}

#[tokio::test]
async fn the_api_page_is_served_with_its_files_and_needs_no_credentials() {
    let app = TestApp::spawn().await;
    let (status, content_type, html) = app.get_text("/docs/").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("swagger-ui"), "{html}");
    for file in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let (status, _, text) = app.get_text(file).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert!(!text.is_empty(), "{file}");
    }
    let (_, _, init) = app.get_text("/docs/swagger-initializer.js").await;
    assert!(init.contains("/openapi.json"), "the page loads this server's document: {init}");
    app.stop().await;
}
