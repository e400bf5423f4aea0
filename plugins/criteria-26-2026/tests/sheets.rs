//! The encoded sheets against the printed law, and the rules' properties.
#![cfg(test)]

use std::collections::BTreeMap;

use ocop_core::{ProductSet, domain::AnswerSheet, plugin::Scorer};
use ocop_criteria_26_2026::{NativeScorer, Sheet, sheet};
use proptest::prelude::*;

fn all() -> impl Iterator<Item = &'static Sheet> {
    (1..=26).map(|s| sheet(s).unwrap())
}

/// The maximum of a section's criteria, counting a criterion with alternative branches once
/// (its largest branch).
fn criteria_max(sheet: &Sheet, section: &str) -> u32 {
    let mut by_id: BTreeMap<&str, u32> = BTreeMap::new();
    for c in sheet.criteria.iter().filter(|c| c.section == section) {
        let base = if c.branch == 0 {
            c.id
        } else {
            c.id.trim_end_matches(char::is_alphabetic)
        };
        let e = by_id.entry(base).or_default();
        *e = (*e).max(c.max);
    }
    by_id.values().sum()
}

#[test]
fn every_printed_maximum_is_the_sum_of_its_parts() {
    for sheet in all() {
        let set = sheet.set;
        assert_eq!(
            sheet.parts.iter().map(|p| p.max).collect::<Vec<_>>(),
            [4000, 2500, 3500],
            "set {set}: parts are not 40/25/35"
        );
        for (pi, part) in sheet.parts.iter().enumerate() {
            let top: Vec<_> = sheet
                .sections
                .iter()
                .filter(|s| usize::from(s.part) == pi && !s.code.contains('.'))
                .collect();
            let sum: u32 = top.iter().map(|s| s.max).sum();
            assert_eq!(
                sum, part.max,
                "set {set} part {}: sections sum to {sum}",
                part.code
            );
            for s in top {
                let subgroups: u32 = sheet
                    .sections
                    .iter()
                    .filter(|g| g.code.starts_with(&format!("{}.", s.code)))
                    .map(|g| g.max)
                    .sum();
                let sum = criteria_max(sheet, s.code) + subgroups;
                assert_eq!(
                    sum, s.max,
                    "set {set} section {}: criteria sum to {sum}",
                    s.code
                );
            }
            for g in sheet.sections.iter().filter(|s| s.code.contains('.')) {
                assert_eq!(
                    criteria_max(sheet, g.code),
                    g.max,
                    "set {set} sub-section {}",
                    g.code
                );
            }
        }
        for c in sheet.criteria {
            let best = c.options.iter().map(|o| o.points).max().unwrap();
            assert_eq!(
                best, c.max,
                "set {set} criterion {}: best option {best}, max {}",
                c.id, c.max
            );
            let mut marks: Vec<u8> = c
                .options
                .iter()
                .filter(|o| o.min_stars != 0)
                .map(|o| o.min_stars)
                .collect();
            marks.sort_unstable();
            let n = marks.len();
            marks.dedup();
            assert_eq!(
                marks.len(),
                n,
                "set {set} criterion {}: a star mark appears twice",
                c.id
            );
        }
    }
}

#[test]
fn the_printed_typos_are_corrected_and_nothing_else() {
    let s4 = sheet(4)
        .unwrap()
        .criteria
        .iter()
        .find(|c| c.id == "7")
        .unwrap();
    assert_eq!(
        s4.options.iter().map(|o| o.points).collect::<Vec<_>>(),
        [0, 100, 300]
    );
    let s11 = sheet(11)
        .unwrap()
        .criteria
        .iter()
        .find(|c| c.id == "6.1.1")
        .unwrap();
    assert_eq!(
        s11.options.iter().map(|o| o.points).collect::<Vec<_>>(),
        [0, 100, 200]
    );
    // An anomaly that does not break the scale stays as printed.
    let s7 = sheet(7)
        .unwrap()
        .criteria
        .iter()
        .find(|c| c.id == "3.1")
        .unwrap();
    assert_eq!(
        s7.options.iter().map(|o| o.points).collect::<Vec<_>>(),
        [100, 100, 300]
    );
}

