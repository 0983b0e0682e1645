//! PATCH in Everbridge's JSON-Patch dialect: a list of `add` / `replace` / `remove` operations
//! on one contact, whose paths select list elements by a key instead of by position:
//!
//! | selector | selects |
//! |---|---|
//! | `/firstName`, `/timezoneId`, ... (any scalar of [`ContactInput`]) | the field (`remove` clears it) |
//! | `/paths/pathId:241901148045319/value`, `/paths/prompt:phone/pathEnable` | a field of a path |
//! | `/paths/-` (`/paths/~`) | a new path (`add` appends the object given) |
//! | `/paths/pathId:X` | a whole path (`replace` or `remove` it) |
//! | `/paths/pathId:X/quietTimeFrames/0/toHour`, `/paths/pathId:X/quietTimeFrames/-` | its quiet time frames, by position |
//! | `/contactAttributes/orgAttrId:ID/values`, `/contactAttributes/name:NAME/values/-` | an attribute's values |
//! | `/address/locationName:NAME/FIELD`, `/address/-` | an address, or one of its fields |
//! | `/topics/-`, `/topics/value:ID` | a topic subscription |
//! | `/groups/-`, `/groups/value:ID`, `/groupsName/-`, `/groupsName/value:NAME` | a group membership |
//! | `/paths/0/value` (any list, by position) | the element at that position |
//!
//! Semantics, in order: the stored contact's full representation ([`full_input`]) is patched
//! op by op ([`apply_patch`]); the result goes through the ordinary full-replace update
//! ([`apply`]), so every rule of SPEC §3.4 holds. A patch applies whole or not at all: any
//! failing operation, or a result that fails validation, rejects it, with every failure named
//! ([`PatchError`]). Unlike every other update, PATCH may *remove* a group membership.

mod document;
mod groups;
mod json;
mod pointer;
mod schema;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::contact::{Contact, ContactData};
use crate::field::Field;
use crate::input::ContactInput;
use crate::representation::full_input;
use crate::update::{apply, UpdateMode};

/// `op`: JSON Patch's `move`, `copy` and `test` are not part of Everbridge's dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Sets a field; appends (`-`) or inserts (an index) a list element; creates the element a
    /// key selector names when the contact lacks it.
    Add,
    /// Sets a field or replaces an element; the element must exist.
    Replace,
    /// Clears a field or removes an element; the element must exist.
    Remove,
}

/// One parsed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub kind: OpKind,
    /// As sent (`/paths/pathId:241901148045319/value`).
    pub path: String,
    /// `None` when the operation has no `value` member.
    pub value: Option<Value>,
    /// The operation as sent, for error reports.
    pub raw: Value,
}

/// Why a patch was rejected: one per failing operation, or per field of the patched contact
/// that fails validation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchError {
    /// The position of the operation in the patch (0-based), when one is to blame.
    pub index: Option<usize>,
    /// Which operation or field: the operation's `path`, or the field that failed validation
    /// (`paths[1].value`).
    pub details: String,
    pub message: String,
    /// The operation as sent, `null` when no operation is to blame.
    pub op: Value,
}

impl PatchError {
    /// A failure of the patch as a whole (not an array, not JSON, ...).
    pub fn body(details: impl Into<String>, message: impl Into<String>) -> Self {
        Self { index: None, details: details.into(), message: message.into(), op: Value::Null }
    }

    fn of_op(index: usize, raw: &Value, details: impl Into<String>, message: impl Into<String>) -> Self {
        Self { index: Some(index), details: details.into(), message: message.into(), op: raw.clone() }
    }
}

impl PatchOp {
    /// Reads one operation: an object with `op` (`add`, `replace` or `remove`, in any case),
    /// `path` (a string) and, for `add` and `replace`, `value`. `index` is its position.
    ///
    /// # Errors
    /// What is wrong with it.
    pub fn parse(index: usize, raw: Value) -> Result<Self, PatchError> {
        let fail = |details: &str, message: String| Err(PatchError::of_op(index, &raw, details, message));
        let Some(members) = raw.as_object() else {
            return fail("op", "an operation must be an object {\"op\", \"path\", \"value\"}".into());
        };
        let kind = match members.get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("add") => OpKind::Add,
            Some("replace") => OpKind::Replace,
            Some("remove") => OpKind::Remove,
            Some(other) => {
                return fail("op", format!("op '{other}' is not supported: use add, replace or remove"));
            }
            None => return fail("op", "op is required (add, replace or remove)".into()),
        };
        let Some(path) = members.get("path").and_then(Value::as_str).map(str::to_owned) else {
            return fail("path", "path is required: a string such as /firstName".into());
        };
        // Whether `value` is needed depends on the target (`add /groups/value:3` needs none).
        let value = members.get("value").cloned();
        Ok(Self { kind, path, value, raw })
    }
}

