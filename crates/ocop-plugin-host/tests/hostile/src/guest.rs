#![allow(
    unsafe_code,
    reason = "the SDK's export macro generates the canonical-ABI glue"
)]

use ocop_plugin_sdk::scoring::Guest;
use ocop_plugin_sdk::types::{
    AnswerSheet, CriteriaSheet, Criterion, CriterionOption, Evaluation, Label, Line, LineNote,
    Part, PluginError, PluginInfo, Section,
};

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

impl Guest for Hostile {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "hostile".into(),
            version: "0.0.0".into(),
            legal_basis: "none: a test of the sandbox".into(),
            product_sets: (1..=8).collect(),
            checks: Vec::new(),
        }
    }

    fn criteria(product_set: u8) -> Result<CriteriaSheet, PluginError> {
        let part = |code: &str, max: u32| Part {
            code: code.into(),
            title: label(code),
            max,
        };
        let criterion = |id: &str, part: &str, max: u32| Criterion {
            id: id.into(),
            part: part.into(),
            section: part.into(),
            title: label(id),
            max,
            branch: None,
            options: vec![
                CriterionOption {
                    label: label("none"),
                    points: 0,
                    min_stars: None,
                },
                CriterionOption {
                    label: label("all"),
                    points: max,
                    min_stars: None,
                },
            ],
            stop: None,
        };
        Ok(CriteriaSheet {
            product_set,
            title: label("hostile"),
            legal_basis: "none".into(),
            knockouts: Vec::new(),
            parts: vec![part("A", 4000), part("B", 2500), part("C", 3500)],
            sections: ["A", "B", "C"]
                .iter()
                .zip([4000, 2500, 3500])
                .map(|(p, max)| Section {
                    part: (*p).into(),
                    code: (*p).into(),
                    title: label(p),
                    max,
                })
                .collect(),
            criteria: vec![
                criterion("a", "A", 4000),
                criterion("b", "B", 2500),
                criterion("c", "C", 3500),
            ],
            branches: Vec::new(),
        })
    }

    fn score(sheet: AnswerSheet) -> Result<Evaluation, PluginError> {
        let line = |points| Line {
            chosen: 1,
            points,
            note: LineNote::Scored,
        };
        let good = Evaluation {
            lines: vec![line(4000), line(2500), line(3500)],
            part_a: 4000,
            part_b: 2500,
            part_c: 3500,
            total: 10_000,
            band: 5,
            cap: 5,
            knockouts: Vec::new(),
            stars: Some(5),
        };
        match crate::behaviour(sheet.product_set) {
            "loop" => {
                let mut i: u64 = 0;
                loop {
                    i = std::hint::black_box(i.wrapping_add(1));
                }
            }
            "memory" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    // Reserve a mebibyte without writing it, so memory (not fuel) runs out.
                    let mut chunk: Vec<u8> = Vec::with_capacity(1 << 20);
                    chunk.push(1);
                    hoard.push(chunk);
                    std::hint::black_box(&hoard);
                }
            }
            "recursion" => {
                let n = recurse(0);
                Err(PluginError {
                    code: "unreachable".into(),
                    message: n.to_string(),
                })
            }
            "panic" => panic!("the hostile plugin panics on purpose"),
            "huge-output" => Ok(Evaluation {
                lines: (0..100_000).map(|_| line(0)).collect(),
                ..good
            }),
            "bad-totals" => Ok(Evaluation {
                total: 9_999,
                ..good
            }),
            "huge-error" => Err(PluginError {
                code: "refused".into(),
                message: "x".repeat(1 << 20),
            }),
            _ => Ok(good),
        }
    }
}

ocop_plugin_sdk::scoring::export_scoring!(Hostile);
