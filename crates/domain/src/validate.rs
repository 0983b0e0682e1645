//! Field checks of SPEC §3.4, each a small pure function on one value.

use std::str::FromStr;

use crate::catalog::{AttributeDataType, AttributeDef};
use crate::contact::QuietTimeFrame;
use crate::error::{ErrorCode, FieldError};
use crate::input::QuietTimeFrameInput;

/// Maximum lengths, in characters (SPEC §3.4).
pub mod max_len {
    pub const EXTERNAL_ID: usize = 50;
    pub const NAME: usize = 100;
    pub const MIDDLE_INITIAL: usize = 1;
    pub const SUFFIX: usize = 10;
    pub const LOCATION_NAME: usize = 200;
    pub const STREET_ADDRESS: usize = 100;
    pub const CITY: usize = 40;
    pub const STATE: usize = 40;
    pub const POSTAL_CODE: usize = 10;
    /// RFC 5321's limit on a forward path (the address in angle brackets).
    pub const EMAIL: usize = 254;
}

/// Pushes an error when `value` is longer than `max` characters.
pub fn check_len(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        let n = v.chars().count();
        if n > max {
            errors.push(FieldError::invalid(field, format!("{field} must be at most {max} characters (got {n})")));
        }
    }
}

/// Whether `tz` names an IANA time zone (`America/New_York`).
pub fn is_iana_time_zone(tz: &str) -> bool {
    chrono_tz::Tz::from_str(tz).is_ok()
}

/// An ISO 3166 alpha-2 country code, upper-cased, if `code` is one (`us` → `US`).
/// A dialling code such as `1` is not.
pub fn country_code(code: &str) -> Option<String> {
    let up = code.trim().to_ascii_uppercase();
    (up.len() == 2 && up.bytes().all(|b| b.is_ascii_uppercase()) && phonenumber::country::Id::from_str(&up).is_ok())
        .then_some(up)
}

/// Whether `value` is a valid e-mail address.
pub fn is_email(value: &str) -> bool {
    email_address::EmailAddress::from_str(value.trim()).is_ok()
}

/// Normalises a telephone number (non-digits stripped; a leading `+` kept) and checks it.
/// With a `country` (ISO alpha-2, already checked) the number is read as that country's;
/// without one it must be international (`+17815551212`).
///
/// # Errors
/// A message saying why the number is not valid.
pub fn phone_number(value: &str, country: Option<&str>) -> Result<String, String> {
    let trimmed = value.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(format!("'{value}' is not a phone number"));
    }
    let normalised = if trimmed.starts_with('+') { format!("+{digits}") } else { digits };
    let region = match country {
        Some(c) => Some(phonenumber::country::Id::from_str(c).map_err(|_| format!("unknown country code '{c}'"))?),
        None if normalised.starts_with('+') => None,
        None => {
            return Err(format!(
                "'{value}' needs a countryCode, or must be written in international form (+17815551212)"
            ))
        }
    };
    let parsed = phonenumber::parse(region, &normalised).map_err(|_| format!("'{value}' is not a phone number"))?;
    if !phonenumber::is_valid(&parsed) {
        return Err(match country {
            Some(c) => format!("'{value}' is not a valid phone number for {c}"),
            None => format!("'{value}' is not a valid phone number"),
        });
    }
    Ok(normalised)
}

/// Checks one attribute value against its definition: its data type, then its
/// `definedValues` when it has any.
///
/// # Errors
/// A message for code 305.
pub fn attribute_value(def: &AttributeDef, value: &str) -> Result<(), String> {
    let v = value.trim();
    let typed = match def.data_type {
        AttributeDataType::String => true,
        AttributeDataType::Number => v.parse::<f64>().is_ok_and(f64::is_finite),
        AttributeDataType::Boolean => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        AttributeDataType::Date => is_date(v),
    };
    if !typed {
        return Err(format!("'{value}' is not a {} value for attribute {}", def.data_type.as_str(), def.name));
    }
    if !def.defined_values.is_empty() && !def.defined_values.iter().any(|d| d == value) {
        return Err(format!(
            "'{value}' is not one of the defined values of attribute {} ({})",
            def.name,
            def.defined_values.join(", ")
        ));
    }
    Ok(())
}

/// A DATE attribute value: epoch milliseconds, or a calendar date `YYYY-MM-DD`.
fn is_date(v: &str) -> bool {
    if v.parse::<i64>().is_ok() {
        return true;
    }
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1000..=9999).contains(&y) && (1..=days).contains(&d)
}

/// Checks a quiet time frame: `days` ⊆ 1..7 and not empty, hours 0–23, minutes 0–59, every
/// bound present. Errors are pushed with `field` as prefix (`paths[0].quietTimeFrames[1]`).
pub fn quiet_time_frame(
    input: &QuietTimeFrameInput,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<QuietTimeFrame> {
    let before = errors.len();
    if input.days.is_empty() {
        errors.push(FieldError::invalid(
            format!("{field}.days"),
            "days must list at least one day (1 = Sunday ... 7 = Saturday)",
        ));
    }
    for (i, d) in input.days.iter().enumerate() {
        if !(1..=7).contains(d) {
            errors.push(FieldError::invalid(
                format!("{field}.days[{i}]"),
                format!("day {d} is not in 1..7 (1 = Sunday ... 7 = Saturday)"),
            ));
        }
    }
    check_len(errors, &format!("{field}.name"), input.name.as_deref(), max_len::NAME);
    let mut bound = |name: &str, value: Option<i64>, max: i64| -> u8 {
        match value {
            None => {
                errors.push(FieldError::invalid(format!("{field}.{name}"), format!("{name} is required")));
                0
            }
            Some(v) if !(0..=max).contains(&v) => {
                errors.push(FieldError::invalid(
                    format!("{field}.{name}"),
                    format!("{name} must be in 0..{max} (got {v})"),
                ));
                0
            }
            Some(v) => v as u8,
        }
    };
    let frame = QuietTimeFrame {
        name: input.name.clone(),
        from_hour: bound("fromHour", input.from_hour, 23),
        from_min: bound("fromMin", input.from_min, 59),
        to_hour: bound("toHour", input.to_hour, 23),
        to_min: bound("toMin", input.to_min, 59),
        days: input.days.iter().map(|&d| d.clamp(0, 7) as u8).collect(),
    };
    (errors.len() == before).then_some(frame)
}

/// Pushes a "not found" error of `code` for `field`.
pub fn not_found(
    errors: &mut Vec<FieldError>,
    field: String,
    code: ErrorCode,
    what: &str,
    key: &dyn std::fmt::Display,
) {
    errors.push(FieldError::new(field, code, format!("{what} {key} not found in org")));
}
