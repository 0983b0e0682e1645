//! What an organization's names resolve against: record types, groups, contact attribute
//! definitions, contact paths and topics.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordType {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub name: String,
    /// `None` for a top-level group (Everbridge writes -1).
    pub parent_id: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeDataType {
    String,
    Number,
    Date,
    Boolean,
}

impl AttributeDataType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeDataType::String => "STRING",
            AttributeDataType::Number => "NUMBER",
            AttributeDataType::Date => "DATE",
            AttributeDataType::Boolean => "BOOLEAN",
        }
    }

    /// Case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "STRING" => Some(Self::String),
            "NUMBER" => Some(Self::Number),
            "DATE" => Some(Self::Date),
            "BOOLEAN" => Some(Self::Boolean),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDef {
    pub id: i64,
    pub name: String,
    pub data_type: AttributeDataType,
    /// Empty: any value of the data type is allowed.
    pub defined_values: Vec<String>,
    pub display_format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathType {
    Email,
    Phone,
    Sms,
    Fax,
    Tty,
    Pager,
    Other,
}

impl PathType {
    pub fn as_str(self) -> &'static str {
        match self {
            PathType::Email => "EMAIL",
            PathType::Phone => "PHONE",
            PathType::Sms => "SMS",
            PathType::Fax => "FAX",
            PathType::Tty => "TTY",
            PathType::Pager => "PAGER",
            PathType::Other => "OTHER",
        }
    }

    /// Case-insensitive; unknown kinds are `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "EMAIL" => Some(Self::Email),
            "PHONE" => Some(Self::Phone),
            "SMS" => Some(Self::Sms),
            "FAX" => Some(Self::Fax),
            "TTY" => Some(Self::Tty),
            "PAGER" => Some(Self::Pager),
            "OTHER" => Some(Self::Other),
            _ => None,
        }
    }

    /// Whether values of this type are telephone numbers (checked and normalised as such).
    pub fn is_phone_like(self) -> bool {
        matches!(self, PathType::Phone | PathType::Sms | PathType::Fax | PathType::Tty)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDef {
    pub path_id: i64,
    pub prompt: String,
    pub path_type: PathType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub id: i64,
    pub name: String,
}

/// An organization's catalog, indexed for resolution by id and by name. Names match exactly
/// (case-sensitive), as Everbridge's do; ids always win over names.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub record_types: Vec<RecordType>,
    pub groups: Vec<Group>,
    pub attributes: Vec<AttributeDef>,
    pub paths: Vec<PathDef>,
    pub topics: Vec<Topic>,
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    record_type_by_id: HashMap<i64, usize>,
    record_type_by_name: HashMap<String, usize>,
    group_by_id: HashMap<i64, usize>,
    group_by_name: HashMap<String, usize>,
    attribute_by_id: HashMap<i64, usize>,
    attribute_by_name: HashMap<String, usize>,
    path_by_id: HashMap<i64, usize>,
    path_by_prompt: HashMap<String, usize>,
    topic_by_id: HashMap<i64, usize>,
}

fn index_of<T, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> HashMap<K, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // The first one wins when names repeat (the store keeps them unique anyway).
        map.entry(key(item)).or_insert(i);
    }
    map
}

impl Catalog {
    pub fn new(
        record_types: Vec<RecordType>,
        groups: Vec<Group>,
        attributes: Vec<AttributeDef>,
        paths: Vec<PathDef>,
        topics: Vec<Topic>,
    ) -> Self {
        let index = Index {
            record_type_by_id: index_of(&record_types, |r| r.id),
            record_type_by_name: index_of(&record_types, |r| r.name.clone()),
            group_by_id: index_of(&groups, |g| g.id),
            group_by_name: index_of(&groups, |g| g.name.clone()),
            attribute_by_id: index_of(&attributes, |a| a.id),
            attribute_by_name: index_of(&attributes, |a| a.name.clone()),
            path_by_id: index_of(&paths, |p| p.path_id),
            path_by_prompt: index_of(&paths, |p| p.prompt.clone()),
            topic_by_id: index_of(&topics, |t| t.id),
        };
        Self { record_types, groups, attributes, paths, topics, index }
    }

    pub fn record_type(&self, id: i64) -> Option<&RecordType> {
        self.index.record_type_by_id.get(&id).map(|&i| &self.record_types[i])
    }
    pub fn record_type_named(&self, name: &str) -> Option<&RecordType> {
        self.index.record_type_by_name.get(name).map(|&i| &self.record_types[i])
    }
    pub fn group(&self, id: i64) -> Option<&Group> {
        self.index.group_by_id.get(&id).map(|&i| &self.groups[i])
    }
    pub fn group_named(&self, name: &str) -> Option<&Group> {
        self.index.group_by_name.get(name).map(|&i| &self.groups[i])
    }
    pub fn attribute(&self, id: i64) -> Option<&AttributeDef> {
        self.index.attribute_by_id.get(&id).map(|&i| &self.attributes[i])
    }
    pub fn attribute_named(&self, name: &str) -> Option<&AttributeDef> {
        self.index.attribute_by_name.get(name).map(|&i| &self.attributes[i])
    }
    pub fn path(&self, id: i64) -> Option<&PathDef> {
        self.index.path_by_id.get(&id).map(|&i| &self.paths[i])
    }
    pub fn path_prompted(&self, prompt: &str) -> Option<&PathDef> {
        self.index.path_by_prompt.get(prompt).map(|&i| &self.paths[i])
    }
    pub fn topic(&self, id: i64) -> Option<&Topic> {
        self.index.topic_by_id.get(&id).map(|&i| &self.topics[i])
    }
}
