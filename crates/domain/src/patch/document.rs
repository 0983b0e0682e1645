//! Applying one operation to the contact document: navigation down the schema, selectors,
//! add / replace / remove, and the type check after each operation (the document must still
//! read as a [`ContactInput`](crate::ContactInput), leniently, as bodies do).

use serde_json::{json, Map, Value};

use super::json::from_json;
use super::pointer::{self, Selector};
use super::schema::{render, Elements, Member, Node, CONTACT, READ_ONLY, REQUIRED};
use super::{OpKind, PatchOp};
use crate::catalog::Catalog;

/// What an operation touched: the top-level field and, in a list, the identity of the element
/// (its id, location name or value). Used to blame a validation failure on an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Touch {
    pub op: usize,
    pub top: String,
    pub element: Option<String>,
}

/// The operation being applied.
struct Ctx<'a> {
    op: &'a PatchOp,
    catalog: &'a Catalog,
}

impl Ctx<'_> {
    fn kind(&self) -> OpKind {
        self.op.kind
    }

    fn value(&self) -> Result<&Value, String> {
        self.op.value.as_ref().ok_or_else(|| "value is required for add and replace".to_owned())
    }

    fn object(&self, noun: &str) -> Result<Value, String> {
        let v = self.value()?;
        if v.is_object() {
            Ok(v.clone())
        } else {
            Err(format!("a {noun} must be given as an object (got {})", kind_of(v)))
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Applies one operation whose path is `segments` (not `groups`/`groupsName`) to `doc`. On
/// failure `doc` is left as it was.
///
/// # Errors
/// Why the operation cannot apply: unknown field or selector, missing element, wrong type,
/// a required field removed.
pub(super) fn apply(doc: &mut Value, segments: &[String], op: &PatchOp, catalog: &Catalog) -> Result<Touch, String> {
    let first = segments[0].as_str();
    if let Some(field) = READ_ONLY.iter().find(|f| f.eq_ignore_ascii_case(first)) {
        return Err(format!("{field} is read-only"));
    }
    let first = if first.eq_ignore_ascii_case("addresses") { "address" } else { first };
    let Some(&(top, _)) = CONTACT.iter().find(|(name, _)| name.eq_ignore_ascii_case(first)) else {
        return Err(format!("unknown field '{first}'"));
    };
    if segments.len() == 1 {
        let clears = op.kind == OpKind::Remove || op.value.as_ref().is_some_and(Value::is_null);
        if clears && REQUIRED.contains(&top) {
            return Err(format!("{top} is required: it can be replaced, not removed"));
        }
        if clears && top.starts_with("recordType") {
            return Err("the record type is required: it can be replaced, not removed".into());
        }
    }
    let mut path: Vec<String> = segments.to_vec();
    path[0] = top.to_owned();
    let before = doc.clone();
    let cx = Ctx { op, catalog };
    let result = at_object(doc, CONTACT, &path, &cx).and_then(|element| {
        if path.len() == 1 {
            // The record type is given by id or by name, the id winning: setting one drops the other.
            let other = match top {
                "recordTypeId" => Some("recordTypeName"),
                "recordTypeName" => Some("recordTypeId"),
                _ => None,
            };
            if let (Some(other), Some(map)) = (other, doc.as_object_mut()) {
                map.remove(other);
            }
        }
        from_json(doc).map(|_| element)
    });
    match result {
        Ok(element) => Ok(Touch { op: 0, top: top.to_owned(), element }),
        Err(message) => {
            *doc = before;
            Err(message)
        }
    }
}

/// Returns the identity of the element touched in the first list met, if any.
fn at_object(
    node: &mut Value,
    members: &'static [Member],
    segments: &[String],
    cx: &Ctx,
) -> Result<Option<String>, String> {
    let name = segments[0].as_str();
    let Some(&(key, shape)) = members.iter().find(|(m, _)| m.eq_ignore_ascii_case(name)) else {
        let known: Vec<&str> = members.iter().map(|(m, _)| *m).collect();
        return Err(format!("unknown field '{name}' (here: {})", known.join(", ")));
    };
    let Some(map) = node.as_object_mut() else {
        return Err(format!("cannot select '{name}' in {}", kind_of(node)));
    };
    let rest = &segments[1..];
    if rest.is_empty() {
        set_member(map, key, shape, cx)?;
        return Ok(None);
    }
    let child = map.entry(key.to_owned()).or_insert(Value::Null);
    match shape {
        Node::Leaf => Err(format!("{key} is a single value: it has no '{}'", rest[0])),
        Node::Object(inner) => {
            if child.is_null() {
                if cx.kind() != OpKind::Add {
                    return Err(format!("{key} is not set"));
                }
                *child = Value::Object(Map::new());
            }
            at_object(child, inner, rest, cx)
        }
        Node::Values => at_values(child, key, rest, cx),
        Node::Objects(elements) => at_objects(child, elements, rest, cx),
    }
}

/// `add`/`replace` set a member, `remove` clears it (a list becomes `[]`).
fn set_member(map: &mut Map<String, Value>, key: &str, shape: Node, cx: &Ctx) -> Result<(), String> {
    let is_list = matches!(shape, Node::Values | Node::Objects(_));
    let new = if cx.kind() == OpKind::Remove {
        if is_list {
            json!([])
        } else {
            Value::Null
        }
    } else {
        let v = cx.value()?;
        let fits = match shape {
            Node::Leaf => !v.is_array() && !v.is_object(),
            Node::Object(_) => v.is_object() || v.is_null(),
            Node::Values | Node::Objects(_) => v.is_array() || v.is_null(),
        };
        if !fits {
            let want = match shape {
                Node::Leaf => "a single value",
                Node::Object(_) => "an object",
                _ => "an array",
            };
            return Err(format!("{key} takes {want}, not {}", kind_of(v)));
        }
        v.clone()
    };
    map.insert(key.to_owned(), new);
    Ok(())
}

fn list_of<'v>(node: &'v mut Value, key: &str) -> Result<&'v mut Vec<Value>, String> {
    if node.is_null() {
        *node = json!([]);
    }
    let kind = kind_of(node);
    node.as_array_mut().ok_or_else(|| format!("{key} is {kind}, not a list"))
}

