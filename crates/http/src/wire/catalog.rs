//! Catalog bodies: record types, groups, contact attribute definitions, contact paths, topics.
//! Create bodies are lenient like every body (ids as numbers or strings, an optional explicit
//! id so that ids hard-coded by integrations can be kept); `validator` checks their lengths.

use contacts_application::groups::ContactRefs;
use contacts_domain::input::lenient;
use contacts_domain::{AttributeDataType, AttributeDef, Group, PathDef, PathType, RecordType, Topic};
use serde::{Deserialize, Serialize};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeIn {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt", alias = "recordTypeName")]
    #[validate(
        required(message = "name is required"),
        length(min = 1, max = 100, message = "name must be 1 to 100 characters")
    )]
    pub name: Option<String>,
}

impl From<RecordTypeIn> for RecordType {
    fn from(r: RecordTypeIn) -> Self {
        RecordType { id: r.id.unwrap_or(0), name: r.name.unwrap_or_default() }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeOut {
    id: i64,
    organization_id: i64,
    name: String,
}

impl RecordTypeOut {
    pub fn new(org: i64, r: &RecordType) -> Self {
        Self { id: r.id, organization_id: org, name: r.name.clone() }
    }
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupIn {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    #[validate(
        required(message = "name is required"),
        length(min = 1, max = 200, message = "name must be 1 to 200 characters")
    )]
    pub name: Option<String>,
    /// -1, 0 or null: a top-level group.
    #[serde(default, deserialize_with = "lenient::opt")]
    pub parent_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    #[validate(length(max = 1000, message = "description must be at most 1000 characters"))]
    pub description: Option<String>,
}

impl From<GroupIn> for Group {
    fn from(g: GroupIn) -> Self {
        Group {
            id: g.id.unwrap_or(0),
            name: g.name.unwrap_or_default(),
            parent_id: g.parent_id.filter(|p| *p > 0),
            description: g.description,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupOut {
    id: i64,
    organization_id: i64,
    name: String,
    parent_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl GroupOut {
    pub fn new(org: i64, g: &Group) -> Self {
        Self {
            id: g.id,
            organization_id: org,
            name: g.name.clone(),
            parent_id: g.parent_id.unwrap_or(-1),
            description: g.description.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttributeIn {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    #[validate(
        required(message = "name is required"),
        length(min = 1, max = 100, message = "name must be 1 to 100 characters")
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub data_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub defined_values: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub display_format: Option<String>,
}

impl AttributeIn {
    /// # Errors
    /// An unknown `dataType`.
    pub fn into_def(self) -> Result<AttributeDef, String> {
        let data_type = match self.data_type.as_deref() {
            None => AttributeDataType::String,
            Some(t) => AttributeDataType::parse(t)
                .ok_or_else(|| format!("dataType '{t}' is not one of STRING, NUMBER, DATE, BOOLEAN"))?,
        };
        let def = AttributeDef {
            id: self.id.unwrap_or(0),
            name: self.name.unwrap_or_default(),
            data_type,
            defined_values: self.defined_values,
            display_format: self.display_format,
        };
        for (i, v) in def.defined_values.iter().enumerate() {
            let unconstrained = AttributeDef { defined_values: Vec::new(), ..def.clone() };
            contacts_domain::validate::attribute_value(&unconstrained, v)
                .map_err(|m| format!("definedValues[{i}]: {m}"))?;
        }
        Ok(def)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttributeOut {
    id: i64,
    organization_id: i64,
    name: String,
    data_type: &'static str,
    defined_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_format: Option<String>,
}

impl AttributeOut {
    pub fn new(org: i64, a: &AttributeDef) -> Self {
        Self {
            id: a.id,
            organization_id: org,
            name: a.name.clone(),
            data_type: a.data_type.as_str(),
            defined_values: a.defined_values.clone(),
            display_format: a.display_format.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PathIn {
    #[serde(default, deserialize_with = "lenient::opt", alias = "id")]
    pub path_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt", alias = "name")]
    #[validate(
        required(message = "prompt is required"),
        length(min = 1, max = 100, message = "prompt must be 1 to 100 characters")
    )]
    pub prompt: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt", rename = "type", alias = "pathType")]
    pub path_type: Option<String>,
}

impl PathIn {
    /// # Errors
    /// A missing or unknown `type`.
    pub fn into_def(self) -> Result<PathDef, String> {
        let t = self.path_type.ok_or("type is required (EMAIL, PHONE, SMS, FAX, TTY, PAGER or OTHER)")?;
        let path_type = PathType::parse(&t)
            .ok_or_else(|| format!("type '{t}' is not one of EMAIL, PHONE, SMS, FAX, TTY, PAGER, OTHER"))?;
        Ok(PathDef { path_id: self.path_id.unwrap_or(0), prompt: self.prompt.unwrap_or_default(), path_type })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PathOut {
    id: i64,
    path_id: i64,
    organization_id: i64,
    prompt: String,
    #[serde(rename = "type")]
    path_type: &'static str,
}

impl PathOut {
    pub fn new(org: i64, p: &PathDef) -> Self {
        Self {
            id: p.path_id,
            path_id: p.path_id,
            organization_id: org,
            prompt: p.prompt.clone(),
            path_type: p.path_type.as_str(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicIn {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    #[validate(
        required(message = "name is required"),
        length(min = 1, max = 100, message = "name must be 1 to 100 characters")
    )]
    pub name: Option<String>,
}

impl From<TopicIn> for Topic {
    fn from(t: TopicIn) -> Self {
        Topic { id: t.id.unwrap_or(0), name: t.name.unwrap_or_default() }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicOut {
    id: i64,
    organization_id: i64,
    name: String,
}

impl TopicOut {
    pub fn new(org: i64, t: &Topic) -> Self {
        Self { id: t.id, organization_id: org, name: t.name.clone() }
    }
}

/// An organization the caller is granted (`GET /rest/organizations`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationOut {
    id: i64,
    name: String,
}

impl OrganizationOut {
    pub fn new(o: &contacts_application::auth::Organization) -> Self {
        Self { id: o.id, name: o.name.clone() }
    }
}

/// The body of a membership call: a JSON array of contact ids (`idType=id`) or externalIds
/// (`idType=externalId`), each a JSON number or string.
///
/// # Errors
/// A body that is not an array; an element that is neither a number nor a string, is blank, or
/// (for ids) is not an integer: the message names its index.
pub fn contact_refs(body: serde_json::Value, by_external_id: bool) -> Result<ContactRefs, String> {
    use serde_json::Value;
    let Value::Array(items) = body else {
        return Err("The request body must be a JSON array of contact ids or externalIds".into());
    };
    let mut texts = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let text = match item {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            other => return Err(format!("[{i}]: {other} is not a contact id (a number or a string)")),
        };
        if text.is_empty() {
            return Err(format!("[{i}]: a contact id is blank"));
        }
        texts.push(text);
    }
    if by_external_id {
        return Ok(ContactRefs::ExternalIds(texts));
    }
    let ids = texts
        .iter()
        .enumerate()
        .map(|(i, t)| t.parse::<i64>().map_err(|_| format!("[{i}]: '{t}' is not a contact id")))
        .collect::<Result<_, _>>()?;
    Ok(ContactRefs::Ids(ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn membership_bodies_take_numbers_and_strings() {
        assert_eq!(contact_refs(json!([1, "2", " 3 "]), false), Ok(ContactRefs::Ids(vec![1, 2, 3])));
        assert_eq!(contact_refs(json!(["e1", 42]), true), Ok(ContactRefs::ExternalIds(vec!["e1".into(), "42".into()])));
        assert_eq!(contact_refs(json!([]), false), Ok(ContactRefs::Ids(vec![])));
        for (body, external, message) in [
            (json!({"ids": [1]}), false, "must be a JSON array"),
            (json!([1, "x"]), false, "[1]: 'x' is not a contact id"),
            (json!([1.5]), false, "[0]: '1.5' is not a contact id"),
            (json!([null]), true, "[0]: null is not a contact id"),
            (json!([[1]]), false, "[0]: [1] is not a contact id"),
            (json!(["  "]), true, "[0]: a contact id is blank"),
        ] {
            let e = contact_refs(body.clone(), external).unwrap_err();
            assert!(e.contains(message), "{body}: {e}");
        }
    }
}
