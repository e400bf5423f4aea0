//! Rules shared by every OCOP criteria sheet (Decision 26/2026/QĐ-TTg, Art. 3.3 and Annex II).
//! They live in `ocop-rules`, which the host checks every plugin's output with; this module
//! re-exports them and reads a criterion's options from the WIT types.

pub use ocop_rules::{band, cap, points, stars};

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
    ocop_rules::below_minimum(options.iter().map(|o| (o.points, o.min_stars)), chosen)
}
