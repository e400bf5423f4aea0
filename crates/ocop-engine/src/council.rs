//! Council rules: quorum, spread, aggregation, rounding, cap and knock-outs.
//!
//! # The council's result
//! - **Total**: the mean of the members' totals ("tổng điểm trung bình", Art. 3.3), or their
//!   median when the stage says `aggregation = "median"` (the mean of the two middle totals
//!   for an even number of sheets); unrounded unless `council.rounding` says otherwise
//!   (half up).
//! - **Band**: [`Stars::from_total`] of that total.
//! - **Cap**: the *median* of the members' caps (the lower median for an even number). The
//!   minimum marks are per criterion, and each member's plugin evaluation already turns
//!   them into a cap; the minimum over members would let one member's reading sink the
//!   product, the maximum would ignore the majority. The median is the council's majority
//!   view of the minimum marks, computed from recorded caps only, so it needs no second
//!   plugin call.
//! - **Knock-outs**: any member recording a knock-out knocks the product out (a knock-out is
//!   a fact about the dossier, not a matter of opinion); a knocked-out product has no stars.
//! - **Stars**: the lower of band and cap, none when knocked out.

use ocop_core::cycle::Evaluation;
use ocop_core::{
    Stars,
    definition::{CouncilRules, Rounding},
};

use crate::case::Council;
use crate::event::{CouncilResult, MemberSheet, MemberTotal};

/// Tolerance for comparing totals read from floating-point sheets.
const EPS: f64 = 1e-9;

/// Where a council stands, as its stage's rules read it ([`Engine::council_status`]): what
/// the guards `council_complete` and `spread_exceeded` decide on, and what an explanation
/// of them should quote.
///
/// [`Engine::council_status`]: crate::Engine::council_status
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CouncilStatus {
    /// Whether its members have been named.
    pub constituted: bool,
    /// How many members it has.
    pub members: usize,
    /// How many members have submitted a sheet.
    pub sheets: usize,
    /// The quorum in sheets: the stage's `quorum` share of the members, at least its
    /// `min_members`.
    pub needed: usize,
    /// Whether the stage requires the chair's sheet and it is missing.
    pub chair_missing: bool,
    /// The highest member total minus the lowest (0 with fewer than two sheets).
    pub spread: f64,
}

impl CouncilStatus {
    pub(crate) fn quorum_met(&self) -> bool {
        self.constituted && self.sheets >= self.needed && !self.chair_missing
    }

    pub(crate) fn spread_ok(&self, rules: &CouncilRules) -> bool {
        rules.max_spread.is_none_or(|max| self.spread <= max + EPS)
    }

    /// Why the council is not complete, for an error message; `None` when it is.
    pub(crate) fn incomplete_reason(&self, rules: &CouncilRules) -> Option<String> {
        if !self.constituted {
            return Some("the council has not been constituted (name its members first)".into());
        }
        if self.sheets < self.needed {
            return Some(format!(
                "{} of {} members have submitted sheets; the quorum needs {}",
                self.sheets, self.members, self.needed
            ));
        }
        if self.chair_missing {
            return Some("the chair's sheet is missing".into());
        }
        if !self.spread_ok(rules) {
            return Some(format!(
                "members' totals differ by {:.2} points, more than the {} allowed: re-score",
                self.spread,
                rules.max_spread.unwrap_or(0.0)
            ));
        }
        None
    }
}

/// The quorum in sheets for a council of `members`.
pub(crate) fn needed(rules: &CouncilRules, members: usize) -> usize {
    let share = (rules.quorum.clamp(0.0, 1.0) * members as f64 - EPS).ceil();
    let share = if share.is_finite() && share > 0.0 {
        share as usize
    } else {
        0
    };
    share.max(usize::try_from(rules.min_members).unwrap_or(usize::MAX))
}

pub(crate) fn status(stage: &Evaluation, council: Option<&Council>) -> CouncilStatus {
    let Some(c) = council.filter(|c| c.is_constituted()) else {
        return CouncilStatus {
            constituted: false,
            members: 0,
            sheets: council.map_or(0, Council::sheet_count),
            needed: needed(&stage.council, 0),
            chair_missing: stage.council.chair_required,
            spread: 0.0,
        };
    };
    let totals: Vec<f64> = c.sheets().map(MemberSheet::total).collect();
    let spread = match (
        totals.iter().copied().reduce(f64::max),
        totals.iter().copied().reduce(f64::min),
    ) {
        (Some(max), Some(min)) => max - min,
        _ => 0.0,
    };
    CouncilStatus {
        constituted: true,
        members: c.members().len(),
        sheets: c.sheet_count(),
        needed: needed(&stage.council, c.members().len()),
        chair_missing: stage.council.chair_required && !c.sheets().any(|s| s.chair),
        spread,
    }
}

