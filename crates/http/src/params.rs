//! Query parameters, read leniently: unknown ones ignored, list parameters repeated or
//! comma-separated, values possibly wrapped in quotes (`sortBy="lastName"`), booleans as
//! `true`/`false` in any case.

use crate::error::ApiError;

pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::BadRequest(format!("Malformed query string: {e}")))?;
        Ok(Self(pairs))
    }

    /// The last value of `name`, case-insensitively on the name, trimmed and unquoted; blank
    /// counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| unquote(v).trim())
            .find(|v| !v.is_empty())
    }

    /// Every value of the list parameter `name` (case-insensitive on the name), given repeated
    /// (`a=1&a=2`), comma-separated (`a=1,2`) or both; each value trimmed and unquoted, blanks
    /// dropped, in the order given.
    pub(crate) fn list(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(|v| unquote(v).trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The list parameter `name` as integer ids (see [`Params::list`]).
    ///
    /// # Errors
    /// 400 naming the first value that is not an integer.
    pub(crate) fn ids(&self, name: &str) -> Result<Vec<i64>, ApiError> {
        self.list(name)
            .into_iter()
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::BadRequest(format!("Query parameter {name} must hold integer ids (got '{v}')"))
                })
            })
            .collect()
    }

    /// # Errors
    /// 400 when the value is not a boolean.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::BadRequest(format!("Query parameter {name} must be true or false (got '{v}')"))),
        }
    }

    /// One of `choices` (case-insensitive), or `default` when absent.
    ///
    /// # Errors
    /// 400 naming the choices.
    pub(crate) fn choice<T: Copy>(&self, name: &str, choices: &[(&str, T)], default: T) -> Result<T, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(default);
        };
        choices.iter().find(|(c, _)| c.eq_ignore_ascii_case(v)).map(|(_, t)| *t).ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(c, _)| *c).collect();
            ApiError::BadRequest(format!("Query parameter {name} must be one of {} (got '{v}')", names.join(", ")))
        })
    }

    /// An integer in `range`, or `default` when absent.
    ///
    /// # Errors
    /// 400 when not an integer or out of range.
    pub(crate) fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<u32>,
        default: u32,
    ) -> Result<u32, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(default);
        };
        v.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Query parameter {name} must be an integer from {} to {} (got '{v}')",
                range.start(),
                range.end()
            ))
        })
    }
}

fn unquote(v: &str) -> &str {
    let t = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_leniently() {
        let p = Params::parse(Some("sortBy=%22lastName%22&atomic=FALSE&_=123&pageSize=5&pageSize=7")).unwrap();
        assert_eq!(p.get("sortBy"), Some("lastName"));
        assert!(!p.flag("atomic", true).unwrap());
        assert!(p.flag("dryRun", false).is_ok_and(|b| !b));
        assert_eq!(p.number("pageSize", 1..=3000, 100).unwrap(), 7);
        assert!(p.number("pageSize", 1..=5, 100).is_err());
        assert!(Params::parse(Some("atomic=maybe")).unwrap().flag("atomic", true).is_err());
        assert_eq!(p.choice("idType", &[("id", 1), ("externalId", 2)], 1).unwrap(), 1);
    }

    #[test]
    fn list_parameters_are_repeated_or_comma_separated() {
        let p = Params::parse(Some(
            "externalIds=a,b&ExternalIds=%22c%22&externalIds=&externalIds=d,,%20e%20&groupIds=1,2&contactIds=%22x%22,%22y%22",
        ))
        .unwrap();
        assert_eq!(p.list("externalIds"), vec!["a", "b", "c", "d", "e"]);
        assert_eq!(p.list("contactIds"), vec!["x", "y"]);
        assert_eq!(p.ids("groupIds").unwrap(), vec![1, 2]);
        assert!(p.list("groupId").is_empty());
        let Err(ApiError::BadRequest(m)) = Params::parse(Some("contactIds=1,x")).unwrap().ids("contactIds") else {
            panic!("a malformed id is a 400")
        };
        assert_eq!(m, "Query parameter contactIds must hold integer ids (got 'x')");
    }
}
