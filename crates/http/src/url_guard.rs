//! URLs no handler can read: a path or query that is not UTF-8 once percent-decoded, or that
//! holds a NUL character (`%00`). Answered here, for every route, with the error envelope: the
//! path extractor's own answer to the first was a plain-text 400, and the second reached
//! PostgreSQL, whose text cannot hold NUL (a 500). Found by the bad_input drill.

use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub(crate) async fn readable_url(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match problem(req.uri()) {
        Some(message) => ApiError::BadRequest(message).into_response(),
        None => next.run(req).await,
    }
}

/// What makes `uri` unreadable, if anything.
fn problem(uri: &Uri) -> Option<String> {
    for (part, text) in [("path", uri.path()), ("query", uri.query().unwrap_or_default())] {
        let bytes = percent_decoded(text);
        if bytes.contains(&0) {
            return Some(format!("The request {part} must not contain NUL characters (%00)"));
        }
        if std::str::from_utf8(&bytes).is_err() {
            return Some(format!("The request {part} is not valid UTF-8 once percent-decoded"));
        }
    }
    None
}

/// `text` with its `%XY` escapes decoded (a `%` not followed by two hex digits kept as it is).
fn percent_decoded(text: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn urls_with_nul_or_bytes_that_are_not_utf8_are_refused_by_part() {
        for (u, part, what) in [
            ("/rest/groups/1/a%00b", "path", "NUL"),
            ("/rest/contacts/1?externalIds=%00", "query", "NUL"),
            ("/rest/contactPaths/%ff%fe/1", "path", "UTF-8"),
            ("/rest/contacts/1/%c3%28", "path", "UTF-8"),
            ("/rest/contacts/1?sortBy=%ed%a0%80", "query", "UTF-8"),
        ] {
            let message = problem(&uri(u)).unwrap_or_else(|| panic!("{u} was let through"));
            assert!(message.contains(part) && message.contains(what), "{u}: {message}");
        }
    }

    #[test]
    fn readable_urls_pass_escapes_and_all() {
        for u in
            ["/rest/contacts/1/%F0%9D%95%8F%F0%9F%98%80", "/rest/contacts/1?x=%zz&y=%&z=100%25", "/health/live", "/a%2"]
        {
            assert_eq!(problem(&uri(u)), None, "{u}");
        }
        assert_eq!(percent_decoded("a%41%4a%zz%"), b"aAJ%zz%");
    }
}
