//! Request bodies: JSON read by hand so that a malformed body says where (line and column),
//! a wrong type says which field, and an oversized body is a 413 in the Everbridge shape.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use contacts_application::batch::BatchItem;
use contacts_domain::{ContactInput, FieldError};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;

/// The body's bytes, or the Everbridge error for a body that could not be read.
pub(crate) fn bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::TooLarge("The request body is larger than the limit (MAX_BODY_BYTES)".into())
        }
        _ => ApiError::BadRequest(format!("The request body could not be read: {r}")),
    })
}

/// Parses JSON text.
///
/// # Errors
/// 400 with the line and column of the syntax error.
pub(crate) fn json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest("The request body is empty; a JSON body is required".into()));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("Malformed JSON at line {} column {}: {e}", e.line(), e.column())))?;
    // A NUL can only be written `\u0000` in JSON text: look for it in the tree only then.
    if let Some(at) = has_nul_escape(bytes).then(|| nul_at(&value, &mut String::new())).flatten() {
        let at = if at.is_empty() { "the body".to_owned() } else { at };
        return Err(ApiError::BadRequest(format!("Text may not contain the NUL character (\\u0000): found in {at}")));
    }
    Ok(value)
}

/// Whether the JSON text may hold a NUL character (`\u0000`; also true of an escaped
/// backslash followed by `u0000`, which the tree walk then clears).
fn has_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == b"\\u0000")
}

/// The path (`[0].paths[1].value`) of the first string holding a NUL character: valid JSON,
/// but no field has a use for it and PostgreSQL text cannot store it (it would be a 500).
fn nul_at(value: &Value, path: &mut String) -> Option<String> {
    let descend = |path: &mut String, step: String, v: &Value| {
        let len = path.len();
        path.push_str(&step);
        let found = nul_at(v, path);
        path.truncate(len);
        found
    };
    match value {
        Value::String(s) => s.contains('\0').then(|| path.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| descend(path, format!("[{i}]"), v)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let step = if path.is_empty() { k.clone() } else { format!(".{k}") };
            descend(path, step, v)
        }),
        _ => None,
    }
}

/// Reads `value` as a `T`, naming the field of a type error.
///
/// # Errors
/// `(field path, message)`.
pub(crate) fn typed<T: DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        (path.clone(), if path.is_empty() { message } else { format!("{path}: {message}") })
    })
}

/// A batch body: a JSON array of contacts. Each item that does not fit the contact's types
/// becomes an item error (code 320, with its field), so every item is still reported.
///
/// # Errors
/// 400 when the body is not JSON or not an array.
pub(crate) fn batch_items(bytes: &[u8]) -> Result<Vec<BatchItem>, ApiError> {
    // The usual body, a well-formed array without a NUL character: each item read straight from
    // its text (no tree of `Value`s built and dropped for 1,000 contacts). Anything else takes
    // the path below, which says exactly what is wrong.
    if !has_nul_escape(bytes) {
        if let Ok(items) = serde_json::from_slice::<Vec<&RawValue>>(bytes) {
            return Ok(items.into_iter().map(raw_item).collect());
        }
    }
    let Value::Array(items) = json(bytes)? else {
        return Err(ApiError::BadRequest("The request body must be a JSON array of contacts".into()));
    };
    Ok(items.into_iter().map(item).collect())
}

/// An item read from its JSON text, with the same errors as [`item`].
fn raw_item(raw: &RawValue) -> BatchItem {
    if !raw.get().starts_with('{') {
        return Err(FieldError::invalid("", "Each item must be a JSON object (a contact)"));
    }
    // Read without tracking the path first: most items fit, and the tracking wrapper showed in
    // about 5% of the server's samples on a batch. An item that does not fit is read again,
    // tracked, to name its field.
    let input = serde_json::from_str::<ContactInput>(raw.get()).or_else(|_| {
        let mut de = serde_json::Deserializer::from_str(raw.get());
        serde_path_to_error::deserialize::<_, ContactInput>(&mut de)
    });
    let input = input.map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        // The position is within the item's text: not useful to the client, and the tree
        // path gives none, so both paths answer alike.
        let mut message = e.into_inner().to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        let message = if path.is_empty() { message } else { format!("{path}: {message}") };
        FieldError::invalid(path, message)
    });
    input.map(|mut input| {
        input.text_digest = Some(text_digest(raw.get()));
        input
    })
}

/// The digest of an item's text (SHA-256, first 16 bytes): the same text, the same item. It
/// lets a batch sent again unchanged be answered without reading its contacts.
fn text_digest(text: &str) -> [u8; 16] {
    let mut digest = [0; 16];
    digest.copy_from_slice(&Sha256::digest(text.as_bytes())[..16]);
    digest
}

fn item(value: Value) -> BatchItem {
    if !value.is_object() {
        return Err(FieldError::invalid("", "Each item must be a JSON object (a contact)"));
    }
    typed::<ContactInput>(value).map_err(|(field, message)| FieldError::invalid(field, message))
}

/// A single contact body.
///
/// # Errors
/// 400 when it is not a JSON object of the contact's types.
pub(crate) fn contact(bytes: &[u8]) -> Result<ContactInput, ApiError> {
    let value = json(bytes)?;
    if !value.is_object() {
        return Err(ApiError::BadRequest("The request body must be a JSON object (a contact)".into()));
    }
    typed(value).map_err(|(_, message)| ApiError::BadRequest(message))
}

