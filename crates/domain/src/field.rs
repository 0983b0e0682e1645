//! A field of an incoming item: absent, explicitly `null`, or a value.

use serde::{Deserialize, Deserializer};

/// The three states of a field in a request body. `Option<Option<T>>` would blur
/// "absent" (keep, in a partial update) and "null" (clear).
///
/// Deserializes `null` as [`Field::Null`] and anything else as [`Field::Value`]; put
/// `#[serde(default)]` on the struct field so that a missing key becomes [`Field::Absent`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(f(v)),
        }
    }

    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(v),
        }
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `Some` is a value, `None` is null (never absent).
    fn from(o: Option<T>) -> Self {
        o.map_or(Field::Null, Field::Value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Field::from)
    }
}