fn best(scorer: &NativeScorer, set: u8, branch: Option<u8>) -> AnswerSheet {
    let catalog = scorer.criteria(ProductSet::new(set).unwrap()).unwrap();
    let mut sheet = catalog.template(branch);
    for c in &catalog.criteria {
        if sheet.answers.contains_key(&c.id) {
            sheet
                .answers
                .insert(c.id.clone(), (c.options.len() - 1) as u32);
        }
    }
    sheet
}

#[test]
fn best_answers_score_100_and_five_stars_on_every_sheet() {
    let scorer = NativeScorer::new();
    for set in 1..=26 {
        let branches: &[Option<u8>] = if set == 26 {
            &[Some(1), Some(2)]
        } else {
            &[None]
        };
        for &branch in branches {
            let scored = scorer.score(&best(&scorer, set, branch)).unwrap();
            let e = &scored.evaluation;
            assert_eq!(e.total, 100.0, "set {set} {branch:?}");
            assert_eq!((e.parts.a, e.parts.b, e.parts.c), (40.0, 25.0, 35.0));
            assert_eq!(e.stars.map(|s| s.get()), Some(5));
            assert!(e.knockouts.is_empty());
        }
    }
}

#[test]
fn a_missing_fact_knocks_the_dossier_out() {
    let scorer = NativeScorer::new();
    let mut sheet = best(&scorer, 1, None);
    sheet.facts.insert("food_safety_certificate".into(), false);
    let e = scorer.score(&sheet).unwrap().evaluation;
    assert_eq!(e.knockouts, ["no_food_safety_certificate"]);
    assert_eq!(e.stars, None);
    assert_eq!(e.total, 100.0, "a knock-out does not change the points");
    // Facts the sheet does not mention are simply absent: absent means false.
    sheet.facts.clear();
    let e = scorer.score(&sheet).unwrap().evaluation;
    assert!(e.knockouts.len() >= 3, "{:?}", e.knockouts);
}

#[test]
fn a_failed_minimum_caps_the_rank() {
    let scorer = NativeScorer::new();
    let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
    // 2.3 marks its first option *** (labelling that follows the rules).
    let (i, c) = catalog
        .criteria
        .iter()
        .enumerate()
        .find(|(_, c)| {
            c.options
                .iter()
                .any(|o| o.min_stars.map(|s| s.get()) == Some(4))
        })
        .unwrap();
    let four = c
        .options
        .iter()
        .position(|o| o.min_stars.map(|s| s.get()) == Some(4))
        .unwrap();
    assert!(four > 0);
    let mut sheet = best(&scorer, 1, None);
    sheet.answers.insert(c.id.clone(), (four - 1) as u32);
    let e = scorer.score(&sheet).unwrap().evaluation;
    assert!(e.total >= 90.0);
    assert_eq!(e.band.get(), 5);
    assert_eq!(e.cap.get(), 3, "failing a 4-star minimum caps at 3 stars");
    assert_eq!(e.stars.map(|s| s.get()), Some(3));
    assert!(
        e.lines[i].explanation.contains("tối thiểu 4 sao"),
        "{}",
        e.lines[i].explanation
    );
}

