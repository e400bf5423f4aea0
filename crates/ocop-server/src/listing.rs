//! Case listing with filters and cursor pagination, and the deadlines due: the one place
//! that reads many cases at once. Today it folds each case through its engine's cache and
//! filters the summaries; when the stores keep case-summary projections and a due-date
//! index, only this module changes.

use ocop_core::Date;
use ocop_engine::{CaseId, CaseSummary, CommandError};
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
    /// Cases whose current deadline (not yet fired) falls before this day.
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

fn summary(province: &Province, id: &CaseId) -> Result<Option<CaseSummary>, CommandError> {
    match province.case(id) {
        Ok((engine, case)) => Ok(Some(engine.summary(&case))),
        // A case this server has no definition for is not listed.
        Err(CommandError::WrongDefinition { .. } | CommandError::UnknownCase { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn matches(s: &CaseSummary, f: &CaseFilter) -> bool {
    f.state.as_ref().is_none_or(|v| s.state.as_str() == v)
        && f.definition
            .as_ref()
            .is_none_or(|v| s.definition.as_str() == v)
        && f.product_set
            .is_none_or(|v| s.product.product_set.number() == v)
        && f.commune
            .as_ref()
            .is_none_or(|v| s.product.producer.commune.eq_ignore_ascii_case(v))
        && f.stars
            .is_none_or(|v| s.certificate.as_ref().is_some_and(|c| c.stars.get() == v))
        && f.due_before
            .is_none_or(|v| s.deadline.as_ref().is_some_and(|d| !d.fired && d.due < v))
}

/// A page of the province's cases.
pub(crate) fn list(province: &Province, f: &CaseFilter) -> Result<CasePage, ListError> {
    let limit = f.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let after = match &f.cursor {
        Some(c) => Some(decode_cursor(c).ok_or(ListError::BadCursor)?),
        None => None,
    };
    let mut ids = province.store.cases().map_err(CommandError::from)?;
    ids.sort();
    let mut items = Vec::new();
    let mut next_cursor = None;
    for id in ids
        .iter()
        .filter(|id| after.as_ref().is_none_or(|a| *id > a))
    {
        let Some(s) = summary(province, id)? else {
            continue;
        };
        if !matches(&s, f) {
            continue;
        }
        if items.len() == limit {
            next_cursor = items.last().map(|s: &CaseSummary| encode_cursor(&s.case));
            break;
        }
        items.push(s);
    }
    Ok(CasePage { items, next_cursor })
}

/// The province's deadlines not yet fired whose last day falls before `before`, by due date.
pub(crate) fn deadlines(
    province: &Province,
    before: Date,
    today: Date,
) -> Result<Vec<DueItem>, CommandError> {
    let mut out = Vec::new();
    for id in province.store.cases()? {
        let Some(s) = summary(province, &id)? else {
            continue;
        };
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
