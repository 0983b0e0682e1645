//! Item-level errors of the contract (SPEC §1, the error table).

use serde::Serialize;

/// The item codes of SPEC §1. The HTTP status of each is the `http` crate's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorCode {
    /// 300: record type not found in the organization.
    RecordTypeNotFound,
    /// 301
    GroupNotFound,
    /// 302
    AttributeNotFound,
    /// 303
    PathNotFound,
    /// 304
    TopicNotFound,
    /// 305: not in `definedValues`, or not of the attribute's `dataType`.
    AttributeValueNotAllowed,
    /// 310: `externalId` already belongs to another contact of the organization.
    ExternalIdTaken,
    /// 320: required field missing, length, range, phone, e-mail, time zone, duplicate `pathId`.
    Invalid,
    /// 321: the same contact twice in one batch.
    DuplicateInBatch,
    /// 330: `version` does not match the stored one.
    VersionMismatch,
    /// 404 (`Missing Contact Id`): the item lacks its identifier.
    MissingContactId,
    /// 404 (`Contact <id> not found.`)
    ContactNotFound,
}

impl ErrorCode {
    /// The numeric `code` written on the wire.
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::RecordTypeNotFound => 300,
            ErrorCode::GroupNotFound => 301,
            ErrorCode::AttributeNotFound => 302,
            ErrorCode::PathNotFound => 303,
            ErrorCode::TopicNotFound => 304,
            ErrorCode::AttributeValueNotAllowed => 305,
            ErrorCode::ExternalIdTaken => 310,
            ErrorCode::Invalid => 320,
            ErrorCode::DuplicateInBatch => 321,
            ErrorCode::VersionMismatch => 330,
            ErrorCode::MissingContactId | ErrorCode::ContactNotFound => 404,
        }
    }
}

/// One problem with one field of one item. `field` is a path such as
/// `paths[1].quietTimeFrames[0].toHour`; empty when the problem is the item as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(field, ErrorCode::Invalid, message)
    }
}

/// The verbatim message Everbridge documents for code 300.
pub const RECORD_TYPE_NOT_FOUND: &str = "The externalId recordType not found in org.";
