//! Case listing with filters and cursor pagination, and the deadlines due: the one place
//! that reads many cases at once. Both read the store's projections (one summary row per
//! case, written with its events) and never a case's events: the listing is one
//! [`Store::list`](ocop_engine::Store::list) query from the cursor with the filters pushed
//! into it, the deadlines one due-date index read per definition.

use ocop_core::Date;
use ocop_core::ids::{DefinitionId, StateId};
use ocop_engine::{CaseId, CaseSummary, CommandError, SummaryQuery};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::province::Province;

/// The most cases one page holds.
pub const MAX_PAGE: usize = 500;

/// Filters of the case list; every filter given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// Cases in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Cases running under this definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Products of this product set (1-26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_set: Option<u8>,
    /// Producers of this commune (exact, case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// Cases whose current certificate has this many stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// Cases with something due before this day: a deadline not yet fired, or the
    /// transitional limit of a migrated case (what the ticker reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<Date>,
    /// Where the previous page ended (its `next_cursor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Cases per page (default 50, at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// One page of cases, in case-id order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CasePage {
    /// The cases.
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A deadline that falls before the day asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DueItem {
    /// The case.
    pub case: CaseId,
    /// Its definition.
    pub definition: String,
    /// The state whose deadline it is.
    pub state: String,
    /// The deadline's last day.
    pub due: Date,
    /// The transition the ticker fires after it.
    pub on_timeout: String,
    /// Whether the last day has passed (the next tick fires it).
    pub overdue: bool,
}

/// A cursor is the last case id of a page, hex-encoded so it is opaque and URL-safe.
fn encode_cursor(id: &CaseId) -> String {
    id.as_str().bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(c: &str) -> Option<CaseId> {
    if !c.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..c.len())
        .step_by(2)
        .map(|i| c.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok().map(CaseId::new)
}

/// Why a listing failed.
#[derive(Debug)]
pub(crate) enum ListError {
    /// The cursor is not one this server made.
    BadCursor,
    /// A case could not be read.
    Case(CommandError),
}

impl From<CommandError> for ListError {
    fn from(e: CommandError) -> ListError {
        ListError::Case(e)
    }
}

/// The store query of a filter (the cursor and limit aside).
fn query(f: &CaseFilter) -> SummaryQuery {
    SummaryQuery {
        state: f.state.as_deref().map(StateId::new),
        definition: f.definition.as_deref().map(DefinitionId::new),
        product_set: f.product_set,
        commune: f.commune.clone(),
        stars: f.stars,
        due_before: f.due_before,
        after: None,
        limit: 0,
    }
}

/// A page of the province's cases: one query of the projections, one row more than the page
/// to know whether another page follows.
pub(crate) fn list(province: &Province, f: &CaseFilter) -> Result<CasePage, ListError> {
    let limit = f.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let after = match &f.cursor {
        Some(c) => Some(decode_cursor(c).ok_or(ListError::BadCursor)?),
        None => None,
    };
    let mut items = province
        .store
        .list(&SummaryQuery {
            after,
            limit: limit + 1,
            ..query(f)
        })
        .map_err(CommandError::from)?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|s| encode_cursor(&s.case))
    } else {
        None
    };
    Ok(CasePage { items, next_cursor })
}

/// The province's deadlines not yet fired whose last day falls before `before`, by due date:
/// per definition it runs, the due-date index's entries before `before`, then each of those
/// cases' projection.
pub(crate) fn deadlines(
    province: &Province,
    before: Date,
    today: Date,
) -> Result<Vec<DueItem>, CommandError> {
    let mut out = Vec::new();
    for definition in province.engines.keys() {
        for entry in province.store.due(&DefinitionId::new(definition), before)? {
            let Some(s) = province.store.summary(&entry.case)? else {
                continue;
            };
            // The index also holds transitional limits; only deadlines are listed here.
            if let Some(d) = s.deadline.filter(|d| !d.fired && d.due < before) {
                out.push(DueItem {
                    case: s.case,
                    definition: s.definition.to_string(),
                    state: d.state.to_string(),
                    due: d.due,
                    on_timeout: d.on_timeout.to_string(),
                    overdue: today > d.due,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.due, &a.case).cmp(&(b.due, &b.case)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_any_id() {
        for id in ["CT-2024-0001", "a/b\"c' OR 1=1;--", "Bánh pía"] {
            let c = encode_cursor(&CaseId::new(id));
            assert!(c.chars().all(|c| c.is_ascii_hexdigit()));
            assert_eq!(decode_cursor(&c), Some(CaseId::new(id)));
        }
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("abc"), None);
    }
}
