//! What a patch may select in a contact: the shape of the document operations edit, and how
//! the elements of each list are identified by a selector (`pathId:ID`, `name:NAME`, ...).

use serde_json::{json, Value};

use crate::catalog::Catalog;

/// The shape of a node of the document.
#[derive(Debug, Clone, Copy)]
pub(super) enum Node {
    /// A string, number or boolean: `remove` sets it to null.
    Leaf,
    /// An object with these members.
    Object(&'static [Member]),
    /// A list of single values (ids, strings), selected by position or by `value:V`.
    Values,
    /// A list of objects, selected by position or by a key.
    Objects(Elements),
}

pub(super) type Member = (&'static str, Node);

/// What a patch may select in a contact. `groups` and `groupsName` are handled apart
/// (memberships, see `groups.rs`); `pathId`, `prompt`, `orgAttrId` and `name` identify an
/// element and are not fields of it (replace the whole element to change them).
pub(super) const CONTACT: &[Member] = &[
    ("externalId", Node::Leaf),
    ("firstName", Node::Leaf),
    ("middleInitial", Node::Leaf),
    ("lastName", Node::Leaf),
    ("suffix", Node::Leaf),
    ("country", Node::Leaf),
    ("businessName", Node::Leaf),
    ("timezoneId", Node::Leaf),
    ("language", Node::Leaf),
    ("preferredLanguage", Node::Leaf),
    ("ssoUserId", Node::Leaf),
    ("securityPIN", Node::Leaf),
    ("registeredEmail", Node::Leaf),
    ("accountId", Node::Leaf),
    ("vip", Node::Leaf),
    ("expatriate", Node::Leaf),
    ("recordTypeId", Node::Leaf),
    ("recordTypeName", Node::Leaf),
    ("paths", Node::Objects(Elements::Paths)),
    ("contactAttributes", Node::Objects(Elements::Attributes)),
    ("address", Node::Objects(Elements::Addresses)),
    ("topics", Node::Values),
];
pub(super) const PATH: &[Member] = &[
    ("value", Node::Leaf),
    ("countryCode", Node::Leaf),
    ("phoneExt", Node::Leaf),
    ("waitTime", Node::Leaf),
    ("pathEnable", Node::Leaf),
    ("skipValidation", Node::Leaf),
    ("quietTimeFrames", Node::Objects(Elements::Frames)),
];
pub(super) const FRAME: &[Member] = &[
    ("name", Node::Leaf),
    ("days", Node::Values),
    ("fromHour", Node::Leaf),
    ("fromMin", Node::Leaf),
    ("toHour", Node::Leaf),
    ("toMin", Node::Leaf),
];
pub(super) const ATTRIBUTE: &[Member] = &[("values", Node::Values)];
pub(super) const ADDRESS: &[Member] = &[
    ("locationName", Node::Leaf),
    ("streetAddress", Node::Leaf),
    ("suite", Node::Leaf),
    ("city", Node::Leaf),
    ("state", Node::Leaf),
    ("postalCode", Node::Leaf),
    ("country", Node::Leaf),
    ("gisLocation", Node::Object(GEO)),
];
pub(super) const GEO: &[Member] = &[("lat", Node::Leaf), ("lon", Node::Leaf)];

/// Fields a client reads but never writes.
pub(super) const READ_ONLY: &[&str] = &[
    "id",
    "organizationId",
    "version",
    "status",
    "createdDate",
    "createdName",
    "lastModifiedDate",
    "lastModifiedName",
    "lastModifiedTime",
    "recordTypeNames",
];

/// Fields that may be changed but not cleared.
pub(super) const REQUIRED: &[&str] = &["externalId", "firstName", "lastName"];

/// The lists of objects, and how their elements are identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Elements {
    Paths,
    Attributes,
    Addresses,
    Frames,
}

/// What a key selector names, resolved against the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Identity {
    Id(i64),
    Name(String),
}

impl Identity {
    pub(super) fn render(&self) -> String {
        match self {
            Identity::Id(id) => id.to_string(),
            Identity::Name(name) => name.clone(),
        }
    }
}

