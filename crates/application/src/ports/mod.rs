//! The ports: what the use cases need from a store. Small, async, shaped by the use cases:
//! batch paths load and write many contacts per call, never one per call. One file per
//! concern; everything is re-exported here.

mod catalog;
mod contacts;
mod directory;
mod groups;
mod history;
mod idempotency;

pub use catalog::*;
pub use contacts::*;
pub use directory::*;
pub use groups::*;
pub use history::*;
pub use idempotency::*;

/// What can go wrong in a store, in terms the use cases act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The unique externalId of an organization was claimed by another contact.
    #[error("externalId {0:?} already belongs to another contact")]
    ExternalIdTaken(String),
    /// A transient conflict (serialization failure, deadlock, a unique key raced for by a
    /// concurrent transaction): the whole unit of work may be retried.
    #[error("concurrent update conflict")]
    Conflict,
    /// A catalog id or name that must be unique already exists.
    #[error("{0}")]
    Duplicate(String),
    /// A referenced row does not exist (a foreign key, e.g. a catalog entry deleted meanwhile).
    #[error("{0}")]
    MissingReference(String),
    /// The database cannot be reached or is shutting down or starting up (a restart, a
    /// failover, every connection in use for longer than the pool waits): nothing of the unit
    /// of work was committed by this call, and the request may be sent again.
    #[error("the database is unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}
