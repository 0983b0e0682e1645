//! API tokens: stored with their hash and read back by it, listed per organization without it,
//! one active token per name, revocation kept at its first time, references checked.

use std::sync::Arc;

use contacts_application::auth::{token_hash, Role, TokenRecord};
use contacts_application::ports::NewToken;
use contacts_application::StoreError;

use crate::fixtures::NOW;
use crate::TestStore;

fn new_token(org: i64, name: &str, secret: &str, role: Role, expires_at: Option<i64>) -> NewToken {
    NewToken {
        organization_id: org,
        name: name.to_owned(),
        role,
        hash: token_hash(secret),
        created_at: NOW,
        expires_at,
    }
}

/// A token is found by the hash of its secret only, listed with its organization's tokens in
/// creation order, and revoked once: a second revocation keeps the first time; its name is
/// free again after it. A second active token of one name, and a token of an organization
/// that does not exist, are refused and leave nothing behind.
pub async fn tokens_are_found_by_hash_listed_per_organization_and_revoked<S: TestStore>(store: Arc<S>) {
    let a = store.create_organization(None, "A").await.unwrap().id;
    let b = store.create_organization(None, "B").await.unwrap().id;
    let sync = store.create_token(new_token(a, "sync", "secret-1", Role::Editor, None)).await.unwrap();
    let expected = TokenRecord {
        id: sync.id,
        organization_id: a,
        name: "sync".into(),
        role: Role::Editor,
        created_at: NOW,
        expires_at: None,
        revoked_at: None,
    };
    assert_eq!(sync, expected);
    let report = store.create_token(new_token(a, "report", "secret-2", Role::Viewer, Some(NOW + 10))).await.unwrap();
    assert!(report.id > sync.id, "ids ascend: {} then {}", sync.id, report.id);
    assert_eq!((report.role, report.expires_at), (Role::Viewer, Some(NOW + 10)));
    // The same name in another organization is another token.
    let other = store.create_token(new_token(b, "sync", "secret-3", Role::Admin, None)).await.unwrap();

    assert_eq!(store.find_token(&token_hash("secret-1")).await.unwrap(), Some(expected.clone()));
    assert_eq!(store.find_token(&token_hash("secret-3")).await.unwrap().map(|t| t.organization_id), Some(b));
    // The secret itself, or a hash of another text, finds nothing.
    assert_eq!(store.find_token("secret-1").await.unwrap(), None);
    assert_eq!(store.find_token(&token_hash("secret-4")).await.unwrap(), None);

    let listed: Vec<i64> = store.tokens(a).await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(listed, vec![sync.id, report.id]);
    assert_eq!(store.tokens(b).await.unwrap(), vec![other.clone()]);

    let dup = store.create_token(new_token(a, "sync", "secret-5", Role::Viewer, None)).await;
    assert!(matches!(&dup, Err(StoreError::Duplicate(m)) if m.contains("name")), "{dup:?}");
    let missing = store.create_token(new_token(a + b + 1, "x", "secret-6", Role::Viewer, None)).await;
    assert!(matches!(&missing, Err(StoreError::MissingReference(_))), "{missing:?}");
    assert_eq!(store.find_token(&token_hash("secret-5")).await.unwrap(), None);
    assert_eq!(store.find_token(&token_hash("secret-6")).await.unwrap(), None);

    let revoked = store.revoke_token(sync.id, NOW + 5).await.unwrap();
    assert_eq!(revoked, Some(TokenRecord { revoked_at: Some(NOW + 5), ..expected.clone() }));
    let again = store.revoke_token(sync.id, NOW + 9).await.unwrap();
    assert_eq!(again.and_then(|t| t.revoked_at), Some(NOW + 5));
    assert_eq!(store.find_token(&token_hash("secret-1")).await.unwrap().and_then(|t| t.revoked_at), Some(NOW + 5));
    assert_eq!(store.revoke_token(other.id + 100, NOW).await.unwrap(), None);
    // Another organization's token is untouched.
    assert_eq!(store.tokens(b).await.unwrap(), vec![other]);

    let renewed = store.create_token(new_token(a, "sync", "secret-7", Role::Editor, None)).await.unwrap();
    assert_ne!(renewed.id, sync.id);
    let states: Vec<(i64, Option<i64>)> = store.tokens(a).await.unwrap().iter().map(|t| (t.id, t.revoked_at)).collect();
    assert_eq!(states, vec![(sync.id, Some(NOW + 5)), (report.id, None), (renewed.id, None)]);
}