#[test]
fn bottled_water_stops_at_a_zero_in_the_sensory_section() {
    let scorer = NativeScorer::new();
    let catalog = scorer.criteria(ProductSet::new(16).unwrap()).unwrap();
    let stop_at = catalog
        .criteria
        .iter()
        .position(|c| c.stop.as_ref().is_some_and(|s| s.zero_in_section))
        .unwrap();
    let section = catalog.criteria[stop_at].section.clone();
    let first = catalog
        .criteria
        .iter()
        .position(|c| c.section == section)
        .unwrap();
    let zero = catalog.criteria[first]
        .options
        .iter()
        .position(|o| o.points == 0.0)
        .unwrap();
    let mut sheet = best(&scorer, 16, None);
    sheet
        .answers
        .insert(catalog.criteria[first].id.clone(), zero as u32);
    let e = scorer.score(&sheet).unwrap().evaluation;
    let part_c_after: Vec<_> = catalog
        .criteria
        .iter()
        .enumerate()
        .filter(|(i, c)| *i > stop_at && c.part == "C")
        .collect();
    assert!(!part_c_after.is_empty());
    for (i, _) in part_c_after {
        assert_eq!(e.lines[i].points, 0.0, "{}", e.lines[i].explanation);
        assert!(e.lines[i].explanation.contains("dừng"));
    }
    assert!(e.total < 100.0);
}

#[test]
fn invalid_sheets_are_refused_cleanly() {
    let scorer = NativeScorer::new();
    let mut sheet = best(&scorer, 3, None);
    let first = sheet.answers.keys().next().unwrap().clone();
    sheet.answers.insert(first.clone(), 99);
    let err = scorer.score(&sheet).unwrap_err().to_string();
    assert!(err.contains("answer-out-of-range"), "{err}");
    sheet.answers.remove(&first);
    assert!(
        scorer
            .score(&sheet)
            .unwrap_err()
            .to_string()
            .contains("unanswered")
    );
    sheet.answers.insert("99.9".into(), 0);
    assert!(
        scorer
            .score(&sheet)
            .unwrap_err()
            .to_string()
            .contains("unknown-criterion")
    );
    // Without `branch`, each section's case is the one whose criterion is answered.
    let mut s26 = best(&scorer, 26, Some(1));
    s26.branch = None;
    assert!(scorer.score(&s26).is_ok());
    s26.answers.remove("8a");
    assert!(
        scorer
            .score(&s26)
            .unwrap_err()
            .to_string()
            .contains("missing-branch")
    );
    let mut s26 = best(&scorer, 26, Some(1));
    s26.branch = Some(3);
    assert!(
        scorer
            .score(&s26)
            .unwrap_err()
            .to_string()
            .contains("unknown-branch")
    );
}

#[test]
fn unknown_facts_and_formats_are_refused() {
    let scorer = NativeScorer::new();
    let mut sheet = best(&scorer, 1, None);
    sheet.facts.insert("food_safety_certifcate".into(), true);
    let err = scorer.score(&sheet).unwrap_err().to_string();
    assert!(err.contains("unknown-fact"), "{err}");
    assert!(
        err.contains("did you mean `food_safety_certificate`?"),
        "{err}"
    );
    let mut sheet = best(&scorer, 1, None);
    sheet.format = 2;
    let err = scorer.score(&sheet).unwrap_err().to_string();
    assert!(err.contains("unsupported-format"), "{err}");
}

#[test]
fn every_sheet_lists_the_facts_it_reads_with_their_labels() {
    let scorer = NativeScorer::new();
    for set in ProductSet::all() {
        let catalog = scorer.criteria(set).unwrap();
        let declared: Vec<&str> = catalog.facts.iter().map(|f| f.id.as_str()).collect();
        for k in &catalog.knockouts {
            assert!(declared.contains(&k.fact.as_str()), "set {set}: {}", k.fact);
        }
        for f in &catalog.facts {
            assert!(
                ocop_criteria_26_2026::FACTS
                    .iter()
                    .any(|(id, _, _)| *id == f.id),
                "set {set}: fact `{}` has no label",
                f.id
            );
            assert_ne!(f.label.vi, f.id);
        }
        assert!(catalog.publication_problems().is_empty(), "set {set}");
    }
}

