//! `contacts-server demo`: the organization of the API documentation's examples, so that they
//! work as written. Idempotent: what exists is kept, what is missing is created.

use contacts_application::auth::{hash_password, Role};
use contacts_application::ports::{CatalogStore, Directory};
use contacts_domain::{AttributeDataType, AttributeDef, Group, PathDef, PathType, RecordType};
use serde_json::{json, Value};

pub const DEMO_ORG_ID: i64 = 1;
pub const EMPLOYEE_ID: i64 = 1_533_823_015_714_817;
pub const ATTR1_ID: i64 = 1_509_768_514_502_692;
pub const PHONE_PATH_ID: i64 = 241_901_148_045_319;

/// Creates what is missing of the demo organization and returns its ids as JSON.
///
/// # Errors
/// When the store fails.
pub async fn ensure<S: CatalogStore + Directory + ?Sized>(store: &S) -> anyhow::Result<Value> {
    if store.organization(DEMO_ORG_ID).await?.is_none() {
        store.create_organization(Some(DEMO_ORG_ID), "Demo").await?;
    }
    let org = DEMO_ORG_ID;
    let catalog = store.load_catalog(org).await?;
    if catalog.record_type(EMPLOYEE_ID).is_none() {
        store.create_record_type(org, RecordType { id: EMPLOYEE_ID, name: "Employee".into() }).await?;
    }
    for (id, name) in [(1, "group1"), (2, "group2"), (3, "group3")] {
        if catalog.group(id).is_none() {
            store.create_group(org, Group { id, name: name.into(), parent_id: None, description: None }).await?;
        }
    }
    if catalog.attribute(ATTR1_ID).is_none() {
        let def = AttributeDef {
            id: ATTR1_ID,
            name: "attr1".into(),
            data_type: AttributeDataType::String,
            defined_values: vec!["option1".into(), "option2".into(), "option3".into()],
            display_format: Some("S".into()),
        };
        store.create_attribute(org, def).await?;
    }
    let phone = PathDef { path_id: PHONE_PATH_ID, prompt: "phone".into(), path_type: PathType::Phone };
    match catalog.path(PHONE_PATH_ID) {
        None => {
            store.create_path(org, phone).await?;
        }
        Some(p) if p.prompt != "phone" => {
            store.update_path(org, phone).await?;
        }
        Some(_) => {}
    }
    let hash = hash_password("demo")?;
    store.upsert_user("demo", &hash, org, Role::Admin).await?;
    Ok(json!({
        "organizationId": org,
        "recordType": {"id": EMPLOYEE_ID, "name": "Employee"},
        "groups": [{"id": 1, "name": "group1"}, {"id": 2, "name": "group2"}, {"id": 3, "name": "group3"}],
        "contactAttribute": {"id": ATTR1_ID, "name": "attr1", "definedValues": ["option1", "option2", "option3"]},
        "contactPath": {"pathId": PHONE_PATH_ID, "prompt": "phone", "type": "PHONE"},
        "user": {"username": "demo", "password": "demo", "role": "admin"}
    }))
}
