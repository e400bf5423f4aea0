#![allow(
    unsafe_code,
    reason = "the SDK's export macro generates the canonical-ABI glue"
)]

use std::sync::atomic::{AtomicU32, Ordering};

use ocop_plugin_sdk::scoring::{Guest, export_scoring};
use ocop_plugin_sdk::types::{
    AnswerSheet, CriteriaSheet, Criterion, CriterionOption, Evaluation, Fact, Knockout, Label,
    Line, LineNote, Part, PluginError, PluginInfo, Section,
};
use ocop_plugin_sdk::{band, below_minimum, cap, points, stars};

use crate::Behaviour;

struct Hostile;

fn label(s: &str) -> Label {
    Label {
        vi: s.to_owned(),
        en: s.to_owned(),
    }
}

#[inline(never)]
fn recurse(n: u64) -> u64 {
    // Keep a frame alive on every level so the recursion cannot be turned into a loop.
    let frame = [n; 16];
    if std::hint::black_box(n) == u64::MAX {
        return frame.iter().sum();
    }
    recurse(n + 1).wrapping_add(std::hint::black_box(frame)[3])
}

#[inline(never)]
fn recurse_big(n: u64) -> u64 {
    // 64 KiB of locals per level: the stack Rust keeps in linear memory (1 MiB) runs out
    // after a few levels, long before WebAssembly's own stack does.
    let mut frame = [0u8; 64 << 10];
    frame[(n as usize) % frame.len()] = n as u8;
    let frame = std::hint::black_box(frame);
    if std::hint::black_box(n) == u64::MAX {
        return u64::from(frame[7]);
    }
    recurse_big(n + 1).wrapping_add(u64::from(frame[(n as usize * 7) % frame.len()]))
}

/// Calls on this instance so far (a kept instance remembers it; a fresh one starts at 0).
static CALLS: AtomicU32 = AtomicU32::new(0);

fn sheet(product_set: u8) -> CriteriaSheet {
    let part = |code: &str, max: u32| Part {
        code: code.into(),
        title: label(code),
        max,
    };
    let criterion = |id: &str, part: &str, options: [(u32, Option<u8>); 3]| Criterion {
        id: id.into(),
        part: part.into(),
        section: part.into(),
        title: label(id),
        max: options[2].0,
        branch: None,
        options: options
            .iter()
            .zip(["none", "part", "all"])
            .map(|((points, min_stars), l)| CriterionOption {
                label: label(l),
                points: *points,
                min_stars: *min_stars,
            })
            .collect(),
        stop: None,
    };
    CriteriaSheet {
        product_set,
        title: label("hostile"),
        legal_basis: "none".into(),
        knockouts: vec![Knockout {
            id: "no_food_safety_certificate".into(),
            label: label("no food-safety certificate"),
            fact: "food_safety_certificate".into(),
        }],
        parts: vec![part("A", 4000), part("B", 2500), part("C", 3500)],
        sections: [("A", 4000), ("B", 2500), ("C", 3500)]
            .iter()
            .map(|(p, max)| Section {
                part: (*p).into(),
                code: (*p).into(),
                title: label(p),
                max: *max,
            })
            .collect(),
        criteria: vec![
            criterion(
                "a",
                "A",
                [(0, None), (points(25), None), (points(40), None)],
            ),
            criterion(
                "b",
                "B",
                [(0, None), (points(10), None), (points(25), None)],
            ),
            criterion(
                "c",
                "C",
                [(0, None), (points(30), None), (points(35), Some(5))],
            ),
        ],
        branches: Vec::new(),
        facts: vec![Fact {
            id: "food_safety_certificate".into(),
            label: label("holds a food-safety certificate"),
        }],
    }
}

/// What the sheet gives for `answers`.
fn honest(answers: &AnswerSheet) -> Result<Evaluation, PluginError> {
    let sheet = sheet(answers.product_set);
    let mut lines = Vec::new();
    let mut parts = [0u32; 3];
    let mut failed = Vec::new();
    for (i, (c, answer)) in sheet.criteria.iter().zip(&answers.answers).enumerate() {
        let chosen = answer.ok_or_else(|| PluginError {
            code: "unanswered".into(),
            message: format!("criterion {} has no answer", c.id),
        })?;
        let option = c
            .options
            .get(usize::from(chosen))
            .ok_or_else(|| PluginError {
                code: "answer-out-of-range".into(),
                message: format!("criterion {} has no option {chosen}", c.id),
            })?;
        let below = below_minimum(&c.options, usize::from(chosen));
        failed.extend(below);
        parts[i] += option.points;
        lines.push(Line {
            chosen,
            points: option.points,
            note: below.map_or(LineNote::Scored, LineNote::BelowMinimum),
        });
    }
    let total = parts.iter().sum();
    let knockouts: Vec<String> = sheet
        .knockouts
        .iter()
        .filter(|k| !answers.facts.contains(&k.fact))
        .map(|k| k.id.clone())
        .collect();
    let (band, cap) = (band(total), cap(failed));
    Ok(Evaluation {
        lines,
        part_a: parts[0],
        part_b: parts[1],
        part_c: parts[2],
        total,
        band,
        cap,
        stars: stars(band, cap, !knockouts.is_empty()),
        knockouts,
    })
}

