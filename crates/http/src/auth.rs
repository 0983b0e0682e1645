//! Authentication (Basic, the bare base64 some Everbridge clients send, or `Bearer` with an API
//! token) and authorization (a role per granted organization). An unknown organization and one not granted to the
//! caller get the same answer, so that no one learns which organizations exist.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};
use base64::Engine;
use contacts_application::auth::{token_hash, verify_password, Principal, Role};
use contacts_application::ports::{Actor, Directory};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// What a request needs to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    WriteContacts,
    ChangeCatalog,
}

/// The authenticated caller, within one organization.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The username, or `token:<name>` for an API token.
    pub username: String,
    pub org: i64,
    pub role: Role,
    /// The request's `x-request-id` (set by the service when the client sent none).
    pub request_id: Option<String>,
}

impl Caller {
    /// Who the changes of this request are recorded as made by.
    pub fn actor(&self) -> Actor {
        Actor::named(self.username.clone()).with_request_id(self.request_id.clone())
    }
}

/// How long a verified credential is trusted without hashing the password again. Argon2 is
/// slow on purpose; a client sending the same header on every call pays it once a minute.
const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;

/// A verified user, and when it was verified.
type Verified = (Instant, Arc<Principal>);

/// Verified credentials, keyed by a SHA-256 of the `Authorization` header (never the
/// password itself), and the turns at verifying a password.
pub struct CredentialCache {
    entries: Mutex<HashMap<[u8; 32], Verified>>,
    /// Password hashes verified at once: as many as there are cores. Each argon2id
    /// verification holds 19 MiB for its duration; unbounded, eight clients arriving together
    /// at a fresh server (or a flood of wrong passwords) made the server's peak memory grow by
    /// 19 MiB each, for no throughput (the work is CPU-bound).
    verifying: tokio::sync::Semaphore,
}

impl Default for CredentialCache {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self::with_verifiers(cores)
    }
}

impl CredentialCache {
    /// A cache letting `n` (1 at least) password verifications run at once.
    pub fn with_verifiers(n: usize) -> Self {
        Self { entries: Mutex::default(), verifying: tokio::sync::Semaphore::new(n.max(1)) }
    }

    fn get(&self, key: &[u8; 32]) -> Option<Arc<Principal>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(at, _)| at.elapsed() < CACHE_TTL).map(|(_, u)| u.clone())
    }

    fn put(&self, key: [u8; 32], user: Arc<Principal>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_MAX {
            entries.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if entries.len() >= CACHE_MAX {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), user));
    }
}

/// What stands for an `Authorization` header in memory (the credential cache, the rate
/// limits): its SHA-256, never the header itself.
pub(crate) fn header_key(value: &axum::http::HeaderValue) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// The token of `Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// `user:password` from `Basic <b64>` or a bare `<b64>`.
fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let encoded = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("basic") => rest.trim(),
        Some(_) => return None,
        None => value,
    };
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Parses an organization id from a path segment.
///
/// # Errors
/// `Missing Organization Id` when blank; `Org <id> is invalid.` when not an id.
pub fn parse_org(segment: &str) -> Result<i64, ApiError> {
    let s = segment.trim();
    if s.is_empty() {
        return Err(ApiError::MissingOrganization);
    }
    s.parse::<i64>().map_err(|_| ApiError::OrganizationInvalid(s.to_owned()))
}

/// Checks the caller's credentials, its grant on `org` and that its role allows `need`.
///
/// # Errors
/// 401 for missing or wrong credentials and for an organization not granted (or unknown);
/// 403 when the role does not allow `need`.
pub async fn authorize(
    directory: &dyn Directory,
    cache: &CredentialCache,
    headers: &HeaderMap,
    org_segment: &str,
    need: Need,
) -> Result<Caller, ApiError> {
    let org = parse_org(org_segment)?;
    let user = authenticate(directory, cache, headers).await?;
    let role = user.role_in(org).ok_or_else(|| ApiError::OrganizationInvalid(org.to_string()))?;
    let allowed = match need {
        Need::Read => true,
        Need::WriteContacts => role.can_write_contacts(),
        Need::ChangeCatalog => role.can_change_catalog(),
    };
    if !allowed {
        return Err(ApiError::Forbidden(format!("The role {} may not do this in organization {org}", role.as_str())));
    }
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok(Caller { username: user.name.clone(), org, role, request_id })
}