#[test]
fn set_26_lets_sections_8_9_and_15_choose_their_case() {
    let scorer = NativeScorer::new();
    let catalog = scorer.criteria(ProductSet::new(26).unwrap()).unwrap();
    let sections: Vec<&str> = catalog.alternatives().iter().map(|(s, _)| *s).collect();
    assert_eq!(sections, ["8", "9", "15"]);
    let uniform = |case: u8| {
        let mut sheet = catalog.template(Some(case));
        for c in &catalog.criteria {
            if let Some(a) = sheet.answers.get_mut(&c.id) {
                // The second option everywhere: cases differ in what it is worth.
                *a = 1.min(c.options.len() as u32 - 1);
            }
        }
        scorer.score(&sheet).unwrap().evaluation
    };
    let (one, two) = (uniform(1), uniform(2));
    // Section 8 under case 1, sections 9 and 15 under case 2.
    let mut mixed = catalog
        .template_for(Some(2), &[("8".to_owned(), 1)])
        .unwrap();
    assert_eq!(mixed.branch, None);
    for c in &catalog.criteria {
        if let Some(a) = mixed.answers.get_mut(&c.id) {
            *a = 1.min(c.options.len() as u32 - 1);
        }
    }
    assert!(mixed.answers.contains_key("8a") && mixed.answers.contains_key("9b"));
    let e = scorer.score(&mixed).unwrap().evaluation;
    for (i, c) in catalog.criteria.iter().enumerate() {
        let expected = match c.section.as_str() {
            "8" => &one.lines[i],
            _ => &two.lines[i],
        };
        assert_eq!(e.lines[i], *expected, "criterion {}", c.id);
    }
    let sum: f64 = e.lines.iter().map(|l| l.points).sum();
    assert_eq!(e.total, sum);
    // A case that does not exist, for a template: refused.
    assert_eq!(
        catalog.template_for(Some(3), &[]).unwrap_err().code,
        "unknown-branch"
    );
}

/// A valid answer sheet for a random set: a random option for each applicable criterion,
/// each fact randomly true (mostly) or false.
fn answer_sheet() -> impl Strategy<Value = AnswerSheet> {
    (
        1u8..=26,
        1u8..=2,
        prop::collection::vec(any::<prop::sample::Index>(), 40),
        prop::collection::vec(prop::bool::weighted(0.9), 12),
    )
        .prop_map(|(set, branch, picks, facts)| {
            let scorer = NativeScorer::new();
            let catalog = scorer.criteria(ProductSet::new(set).unwrap()).unwrap();
            let mut sheet = catalog.template(Some(branch));
            let mut i = 0;
            for c in &catalog.criteria {
                if let Some(a) = sheet.answers.get_mut(&c.id) {
                    *a = picks[i % picks.len()].index(c.options.len()) as u32;
                    i += 1;
                }
            }
            for (j, v) in sheet.facts.values_mut().enumerate() {
                *v = facts[j % facts.len()];
            }
            sheet
        })
}

proptest! {
    #[test]
    fn scores_stay_within_bounds_and_add_up(sheet in answer_sheet()) {
        let scorer = NativeScorer::new();
        let e = scorer.score(&sheet).unwrap().evaluation;
        prop_assert!((0.0..=100.0).contains(&e.total));
        let sum: f64 = e.lines.iter().map(|l| l.points).sum();
        prop_assert_eq!(sum, e.total);
        prop_assert_eq!(e.parts.a + e.parts.b + e.parts.c, e.total);
        prop_assert!(e.parts.a <= 40.0 && e.parts.b <= 25.0 && e.parts.c <= 35.0);
        prop_assert_eq!(e.band, ocop_core::Stars::from_total(e.total));
        match e.stars {
            None => prop_assert!(!e.knockouts.is_empty()),
            Some(s) => prop_assert_eq!(s, e.band.min(e.cap)),
        }
        // the same sheet gives the same evaluation
        prop_assert_eq!(scorer.score(&sheet).unwrap().evaluation, e);
    }
}
