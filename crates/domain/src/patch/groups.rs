//! `/groups` and `/groupsName`: the contact's memberships, a set of group ids edited by id or
//! by name. Unlike every other update, a patch may remove a membership.

use std::collections::BTreeSet;

use serde_json::Value;

use super::document::Touch;
use super::pointer::{self, Selector};
use super::schema::int;
use super::{OpKind, PatchOp};
use crate::catalog::Catalog;

/// Applies one operation on `/groups...` or `/groupsName...` to `members`. On failure
/// `members` is left as it was.
///
/// | path | add | replace | remove |
/// |---|---|---|---|
/// | `/groups` | the memberships become exactly the array given | same as add | leaves every group |
/// | `/groups/-` (or `~`) | joins the group given (or each of an array) | – | – |
/// | `/groups/value:ID` | joins group ID | leaves ID, joins the group given | leaves ID (must be a member) |
///
/// `/groupsName` is the same with names.
///
/// # Errors
/// An unknown group, a removal of a group the contact is not in, an unknown selector.
pub(super) fn apply(
    members: &mut BTreeSet<i64>,
    segments: &[String],
    op: &PatchOp,
    catalog: &Catalog,
) -> Result<Touch, String> {
    let by_name = segments[0].eq_ignore_ascii_case("groupsName");
    let list = if by_name { "groupsName" } else { "groups" };
    let resolve = |v: &Value| -> Result<i64, String> {
        if by_name {
            let name = match v {
                Value::String(s) => s.clone(),
                Value::Number(_) => v.to_string(),
                other => return Err(format!("a group name must be a string (got {other})")),
            };
            catalog
                .group_named(&name)
                .map(|g| g.id)
                .ok_or_else(|| format!("group '{name}' does not exist in the organization"))
        } else {
            let id = int(v).ok_or_else(|| format!("a group id must be an integer (got {v})"))?;
            catalog.group(id).map(|g| g.id).ok_or_else(|| format!("group {id} does not exist in the organization"))
        }
    };
    let value = || op.value.as_ref().ok_or_else(|| "value is required for add and replace".to_owned());
    let touch = |element: Option<i64>| Touch { op: 0, top: "groups".into(), element: element.map(|g| g.to_string()) };
    match segments {
        [_] => {
            if op.kind == OpKind::Remove {
                members.clear();
                return Ok(touch(None));
            }
            let Value::Array(items) = value()? else {
                return Err(format!("{list} is a list: the value must be an array"));
            };
            *members = items.iter().map(resolve).collect::<Result<_, _>>()?;
            Ok(touch(None))
        }
        [_, segment] => match pointer::selector(segment) {
            Selector::Append => {
                if op.kind != OpKind::Add {
                    return Err(format!("'{segment}' adds a group: only add can use it"));
                }
                let ids: Vec<i64> = match value()? {
                    Value::Array(items) => items.iter().map(resolve).collect::<Result<_, _>>()?,
                    one => vec![resolve(one)?],
                };
                members.extend(&ids);
                Ok(touch(ids.last().copied()))
            }
            Selector::Key { key, value: named } if key.eq_ignore_ascii_case("value") => {
                let group = resolve(&Value::String(named.to_owned()))?;
                let is_member = members.contains(&group);
                match op.kind {
                    OpKind::Add => {
                        members.insert(group);
                    }
                    _ if !is_member => return Err(format!("the contact is not a member of group {named}")),
                    OpKind::Remove => {
                        members.remove(&group);
                    }
                    OpKind::Replace => {
                        let new = resolve(value()?)?;
                        members.remove(&group);
                        members.insert(new);
                        return Ok(touch(Some(new)));
                    }
                }
                Ok(touch(Some(group)))
            }
            Selector::Index(_) => {
                let how = if by_name { "value:NAME" } else { "value:ID" };
                Err(format!("select a group of {list} by {how}, not by position"))
            }
            Selector::Key { .. } => Err(format!(
                "unknown selector '{segment}': use /{list}/value:{} or /{list}/- to add",
                if by_name { "NAME" } else { "ID" }
            )),
        },
        [_, _, more, ..] => Err(format!("a group has no field '{more}'")),
        [] => Err("path must name a field".into()),
    }
}
