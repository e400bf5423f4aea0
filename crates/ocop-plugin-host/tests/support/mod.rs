//! What the plugin host's test binaries share.

use ocop_core::{AnswerSheet, ProductSet};

/// An answer sheet for product set `set`: the option of each of three criteria, by their
/// ids, and whether the food-safety certificate is held.
pub(crate) fn answer_sheet(
    set: u8,
    criteria: [&str; 3],
    answers: [u32; 3],
    certificate: bool,
) -> AnswerSheet {
    AnswerSheet {
        format: 1,
        product_set: ProductSet::new(set).unwrap(),
        evaluator: None,
        branch: None,
        answers: criteria
            .into_iter()
            .zip(answers)
            .map(|(k, v)| (k.into(), v))
            .collect(),
        facts: [("food_safety_certificate".to_owned(), certificate)]
            .into_iter()
            .collect(),
    }
}
