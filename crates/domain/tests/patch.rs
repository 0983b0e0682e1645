//! PATCH in Everbridge's JSON-Patch dialect ([`contacts_domain::patch`]): one table row per
//! selector and operation, each with the field it must change or the error it must give,
//! then the whole-patch rules (all or nothing, every failure reported, unchanged detection,
//! validation failures blamed on their operation).

mod common;

use std::collections::BTreeSet;

use common::*;
use contacts_domain::patch::{parse_patch, patch_contact, PatchError, PatchOutcome, MAX_OPERATIONS};
use contacts_domain::Contact;
use serde_json::{json, Value};

const ORIGINAL_PHONE: &str = "+17815551212";

/// Reads a field of the patched contact as JSON.
type Get = fn(&Contact) -> Value;

/// The expected outcome of a row.
enum Want {
    /// Success, and the field read by the getter equals this.
    Field(Get, Value),
    /// Failure of one operation: `details` equals this and the message contains the text.
    Fails(&'static str, &'static str),
}
use Want::{Fails, Field};

fn run(ops: &Value) -> Result<PatchOutcome, Vec<PatchError>> {
    let ops = parse_patch(ops.clone()).unwrap_or_else(|e| panic!("the ops do not parse: {e:?}"));
    patch_contact(&stored(), &catalog(), &ops)
}

/// The stored contact with the outcome applied, memberships included.
fn patched(outcome: &PatchOutcome) -> Contact {
    let mut c = stored();
    c.data = outcome.data.clone();
    c.groups.extend(&outcome.added_groups);
    for g in &outcome.removed_groups {
        c.groups.remove(g);
    }
    c
}

fn groups(c: &Contact) -> Value {
    json!(c.groups.iter().collect::<Vec<_>>())
}
fn path_ids(c: &Contact) -> Value {
    json!(c.data.paths.iter().map(|p| p.path_id).collect::<Vec<_>>())
}
fn phone(c: &Contact) -> &contacts_domain::ContactPath {
    c.data.paths.iter().find(|p| p.path_id == PHONE).expect("the phone path")
}
fn email_value(c: &Contact) -> Value {
    json!(c.data.paths.iter().find(|p| p.path_id == EMAIL).map(|p| p.value.clone()))
}
fn attribute(c: &Contact, id: i64) -> Value {
    json!(c.data.attributes.iter().find(|a| a.attribute_id == id).map(|a| a.values.clone()))
}
fn hq(c: &Contact) -> &contacts_domain::Address {
    c.data.addresses.iter().find(|a| a.location_name.as_deref() == Some("HQ")).expect("the HQ address")
}

fn frame_json(to_hour: i64) -> Value {
    json!({"days": [2, 6], "fromHour": 22, "fromMin": 30, "toHour": to_hour, "toMin": 15})
}