/// A list of single values: `-` appends, a position inserts / replaces / removes, `value:V`
/// names the element equal to `V`.
fn at_values(node: &mut Value, key: &str, segments: &[String], cx: &Ctx) -> Result<Option<String>, String> {
    let items = list_of(node, key)?;
    if let Some(more) = segments.get(1) {
        return Err(format!("the elements of {key} are single values: they have no '{more}'"));
    }
    match pointer::selector(&segments[0]) {
        Selector::Append => {
            if cx.kind() != OpKind::Add {
                return Err(format!("'{}' appends to {key}: only add can use it", segments[0]));
            }
            let v = cx.value()?.clone();
            let touched = render(&v);
            items.push(v);
            Ok(Some(touched))
        }
        Selector::Index(i) => {
            let len = items.len();
            match cx.kind() {
                OpKind::Add if i <= len => items.insert(i, cx.value()?.clone()),
                OpKind::Replace if i < len => items[i] = cx.value()?.clone(),
                OpKind::Remove if i < len => {
                    items.remove(i);
                }
                _ => return Err(format!("{key} has no element at position {i} (it has {len})")),
            }
            Ok(items.get(i).map(render))
        }
        Selector::Key { key: k, value } if k.eq_ignore_ascii_case("value") => {
            let position = items.iter().position(|e| render(e) == value);
            match (cx.kind(), position) {
                (OpKind::Add, Some(_)) => {}
                (OpKind::Add, None) => {
                    let v = cx.op.value.clone().filter(|v| !v.is_null()).unwrap_or_else(|| Value::String(value.into()));
                    items.push(v);
                }
                (OpKind::Replace, Some(p)) => items[p] = cx.value()?.clone(),
                (OpKind::Remove, Some(p)) => {
                    items.remove(p);
                }
                (_, None) => return Err(format!("{key} has no element {value}")),
            }
            Ok(Some(value.to_owned()))
        }
        Selector::Key { .. } => Err(format!(
            "unknown selector '{}': select an element of {key} by value:V or by position, or append with -",
            segments[0]
        )),
    }
}

