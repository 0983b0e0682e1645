//! Lenient scalars: what Everbridge clients really send. Ids and numbers as JSON numbers or
//! strings, booleans as JSON booleans or `"true"`/`"false"`, strings as strings or numbers.
//! Anything else (an object where a string belongs, `"abc"` for an id) is a type error that
//! names what was expected.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::field::Field;

/// A value parsed leniently.
pub struct L<T>(pub T);

struct IntVisitor;
impl Visitor<'_> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer (as a number or a string)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of range")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(v as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}
impl<'de> Deserialize<'de> for L<i64> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor).map(L)
    }
}

struct FloatVisitor;
impl Visitor<'_> for FloatVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number (as a number or a string)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}
impl<'de> Deserialize<'de> for L<f64> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor).map(L)
    }
}

struct BoolVisitor;
impl Visitor<'_> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean (true/false, or \"true\"/\"false\")")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}
impl<'de> Deserialize<'de> for L<bool> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor).map(L)
    }
}

struct StringVisitor;
impl Visitor<'_> for StringVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}
impl<'de> Deserialize<'de> for L<String> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor).map(L)
    }
}

/// A reference to a catalog entry: an id as a number or string, or an object with an `id`
/// (clients send topics both ways).
struct RefVisitor;
impl<'de> Visitor<'de> for RefVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id (a number, a string, or an object with an \"id\")")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        IntVisitor.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        IntVisitor.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        IntVisitor.visit_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        IntVisitor.visit_str(v)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<i64, A::Error> {
        let mut id = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "id" {
                id = Some(map.next_value::<L<i64>>()?.0);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        id.ok_or_else(|| de::Error::missing_field("id"))
    }
}
struct Ref(i64);
impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RefVisitor).map(Ref)
    }
}

/// `Option<T>`, leniently.
pub fn opt<'de, D: Deserializer<'de>, T>(d: D) -> Result<Option<T>, D::Error>
where
    L<T>: Deserialize<'de>,
{
    Option::<L<T>>::deserialize(d).map(|o| o.map(|x| x.0))
}

/// A list of lenient values; `null` is an empty list.
pub fn vec<'de, D: Deserializer<'de>, T>(d: D) -> Result<Vec<T>, D::Error>
where
    L<T>: Deserialize<'de>,
{
    Option::<Vec<L<T>>>::deserialize(d).map(|o| o.map(unwrap_all).unwrap_or_default())
}

fn unwrap_all<T>(v: Vec<L<T>>) -> Vec<T> {
    v.into_iter().map(|x| x.0).collect()
}

/// [`Field`] of a list of lenient values.
pub fn field_vec<'de, D: Deserializer<'de>, T>(d: D) -> Result<Field<Vec<T>>, D::Error>
where
    L<T>: Deserialize<'de>,
{
    Option::<Vec<L<T>>>::deserialize(d).map(|o| o.map(unwrap_all).into())
}

/// [`Field`] of a lenient value.
pub fn field<'de, D: Deserializer<'de>, T>(d: D) -> Result<Field<T>, D::Error>
where
    L<T>: Deserialize<'de>,
{
    Option::<L<T>>::deserialize(d).map(|o| o.map(|x| x.0).into())
}

/// [`Field`] of a list of references (ids, or objects with an `id`).
pub fn field_refs<'de, D: Deserializer<'de>>(d: D) -> Result<Field<Vec<i64>>, D::Error> {
    struct SeqV(PhantomData<Ref>);
    impl<'de> Visitor<'de> for SeqV {
        type Value = Vec<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of ids")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
            let mut out = Vec::new();
            while let Some(Ref(id)) = seq.next_element::<Ref>()? {
                out.push(id);
            }
            Ok(out)
        }
    }
    struct Refs(Vec<i64>);
    impl<'de> Deserialize<'de> for Refs {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_seq(SeqV(PhantomData)).map(Refs)
        }
    }
    Option::<Refs>::deserialize(d).map(|o| o.map(|r| r.0).into())
}