/// A catalog body, checked with `validator`.
///
/// # Errors
/// 400 naming the field.
pub(crate) fn validated<T: DeserializeOwned + validator::Validate>(bytes: &[u8]) -> Result<T, ApiError> {
    let value = json(bytes)?;
    if !value.is_object() {
        return Err(ApiError::BadRequest("The request body must be a JSON object".into()));
    }
    let parsed: T = typed(value).map_err(|(_, message)| ApiError::BadRequest(message))?;
    parsed.validate().map_err(|errors| {
        let mut messages: Vec<String> = errors
            .field_errors()
            .iter()
            .flat_map(|(field, errs)| {
                errs.iter()
                    .map(move |e| e.message.as_ref().map_or_else(|| format!("{field} is invalid"), |m| m.to_string()))
            })
            .collect();
        messages.sort();
        ApiError::BadRequest(messages.join("; "))
    })?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path (items read from their text) and the tree path answer every item alike.
    #[test]
    fn items_read_from_text_or_from_a_tree_give_the_same_result() {
        let body = br#"[
            {"externalId": "a", "firstName": "A", "lastName": "L", "recordTypeId": 1, "paths": [{"pathId": 5, "value": "x"}]},
            {"externalId": "b", "paths": [{"pathId": {"nested": 1}}]},
            {"externalId": "c", "vip": [1]},
            "not an object",
            [1, 2],
            {"externalId": "d", "firstName": 7, "contactAttributes": [{"orgAttrId": "12", "values": ["v"]}]}
        ]"#;
        let raws: Vec<&RawValue> = serde_json::from_slice(body).unwrap();
        let Value::Array(values) = json(body).unwrap() else { panic!("an array") };
        let mut fast: Vec<BatchItem> = raws.into_iter().map(raw_item).collect();
        let tree: Vec<BatchItem> = values.into_iter().map(item).collect();
        // Items read from their text carry its digest; otherwise they are the same.
        for input in fast.iter_mut().flatten() {
            assert!(input.text_digest.take().is_some(), "{input:?}");
        }
        assert_eq!(format!("{fast:?}"), format!("{tree:?}"));
        assert!(fast[0].is_ok() && fast[1].is_err() && fast[3].is_err(), "{fast:?}");
        assert_eq!(batch_items(body).unwrap().len(), 6);
    }

    /// The digest names the item's text: the same text gives the same one, any other text
    /// (even a space, or another order of the same fields) another one.
    #[test]
    fn an_items_digest_follows_its_text() {
        let digests = |body: &[u8]| -> Vec<[u8; 16]> {
            batch_items(body).unwrap().into_iter().map(|i| i.unwrap().text_digest.unwrap()).collect()
        };
        let a = digests(br#"[{"id": 1, "firstName": "A"}, {"id": 1, "firstName": "A"}, {"id": 1, "firstName": "B"}]"#);
        assert_eq!(a[0], a[1]);
        assert_ne!(a[0], a[2]);
        let b = digests(br#"[{"id": 1,  "firstName": "A"}, {"firstName": "A", "id": 1}]"#);
        assert_ne!(a[0], b[0]);
        assert_ne!(a[0], b[1]);
    }

    #[test]
    fn a_nul_anywhere_in_a_batch_is_refused_with_its_place() {
        let Err(ApiError::BadRequest(m)) = batch_items(br#"[{"a": "x"}, {"paths": [{"value": "1\u0000"}]}]"#) else {
            panic!("expected a 400")
        };
        assert!(m.contains("[1].paths[0].value"), "{m}");
        assert!(batch_items(br#"[{"firstName": "back\\u0000slash"}]"#).is_ok(), "an escaped backslash is no NUL");
    }

    #[test]
    fn malformed_json_says_where() {
        let Err(ApiError::BadRequest(m)) = json(b"[{\"a\": 1,\n }") else { panic!("expected a 400") };
        assert!(m.contains("line 2"), "{m}");
    }

    #[test]
    fn a_nul_character_in_any_string_is_refused_with_its_place() {
        let Err(ApiError::BadRequest(m)) = json(br#"[{"a": "x"}, {"paths": [{"value": "1\u0000"}]}]"#) else {
            panic!("expected a 400")
        };
        assert!(m.ends_with("found in [1].paths[0].value"), "{m}");
        let Err(ApiError::BadRequest(m)) = json(br#""\u0000""#) else { panic!("expected a 400") };
        assert!(m.ends_with("found in the body"), "{m}");
        assert!(json(br#"{"a": "\\u0000 is fine escaped", "b": [1, null, true]}"#).is_ok());
    }

    #[test]
    fn a_type_error_is_reported_on_its_item_and_field() {
        let items = batch_items(br#"[{"firstName":"A"}, {"paths":[{"pathId":{"x":1}}]}, 7]"#).unwrap();
        assert!(items[0].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.field, "paths[0].pathId");
        assert_eq!(e.code.code(), 320);
        assert!(items[2].is_err());
        assert!(matches!(batch_items(b"{}"), Err(ApiError::BadRequest(_))));
    }
}