/// A list of objects: `-` appends, a position inserts / replaces / removes, a key selector
/// names an element (created by `add` when missing); deeper segments edit its fields.
fn at_objects(node: &mut Value, elements: Elements, segments: &[String], cx: &Ctx) -> Result<Option<String>, String> {
    let noun = elements.noun();
    let key = segments[0].as_str();
    let items = list_of(node, noun)?;
    let rest = &segments[1..];
    let identity = |e: &Value| elements.identity(e, cx.catalog).map(|i| i.render());
    let position = match pointer::selector(key) {
        Selector::Append => {
            if !rest.is_empty() {
                return Err(format!("'{key}' is a new {noun}: add it whole (an object) at '{key}'"));
            }
            if cx.kind() != OpKind::Add {
                return Err(format!("'{key}' appends a {noun}: only add can use it"));
            }
            items.push(cx.object(noun)?);
            return Ok(items.last().and_then(identity));
        }
        Selector::Index(i) => {
            if cx.kind() == OpKind::Add && rest.is_empty() {
                if i > items.len() {
                    return Err(format!("cannot insert a {noun} at position {i}: there are {}", items.len()));
                }
                items.insert(i, cx.object(noun)?);
                return Ok(identity(&items[i]));
            }
            if i >= items.len() {
                return Err(format!("there is no {noun} at position {i} (the contact has {})", items.len()));
            }
            i
        }
        Selector::Key { key: k, value } => {
            let target = elements.target(k, value, cx.catalog)?;
            match items.iter().position(|e| elements.identity(e, cx.catalog).as_ref() == Some(&target)) {
                Some(p) => p,
                None if cx.kind() == OpKind::Add => {
                    items.push(elements.new_element(&target));
                    items.len() - 1
                }
                None => return Err(format!("the contact has no {noun} {key}")),
            }
        }
    };
    if !rest.is_empty() {
        at_object(&mut items[position], elements.members(), rest, cx)?;
        return Ok(identity(&items[position]));
    }
    if cx.kind() == OpKind::Remove {
        return Ok(identity(&items.remove(position)));
    }
    let mut replacement = cx.object(noun)?;
    let keys = elements.identity_keys();
    if let Some(map) = replacement.as_object_mut() {
        if !keys.iter().any(|k| map.get(*k).is_some_and(|v| !v.is_null())) {
            for k in keys {
                if let Some(v) = items[position].get(*k) {
                    map.insert((*k).to_owned(), v.clone());
                }
            }
        }
    }
    items[position] = replacement;
    Ok(identity(&items[position]))
}

/// The operation to blame for a validation failure of `field` (`paths[1].value`): the last
/// one that touched that element, else that field, else (for a time zone required by quiet
/// time frames) the paths, else the last operation.
pub(super) fn blame(field: &str, doc: &Value, touches: &[Touch], catalog: &Catalog) -> Option<usize> {
    let end = field.find(['[', '.']).unwrap_or(field.len());
    let top = &field[..end];
    let index: Option<usize> =
        field[end..].strip_prefix('[').and_then(|r| r.split(']').next()).and_then(|n| n.parse().ok());
    let element = index.and_then(|i| doc.get(top)?.get(i)).and_then(|e| match top {
        "paths" => Elements::Paths.identity(e, catalog).map(|i| i.render()),
        "contactAttributes" => Elements::Attributes.identity(e, catalog).map(|i| i.render()),
        "address" => Elements::Addresses.identity(e, catalog).map(|i| i.render()),
        "topics" => Some(render(e)),
        _ => None,
    });
    let last_on = |name: &str| touches.iter().rev().find(|t| t.top == name);
    touches
        .iter()
        .rev()
        .filter(|t| t.top == top)
        .find(|t| element.is_none() || t.element.is_none() || t.element == element)
        .or_else(|| last_on(top))
        .or_else(|| if top == "timezoneId" { last_on("paths") } else { None })
        .or_else(|| touches.last())
        .map(|t| t.op)
}
