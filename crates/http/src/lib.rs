//! The HTTP adapter (axum): Everbridge's routes, wire format, authentication and error mapping.
//!
//! [`app`] builds the whole service from its [`Services`]; the server binary and the
//! black-box tests serve it on a listener they bound first.

pub mod auth;
mod body;
mod deadline;
mod early_answer;
pub mod error;
pub mod limits;
pub mod metrics;
mod openapi;
mod params;
mod routes;
mod url_guard;
pub mod wire;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::Router;
use contacts_application::batch::ContactBatches;
use contacts_application::catalog::CatalogService;
use contacts_application::contacts::ContactQueries;
use contacts_application::groups::GroupService;
use contacts_application::history::ContactHistory;
use contacts_application::patch::ContactPatches;
use contacts_application::ports::{Directory, IdempotencyStore};
use tower::{Layer, ServiceBuilder};
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// A readiness probe: does the store answer?
pub type ReadyCheck = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// Everything the routes need.
pub struct Services {
    pub batches: ContactBatches,
    pub queries: ContactQueries,
    pub patches: ContactPatches,
    pub catalog: CatalogService,
    pub groups: GroupService,
    /// A contact's history, and restores.
    pub history: ContactHistory,
    pub directory: Arc<dyn Directory>,
    /// The `Idempotency-Key`s of batch calls.
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub ready: ReadyCheck,
    /// The store's connections, for `/metrics`.
    pub pool: metrics::PoolProbe,
    /// Requests allowed per organization and per credential (`None`: no limit).
    pub rate_limit: Option<limits::RateLimit>,
    /// The largest request body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// How long a request may run before it is stopped (503); an `Idempotency-Key` claimed by
    /// a request that never finished (its server stopped) is free again after twice as long.
    pub request_timeout: std::time::Duration,
}

#[derive(Clone)]
pub(crate) struct AppState {
    services: Arc<Services>,
    credentials: Arc<auth::CredentialCache>,
    limits: Option<Arc<limits::Limits>>,
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.services
    }
}

impl AppState {
    /// Authenticates the request's caller for `org_segment` and checks its role allows `need`.
    pub(crate) async fn authorize(
        &self,
        headers: &axum::http::HeaderMap,
        org_segment: &str,
        need: auth::Need,
    ) -> Result<auth::Caller, ApiError> {
        self.limit_credential(headers)?;
        let caller = auth::authorize(&*self.directory, &self.credentials, headers, org_segment, need).await?;
        tracing::Span::current().record("org", caller.org).record("caller", caller.username.as_str());
        if let Some(limits) = &self.limits {
            limits.organization(caller.org)?;
        }
        Ok(caller)
    }

    /// Authenticates the request's caller, whatever organization (for calls without one).
    pub(crate) async fn authenticate(
        &self,
        headers: &axum::http::HeaderMap,
    ) -> Result<Arc<contacts_application::auth::Principal>, ApiError> {
        self.limit_credential(headers)?;
        let principal = auth::authenticate(&*self.directory, &self.credentials, headers).await?;
        tracing::Span::current().record("caller", principal.name.as_str());
        Ok(principal)
    }

    /// Takes a request from the bucket of the request's `Authorization` header, if it has one.
    fn limit_credential(&self, headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
        match (&self.limits, headers.get(axum::http::header::AUTHORIZATION)) {
            (Some(limits), Some(value)) => limits.credential(&auth::header_key(value)),
            _ => Ok(()),
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's span: its method, route template, path and query, request id, and once
/// authorized the organization and the caller (a username, or `token:<name>`). Never a header:
/// credentials stay out of the logs.
fn request_span(req: &Request) -> tracing::Span {
    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    let route = req.extensions().get::<axum::extract::MatchedPath>().map_or(metrics::UNMATCHED, |p| p.as_str());
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route,
        uri = %req.uri(),
        request_id = %id,
        org = tracing::field::Empty,
        caller = tracing::field::Empty
    )
}

/// One line per answered request (`info`), in its span: its status and latency.
fn log_response(response: &axum::response::Response, latency: std::time::Duration, _span: &tracing::Span) {
    tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_secs_f64() * 1000.0, "answered");
}

/// The whole HTTP service: routes, trailing-slash tolerance, request ids (`x-request-id` in and
/// out), one tracing span per request, the body limit, metrics; `/openapi.json` and `/docs`.
pub fn app(services: Services) -> Router {
    let max_body = services.max_body_bytes;
    let timeout = services.request_timeout;
    // Installed before the first request so that the use cases' counters are recorded.
    metrics::handle();
    let limits = services.rate_limit.map(|l| Arc::new(limits::Limits::new(l)));
    let state = AppState { services: Arc::new(services), credentials: Arc::default(), limits };
    let (routes, mut doc) = routes::router();
    openapi::finish(&mut doc);
    let router = routes
        .layer(axum::middleware::from_fn_with_state(timeout, deadline::deadline))
        .layer(axum::middleware::from_fn(url_guard::readable_url))
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(log_response))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        );
    // The API page lives under `/docs/` (its files are relative to it), so it stays out of the
    // trailing-slash trimming the API's routes get.
    Router::new()
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", doc))
        .fallback_service(NormalizePathLayer::trim_trailing_slash().layer(router))
        .layer(axum::middleware::from_fn_with_state(max_body, early_answer::read_small_bodies_first))
}
