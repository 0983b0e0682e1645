//! The harness itself: a test that panics leaves no database behind (issue 14).

use contacts_tests::{server_url, TestApp};
use sqlx::Connection;

/// Whether the test's store still exists: its PostgreSQL database, or its SQLite file.
async fn exists(database_url: &str) -> bool {
    match database_url.strip_prefix("sqlite://") {
        Some(path) => std::path::Path::new(path).exists(),
        None => {
            let name = database_url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default();
            let mut conn = sqlx::PgConnection::connect(&server_url()).await.expect("connect to the server");
            let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut conn)
                .await
                .expect("look the database up");
            found.is_some()
        }
    }
}

#[tokio::test]
async fn a_test_that_panics_leaves_no_database_behind() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        let app = TestApp::spawn().await;
        let (status, _) = app.get(&format!("/rest/contacts/{}", contacts_tests::ORG)).await;
        assert!(status.is_success(), "{status}");
        tx.send(app.database_url.clone()).expect("the test is listening");
        panic!("a failing test");
    })
    .await;
    assert!(failed.is_err_and(|e| e.is_panic()), "the task panicked");
    let url = rx.await.expect("the database url");
    assert!(!exists(&url).await, "{url} is still there");
}

#[tokio::test]
async fn a_stopped_app_has_dropped_its_database() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    assert!(exists(&url).await, "{url} exists while the app runs");
    app.stop().await;
    assert!(!exists(&url).await, "{url} is still there");
}
