//! Rules shared by every OCOP criteria sheet (Decision 26/2026/QĐ-TTg, Art. 3.3 and Annex II).

/// Whole points as hundredths, the unit of the WIT interface.
pub const fn points(whole: u32) -> u32 {
    whole.saturating_mul(100)
}

/// The star band of a total in hundredths (half-open: 90-100 five stars, 70-<90 four,
/// 50-<70 three, 30-<50 two, below 30 one).
pub const fn band(total: u32) -> u8 {
    if total >= 9_000 {
        5
    } else if total >= 7_000 {
        4
    } else if total >= 5_000 {
        3
    } else if total >= 3_000 {
        2
    } else {
        1
    }
}

/// The star cap given the star levels (3, 4 or 5) of the minimum marks the product failed:
/// the highest rank whose minimums, and those of every lower rank, all hold. Failing a
/// three-star minimum caps the rank at two stars.
pub fn cap(failed_levels: impl IntoIterator<Item = u8>) -> u8 {
    let lowest_failed = failed_levels
        .into_iter()
        .filter(|l| (3..=5).contains(l))
        .min();
    match lowest_failed {
        Some(level) => level - 1,
        None => 5,
    }
}

/// The lowest star level whose minimum mark the option at `chosen` misses: a marked option
/// is missed by any option worth fewer points, or worth as many but listed before it (a mark
/// means "at least this option"). `None` when the choice meets every mark. This is the rule
/// the host checks a line's `below-minimum` note and the cap against.
///
/// # Examples
/// ```
/// use ocop_plugin_sdk::below_minimum;
/// use ocop_plugin_sdk::types::{CriterionOption, Label};
///
/// let option = |points, min_stars| CriterionOption {
///     label: Label { vi: String::new(), en: String::new() },
///     points,
///     min_stars,
/// };
/// let options = [option(0, None), option(100, Some(3)), option(300, Some(5))];
/// assert_eq!(below_minimum(&options, 0), Some(3));
/// assert_eq!(below_minimum(&options, 1), Some(5));
/// assert_eq!(below_minimum(&options, 2), None);
/// ```
pub fn below_minimum(options: &[crate::types::CriterionOption], chosen: usize) -> Option<u8> {
    let points = options.get(chosen).map_or(0, |o| o.points);
    options
        .iter()
        .enumerate()
        .filter(|(i, o)| o.points > points || (o.points == points && *i > chosen))
        .filter_map(|(_, o)| o.min_stars)
        .min()
}

/// The final rank: the lower of band and cap, none when knocked out.
pub fn stars(band: u8, cap: u8, knocked_out: bool) -> Option<u8> {
    (!knocked_out).then_some(band.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_half_open() {
        assert_eq!(band(10_000), 5);
        assert_eq!(band(8_999), 4);
        assert_eq!(band(7_000), 4);
        assert_eq!(band(6_999), 3);
        assert_eq!(band(5_000), 3);
        assert_eq!(band(4_999), 2);
        assert_eq!(band(3_000), 2);
        assert_eq!(band(2_999), 1);
    }

    #[test]
    fn caps() {
        assert_eq!(cap([5, 4]), 3);
        assert_eq!(cap([3]), 2);
        assert_eq!(cap([5]), 4);
        assert_eq!(stars(5, 3, false), Some(3));
        assert_eq!(stars(5, 5, true), None);
    }
}
