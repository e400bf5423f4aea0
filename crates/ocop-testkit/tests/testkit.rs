//! The testkit catches what it promises to catch: a deliberately broken definition and a
//! deliberately broken plugin, each with a readable counterexample.
#![cfg(test)]

use std::sync::atomic::{AtomicU64, Ordering};

use ocop_core::{
    ProductSet,
    diagnostic::Severity,
    domain::{AnswerSheet, PluginRef},
    plugin::{CriteriaSheet, PluginError, PluginInfo, Scored, Scorer},
    validate,
};
use ocop_criteria_26_2026::NativeScorer;
use ocop_testkit::plugins::{Options, SheetGenerator, check_scorer, shadow_score};
use ocop_testkit::strategy::{
    answer_sheets, definitions, invalid_answer_sheets, near_valid_definitions,
};
use ocop_testkit::{SoundnessError, check_definition_sound, load_definition};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// The definition in the file at `relative` to the repository's root.
fn load(relative: &str) -> ocop_core::Definition {
    let path = format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    load_definition(&path, &text).unwrap().definition().clone()
}

fn shipped(name: &str) -> ocop_core::Definition {
    load(&format!("workflows/{name}.toml"))
}

#[test]
fn the_shipped_definitions_are_sound() {
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        if let Err(e) = check_definition_sound(&shipped(name)) {
            panic!("{name}: {e}");
        }
    }
}

fn trap(name: &str) -> ocop_core::Definition {
    load(&format!("tests/definitions/traps/{name}.toml"))
}

fn decision_findings(def: &ocop_core::Definition) -> Vec<String> {
    match ocop_testkit::decision_exits(def) {
        Ok(()) => Vec::new(),
        Err(SoundnessError::Unsound(list)) => list.into_iter().map(|u| u.message).collect(),
        Err(e) => panic!("{e}"),
    }
}

/// Some message of `found` says every one of `parts`.
fn assert_some_finding_says(found: &[String], parts: &[&str]) {
    assert!(
        found.iter().any(|m| parts.iter().all(|p| m.contains(p))),
        "no finding says all of {parts:?}: {found:#?}"
    );
}

/// Audit #46: national-2026 as it was before issue 11. A re-evaluation (or upgrade) that
/// ends below 3 stars, or knocked out, once the certificate has passed its term, had no
/// exit from `province_decision` but the loop back to the provincial council.
#[test]
fn decision_exits_flags_the_stuck_re_evaluation_of_audit_46() {
    let found = decision_findings(&trap("a46-national-2026"));
    assert_some_finding_says(
        &found,
        &[
            "state `province_decision`",
            "registration `re_evaluation` with a 3★ certificate past its expiry",
            "1★",
            "knocked out",
        ],
    );
    // A first registration always had its way out.
    assert!(
        !found.iter().any(|m| m.contains("registration `first`")),
        "{found:#?}"
    );
}

/// Audit P7: can-tho-2024 as it was before issue 11. The traceability plugin guard blocked
/// the only exit for a 4-5 star district result of a product without a QR registration.
#[test]
fn decision_exits_flags_the_traceability_trap_of_audit_p7() {
    let found = decision_findings(&trap("p7-can-tho-2024"));
    assert_some_finding_says(
        &found,
        &[
            "state `district_decision`",
            "registration `first` with no certificate",
            "4★",
            "5★",
        ],
    );
}

#[test]
fn decision_exits_pass_on_every_shipped_definition() {
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        let found = decision_findings(&shipped(name));
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
}

/// national-2026 with a typo in the Minister's guard (190 points for 90): the definition
/// still validates, but the central council can no longer pass, and the report shows the
/// path to it.
#[test]
fn a_broken_definition_is_caught_with_a_counterexample() {
    let mut def = shipped("national-2026");
    let certify = def
        .transitions
        .iter_mut()
        .find(|t| t.id.as_str() == "central_certify")
        .unwrap();
    for g in &mut certify.guards {
        if g.guard == "min_score" {
            g.params.insert("min".into(), serde_json::json!(190));
        }
    }
    assert!(
        ocop_core::Cycle::new(def.clone()).is_ok(),
        "the typo passes static validation"
    );
    let err = check_definition_sound(&def).unwrap_err();
    let SoundnessError::Unsound(findings) = &err else {
        panic!("{err}")
    };
    let shown = err.to_string();
    assert!(
        findings
            .iter()
            .any(|f| f.check == "evaluation-can-pass" && f.message.contains("central_council")),
        "{shown}"
    );
    assert!(
        shown.contains("counterexample: registration -[file_dossier]-> commune_review"),
        "{shown}"
    );

    // And a council whose members are not separated from the producer.
    let mut def = shipped("can-tho-2024");
    def.separation
        .retain(|s| !s.roles.iter().any(|r| r.as_str() == "producer"));
    let shown = check_definition_sound(&def).unwrap_err().to_string();
    assert!(
        shown.contains("are not separated from the producer"),
        "{shown}"
    );
}

