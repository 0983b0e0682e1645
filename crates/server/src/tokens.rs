//! `contacts-server token create|list|revoke`: API tokens on the command line, each answering
//! one JSON value (SPEC §5).

use anyhow::Context;
use contacts_application::auth::{generate_token, token_hash, Role, TokenRecord};
use contacts_application::ports::{Directory, NewToken};
use contacts_application::StoreError;
use serde_json::{json, Value};

use crate::config::TokenCommand;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Runs `command` at `now` (epoch milliseconds) and returns what it prints.
///
/// # Errors
/// An organization or token that does not exist, a name active already, a store failure:
/// each in one sentence.
pub async fn run(directory: &dyn Directory, command: TokenCommand, now: i64) -> anyhow::Result<Value> {
    match command {
        TokenCommand::Create { org, role, name, expires_in_days } => {
            let role = Role::parse(&role).context("role must be admin, editor or viewer")?;
            directory.organization(org).await?.with_context(|| format!("organization {org} does not exist"))?;
            let secret = generate_token();
            let hash = token_hash(&secret);
            let name = name.unwrap_or_else(|| format!("token-{}", &hash[..8]));
            let expires_at = expires_in_days.map(|d| now + i64::from(d) * DAY_MS);
            let new = NewToken { organization_id: org, name: name.clone(), role, hash, created_at: now, expires_at };
            let token = directory.create_token(new).await.map_err(|e| match e {
                StoreError::Duplicate(_) => {
                    anyhow::anyhow!(
                        "a token named {name:?} is active in organization {org}: revoke it or choose another name"
                    )
                }
                other => other.into(),
            })?;
            let mut out = describe(&token);
            out["token"] = json!(secret);
            Ok(out)
        }
        TokenCommand::List { org } => {
            directory.organization(org).await?.with_context(|| format!("organization {org} does not exist"))?;
            let tokens = directory.tokens(org).await?;
            Ok(Value::Array(tokens.iter().map(describe).collect()))
        }
        TokenCommand::Revoke { id } => {
            let token = directory.revoke_token(id, now).await?.with_context(|| format!("token {id} does not exist"))?;
            Ok(describe(&token))
        }
    }
}

/// A token as the commands show it: everything but its secret, which is not stored.
fn describe(t: &TokenRecord) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "organizationId": t.organization_id,
        "role": t.role.as_str(),
        "createdAt": t.created_at,
        "expiresAt": t.expires_at,
        "revokedAt": t.revoked_at,
    })
}
