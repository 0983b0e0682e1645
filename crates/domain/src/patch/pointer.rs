//! Operation paths: JSON Pointers (RFC 6901) whose list segments may be Everbridge selectors.

/// One list segment, read in the context of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Selector<'a> {
    /// `-` (JSON Patch) or `~` (Everbridge's examples): after the last element.
    Append,
    /// A position, 0-based.
    Index(usize),
    /// `key:value`, e.g. `pathId:241901148045319`, `name:attr1`, `value:13885629267972`.
    Key { key: &'a str, value: &'a str },
}

/// The segments of `path`, unescaped (`~1` is `/`, `~0` is `~`). The leading `/` may be
/// left out; a lone `~` segment stays `~` (it appends, as in Everbridge's examples).
///
/// # Errors
/// When the path is empty (the whole contact: use PUT) or has an empty segment.
pub(super) fn split(path: &str) -> Result<Vec<String>, String> {
    let trimmed = path.trim();
    let body = trimmed.strip_prefix('/').unwrap_or(trimmed);
    if body.is_empty() {
        return Err("path must name a field, e.g. /firstName (use PUT to replace the whole contact)".into());
    }
    body.split('/')
        .map(|s| {
            if s.is_empty() {
                Err(format!("path '{path}' has an empty segment"))
            } else if s == "~" {
                Ok(s.to_owned())
            } else {
                Ok(s.replace("~1", "/").replace("~0", "~"))
            }
        })
        .collect()
}

/// Reads a list segment.
pub(super) fn selector(segment: &str) -> Selector<'_> {
    if segment == "-" || segment == "~" {
        return Selector::Append;
    }
    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = segment.parse() {
            return Selector::Index(i);
        }
    }
    match segment.split_once(':') {
        Some((key, value)) => Selector::Key { key: key.trim(), value },
        None => Selector::Key { key: "", value: segment },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_unescaped_segments() {
        assert_eq!(split("/paths/pathId:1/value").unwrap(), ["paths", "pathId:1", "value"]);
        assert_eq!(split("firstName").unwrap(), ["firstName"]);
        assert_eq!(split("/groupsName/value:R~1D~0x").unwrap(), ["groupsName", "value:R/D~x"]);
        assert_eq!(split("/groupsName/~").unwrap(), ["groupsName", "~"]);
        assert!(split("/").is_err());
        assert!(split("").is_err());
        assert!(split("/paths//value").is_err());
    }

    #[test]
    fn list_segments_are_appends_positions_or_keys() {
        assert_eq!(selector("-"), Selector::Append);
        assert_eq!(selector("~"), Selector::Append);
        assert_eq!(selector("12"), Selector::Index(12));
        assert_eq!(selector("prompt:Mobile: work"), Selector::Key { key: "prompt", value: "Mobile: work" });
        assert_eq!(selector("value"), Selector::Key { key: "", value: "value" });
    }
}