/// Rounds half up per the council's rule.
pub(crate) fn round(total: f64, rounding: Rounding) -> f64 {
    let scale = match rounding {
        Rounding::None => return total,
        Rounding::Whole => 1.0,
        Rounding::OneDecimal => 10.0,
        Rounding::TwoDecimals => 100.0,
    };
    ((total * scale) + 0.5 + EPS).floor() / scale
}

/// The council's result from the sheets of its current sitting.
pub(crate) fn aggregate(stage: &Evaluation, council: &Council) -> Option<CouncilResult> {
    let mut members: Vec<MemberTotal> = council
        .sheets()
        .map(|s| MemberTotal {
            member: s.member.clone(),
            total: s.total(),
            cap: s.cap(),
            knockouts: s.knockouts().to_vec(),
        })
        .collect();
    if members.is_empty() {
        return None;
    }
    members.sort_by(|a, b| a.member.cmp(&b.member));
    let mut totals: Vec<f64> = members.iter().map(|m| m.total).collect();
    totals.sort_by(f64::total_cmp);
    let n = totals.len();
    let unrounded = match stage.aggregation {
        ocop_core::definition::Aggregation::Mean => totals.iter().sum::<f64>() / n as f64,
        ocop_core::definition::Aggregation::Median => {
            let hi = totals.get(n / 2).copied().unwrap_or(0.0);
            if n.is_multiple_of(2) {
                let lo = totals.get(n / 2 - 1).copied().unwrap_or(hi);
                (lo + hi) / 2.0
            } else {
                hi
            }
        }
    };
    let total = round(unrounded, stage.council.rounding);
    let mut caps: Vec<Stars> = members.iter().map(|m| m.cap).collect();
    caps.sort();
    // The lower median.
    let cap = caps.get((n - 1) / 2).copied().unwrap_or(Stars::ONE);
    let mut knockouts: Vec<String> = members
        .iter()
        .flat_map(|m| m.knockouts.iter().cloned())
        .collect();
    knockouts.sort();
    knockouts.dedup();
    let band = Stars::from_total(total);
    let stars = knockouts.is_empty().then(|| band.min(cap));
    Some(CouncilResult {
        evaluation: stage.id.clone(),
        level: stage.level,
        members,
        unrounded,
        total,
        band,
        cap,
        knockouts,
        stars,
        passed: total + EPS >= stage.pass_threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round(69.5, Rounding::Whole), 70.0);
        assert_eq!(round(69.49, Rounding::Whole), 69.0);
        assert_eq!(round(69.95, Rounding::OneDecimal), 70.0);
        assert_eq!(round(89.994, Rounding::TwoDecimals), 89.99);
        assert_eq!(round(89.995, Rounding::TwoDecimals), 90.0);
        assert_eq!(round(89.999, Rounding::None), 89.999);
    }

    #[test]
    fn quorum_counts_members_and_minimum() {
        let rules = CouncilRules {
            quorum: 0.75,
            chair_required: true,
            min_members: 5,
            max_spread: Some(10.0),
            rounding: Rounding::None,
        };
        assert_eq!(needed(&rules, 8), 6);
        assert_eq!(needed(&rules, 6), 5);
        assert_eq!(needed(&rules, 9), 7);
        assert_eq!(needed(&rules, 4), 5);
    }
}

#[cfg(test)]
mod aggregate_tests {
    use std::collections::BTreeMap;

    use ocop_core::{
        ProductSet,
        domain::{AnswerSheet, Evaluation, Level, PartTotals, PluginRef},
        ids::{EvaluationId, StateId},
        plugin::Scored,
    };

    use super::*;
    use crate::event::{CouncilMember, MemberSheet, SheetScore};

    fn stage(
        aggregation: ocop_core::definition::Aggregation,
        rounding: Rounding,
    ) -> ocop_core::cycle::Evaluation {
        ocop_core::cycle::Evaluation {
            id: EvaluationId::new("s"),
            state: StateId::new("e"),
            level: Level::Province,
            member_role: "m".into(),
            chair_role: Some("c".into()),
            plugin: "p".into(),
            substitute: None,
            aggregation,
            council: CouncilRules {
                quorum: 0.75,
                chair_required: true,
                min_members: 3,
                max_spread: Some(10.0),
                rounding,
            },
            pass_threshold: 50.0,
            basis: "test".into(),
        }
    }

