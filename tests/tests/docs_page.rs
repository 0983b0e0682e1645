//! `/docs` in a real browser (issue 11): headless Chromium loads the page, which fetches
//! `/openapi.json` and renders an operation for each documented one; the page is not blank.
//!
//! Chromium is Debian's package `chromium` (`.ci/run` installs it and sets
//! `REQUIRE_BROWSER=1`, which makes a missing browser a failure). Elsewhere, without it, the
//! test says loudly that it did not run.

use std::path::PathBuf;

use contacts_tests::TestApp;

/// The browser: `$CHROMIUM`, else `chromium` or `chromium-browser` on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

#[tokio::test]
async fn the_docs_page_renders_every_operation_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"),
            "REQUIRE_BROWSER=1 but no chromium was found (install Debian's chromium, or set CHROMIUM)"
        );
        eprintln!("SKIPPED: the /docs browser check needs chromium (apt-get install chromium); it did not run");
        return;
    };
    let app = TestApp::spawn().await;
    let (_, _, doc) = app.get_text("/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let operations: usize =
        doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();

    let profile = tempfile::tempdir().unwrap();
    // Runs while the server, on this test's runtime, answers the page's requests.
    let output = tokio::process::Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        // Virtual time runs until the page is idle (its scripts and fetches done), 30 s at most.
        .args(["--virtual-time-budget=30000", "--dump-dom"])
        .arg(format!("{}/docs/", app.base))
        .output()
        .await
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    let rendered = dom.matches("class=\"opblock-summary-path\"").count();
    assert_eq!(
        rendered,
        operations,
        "the page shows {rendered} operations of the document's {operations}; the DOM:\n{}",
        &dom[..dom.len().min(3000)]
    );
    for summary in ["Update Contacts (Batch)", "A contact&#39;s history", "Prometheus metrics"] {
        let shown = summary.replace("&#39;", "'");
        assert!(dom.contains(summary) || dom.contains(&shown), "the page does not show {shown:?}");
    }
    assert!(dom.contains("Authorize"), "the page offers no Authorize button");
    app.stop().await;
}
