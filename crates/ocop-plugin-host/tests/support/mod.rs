//! What the plugin host's test binaries share.

use ocop_core::{
    ProductSet,
    domain::{AnswerSheet, Producer, ProducerKind, RegistrationType},
    plugin::CaseView,
};

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

/// A Cần Thơ 2024 case of product set `set` at the district's proposal to the city, as a
/// guard sees it: no documents, facts, score or configuration yet.
pub(crate) fn cantho_view(case_id: String, set: u8) -> CaseView {
    CaseView {
        case_id,
        definition: "can-tho-2024".into(),
        state: "district_decision".into(),
        transition: "district_propose_to_city".into(),
        product_set: ProductSet::new(set).unwrap(),
        registration: RegistrationType::First,
        producer: Producer {
            name: "HTX Phong Điền".into(),
            kind: ProducerKind::Cooperative,
            province: "92".into(),
            commune: "Nhơn Ái".into(),
            district: Some("Phong Điền".into()),
        },
        documents: vec![],
        facts: Default::default(),
        total: None,
        stars: None,
        config: Default::default(),
    }
}
