//! Organizations, users, API tokens and grants.

use async_trait::async_trait;

use super::StoreError;
use crate::auth::{Organization, Role, TokenRecord, UserRecord};

/// A token to store: its record but the id, and the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub organization_id: i64,
    pub name: String,
    pub role: Role,
    /// [`crate::auth::token_hash`] of the secret.
    pub hash: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// Organizations, users, API tokens and their grants.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Directory: Send + Sync {
    /// Creates an organization (with an explicit id, or a generated one when `id` is `None`)
    /// and seeds it with the record type `Employee` and Everbridge's well-known contact paths.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id is taken.
    async fn create_organization(&self, id: Option<i64>, name: &str) -> Result<Organization, StoreError>;

    /// The organization `id`, if it exists.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn organization(&self, id: i64) -> Result<Option<Organization>, StoreError>;

    /// The organizations among `ids` that exist, by id.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn organizations(&self, ids: &[i64]) -> Result<Vec<Organization>, StoreError>;

    /// Creates the user `username` (or changes its password when it exists) and grants it
    /// `role` on `org`. Returns the user's id.
    ///
    /// # Errors
    /// [`StoreError::MissingReference`] when `org` does not exist.
    async fn upsert_user(&self, username: &str, password_hash: &str, org: i64, role: Role) -> Result<i64, StoreError>;

    /// The user `username` with its password hash and grants, if it exists.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;

    /// Stores a new API token.
    ///
    /// # Errors
    /// [`StoreError::MissingReference`] when its organization does not exist;
    /// [`StoreError::Duplicate`] when a token of that name is active (not revoked) in it.
    async fn create_token(&self, token: NewToken) -> Result<TokenRecord, StoreError>;

    /// The tokens of `org` (revoked and expired ones too), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn tokens(&self, org: i64) -> Result<Vec<TokenRecord>, StoreError>;

    /// Revokes token `id` at `at` (epoch milliseconds; a revoked token keeps its first
    /// revocation time) and returns it, or `None` when there is no such token.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn revoke_token(&self, id: i64, at: i64) -> Result<Option<TokenRecord>, StoreError>;

    /// The token whose secret hashes to `hash` ([`crate::auth::token_hash`]), whatever its
    /// state.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn find_token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError>;
}