impl Elements {
    pub(super) fn members(self) -> &'static [Member] {
        match self {
            Elements::Paths => PATH,
            Elements::Attributes => ATTRIBUTE,
            Elements::Addresses => ADDRESS,
            Elements::Frames => FRAME,
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            Elements::Paths => "path",
            Elements::Attributes => "contact attribute",
            Elements::Addresses => "address",
            Elements::Frames => "quiet time frame",
        }
    }

    /// The keys that identify an element (copied over when a replacement lacks them all).
    pub(super) fn identity_keys(self) -> &'static [&'static str] {
        match self {
            Elements::Paths => &["pathId", "prompt"],
            Elements::Attributes => &["orgAttrId", "id", "name"],
            Elements::Addresses => &["locationName"],
            Elements::Frames => &["name"],
        }
    }

    /// What `key:value` names.
    pub(super) fn target(self, key: &str, value: &str, catalog: &Catalog) -> Result<Identity, String> {
        let k = key.to_ascii_lowercase();
        match (self, k.as_str()) {
            (Elements::Paths, "pathid") => {
                let id = parse_id("pathId", value)?;
                catalog
                    .path(id)
                    .map(|_| Identity::Id(id))
                    .ok_or_else(|| format!("contact path {id} does not exist in the organization"))
            }
            (Elements::Paths, "prompt") => catalog
                .path_prompted(value)
                .map(|p| Identity::Id(p.path_id))
                .ok_or_else(|| format!("no contact path of the organization has the prompt '{value}'")),
            (Elements::Attributes, "orgattrid" | "id") => {
                let id = parse_id("orgAttrId", value)?;
                catalog
                    .attribute(id)
                    .map(|_| Identity::Id(id))
                    .ok_or_else(|| format!("contact attribute {id} does not exist in the organization"))
            }
            (Elements::Attributes, "name") => catalog
                .attribute_named(value)
                .map(|a| Identity::Id(a.id))
                .ok_or_else(|| format!("contact attribute '{value}' does not exist in the organization")),
            (Elements::Addresses, "locationname") => Ok(Identity::Name(value.to_owned())),
            (Elements::Frames, "name") => Ok(Identity::Name(value.to_owned())),
            _ => {
                let how = match self {
                    Elements::Paths => "pathId:ID or prompt:PROMPT",
                    Elements::Attributes => "orgAttrId:ID or name:NAME",
                    Elements::Frames => "name:NAME",
                    Elements::Addresses => "locationName:NAME",
                };
                let shown = if key.is_empty() { value.to_owned() } else { format!("{key}:{value}") };
                Err(format!(
                    "unknown selector '{shown}': select a {} by {how}, by position, or append with -",
                    self.noun()
                ))
            }
        }
    }

    /// The identity of an element of the document (ids win over names, as in updates).
    pub(super) fn identity(self, element: &Value, catalog: &Catalog) -> Option<Identity> {
        let text = |key: &str| element.get(key).and_then(Value::as_str);
        match self {
            Elements::Paths => element
                .get("pathId")
                .and_then(int)
                .or_else(|| text("prompt").and_then(|p| catalog.path_prompted(p)).map(|p| p.path_id))
                .map(Identity::Id),
            Elements::Attributes => element
                .get("orgAttrId")
                .and_then(int)
                .or_else(|| element.get("id").and_then(int))
                .or_else(|| text("name").and_then(|n| catalog.attribute_named(n)).map(|a| a.id))
                .map(Identity::Id),
            Elements::Addresses => text("locationName").map(|n| Identity::Name(n.to_owned())),
            Elements::Frames => text("name").map(|n| Identity::Name(n.to_owned())),
        }
    }

    /// The element a key selector names, created by `add` when the contact lacks it.
    pub(super) fn new_element(self, target: &Identity) -> Value {
        match (self, target) {
            (Elements::Paths, Identity::Id(id)) => json!({ "pathId": id }),
            (Elements::Attributes, Identity::Id(id)) => json!({ "orgAttrId": id, "values": [] }),
            (Elements::Frames, identity) => json!({ "name": identity.render(), "days": [] }),
            (_, identity) => json!({ "locationName": identity.render() }),
        }
    }
}

/// An integer given as a number or a string (as everywhere in the API).
pub(super) fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn parse_id(key: &str, value: &str) -> Result<i64, String> {
    value.trim().parse().map_err(|_| format!("{key} must be an integer (got '{value}')"))
}

/// A single value as text, for `value:V` selectors: `5` and `"5"` are the same element.
pub(super) fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
