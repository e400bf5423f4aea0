//! The case the harness opens, and answer sheets that score a chosen total.

use std::collections::{BTreeMap, BTreeSet};

use ocop_core::cycle::Guard;
use ocop_core::{
    Cycle, ProductSet,
    domain::{AnswerSheet, DossierDocument, Level, Producer, ProducerKind, RegistrationType},
    plugin::CriteriaSheet,
};
use ocop_engine::{Actor, OpenCase, Product};

/// The levels council sheets aim at, with the stars whose minimum marks they keep.
pub(super) const TARGETS: [(f64, u8); 4] = [(40.0, 2), (60.0, 3), (80.0, 4), (95.0, 5)];

/// The documents the definition's `has_document` guards ask for, and forms 01 and 02.
pub(super) fn documents(cycle: &Cycle) -> Vec<DossierDocument> {
    let mut kinds: BTreeSet<String> = ["form_01", "form_02"].map(String::from).into();
    for t in cycle.transitions() {
        for g in &t.guards {
            if let Guard::HasDocument { kind } = g {
                kinds.insert(kind.clone());
            }
        }
    }
    kinds
        .into_iter()
        .map(|kind| DossierDocument {
            kind,
            present: true,
            valid_until: None,
        })
        .collect()
}

pub(super) fn open_case(cycle: &Cycle, set: ProductSet) -> OpenCase {
    OpenCase {
        product: Product {
            name: "Sản phẩm thử".into(),
            product_set: set,
            producer: Producer {
                name: "HTX Thử".into(),
                kind: ProducerKind::Cooperative,
                province: "92".into(),
                commune: "thoi-lai".into(),
                district: Some("Thới Lai".into()),
            },
        },
        registration: RegistrationType::First,
        documents: documents(cycle),
        facts: BTreeMap::new(),
        certificate: None,
    }
}

/// The role that opens cases: a producer-level role, or the initial state's owner.
pub(super) fn producer(cycle: &Cycle) -> Actor {
    let def = cycle.definition();
    let role = def
        .roles
        .iter()
        .find(|r| r.level == Level::Producer)
        .map(|r| r.id.clone())
        .or_else(|| cycle.initial().owner.clone())
        .unwrap_or_else(|| "producer".into());
    Actor::new(format!("{role}-1"), role)
}

/// An answer sheet for `catalog` that scores `target` (or just above, by the smallest step
/// its options allow) and keeps every minimum mark up to `stars`.
///
/// # Examples
/// ```
/// use ocop_testkit::{ProductSet, Scorer, transitions::scoring_sheet};
/// let scorer = ocop_criteria_26_2026::NativeScorer::new();
/// let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
/// let scored = scorer.score(&scoring_sheet(&catalog, 80.0, 4)).unwrap();
/// assert!(scored.evaluation.total >= 80.0 && scored.evaluation.total < 90.0);
/// ```
pub fn scoring_sheet(catalog: &CriteriaSheet, target: f64, stars: u8) -> AnswerSheet {
    let mut sheet = catalog.template(catalog.branches.first().map(|b| b.number));
    // Start from the best option of every criterion that applies, then lower criteria one
    // by one while the total stays at or above the target.
    let mut total = 0.0;
    let mut picks: Vec<(usize, usize)> = Vec::new();
    for (i, c) in catalog.criteria.iter().enumerate() {
        if !sheet.answers.contains_key(&c.id) {
            continue;
        }
        let best = c.options.len().saturating_sub(1);
        total += c.options.get(best).map_or(0.0, |o| o.points);
        picks.push((i, best));
    }
    for (i, best) in picks {
        let Some(c) = catalog.criteria.get(i) else {
            continue;
        };
        let floor = c
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.min_stars.is_some_and(|s| s.get() <= stars))
            .map(|(k, _)| k)
            .max()
            .unwrap_or(0);
        let max_points = c.options.get(best).map_or(0.0, |o| o.points);
        let mut pick = best;
        for k in floor..best {
            let points = c.options.get(k).map_or(0.0, |o| o.points);
            if total - (max_points - points) >= target - 1e-9 {
                pick = k;
                break;
            }
        }
        total -= max_points - c.options.get(pick).map_or(max_points, |o| o.points);
        sheet
            .answers
            .insert(c.id.clone(), u32::try_from(pick).unwrap_or(0));
    }
    sheet
}