/// The most operations one patch may hold. Each operation re-reads the contact (its type
/// check), so an unbounded patch would be an unbounded amount of work for one request; a
/// patch is meant to change a few fields (PUT or the batch replace whole contacts).
pub const MAX_OPERATIONS: usize = 1000;

/// Reads a patch body: a JSON array of at most [`MAX_OPERATIONS`] operations.
///
/// # Errors
/// Every malformed operation, or the body itself when it is not an array or too long.
pub fn parse_patch(body: Value) -> Result<Vec<PatchOp>, Vec<PatchError>> {
    let Value::Array(items) = body else {
        return Err(vec![PatchError::body(
            "body",
            "the body must be a JSON array of operations [{\"op\", \"path\", \"value\"}]",
        )]);
    };
    if items.len() > MAX_OPERATIONS {
        return Err(vec![PatchError::body(
            "body",
            format!("a patch holds at most {MAX_OPERATIONS} operations (got {})", items.len()),
        )]);
    }
    let mut ops = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, raw) in items.into_iter().enumerate() {
        match PatchOp::parse(index, raw) {
            Ok(op) => ops.push(op),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ops)
    } else {
        Err(errors)
    }
}

/// A contact item after its patch: the input to validate, the group memberships it ends
/// with, and which operation touched what (to blame validation failures on operations).
#[derive(Debug, Clone)]
pub struct Patched {
    pub input: ContactInput,
    pub groups: BTreeSet<i64>,
    touches: Vec<document::Touch>,
    doc: Value,
}

/// Applies `ops` in order to `input` (a contact's full representation) and to its group
/// memberships `groups`, resolving names against `catalog`. `input.groups` of the result is
/// the final membership set and `input.groups_name` is absent, so that [`apply`] adds what is
/// new; what is gone is `groups` minus [`Patched::groups`].
///
/// A failing operation changes nothing and the next ones still apply, so that every failing
/// operation is reported.
///
/// # Errors
/// One error per failing operation.
pub fn apply_patch(
    input: ContactInput,
    groups: &BTreeSet<i64>,
    catalog: &Catalog,
    ops: &[PatchOp],
) -> Result<Patched, Vec<PatchError>> {
    let (id, version) = (input.id, input.version);
    let mut doc = json::to_json(&input);
    let mut members = groups.clone();
    let mut touches = Vec::with_capacity(ops.len());
    let mut errors = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let result = pointer::split(&op.path).and_then(|segments| {
            if ["groups", "groupsName"].iter().any(|g| g.eq_ignore_ascii_case(&segments[0])) {
                groups::apply(&mut members, &segments, op, catalog)
            } else {
                document::apply(&mut doc, &segments, op, catalog)
            }
        });
        match result {
            Ok(mut touch) => {
                touch.op = index;
                touches.push(touch);
            }
            Err(message) => errors.push(PatchError::of_op(index, &op.raw, &op.path, message)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut input = json::from_json(&doc).map_err(|message| vec![PatchError::body("", message)])?;
    input.id = id;
    input.version = version;
    input.groups = Field::Value(members.iter().copied().collect());
    input.groups_name = Field::Absent;
    Ok(Patched { input, groups: members, touches, doc })
}

/// What a patch does to a stored contact.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    /// The contact's content after the patch.
    pub data: ContactData,
    /// Groups the contact joins, sorted.
    pub added_groups: Vec<i64>,
    /// Groups the contact leaves, sorted.
    pub removed_groups: Vec<i64>,
    /// `false` when nothing changes: nothing to write, no new version.
    pub changed: bool,
}

/// Patches `stored`: its full representation, patched by `ops`, then applied as a full
/// replace (SPEC §3.1, every check of §3.4), membership removals included.
///
/// # Errors
/// Every failing operation; else every field of the result that fails validation, each
/// blamed on the operation that last touched it.
pub fn patch_contact(stored: &Contact, catalog: &Catalog, ops: &[PatchOp]) -> Result<PatchOutcome, Vec<PatchError>> {
    let patched = apply_patch(full_input(stored, catalog), &stored.groups, catalog, ops)?;
    let applied = apply(Some(stored), &patched.input, catalog, UpdateMode::Full).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| {
                let op = document::blame(&e.field, &patched.doc, &patched.touches, catalog)
                    .and_then(|i| ops.get(i).map(|o| (i, o)));
                let details = if e.field.is_empty() { "contact".to_owned() } else { e.field };
                match op {
                    Some((i, o)) => PatchError::of_op(i, &o.raw, details, e.message),
                    None => PatchError { index: None, details, message: e.message, op: Value::Null },
                }
            })
            .collect::<Vec<_>>()
    })?;
    let removed_groups: Vec<i64> = stored.groups.difference(&patched.groups).copied().collect();
    Ok(PatchOutcome {
        changed: applied.changed || !removed_groups.is_empty(),
        data: applied.data,
        added_groups: applied.new_groups,
        removed_groups,
    })
}
