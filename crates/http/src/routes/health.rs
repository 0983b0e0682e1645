use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::AppState;

#[utoipa::path(get, path = "/health/live", tag = "operations", summary = "Liveness",
    responses((status = 200, description = "The process answers", body = crate::openapi::Health)))]
pub(super) async fn live() -> Json<Value> {
    Json(json!({"status": "UP"}))
}

#[utoipa::path(get, path = "/health/ready", tag = "operations", summary = "Readiness: the database answers",
    responses((status = 200, description = "Ready", body = crate::openapi::Health),
        (status = 503, description = "The database does not answer", body = crate::openapi::Health)))]
pub(super) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if (state.ready)().await {
        (StatusCode::OK, Json(json!({"status": "UP"})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "DOWN", "message": "The database does not answer"})))
    }
}
