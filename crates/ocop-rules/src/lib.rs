//! The rules every OCOP criteria sheet shares (Decision 26/2026/QĐ-TTg, Art. 3.3 and
//! Annex II): the star band of a total, the cap that missed minimum marks put on the rank,
//! the final rank, and which minimum mark a chosen option misses.
//!
//! This crate is the one home of those rules. The core checks every plugin's output with
//! them, the plugin SDK re-exports them to rule authors, and the criteria plugin scores
//! with them; the Python and JavaScript helper modules of the SDK are tested against them
//! on every total from 0 to 100.00 points. It has no dependencies and no `std`, so that it
//! compiles into a WebAssembly component unchanged.
//!
//! Points are hundredths, the unit of the WIT interface: a sheet's 100 points are 10,000.
//!
//! ```
//! use ocop_rules::{band, below_minimum, cap, stars};
//!
//! // 87.5 points: the four-star band.
//! assert_eq!(band(8_750), 4);
//! // One criterion chose the option worth 1 point, under the option marked for 4 stars.
//! let options = [(0, None), (100, None), (300, Some(4))];
//! let missed = below_minimum(options, 1);
//! assert_eq!(missed, Some(4));
//! // Missing a four-star minimum caps the rank at three stars.
//! assert_eq!(stars(band(8_750), cap(missed), false), Some(3));
//! // A knock-out leaves no rank at all.
//! assert_eq!(stars(5, 5, true), None);
//! ```
#![no_std]

/// The most a criteria sheet gives: 100 points, in hundredths.
pub const MAX_TOTAL: u32 = 10_000;

/// The lower bound of each band above one star, in hundredths, highest first (Art. 3.3):
/// 90 points and more five stars, 70 four, 50 three, 30 two; below 30 one star. The bands
/// are half-open and no rounding is applied.
pub const BANDS: [(u32, u8); 4] = [(9_000, 5), (7_000, 4), (5_000, 3), (3_000, 2)];

/// Whole points as hundredths: `points(20) == 2_000`.
pub const fn points(whole: u32) -> u32 {
    whole.saturating_mul(100)
}

/// The star band of a total in hundredths ([`BANDS`]).
pub const fn band(total: u32) -> u8 {
    let mut rest: &[(u32, u8)] = &BANDS;
    while let [(floor, stars), tail @ ..] = rest {
        if total >= *floor {
            return *stars;
        }
        rest = tail;
    }
    1
}

/// The star band of a total in points that need not be whole hundredths (a council's mean
/// of its members' totals), compared with [`BANDS`] exactly, without rounding: 89.999
/// points are four stars.
pub fn band_of_points(total: f64) -> u8 {
    for (floor, stars) in BANDS {
        if total >= f64::from(floor) / 100.0 {
            return stars;
        }
    }
    1
}

/// The star cap the missed minimum marks put on the rank, given the star level (3, 4 or 5)
/// of each mark missed: one below the lowest level missed, 5 when none is. Failing a
/// three-star minimum caps the rank at two stars. Annex II marks options only for 3, 4 and
/// 5 stars; other levels are ignored.
pub fn cap(missed_levels: impl IntoIterator<Item = u8>) -> u8 {
    missed_levels
        .into_iter()
        .filter(|level| (3..=5).contains(level))
        .min()
        .map_or(5, |level| level - 1)
}

/// The final rank: the lower of band and cap, none when a knock-out applies.
pub const fn stars(band: u8, cap: u8, knocked_out: bool) -> Option<u8> {
    if knocked_out {
        None
    } else if band < cap {
        Some(band)
    } else {
        Some(cap)
    }
}

/// The lowest star level whose minimum mark the option at `chosen` misses, given a
/// criterion's options in sheet order as `(points in hundredths, minimum mark)`. A marked
/// option is missed by any option worth fewer points, or worth as many but listed before
/// it (a mark means "at least this option"). `None` when the choice meets every mark; an
/// index past the options counts as an option worth nothing.
pub fn below_minimum<I>(options: I, chosen: usize) -> Option<u8>
where
    I: IntoIterator<Item = (u32, Option<u8>)>,
    I::IntoIter: Clone,
{
    let options = options.into_iter();
    let floor = options.clone().nth(chosen).map_or(0, |(points, _)| points);
    options
        .enumerate()
        .filter(|&(i, (points, _))| points > floor || (points == floor && i > chosen))
        .filter_map(|(_, (_, mark))| mark)
        .min()
}

/// The lowest star level a criterion misses when it is not assessed (a stop rule fired
/// before it): every mark on an option worth something.
pub fn below_minimum_unassessed(
    options: impl IntoIterator<Item = (u32, Option<u8>)>,
) -> Option<u8> {
    options
        .into_iter()
        .filter(|&(points, _)| points > 0)
        .filter_map(|(_, mark)| mark)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_half_open() {
        for (total, expected) in [
            (10_000, 5),
            (9_000, 5),
            (8_999, 4),
            (7_000, 4),
            (6_999, 3),
            (5_000, 3),
            (4_999, 2),
            (3_000, 2),
            (2_999, 1),
            (0, 1),
        ] {
            assert_eq!(band(total), expected, "{total}");
        }
    }

    #[test]
    fn the_band_of_a_mean_agrees_with_the_band_of_every_whole_hundredth() {
        for total in 0..=MAX_TOTAL {
            assert_eq!(
                band_of_points(f64::from(total) / 100.0),
                band(total),
                "{total}"
            );
        }
        assert_eq!(band_of_points(89.999), 4);
        assert_eq!(band_of_points(90.0), 5);
    }

    #[test]
    fn caps_follow_the_lowest_missed_level() {
        assert_eq!(cap([]), 5);
        assert_eq!(cap([5, 4]), 3);
        assert_eq!(cap([3]), 2);
        assert_eq!(cap([5]), 4);
        assert_eq!(cap([2, 0, 9]), 5);
        assert_eq!(stars(5, 3, false), Some(3));
        assert_eq!(stars(2, 5, false), Some(2));
        assert_eq!(stars(5, 5, true), None);
    }

    #[test]
    fn a_mark_is_missed_below_it_and_by_an_equal_option_listed_before_it() {
        let options = [(0, None), (100, Some(3)), (100, None), (300, Some(5))];
        assert_eq!(below_minimum(options, 0), Some(3));
        assert_eq!(below_minimum(options, 1), Some(5));
        assert_eq!(below_minimum(options, 2), Some(5));
        assert_eq!(below_minimum(options, 3), None);
        assert_eq!(below_minimum(options, 9), Some(3));
        assert_eq!(below_minimum_unassessed(options), Some(3));
        assert_eq!(below_minimum_unassessed([(0, Some(3)), (200, None)]), None);
    }
}
