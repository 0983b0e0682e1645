//! The bound on how long a request runs (`REQUEST_TIMEOUT_SECONDS`).

/// Stops a request that runs longer than `limit` (`REQUEST_TIMEOUT_SECONDS`): its handler is
/// dropped (a transaction rolls back, a claimed `Idempotency-Key` is freed) and the answer is a
/// 503 that says so. The bound is what lets an `Idempotency-Key` left in progress by a server
/// that stopped be taken for abandoned (see `routes::contacts::idempotency`).
pub(crate) async fn deadline(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => axum::response::IntoResponse::into_response(crate::error::ApiError::TimedOut(limit.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    /// A handler that outlives the limit is stopped (dropped: its work ends there) and answered
    /// 503 with the envelope; one within the limit answers as it would.
    #[tokio::test]
    async fn a_request_past_the_limit_is_stopped_and_answered_503() {
        let (finished_tx, mut finished) = tokio::sync::mpsc::unbounded_channel::<()>();
        let slow = move || {
            let finished_tx = finished_tx.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let _ = finished_tx.send(());
                "late"
            }
        };
        let app = Router::new()
            .route("/slow", get(slow))
            .route("/fast", get(|| async { "soon" }))
            .layer(axum::middleware::from_fn_with_state(Duration::from_millis(50), super::deadline));
        let request = |uri: &str| axum::http::Request::builder().uri(uri).body(axum::body::Body::empty()).unwrap();
        let response = app.clone().oneshot(request("/slow")).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["status"], 503, "{body}");
        assert!(body["message"].as_str().unwrap().contains("was stopped"), "{body}");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(finished.try_recv().is_err(), "the stopped handler ran on");
        let response = app.oneshot(request("/fast")).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
    }
}
