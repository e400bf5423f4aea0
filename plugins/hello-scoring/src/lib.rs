//! Your first ocop scoring plugin: a three-criterion sheet with one knock-out.
//! Build it with `cargo run -p ocop-cli -- plugin build plugins/hello-scoring`.

use ocop_plugin_sdk::scoring::{Guest, export_scoring};
use ocop_plugin_sdk::types::*;
use ocop_plugin_sdk::{band, below_minimum, cap, points, stars};

struct Hello;

fn text(vi: &str, en: &str) -> Label {
    Label {
        vi: vi.into(),
        en: en.into(),
    }
}

/// One criterion: (id, part, title, options as (label, whole points, minimum mark)).
fn criterion(id: &str, part: &str, title: Label, options: &[(&str, u32, Option<u8>)]) -> Criterion {
    Criterion {
        id: id.into(),
        part: part.into(),
        section: part.into(),
        title,
        max: options.iter().map(|o| points(o.1)).max().unwrap_or(0),
        branch: None,
        options: options
            .iter()
            .map(|(l, p, m)| CriterionOption {
                label: text(l, l),
                points: points(*p),
                min_stars: *m,
            })
            .collect(),
        stop: None,
    }
}

fn sheet(product_set: u8) -> CriteriaSheet {
    let part = |code: &str, max| Part {
        code: code.into(),
        title: text(code, code),
        max: points(max),
    };
    CriteriaSheet {
        product_set,
        title: text("Bộ tiêu chí mẫu", "Sample criteria"),
        legal_basis: "tutorial".into(),
        knockouts: vec![Knockout {
            id: "no_food_safety_certificate".into(),
            label: text(
                "Không có giấy chứng nhận ATTP",
                "No food-safety certificate",
            ),
            fact: "food_safety_certificate".into(),
        }],
        parts: vec![part("A", 40), part("B", 25), part("C", 35)],
        sections: [("A", 40), ("B", 25), ("C", 35)]
            .iter()
            .map(|(code, max)| Section {
                part: (*code).into(),
                code: (*code).into(),
                title: text(code, code),
                max: points(*max),
            })
            .collect(),
        criteria: vec![
            criterion(
                "1",
                "A",
                text("Nguồn nguyên liệu", "Raw material"),
                &[
                    ("none", 0, None),
                    ("local", 20, Some(3)),
                    ("all local", 40, None),
                ],
            ),
            criterion(
                "2",
                "B",
                text("Tiếp thị", "Marketing"),
                &[("none", 0, None), ("some", 25, None)],
            ),
            criterion(
                "3",
                "C",
                text("Chất lượng", "Quality"),
                &[
                    ("poor", 0, None),
                    ("good", 20, None),
                    ("excellent", 35, Some(5)),
                ],
            ),
        ],
        branches: vec![],
        // Every fact the plugin reads; an answer sheet may state no other.
        facts: vec![Fact {
            id: "food_safety_certificate".into(),
            label: text("Có giấy chứng nhận ATTP", "Holds a food-safety certificate"),
        }],
    }
}

impl Guest for Hello {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "hello-scoring".into(),
            version: "0.1.0".into(),
            legal_basis: "tutorial".into(),
            product_sets: vec![1],
            checks: vec![],
        }
    }

    fn criteria(product_set: u8) -> Result<CriteriaSheet, PluginError> {
        match product_set {
            1 => Ok(sheet(1)),
            n => Err(PluginError {
                code: "unknown-set".into(),
                message: format!("no sheet for set {n}"),
            }),
        }
    }

    fn score(answers: AnswerSheet) -> Result<Evaluation, PluginError> {
        let sheet = sheet(answers.product_set);
        if answers.answers.len() != sheet.criteria.len() {
            return Err(PluginError {
                code: "answer-count".into(),
                message: "answer every criterion".into(),
            });
        }
        let mut lines = Vec::new();
        let mut parts = [0u32; 3];
        let mut failed = Vec::new();
        for (c, answer) in sheet.criteria.iter().zip(&answers.answers) {
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
            // A minimum mark on a better option than the one chosen fails that rank.
            let below = below_minimum(&c.options, usize::from(chosen));
            failed.extend(below);
            parts[usize::from(c.part.as_bytes()[0] - b'A')] += option.points;
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
}

export_scoring!(Hello);
