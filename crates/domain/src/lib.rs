//! The contact model of an Everbridge-compatible contacts service, and the semantics of
//! **Update Contacts (Batch)** as pure functions.
//!
//! Start at [`update::apply`]: `(stored contact, incoming item, org catalog, mode)` →
//! the new contact, or every field error of the item at once.
//!
//! This crate does no I/O: no database, no HTTP, no async runtime.

pub mod catalog;
pub mod contact;
pub mod error;
pub mod field;
pub mod input;
pub mod patch;
pub mod representation;
pub mod update;
pub mod validate;

pub use catalog::{AttributeDataType, AttributeDef, Catalog, Group, PathDef, PathType, RecordType, Topic};
pub use contact::{
    Address, Contact, ContactAttribute, ContactData, ContactPath, ContactStatus, GeoPoint, QuietTimeFrame,
};
pub use error::{ErrorCode, FieldError};
pub use field::Field;
pub use input::{AddressInput, AttributeInput, ContactInput, GeoInput, PathInput, QuietTimeFrameInput};
pub use representation::full_input;
pub use update::{apply, Applied, UpdateMode};

/// Everbridge's well-known delivery paths, whose ids integrations hard-code. Every new
/// organization starts with them (SPEC §2).
pub const WELL_KNOWN_PATHS: [(i64, &str, PathType); 6] = [
    (241_901_148_045_316, "Email Address 1", PathType::Email),
    (241_901_148_045_317, "Email Address 2", PathType::Email),
    (241_901_148_045_319, "Mobile Phone", PathType::Phone),
    (241_901_148_045_320, "Home Phone", PathType::Phone),
    (241_901_148_045_321, "Office Phone", PathType::Phone),
    (241_901_148_045_324, "SMS 1", PathType::Sms),
];

/// The record type every new organization starts with.
pub const DEFAULT_RECORD_TYPE: &str = "Employee";

/// Its id: the one Everbridge's documentation uses, so that the documented examples work in
/// every organization (catalog ids are unique per organization, not globally).
pub const DEFAULT_RECORD_TYPE_ID: i64 = 1_533_823_015_714_817;
