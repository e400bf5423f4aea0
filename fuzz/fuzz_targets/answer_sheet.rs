//! Decode arbitrary bytes as an answer sheet and score it with the native rules: decoding
//! and scoring never panic, and whatever is scored stays within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocop_core::{Stars, domain::AnswerSheet, plugin::Scorer};
use ocop_criteria_26_2026::NativeScorer;

fuzz_target!(|data: &[u8]| {
    let Ok(sheet) = serde_json::from_slice::<AnswerSheet>(data) else {
        return;
    };
    thread_local!(static SCORER: NativeScorer = NativeScorer::new());
    SCORER.with(|scorer| {
        if let Ok(scored) = scorer.score(&sheet) {
            let e = scored.evaluation;
            assert!((0.0..=100.0).contains(&e.total));
            let sum: f64 = e.lines.iter().map(|l| l.points).sum();
            assert_eq!(sum, e.total);
            assert_eq!(e.band, Stars::from_total(e.total));
            assert_eq!(e.stars.is_none(), !e.knockouts.is_empty());
        }
    });
});