/// The user or API token behind the request's credentials.
///
/// # Errors
/// 401 when they are missing or wrong, and for a token revoked or expired: the same answer
/// as a wrong password, so that a caller learns nothing of which tokens exist.
pub async fn authenticate(
    directory: &dyn Directory,
    cache: &CredentialCache,
    headers: &HeaderMap,
) -> Result<Arc<Principal>, ApiError> {
    if let Some(token) = bearer(headers) {
        // Not cached: one indexed read per request, so that a revocation holds at once.
        let found = directory.find_token(&token_hash(token)).await?;
        let now = contacts_application::now_millis();
        return match found {
            Some(t) if t.is_valid_at(now) => Ok(Arc::new(t.principal())),
            _ => Err(ApiError::Unauthenticated),
        };
    }
    let raw = headers.get(header::AUTHORIZATION).ok_or(ApiError::Unauthenticated)?;
    let key = header_key(raw);
    if let Some(user) = cache.get(&key) {
        return Ok(user);
    }
    let (username, password) = credentials(headers).ok_or(ApiError::Unauthenticated)?;
    // Wait for a turn at hashing; meanwhile a request with the same header may have verified
    // it (clients start several requests at once with one credential): then that answer holds.
    let _turn = cache.verifying.acquire().await.map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(user) = cache.get(&key) {
        return Ok(user);
    }
    let user = directory.find_user(&username).await?.ok_or(ApiError::Unauthenticated)?;
    let hash = user.password_hash.clone();
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    if !ok {
        return Err(ApiError::Unauthenticated);
    }
    let user = Arc::new(Principal::from(&user));
    cache.put(key, user.clone());
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    /// Eight requests with one new credential at once: the password is hashed once (the
    /// directory is asked once: `times(1)` fails otherwise), and all are let in.
    #[tokio::test]
    async fn concurrent_requests_with_one_credential_verify_it_once() {
        use contacts_application::auth::{hash_password, UserRecord};
        use contacts_application::ports::MockDirectory;

        let record = UserRecord {
            id: 1,
            username: "sync".into(),
            password_hash: hash_password("pw").unwrap(),
            grants: vec![(1, Role::Editor)],
        };
        let mut directory = MockDirectory::new();
        directory.expect_find_user().times(1).returning(move |_| Ok(Some(record.clone())));
        let cache = CredentialCache::with_verifiers(1);
        let headers = with(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("sync:pw")));
        let calls = (0..8).map(|_| authenticate(&directory, &cache, &headers));
        for user in futures::future::join_all(calls).await {
            assert_eq!(user.unwrap().name, "sync");
        }
    }

    #[test]
    fn basic_and_bare_base64_are_both_read() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("demo:pa:ss");
        assert_eq!(credentials(&with(&format!("Basic {b64}"))), Some(("demo".into(), "pa:ss".into())));
        assert_eq!(credentials(&with(&format!("basic  {b64}"))), Some(("demo".into(), "pa:ss".into())));
        assert_eq!(credentials(&with(&b64)), Some(("demo".into(), "pa:ss".into())));
        assert_eq!(credentials(&with("Bearer abc")), None);
        assert_eq!(bearer(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&with("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(&with("Bearer ")), None);
        assert_eq!(bearer(&with("Basic abc")), None);
        assert_eq!(credentials(&with("Basic !!!")), None);
        assert_eq!(credentials(&HeaderMap::new()), None);
    }

    #[test]
    fn org_segments_are_parsed_or_refused() {
        assert_eq!(parse_org(" 42 ").unwrap(), 42);
        assert!(matches!(parse_org(""), Err(ApiError::MissingOrganization)));
        assert!(matches!(parse_org("abc"), Err(ApiError::OrganizationInvalid(s)) if s == "abc"));
    }
}
