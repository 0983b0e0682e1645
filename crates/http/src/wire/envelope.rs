//! Everbridge's envelopes for successful answers.

use contacts_application::batch::{ItemResult, ItemStatus};
use serde::Serialize;

use crate::error::ItemError;

/// `{"code": 100|101, "message", "data": ["<id>", ...], "results": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchEnvelope {
    pub code: u16,
    pub message: &'static str,
    pub data: Vec<String>,
    pub results: Vec<ResultOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResultOut {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ItemError>,
}

impl BatchEnvelope {
    /// `data` lists the ids of every item that did not fail, in input order (empty on a dry run).
    pub fn new(results: &[ItemResult], dry_run: bool) -> Self {
        let any_failed = results.iter().any(|r| r.status == ItemStatus::Failed);
        let data = if dry_run {
            Vec::new()
        } else {
            results
                .iter()
                .filter(|r| r.status != ItemStatus::Failed)
                .filter_map(|r| r.id.map(|id| id.to_string()))
                .collect()
        };
        Self {
            code: if any_failed { 101 } else { 100 },
            message: if any_failed { "Completed with errors" } else { "OK" },
            data,
            results: results
                .iter()
                .map(|r| ResultOut {
                    index: r.index,
                    id: r.id,
                    external_id: r.external_id.clone(),
                    status: r.status.as_str(),
                    version: r.version,
                    errors: ItemError::of_result(r),
                })
                .collect(),
        }
    }
}

/// `{"message": "OK", "id", "baseUri", "instanceUri"}`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WriteEnvelope {
    pub message: &'static str,
    pub id: i64,
    pub base_uri: String,
    pub instance_uri: String,
}

impl WriteEnvelope {
    pub fn new(base_uri: String, id: i64) -> Self {
        let instance_uri = format!("{base_uri}{id}");
        Self { message: "OK", id, base_uri, instance_uri }
    }
}

/// `{"message": "OK", "id"}`: a single delete (a body, never an empty 204: some clients read
/// only the body).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeleteEnvelope {
    pub message: &'static str,
    pub id: i64,
}

impl DeleteEnvelope {
    pub fn new(id: i64) -> Self {
        Self { message: "OK", id }
    }
}

/// `{"message": "OK", "result": {...}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadEnvelope<T: Serialize> {
    pub message: &'static str,
    pub result: T,
}

impl<T: Serialize> ReadEnvelope<T> {
    pub fn new(result: T) -> Self {
        Self { message: "OK", result }
    }
}

/// The list envelope, with its page links.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListEnvelope<T: Serialize> {
    pub message: &'static str,
    pub first_page_uri: String,
    pub last_page_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_page_uri: Option<String>,
    pub page: Page<T>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: Serialize> {
    pub current_page_no: u32,
    pub page_size: u32,
    pub start: u64,
    pub total_count: u64,
    pub total_page_count: u64,
    pub data: Vec<T>,
}

impl<T: Serialize> ListEnvelope<T> {
    /// A page of `data`; `uri` is the resource without query (links add `pageNumber` and `pageSize`).
    pub fn new(uri: &str, number: u32, size: u32, total: u64, data: Vec<T>) -> Self {
        Self::with_query(uri, "", number, size, total, data)
    }

    /// [`ListEnvelope::new`] whose links also carry `query` (URL-encoded `name=value` pairs
    /// joined by `&`, e.g. the filters and sort of the listing), after `pageNumber` and `pageSize`.
    pub fn with_query(uri: &str, query: &str, number: u32, size: u32, total: u64, data: Vec<T>) -> Self {
        let pages = total.div_ceil(u64::from(size.max(1)));
        let extra = if query.is_empty() { String::new() } else { format!("&{query}") };
        let link = |n: u64| format!("{uri}?pageNumber={n}&pageSize={size}{extra}");
        Self {
            message: "OK",
            first_page_uri: link(1),
            last_page_uri: link(pages.max(1)),
            next_page_uri: (u64::from(number) < pages).then(|| link(u64::from(number) + 1)),
            previous_page_uri: (number > 1).then(|| link(u64::from(number) - 1)),
            page: Page {
                current_page_no: number,
                page_size: size,
                start: u64::from(number.saturating_sub(1)) * u64::from(size),
                total_count: total,
                total_page_count: pages,
                data,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_keep_the_query_and_stop_at_the_ends() {
        let e =
            ListEnvelope::with_query("http://h/rest/contacts/1", "sortBy=lastName&direction=DESC", 2, 10, 25, vec![0]);
        let link = |n| format!("http://h/rest/contacts/1?pageNumber={n}&pageSize=10&sortBy=lastName&direction=DESC");
        assert_eq!(e.first_page_uri, link(1));
        assert_eq!(e.last_page_uri, link(3));
        assert_eq!(e.next_page_uri, Some(link(3)));
        assert_eq!(e.previous_page_uri, Some(link(1)));
        assert_eq!((e.page.start, e.page.total_page_count), (10, 3));
        let empty = ListEnvelope::<u8>::new("u", 1, 100, 0, vec![]);
        assert_eq!(
            (empty.last_page_uri.as_str(), empty.next_page_uri, empty.previous_page_uri),
            ("u?pageNumber=1&pageSize=100", None, None)
        );
    }
}