/// A scoring plugin with two bugs: it adds a point to the total on every other call (so it
/// is neither deterministic nor consistent), and it accepts out-of-range answers.
struct Broken {
    inner: NativeScorer,
    calls: AtomicU64,
}

impl Scorer for Broken {
    fn info(&self) -> &PluginInfo {
        self.inner.info()
    }
    fn plugin_ref(&self) -> PluginRef {
        PluginRef {
            name: "broken".into(),
            version: "0".into(),
            sha256: "broken".into(),
        }
    }
    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError> {
        self.inner.criteria(set)
    }
    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        let mut fixed = sheet.clone();
        for a in fixed.answers.values_mut() {
            *a = (*a).min(1);
        }
        let mut s = self.inner.score(&fixed)?;
        if self.calls.fetch_add(1, Ordering::Relaxed) % 2 == 1 {
            s.evaluation.total += 1.0;
        }
        Ok(s)
    }
}

#[test]
fn a_broken_plugin_is_caught_with_a_counterexample() {
    let broken = Broken {
        inner: NativeScorer::new(),
        calls: AtomicU64::new(0),
    };
    let fresh = || -> Result<Box<dyn Scorer>, PluginError> { Ok(Box::new(NativeScorer::new())) };
    let options = Options {
        sheets_per_set: 2,
        seed: 5,
        ..Options::default()
    };
    let report = check_scorer(&broken, &fresh, None, &options);
    assert!(!report.passed());
    let shown = report.to_string();
    assert!(
        shown.contains("[FAIL] totals within 0..=100 and equal to the sum of the lines"),
        "{shown}"
    );
    assert!(
        shown.contains("[FAIL] deterministic across runs and fresh instances"),
        "{shown}"
    );
    assert!(
        shown.contains("[FAIL] invalid sheets refused cleanly"),
        "{shown}"
    );
    assert!(
        shown.contains("first: set "),
        "failures name a counterexample: {shown}"
    );
    // The native rules pass the same checks.
    let native = NativeScorer::new();
    assert!(check_scorer(&native, &fresh, None, &options).passed());
}

#[test]
fn shadow_scoring_reports_rank_changes() {
    let old = NativeScorer::new();
    let new = Broken {
        inner: NativeScorer::new(),
        calls: AtomicU64::new(1),
    };
    let catalog = old.criteria(ProductSet::new(12).unwrap()).unwrap();
    let mut g = SheetGenerator::new(3);
    let corpus: Vec<_> = (0..10).map(|_| g.sheet(&catalog)).collect();
    let report = shadow_score(&old, &new, &corpus);
    assert_eq!(report.compared, 10);
    assert!(!report.changed.is_empty());
    assert!(report.to_string().contains("sheets compared"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_definitions_validate(def in definitions()) {
        let errors: Vec<_> = validate(&def).into_iter().filter(|d| d.severity == Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn each_injected_defect_is_reported_with_its_code((def, defect) in near_valid_definitions()) {
        let findings = validate(&def);
        prop_assert!(
            findings.iter().any(|d| d.code == defect.code() && d.severity == Severity::Error),
            "{defect:?} should give `{}`: {findings:#?}", defect.code()
        );
    }

    #[test]
    fn generated_answer_sheets_score_and_invalid_ones_are_refused(
        set in 1u8..=26,
        seed in any::<u64>(),
    ) {
        let native = NativeScorer::new();
        let catalog = native.criteria(ProductSet::new(set).unwrap()).unwrap();
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            ProptestConfig::default(),
            proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &{
                let mut s = [0u8; 32];
                s[..8].copy_from_slice(&seed.to_le_bytes());
                s
            }),
        );
        let valid = answer_sheets(catalog.clone()).new_tree(&mut runner).unwrap().current();
        prop_assert!(native.score(&valid).is_ok());
        let (class, invalid) = invalid_answer_sheets(catalog).new_tree(&mut runner).unwrap().current();
        let refused = matches!(native.score(&invalid), Err(PluginError::Rejected { .. }));
        prop_assert!(refused, "{class:?} was not refused");
    }
}