impl Guest for Hostile {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "hostile".into(),
            version: "0.0.0".into(),
            legal_basis: "none: a test of the sandbox".into(),
            product_sets: (1..=crate::SETS).collect(),
            checks: Vec::new(),
        }
    }

    fn criteria(product_set: u8) -> Result<CriteriaSheet, PluginError> {
        Ok(sheet(product_set))
    }

    fn score(answers: AnswerSheet) -> Result<Evaluation, PluginError> {
        let good = honest(&answers)?;
        let line = |points| Line {
            chosen: 1,
            points,
            note: LineNote::Scored,
        };
        match crate::behaviour(answers.product_set) {
            Behaviour::Loop => {
                let mut i: u64 = 0;
                loop {
                    i = std::hint::black_box(i.wrapping_add(1));
                }
            }
            Behaviour::Memory => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    // Reserve a mebibyte without writing it, so memory (not fuel) runs out.
                    let mut chunk: Vec<u8> = Vec::with_capacity(1 << 20);
                    chunk.push(1);
                    hoard.push(chunk);
                    std::hint::black_box(&hoard);
                }
            }
            Behaviour::Leak => {
                // Allocates a little at a time, for ever: the fuel runs out first.
                let mut hoard: Vec<Box<[u8; 256]>> = Vec::new();
                loop {
                    hoard.push(Box::new([7; 256]));
                    std::hint::black_box(&hoard);
                }
            }
            Behaviour::Recursion => {
                let n = recurse(0);
                Err(PluginError {
                    code: "unreachable".into(),
                    message: n.to_string(),
                })
            }
            Behaviour::BigFrames => {
                let n = recurse_big(0);
                Err(PluginError {
                    code: "unreachable".into(),
                    message: n.to_string(),
                })
            }
            Behaviour::Panic => panic!("the hostile plugin panics on purpose"),
            Behaviour::HugeOutput => Ok(Evaluation {
                lines: (0..100_000).map(|_| line(0)).collect(),
                ..good
            }),
            Behaviour::BadTotals => Ok(Evaluation {
                total: good.total ^ 1,
                ..good
            }),
            Behaviour::HugeError => Err(PluginError {
                code: "refused".into(),
                message: "x".repeat(1 << 20),
            }),
            Behaviour::InflatedLines => {
                // Every line earns its criterion's maximum; the sums and the band follow.
                let sheet = sheet(answers.product_set);
                let mut e = good;
                let mut parts = [0u32; 3];
                for (i, (l, c)) in e.lines.iter_mut().zip(&sheet.criteria).enumerate() {
                    l.points = c.max;
                    l.note = LineNote::Scored;
                    parts[i] = c.max;
                }
                e.part_a = parts[0];
                e.part_b = parts[1];
                e.part_c = parts[2];
                e.total = parts.iter().sum();
                e.band = band(e.total);
                e.cap = 5;
                e.stars = stars(e.band, e.cap, !e.knockouts.is_empty());
                Ok(e)
            }
            Behaviour::IgnoredMinimums => Ok(Evaluation {
                cap: 5,
                stars: stars(good.band, 5, !good.knockouts.is_empty()),
                ..good
            }),
            Behaviour::IgnoredKnockouts => Ok(Evaluation {
                knockouts: Vec::new(),
                stars: stars(good.band, good.cap, false),
                ..good
            }),
            Behaviour::Counter => {
                // Every second call on the same instance caps the rank at 2: strict enough
                // for the host's check of each result, but not the same result twice.
                let n = CALLS.fetch_add(1, Ordering::Relaxed);
                if n % 2 == 1 {
                    Ok(Evaluation {
                        cap: 2,
                        stars: stars(good.band, 2, !good.knockouts.is_empty()),
                        ..good
                    })
                } else {
                    Ok(good)
                }
            }
            Behaviour::Behave => Ok(good),
        }
    }
}

export_scoring!(Hostile);
