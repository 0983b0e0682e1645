use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::AppState;

pub(super) async fn live() -> Json<Value> {
    Json(json!({"status": "UP"}))
}

pub(super) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if (state.ready)().await {
        (StatusCode::OK, Json(json!({"status": "UP"})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "DOWN", "message": "The database does not answer"})))
    }
}
