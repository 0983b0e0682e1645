//! The Everbridge wire format: envelopes and resource bodies (camelCase JSON).

pub mod catalog;
pub mod contact;
pub mod envelope;
pub mod history;
