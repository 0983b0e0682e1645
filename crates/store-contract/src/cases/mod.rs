//! The contract cases, one `pub async fn` each, generic over the store, asserting through the
//! ports (and the use cases built on them) only. Each one gets a fresh, migrated, empty store
//! of its own. Listed in [`crate::store_contract_tests`].

mod catalog;
mod catalog_admin;
mod concurrency;
mod contacts;
mod delete;
mod digests;
mod groups;
mod history;
mod idempotency;
mod listing;
mod tokens;
mod use_cases;

pub use catalog::*;
pub use catalog_admin::*;
pub use concurrency::*;
pub use contacts::*;
pub use delete::*;
pub use digests::*;
pub use groups::*;
pub use history::*;
pub use idempotency::*;
pub use listing::*;
pub use tokens::*;
pub use use_cases::*;
