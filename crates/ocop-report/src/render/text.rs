//! Words and numbers in the reader's language (its words come from `Lang::pick`): counts
//! with the thousands separator, dates, percentages, ranks and English plurals.

use ocop_core::{Date, Lang, Stars};

use crate::model::GroupRow;

/// "1", "1.234" (Vietnamese) or "1,234" (English).
pub(super) fn fmt_count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let len = digits.chars().count();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A signed day count with the thousands separator of `lang`.
pub(super) fn fmt_signed(lang: Lang, n: i64) -> String {
    let abs = fmt_count(lang, n.unsigned_abs());
    if n < 0 { format!("-{abs}") } else { abs }
}

/// `05/12/2024` in Vietnamese, `2024-12-05` in English.
pub(super) fn fmt_date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        Lang::En => d.to_string(),
    }
}

/// `actual` as a share of `target` with one decimal ("66,7%" / "66.7%"), or `None` when
/// there is no target. Integer arithmetic, rounded half up.
pub(super) fn fmt_percent(lang: Lang, actual: u64, target: u64) -> Option<String> {
    if target == 0 {
        return None;
    }
    let tenths = actual
        .saturating_mul(1000)
        .saturating_add(target / 2)
        .checked_div(target)?;
    let sep = match lang {
        Lang::Vi => ',',
        Lang::En => '.',
    };
    Some(format!(
        "{}{sep}{}%",
        fmt_count(lang, tenths / 10),
        tenths % 10
    ))
}

/// `3★`.
pub(super) fn rank(stars: Stars) -> String {
    format!("{}★", stars.get())
}

/// `n` with an English noun in the right number ("1 case", "2 cases").
pub(super) fn en_plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", fmt_count(Lang::En, n))
    }
}

/// A product group's name with its Annex I numeral ("I. Thực phẩm").
pub(super) fn group_name(row: &GroupRow, lang: Lang) -> String {
    format!("{}. {}", row.group.numeral(), row.label.get(lang))
}

pub(super) fn sum<I: IntoIterator<Item = u32>>(values: I) -> u64 {
    values.into_iter().map(u64::from).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(fmt_count(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(fmt_count(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(fmt_count(Lang::En, 999), "999");
        assert_eq!(fmt_percent(Lang::Vi, 14, 20).as_deref(), Some("70,0%"));
        assert_eq!(fmt_percent(Lang::En, 2, 3).as_deref(), Some("66.7%"));
        assert_eq!(fmt_percent(Lang::En, 1, 0), None);
        assert_eq!(fmt_signed(Lang::Vi, -1500), "-1.500");
    }
}