    fn sheet(member: &str, chair: bool, total: f64, cap: u8, knockouts: &[&str]) -> MemberSheet {
        let set = ProductSet::new(1).unwrap();
        MemberSheet {
            evaluation: EvaluationId::new("s"),
            member: member.into(),
            chair,
            sheet: AnswerSheet {
                format: 1,
                product_set: set,
                evaluator: Some(member.into()),
                branch: None,
                answers: BTreeMap::new(),
                facts: BTreeMap::new(),
            },
            score: SheetScore::Scored(Scored {
                evaluation: Evaluation {
                    format: 1,
                    product_set: set,
                    lines: Vec::new(),
                    parts: PartTotals {
                        a: 0.0,
                        b: 0.0,
                        c: 0.0,
                    },
                    total,
                    band: Stars::from_total(total),
                    cap: Stars::new(cap).unwrap(),
                    knockouts: knockouts.iter().map(|k| (*k).to_owned()).collect(),
                    stars: None,
                },
                plugin: PluginRef {
                    name: "p".into(),
                    version: "1".into(),
                    sha256: String::new(),
                },
                fuel_used: None,
            }),
        }
    }

    fn council(members: usize, sheets: Vec<MemberSheet>) -> Council {
        let mut c = Council {
            members: Vec::new(),
            sheets: BTreeMap::new(),
        };
        c.members = (0..members)
            .map(|i| CouncilMember {
                id: if i == 0 {
                    "chair".into()
                } else {
                    format!("m{i}")
                },
                chair: i == 0,
            })
            .collect();
        for s in sheets {
            c.sheets.insert(s.member.clone(), std::sync::Arc::new(s));
        }
        c
    }

    #[test]
    fn mean_total_band_and_median_cap() {
        let st = stage(ocop_core::definition::Aggregation::Mean, Rounding::None);
        let c = council(
            4,
            vec![
                sheet("chair", true, 72.0, 4, &[]),
                sheet("m1", false, 75.0, 3, &[]),
                sheet("m2", false, 71.0, 4, &[]),
                sheet("m3", false, 70.5, 5, &[]),
            ],
        );
        let r = aggregate(&st, &c).unwrap();
        assert_eq!(r.unrounded, 72.125);
        assert_eq!(r.total, 72.125);
        assert_eq!(r.band, Stars::FOUR);
        // Caps 3, 4, 4, 5: the lower median is 4.
        assert_eq!(r.cap, Stars::FOUR);
        assert_eq!(r.stars, Some(Stars::FOUR));
        assert!(r.passed);
        // One dissenting low cap does not sink the product; a majority does.
        let c = council(
            3,
            vec![
                sheet("chair", true, 80.0, 3, &[]),
                sheet("m1", false, 80.0, 3, &[]),
                sheet("m2", false, 80.0, 5, &[]),
            ],
        );
        assert_eq!(aggregate(&st, &c).unwrap().stars, Some(Stars::THREE));
    }

    #[test]
    fn median_rounding_and_knock_outs() {
        let st = stage(ocop_core::definition::Aggregation::Median, Rounding::Whole);
        let c = council(
            4,
            vec![
                sheet("chair", true, 60.0, 5, &[]),
                sheet("m1", false, 69.0, 5, &[]),
                sheet("m2", false, 70.0, 5, &["forged_dossier"]),
                sheet("m3", false, 99.0, 5, &[]),
            ],
        );
        let r = aggregate(&st, &c).unwrap();
        assert_eq!(r.unrounded, 69.5);
        assert_eq!(r.total, 70.0);
        assert_eq!(r.band, Stars::FOUR);
        assert_eq!(r.knockouts, vec!["forged_dossier".to_owned()]);
        assert_eq!(r.stars, None);
    }

    #[test]
    fn quorum_chair_and_spread() {
        let st = stage(ocop_core::definition::Aggregation::Mean, Rounding::None);
        // Four members: the quorum is max(ceil(3), 3) = 3 sheets with the chair's.
        let c = council(
            4,
            vec![
                sheet("m1", false, 70.0, 5, &[]),
                sheet("m2", false, 72.0, 5, &[]),
                sheet("m3", false, 71.0, 5, &[]),
            ],
        );
        let s = status(&st, Some(&c));
        assert!(!s.quorum_met());
        assert_eq!(
            s.incomplete_reason(&st.council).as_deref(),
            Some("the chair's sheet is missing")
        );
        let c = council(
            4,
            vec![
                sheet("chair", true, 60.0, 5, &[]),
                sheet("m1", false, 70.5, 5, &[]),
                sheet("m2", false, 65.0, 5, &[]),
            ],
        );
        let s = status(&st, Some(&c));
        assert!(s.quorum_met());
        assert!(!s.spread_ok(&st.council));
        assert!(
            s.incomplete_reason(&st.council)
                .unwrap()
                .contains("re-score")
        );
        assert!(!status(&st, None).quorum_met());
    }
}
