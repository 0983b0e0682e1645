//! Use cases of the contacts service and the ports (traits) they need from the outside world.
//!
//! - [`batch::ContactBatches`]: Update Contacts (Batch), Insert Contacts (Batch), and the
//!   single full replace, which is a batch of one.
//! - [`contacts::ContactQueries`]: get and list.
//! - [`delete`]: Delete Contacts (Batch) and the single delete, soft deletes.
//! - [`catalog::CatalogService`]: create and list record types, groups, attributes, paths, topics.
//! - [`history::ContactHistory`]: a contact's history, and the restore of a version.
//! - [`auth`]: organizations, users, roles and password hashing.

pub mod auth;
pub mod batch;
pub mod catalog;
pub mod contacts;
pub mod delete;
pub mod groups;
pub mod history;
pub mod patch;
pub mod ports;
mod retry;

pub use ports::StoreError;

/// Milliseconds since the Unix epoch, as timestamps travel on the wire.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
