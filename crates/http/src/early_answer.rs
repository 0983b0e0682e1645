//! Small request bodies are read before the request is handled. A handler that answers without
//! reading its body (a 404 for an unknown id before any body is looked at, a route that takes
//! none, a URL refused by `url_guard`) left hyper to close the connection after the answer, with
//! the unread body still arriving; an HTTP/1.1 client that sent its next request on that
//! connection met a broken pipe (the bad_input drill: a 32 kB body to `POST .../restore`, then a
//! 110-byte PUT). Read first, the connection stays usable. Bodies larger than
//! [`READ_FIRST_BYTES`] (or than the body limit) stream to their handler as before.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The largest body read before its request is handled: a batch of 1,000 contacts is ~0.5 MB.
pub(crate) const READ_FIRST_BYTES: u64 = 2 * 1024 * 1024;

pub(crate) async fn read_small_bodies_first(
    axum::extract::State(max_body): axum::extract::State<usize>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let length = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let Some(length) = length.filter(|l| *l > 0 && *l <= READ_FIRST_BYTES.min(max_body as u64)) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, length as usize).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        // Longer than it said, or cut off: nothing to hand on.
        Err(_) => ApiError::BadRequest("The request body does not match its Content-Length".into()).into_response(),
    }
}
