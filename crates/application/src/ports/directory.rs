//! Organizations, users and grants.

use async_trait::async_trait;

use super::StoreError;
use crate::auth::{Organization, Role, UserRecord};

/// Organizations, users and their grants.
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
}