/// Every selector with every operation it supports, and the failures of each.
#[allow(clippy::type_complexity)]
fn table() -> Vec<(&'static str, Value, Want)> {
    let op = |op: &str, path: String, value: Value| json!([{"op": op, "path": path, "value": value}]);
    let remove = |path: String| json!([{"op": "remove", "path": path}]);
    let phone_at = |field: &str| format!("/paths/pathId:{PHONE}/{field}");
    vec![
        // Scalars: add and replace set, remove clears; lenient values.
        (
            "replace firstName",
            op("replace", "/firstName".into(), json!("Anna")),
            Field(|c| json!(c.data.first_name), json!("Anna")),
        ),
        (
            "add middleInitial",
            op("add", "/middleInitial".into(), json!("Z")),
            Field(|c| json!(c.data.middle_initial), json!("Z")),
        ),
        ("remove suffix", remove("/suffix".into()), Field(|c| json!(c.data.suffix), Value::Null)),
        (
            "replace suffix with null clears",
            op("replace", "/suffix".into(), Value::Null),
            Field(|c| json!(c.data.suffix), Value::Null),
        ),
        (
            "replace lastName",
            op("replace", "/lastName".into(), json!("Smith")),
            Field(|c| json!(c.data.last_name), json!("Smith")),
        ),
        (
            "replace externalId (a rename)",
            op("replace", "/externalId".into(), json!(2)),
            Field(|c| json!(c.data.external_id), json!("2")),
        ),
        (
            "replace country",
            op("replace", "/country".into(), json!("CA")),
            Field(|c| json!(c.data.country), json!("CA")),
        ),
        (
            "replace businessName",
            op("replace", "/businessName".into(), json!("Initech")),
            Field(|c| json!(c.data.business_name), json!("Initech")),
        ),
        (
            "replace timezoneId",
            op("replace", "/timezoneId".into(), json!("Europe/Paris")),
            Field(|c| json!(c.data.timezone_id), json!("Europe/Paris")),
        ),
        (
            "replace language",
            op("replace", "/language".into(), json!("fr")),
            Field(|c| json!(c.data.language), json!("fr")),
        ),
        (
            "remove preferredLanguage",
            remove("/preferredLanguage".into()),
            Field(|c| json!(c.data.preferred_language), Value::Null),
        ),
        (
            "replace ssoUserId (a number as text)",
            op("replace", "/ssoUserId".into(), json!(77)),
            Field(|c| json!(c.data.sso_user_id), json!("77")),
        ),
        (
            "replace securityPin (any case)",
            op("replace", "/securityPin".into(), json!("9999")),
            Field(|c| json!(c.data.security_pin), json!("9999")),
        ),
        (
            "replace registeredEmail",
            op("replace", "/registeredEmail".into(), json!("f.lee@umail.example.edu")),
            Field(|c| json!(c.data.registered_email), json!("f.lee@umail.example.edu")),
        ),
        (
            "remove registeredEmail",
            op("remove", "/registeredEmail".into(), Value::Null),
            Field(|c| json!(c.data.registered_email), Value::Null),
        ),
        (
            "replace accountId as a string",
            op("replace", "/accountId".into(), json!("12")),
            Field(|c| json!(c.data.account_id), json!(12)),
        ),
        (
            "replace vip as a string",
            op("replace", "/vip".into(), json!("false")),
            Field(|c| json!(c.data.vip), json!(false)),
        ),
        ("remove expatriate", remove("/expatriate".into()), Field(|c| json!(c.data.expatriate), Value::Null)),
        (
            "replace recordTypeName (the id follows)",
            op("replace", "/recordTypeName".into(), json!("Contractor")),
            Field(|c| json!(c.data.record_type_id), json!(CONTRACTOR)),
        ),
        (
            "replace recordTypeId",
            op("replace", "/recordTypeId".into(), json!(CONTRACTOR.to_string())),
            Field(|c| json!(c.data.record_type_id), json!(CONTRACTOR)),
        ),
        (
            "a path without its leading slash",
            op("replace", "firstName".into(), json!("Anna")),
            Field(|c| json!(c.data.first_name), json!("Anna")),
        ),
        (
            "op in upper case",
            json!([{"op": "REPLACE", "path": "/firstName", "value": "Anna"}]),
            Field(|c| json!(c.data.first_name), json!("Anna")),
        ),
        ("remove firstName", remove("/firstName".into()), Fails("/firstName", "required")),
        ("replace lastName with null", op("replace", "/lastName".into(), Value::Null), Fails("/lastName", "required")),
        ("remove externalId", remove("/externalId".into()), Fails("/externalId", "required")),
        ("remove recordTypeId", remove("/recordTypeId".into()), Fails("/recordTypeId", "record type is required")),
        (
            "remove recordTypeName",
            remove("/recordTypeName".into()),
            Fails("/recordTypeName", "record type is required"),
        ),
        ("unknown field", op("replace", "/nickname".into(), json!("x")), Fails("/nickname", "unknown field")),
        ("read-only id", op("replace", "/id".into(), json!(9)), Fails("/id", "read-only")),
        ("read-only version", op("replace", "/version".into(), json!(9)), Fails("/version", "read-only")),
        ("the whole contact", op("replace", "/".into(), json!({})), Fails("/", "use PUT")),
        (
            "an empty segment",
            op("replace", "/paths//value".into(), json!("x")),
            Fails("/paths//value", "empty segment"),
        ),
        (
            "a member of a scalar",
            op("replace", "/firstName/x".into(), json!("x")),
            Fails("/firstName/x", "single value"),
        ),
        ("wrong type: vip", op("replace", "/vip".into(), json!("maybe")), Fails("/vip", "does not fit")),
        (
            "wrong type: an object for a string",
            op("replace", "/firstName".into(), json!({"a": 1})),
            Fails("/firstName", "single value"),
        ),
        ("add without a value", json!([{"op": "add", "path": "/firstName"}]), Fails("/firstName", "value is required")),
        // Paths: a field selected by pathId or prompt.
        (
            "replace a path value by pathId",
            op("replace", phone_at("value"), json!("+17815550000")),
            Field(|c| json!(phone(c).value), json!("+17815550000")),
        ),
        (
            "replace pathEnable by prompt",
            op("replace", "/paths/prompt:phone/pathEnable".into(), json!(false)),
            Field(|c| json!(phone(c).path_enable), json!(false)),
        ),
        (
            "replace countryCode",
            op("replace", phone_at("countryCode"), json!("us")),
            Field(|c| json!(phone(c).country_code), json!("US")),
        ),
        (
            "replace phoneExt",
            op("replace", phone_at("phoneExt"), json!("99")),
            Field(|c| json!(phone(c).phone_ext), json!("99")),
        ),
        ("remove phoneExt", remove(phone_at("phoneExt")), Field(|c| json!(phone(c).phone_ext), Value::Null)),
        (
            "replace waitTime as a string",
            op("replace", phone_at("waitTime"), json!("7")),
            Field(|c| json!(phone(c).wait_time), json!(7)),
        ),
        (
            "replace skipValidation",
            op("replace", phone_at("skipValidation"), json!("true")),
            Field(|c| json!(phone(c).skip_validation), json!(true)),
        ),
        (
            "remove quietTimeFrames",
            remove(phone_at("quietTimeFrames")),
            Field(|c| json!(phone(c).quiet_time_frames.len()), json!(0)),
        ),
        (
            "replace quietTimeFrames",
            op("replace", phone_at("quietTimeFrames"), json!([frame_json(7), frame_json(8)])),
            Field(|c| json!(phone(c).quiet_time_frames.iter().map(|f| f.to_hour).collect::<Vec<_>>()), json!([7, 8])),
        ),
        (
            "append a quiet time frame",
            op("add", phone_at("quietTimeFrames/-"), frame_json(9)),
            Field(|c| json!(phone(c).quiet_time_frames.iter().map(|f| f.to_hour).collect::<Vec<_>>()), json!([6, 9])),
        ),
        (
            "replace a field of a quiet time frame",
            op("replace", phone_at("quietTimeFrames/0/toHour"), json!(7)),
            Field(|c| json!(phone(c).quiet_time_frames[0].to_hour), json!(7)),
        ),
        (
            "append a day of a quiet time frame",
            op("add", phone_at("quietTimeFrames/0/days/-"), json!(7)),
            Field(|c| json!(phone(c).quiet_time_frames[0].days), json!([2, 6, 7])),
        ),
        (
            "remove a day by value",
            remove(phone_at("quietTimeFrames/0/days/value:2")),
            Field(|c| json!(phone(c).quiet_time_frames[0].days), json!([6])),
        ),
        (
            "remove a quiet time frame by position",
            remove(phone_at("quietTimeFrames/0")),
            Field(|c| json!(phone(c).quiet_time_frames.len()), json!(0)),
        ),
        (
            "a quiet time frame the contact does not have, by name",
            remove(phone_at("quietTimeFrames/name:night")),
            Fails("", "no quiet time frame name:night"),
        ),
        (
            "add a named quiet time frame, then replace its hour by name",
            json!([
                {"op": "add", "path": phone_at("quietTimeFrames/-"),
                 "value": {"name": "MWF 9-5", "days": [2, 4, 6], "fromHour": 9, "fromMin": 0, "toHour": 17, "toMin": 0}},
                {"op": "replace", "path": phone_at("quietTimeFrames/name:MWF 9-5/toHour"), "value": 18},
            ]),
            Field(
                |c| {
                    let f = phone(c).quiet_time_frames.last().unwrap();
                    json!([f.name, f.to_hour])
                },
                json!(["MWF 9-5", 18]),
            ),
        ),
        (
            "an out-of-range quiet time frame hour",
            op("replace", phone_at("quietTimeFrames/0/toHour"), json!(24)),
            Fails("paths[0].quietTimeFrames[0].toHour", ""),
        ),
        (
            "add a path with /paths/-",
            op("add", "/paths/-".into(), json!({"pathId": HOME_PHONE, "value": "+17815550001"})),
            Field(path_ids, json!([PHONE, EMAIL, HOME_PHONE])),
        ),
        (
            "add a path with Everbridge's /paths/~",
            op("add", "/paths/~".into(), json!({"prompt": "SMS 1", "value": "+17815550002"})),
            Field(path_ids, json!([PHONE, EMAIL, SMS])),
        ),
        (
            "insert a path at a position",
            op("add", "/paths/0".into(), json!({"pathId": HOME_PHONE, "value": "+17815550001"})),
            Field(path_ids, json!([HOME_PHONE, PHONE, EMAIL])),
        ),
        (
            "add a path field of a missing path creates it",
            op("add", format!("/paths/pathId:{HOME_PHONE}/value"), json!("+17815550003")),
            Field(path_ids, json!([PHONE, EMAIL, HOME_PHONE])),
        ),
        ("remove a whole path", remove(format!("/paths/pathId:{EMAIL}")), Field(path_ids, json!([PHONE]))),
        ("remove a path by prompt", remove("/paths/prompt:Email Address 1".into()), Field(path_ids, json!([PHONE]))),
        (
            "replace a whole path keeps its identity",
            op("replace", format!("/paths/pathId:{EMAIL}"), json!({"value": "new@example.com"})),
            Field(email_value, json!("new@example.com")),
        ),
        (
            "replace a path value by position",
            op("replace", "/paths/1/value".into(), json!("idx@example.com")),
            Field(email_value, json!("idx@example.com")),
        ),
        ("remove a path by position", remove("/paths/0".into()), Field(path_ids, json!([EMAIL]))),
        (
            "replace every path",
            op("replace", "/paths".into(), json!([{"pathId": EMAIL, "value": "all@example.com"}])),
            Field(path_ids, json!([EMAIL])),
        ),
        ("remove every path", remove("/paths".into()), Field(path_ids, json!([]))),
        (
            "replace a field of a path the contact lacks",
            op("replace", format!("/paths/pathId:{HOME_PHONE}/value"), json!("+17815550003")),
            Fails("", "has no path"),
        ),
        ("remove a path the contact lacks", remove(format!("/paths/pathId:{SMS}")), Fails("", "has no path")),
        (
            "a path the organization lacks",
            op("replace", "/paths/pathId:999/value".into(), json!("x")),
            Fails("", "does not exist"),
        ),
        (
            "a prompt the organization lacks",
            op("replace", "/paths/prompt:fax/value".into(), json!("x")),
            Fails("", "prompt 'fax'"),
        ),
        (
            "a pathId that is not a number",
            op("replace", "/paths/pathId:abc/value".into(), json!("x")),
            Fails("", "must be an integer"),
        ),
        (
            "an unknown path selector",
            op("replace", "/paths/type:PHONE/value".into(), json!("x")),
            Fails("", "unknown selector"),
        ),
        ("an unknown path field", op("replace", phone_at("color"), json!("red")), Fails("", "unknown field 'color'")),
        ("the pathId of a path", op("replace", phone_at("pathId"), json!(1)), Fails("", "unknown field 'pathId'")),
        (
            "a position past the end",
            op("replace", "/paths/5/value".into(), json!("x")),
            Fails("", "no path at position 5"),
        ),
        ("replace with /paths/-", op("replace", "/paths/-".into(), json!({})), Fails("", "only add")),
        (
            "a path that is not an object",
            op("add", "/paths/-".into(), json!("+17815550003")),
            Fails("", "must be given as an object"),
        ),
        ("paths that are not a list", op("replace", "/paths".into(), json!("x")), Fails("", "takes an array")),
        ("a wrong type in a path", op("replace", phone_at("waitTime"), json!("soon")), Fails("", "does not fit")),
        ("an invalid phone number", op("replace", phone_at("value"), json!("abc")), Fails("paths[0].value", "")),
        (
            "the same path twice",
            op("add", "/paths/-".into(), json!({"pathId": PHONE, "value": "+17815550004"})),
            Fails("paths[2].pathId", "twice"),
        ),
        // Contact attributes.
        (
            "replace attribute values by orgAttrId",
            op("replace", format!("/contactAttributes/orgAttrId:{ATTR1}/values"), json!(["option2", "option3"])),
            Field(|c| attribute(c, ATTR1), json!(["option2", "option3"])),
        ),
        (
            "replace attribute values by name",
            op("replace", "/contactAttributes/name:attr1/values".into(), json!(["option3"])),
            Field(|c| attribute(c, ATTR1), json!(["option3"])),
        ),
        (
            "append an attribute value",
            op("add", "/contactAttributes/name:attr1/values/-".into(), json!("option2")),
            Field(|c| attribute(c, ATTR1), json!(["option1", "option2"])),
        ),
        (
            "remove an attribute value by value",
            remove("/contactAttributes/name:attr1/values/value:option1".into()),
            Field(|c| attribute(c, ATTR1), json!([])),
        ),
        (
            "add an attribute with /contactAttributes/-",
            op("add", "/contactAttributes/-".into(), json!({"name": "onCall", "values": ["true"]})),
            Field(|c| attribute(c, ATTR_ON_CALL), json!(["true"])),
        ),
        (
            "add the values of an attribute the contact lacks",
            op("add", "/contactAttributes/name:note/values".into(), json!(["hello"])),
            Field(|c| attribute(c, ATTR_NOTE), json!(["hello"])),
        ),
        (
            "remove an attribute",
            remove(format!("/contactAttributes/orgAttrId:{ATTR_LEVEL}")),
            Field(|c| attribute(c, ATTR_LEVEL), Value::Null),
        ),
        (
            "remove an attribute the contact lacks",
            remove("/contactAttributes/name:note".into()),
            Fails("", "has no contact attribute"),
        ),
        (
            "an attribute the organization lacks",
            op("replace", "/contactAttributes/name:nope/values".into(), json!([])),
            Fails("", "does not exist"),
        ),
        (
            "a value outside definedValues",
            op("replace", "/contactAttributes/name:attr1/values".into(), json!(["option9"])),
            Fails("contactAttributes[0].values[0]", ""),
        ),
        (
            "remove a value the attribute lacks",
            remove("/contactAttributes/name:attr1/values/value:option3".into()),
            Fails("", "no element option3"),
        ),
        // Addresses.
        (
            "replace an address field",
            op("replace", "/address/locationName:HQ/city".into(), json!("Cambridge")),
            Field(|c| json!(hq(c).city), json!("Cambridge")),
        ),
        (
            "remove an address field",
            remove("/address/locationName:HQ/suite".into()),
            Field(|c| json!(hq(c).suite), Value::Null),
        ),
        (
            "replace a GIS coordinate",
            op("replace", "/address/locationName:HQ/gisLocation/lat".into(), json!("40.5")),
            Field(|c| json!(hq(c).gis_location.map(|g| g.lat())), json!(40.5)),
        ),
        (
            "remove the GIS location",
            remove("/address/locationName:HQ/gisLocation".into()),
            Field(|c| json!(hq(c).gis_location.is_none()), json!(true)),
        ),
        (
            "add an address with /address/-",
            op("add", "/address/-".into(), json!({"locationName": "Home", "city": "Salem"})),
            Field(|c| json!(c.data.addresses.len()), json!(2)),
        ),
        (
            "add an address with the plural key",
            op("add", "/addresses/-".into(), json!({"locationName": "Home"})),
            Field(|c| json!(c.data.addresses.len()), json!(2)),
        ),
        (
            "add a field of an address the contact lacks",
            op("add", "/address/locationName:Home/city".into(), json!("Salem")),
            Field(
                |c| json!(c.data.addresses.iter().map(|a| a.location_name.clone()).collect::<Vec<_>>()),
                json!(["HQ", "Home"]),
            ),
        ),
        (
            "remove an address",
            remove("/address/locationName:HQ".into()),
            Field(|c| json!(c.data.addresses.len()), json!(0)),
        ),
        (
            "replace a field of an address the contact lacks",
            op("replace", "/address/locationName:Home/city".into(), json!("Salem")),
            Fails("", "has no address"),
        ),
        (
            "an unknown address field",
            op("replace", "/address/locationName:HQ/planet".into(), json!("Mars")),
            Fails("", "unknown field 'planet'"),
        ),
        (
            "an invalid address country",
            op("replace", "/address/locationName:HQ/country".into(), json!("USA")),
            Fails("address[0].country", ""),
        ),
        // Topics.
        (
            "add a topic",
            op("add", "/topics/-".into(), json!(TOPIC_SECURITY)),
            Field(|c| json!(c.data.topics), json!([TOPIC_WEATHER, TOPIC_TRAFFIC, TOPIC_SECURITY])),
        ),
        (
            "add a topic by value",
            op("add", format!("/topics/value:{TOPIC_SECURITY}"), Value::Null),
            Field(|c| json!(c.data.topics), json!([TOPIC_WEATHER, TOPIC_TRAFFIC, TOPIC_SECURITY])),
        ),
        (
            "remove a topic",
            remove(format!("/topics/value:{TOPIC_WEATHER}")),
            Field(|c| json!(c.data.topics), json!([TOPIC_TRAFFIC])),
        ),
        (
            "replace a topic",
            op("replace", format!("/topics/value:{TOPIC_WEATHER}"), json!(TOPIC_SECURITY)),
            Field(|c| json!(c.data.topics), json!([TOPIC_SECURITY, TOPIC_TRAFFIC])),
        ),
        (
            "replace every topic",
            op("replace", "/topics".into(), json!([TOPIC_SECURITY])),
            Field(|c| json!(c.data.topics), json!([TOPIC_SECURITY])),
        ),
        ("remove every topic", remove("/topics".into()), Field(|c| json!(c.data.topics), json!([]))),
        (
            "remove a topic the contact lacks",
            remove(format!("/topics/value:{TOPIC_SECURITY}")),
            Fails("", "no element"),
        ),
        ("a topic the organization lacks", op("add", "/topics/-".into(), json!(999)), Fails("topics[2]", "")),
        ("a topic selected by a key", remove("/topics/id:11".into()), Fails("", "unknown selector")),
        // Groups: PATCH may remove a membership.
        ("join a group with /groups/-", op("add", "/groups/-".into(), json!(2)), Field(groups, json!([1, 2]))),
        ("join a group given as a string", op("add", "/groups/-".into(), json!("3")), Field(groups, json!([1, 3]))),
        ("join a group by value", op("add", "/groups/value:2".into(), Value::Null), Field(groups, json!([1, 2]))),
        ("leave a group", remove("/groups/value:1".into()), Field(groups, json!([]))),
        ("swap a group", op("replace", "/groups/value:1".into(), json!(3)), Field(groups, json!([3]))),
        ("set every group", op("replace", "/groups".into(), json!([2, "3"])), Field(groups, json!([2, 3]))),
        ("leave every group", remove("/groups".into()), Field(groups, json!([]))),
        ("join a group by name", op("add", "/groupsName/-".into(), json!("group2")), Field(groups, json!([1, 2]))),
        (
            "join a group by name with Everbridge's ~",
            op("add", "/groupsName/~".into(), json!("group3")),
            Field(groups, json!([1, 3])),
        ),
        ("leave a group by name", remove("/groupsName/value:group1".into()), Field(groups, json!([]))),
        ("set every group by name", op("replace", "/groupsName".into(), json!(["group2"])), Field(groups, json!([2]))),
        ("leave a group the contact is not in", remove("/groups/value:2".into()), Fails("", "not a member of group 2")),
        (
            "join a group the organization lacks",
            op("add", "/groups/-".into(), json!(99)),
            Fails("", "group 99 does not exist"),
        ),
        (
            "join a group name the organization lacks",
            op("add", "/groupsName/-".into(), json!("nope")),
            Fails("", "'nope' does not exist"),
        ),
        ("a group selected by position", remove("/groups/0".into()), Fails("", "not by position")),
        (
            "a group id that is not a number",
            op("add", "/groups/-".into(), json!("abc")),
            Fails("", "must be an integer"),
        ),
        ("a field of a group", op("replace", "/groups/value:1/name".into(), json!("x")), Fails("", "no field")),
    ]
}

