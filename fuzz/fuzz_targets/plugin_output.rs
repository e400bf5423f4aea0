//! Feed arbitrary "plugin results" to the host's check of plugin output: it never panics,
//! and whatever it accepts is a consistent evaluation that is no more lenient than the sheet
//! (its knock-outs include every one whose fact does not hold).
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ocop_core::{
    ProductSet, Stars,
    plugin::{CriteriaSheet, LineNote, RawEvaluation, RawLine, Scorer},
};
use ocop_criteria_26_2026::NativeScorer;

fn raw(u: &mut Unstructured<'_>, catalog: &CriteriaSheet) -> Result<RawEvaluation> {
    // Mostly the right number of lines, sometimes not.
    let n = if u.ratio(7, 8)? {
        catalog.criteria.len()
    } else {
        u.int_in_range(0..=64)?
    };
    let mut lines = Vec::with_capacity(n);
    for _ in 0..n {
        let note = match u.int_in_range(0..=3)? {
            0 => LineNote::Scored,
            1 => LineNote::BelowMinimum(u.arbitrary()?),
            2 => LineNote::OtherBranch,
            _ => LineNote::Stopped(u.arbitrary()?),
        };
        lines.push(RawLine {
            option: u.int_in_range(0..=6)?,
            points: if u.ratio(3, 4)? {
                u.int_in_range(0..=500)?
            } else {
                u.arbitrary()?
            },
            note,
        });
    }
    let parts: [u32; 3] = if u.ratio(1, 2)? {
        let mut p = [0u32; 3];
        for (c, l) in catalog.criteria.iter().zip(&lines) {
            let i = match c.part.as_str() {
                "A" => 0,
                "B" => 1,
                _ => 2,
            };
            p[i] = p[i].saturating_add(l.points);
        }
        p
    } else {
        u.arbitrary()?
    };
    let total = if u.ratio(1, 2)? {
        parts.iter().fold(0u32, |a, b| a.saturating_add(*b))
    } else {
        u.arbitrary()?
    };
    Ok(RawEvaluation {
        lines,
        parts,
        total,
        band: u.int_in_range(0..=6)?,
        cap: u.int_in_range(0..=6)?,
        knockouts: if u.ratio(3, 4)? {
            Vec::new()
        } else {
            vec![u.arbitrary()?]
        },
        stars: u.arbitrary()?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(set) = u.int_in_range(1..=26u8) else {
        return;
    };
    thread_local!(static SCORER: NativeScorer = NativeScorer::new());
    let Some(catalog) = SCORER.with(|s| s.criteria(ProductSet::new(set)?).ok()) else {
        return;
    };
    // A valid answer sheet: the first option everywhere, facts from the input.
    let mut sheet = catalog.template(catalog.branches.first().map(|b| b.number));
    for v in sheet.facts.values_mut() {
        let Ok(holds) = u.arbitrary::<bool>() else {
            return;
        };
        *v = holds;
    }
    let Ok(input) = catalog.prepare(&sheet) else {
        return;
    };
    let Ok(raw) = raw(&mut u, &catalog) else {
        return;
    };
    if let Ok(e) = catalog.check_output(&input, &raw) {
        for k in &catalog.knockouts {
            assert!(input.holds(&k.fact) || e.knockouts.contains(&k.id));
        }
        assert_eq!(e.lines.len(), catalog.criteria.len());
        assert!((0.0..=100.0).contains(&e.total));
        let sum: f64 = e.lines.iter().map(|l| l.points).sum();
        assert!((sum - e.total).abs() < 1e-9);
        assert_eq!(e.band, Stars::from_total(e.total));
        if let Some(s) = e.stars {
            assert!(s <= e.band && s <= e.cap);
        }
    }
});