#[test]
fn patch_every_selector_and_operation() {
    let mut failures = Vec::new();
    for (case, ops, want) in table() {
        let result = run(&ops);
        let sent = ops[0].clone();
        match (want, result) {
            (Field(get, expected), Ok(outcome)) => {
                let got = get(&patched(&outcome));
                if got != expected {
                    failures.push(format!("[{case}] expected {expected}, got {got}"));
                }
                if !outcome.changed {
                    failures.push(format!("[{case}] expected a change"));
                }
            }
            (Field(_, expected), Err(errors)) => {
                failures.push(format!("[{case}] expected {expected}, got {errors:#?}"))
            }
            (Fails(details, text), Ok(outcome)) => {
                failures.push(format!("[{case}] expected an error ({details}: {text}), got {:?}", outcome.data))
            }
            (Fails(details, text), Err(errors)) => {
                let ok = errors.len() == 1 && {
                    let e = &errors[0];
                    let details_ok = if details.is_empty() { e.details == sent["path"] } else { e.details == details };
                    details_ok && e.message.contains(text) && e.op == sent && e.index == Some(0)
                };
                if !ok {
                    failures.push(format!(
                        "[{case}] expected one error ({details}: {text}) blaming the op, got {errors:#?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn patch_applies_whole_or_not_at_all_and_reports_every_failing_operation() {
    let ops = json!([
        {"op": "replace", "path": "/firstName", "value": "Anna"},
        {"op": "replace", "path": "/nickname", "value": "x"},
        {"op": "add", "path": "/groups/-", "value": 2},
        {"op": "remove", "path": "/paths/pathId:241901148045320"},
    ]);
    let errors = run(&ops).expect_err("two operations fail");
    assert_eq!(errors.iter().map(|e| e.index).collect::<Vec<_>>(), [Some(1), Some(3)], "{errors:#?}");
    assert_eq!(errors[0].op, ops[1]);
    assert_eq!(errors[1].op, ops[3]);
}

#[test]
fn patch_operations_apply_in_order() {
    let ops = json!([
        {"op": "add", "path": "/paths/-", "value": {"pathId": HOME_PHONE, "value": "+17815550001"}},
        {"op": "replace", "path": format!("/paths/pathId:{HOME_PHONE}/value"), "value": "+17815550002"},
        {"op": "remove", "path": "/paths/0"},
        {"op": "remove", "path": "/groups/value:1"},
        {"op": "add", "path": "/groups/value:1"},
    ]);
    let c = patched(&run(&ops).expect("a valid patch"));
    assert_eq!(path_ids(&c), json!([EMAIL, HOME_PHONE]));
    assert_eq!(c.data.paths[1].value, "+17815550002");
    assert_eq!(groups(&c), json!([1]));
}

#[test]
fn patch_empty_or_of_stored_values_changes_nothing() {
    for ops in [
        json!([]),
        json!([{"op": "replace", "path": "/firstName", "value": "Fiona"}]),
        json!([{"op": "replace", "path": format!("/paths/pathId:{PHONE}/value"), "value": ORIGINAL_PHONE}]),
        json!([{"op": "add", "path": "/groups/-", "value": 1}]),
        json!([{"op": "add", "path": "/groups/-", "value": 2}, {"op": "remove", "path": "/groups/value:2"}]),
    ] {
        let outcome = run(&ops).expect("a valid patch");
        assert!(!outcome.changed, "{ops}");
        assert_eq!(outcome.data, stored().data, "{ops}");
        assert!(outcome.added_groups.is_empty() && outcome.removed_groups.is_empty(), "{ops}");
    }
}

#[test]
fn patch_memberships_alone_are_a_change() {
    let outcome =
        run(&json!([{"op": "remove", "path": "/groups/value:1"}, {"op": "add", "path": "/groups/-", "value": 3}]))
            .expect("a valid patch");
    assert!(outcome.changed);
    assert_eq!(outcome.data, stored().data);
    assert_eq!((outcome.added_groups, outcome.removed_groups), (vec![3], vec![1]));
}

#[test]
fn patch_a_validation_failure_is_blamed_on_the_operation_that_caused_it() {
    let ops = json!([
        {"op": "replace", "path": "/firstName", "value": "Anna"},
        {"op": "add", "path": "/paths/-", "value": {"pathId": HOME_PHONE, "value": "not a number"}},
        {"op": "replace", "path": format!("/paths/pathId:{PHONE}/pathEnable"), "value": false},
        {"op": "remove", "path": "/timezoneId"},
    ]);
    let errors = run(&ops).expect_err("invalid result");
    let blamed: Vec<(String, Option<usize>)> = errors.iter().map(|e| (e.details.clone(), e.index)).collect();
    assert!(blamed.contains(&("paths[2].value".into(), Some(1))), "{errors:#?}");
    assert!(blamed.contains(&("timezoneId".into(), Some(3))), "{errors:#?}");
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

#[test]
fn patch_a_time_zone_required_by_new_quiet_time_frames_is_blamed_on_them() {
    let mut contact = stored();
    contact.data.timezone_id = None;
    contact.data.paths[0].quiet_time_frames.clear();
    let ops = parse_patch(json!([
        {"op": "replace", "path": "/firstName", "value": "Anna"},
        {"op": "add", "path": format!("/paths/pathId:{PHONE}/quietTimeFrames/-"), "value": frame_json(6)},
        {"op": "replace", "path": "/lastName", "value": "Smith"},
    ]))
    .unwrap();
    let errors = patch_contact(&contact, &catalog(), &ops).expect_err("a time zone is required");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!((errors[0].details.as_str(), errors[0].index), ("timezoneId", Some(1)));
}

#[test]
fn patch_malformed_operations_are_all_reported_before_anything_applies() {
    let errors = parse_patch(json!([
        {"op": "replace", "path": "/firstName", "value": "A"},
        {"op": "move", "from": "/firstName", "path": "/lastName"},
        {"path": "/firstName", "value": "A"},
        {"op": "remove"},
        "remove /firstName",
    ]))
    .expect_err("malformed operations");
    let got: Vec<(Option<usize>, &str)> = errors.iter().map(|e| (e.index, e.details.as_str())).collect();
    assert_eq!(got, [(Some(1), "op"), (Some(2), "op"), (Some(3), "path"), (Some(4), "op")]);
    assert!(errors[0].message.contains("'move' is not supported"), "{errors:#?}");
    assert_eq!(errors[3].op, json!("remove /firstName"));

    let errors = parse_patch(json!({"op": "remove", "path": "/suffix"})).expect_err("not an array");
    assert_eq!((errors[0].index, errors[0].op.clone()), (None, Value::Null));

    let op = json!({"op": "remove", "path": "/suffix"});
    assert!(parse_patch(Value::Array(vec![op.clone(); MAX_OPERATIONS])).is_ok());
    let errors = parse_patch(Value::Array(vec![op; MAX_OPERATIONS + 1])).expect_err("too long");
    assert!(errors[0].message.contains("at most 1000 operations"), "{errors:?}");
}

#[test]
fn patch_selectors_accept_escaped_names() {
    let mut catalog = catalog();
    catalog = contacts_domain::Catalog::new(
        catalog.record_types.clone(),
        vec![contacts_domain::Group { id: 9, name: "R/D~x".into(), parent_id: None, description: None }],
        std::mem::take(&mut catalog.attributes),
        std::mem::take(&mut catalog.paths),
        std::mem::take(&mut catalog.topics),
    );
    let mut contact = stored();
    contact.groups = BTreeSet::new();
    let ops = parse_patch(json!([{"op": "add", "path": "/groupsName/value:R~1D~0x"}])).unwrap();
    let outcome = patch_contact(&contact, &catalog, &ops).expect("a valid patch");
    assert_eq!(outcome.added_groups, [9]);
}
