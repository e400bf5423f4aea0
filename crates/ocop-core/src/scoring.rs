//! The two checks around every scoring call, whatever runs the plugin: the answer sheet
//! against the criteria sheet before the plugin sees it ([`CriteriaSheet::prepare`]), and
//! the plugin's result against the criteria sheet the same plugin published after
//! ([`CriteriaSheet::check_output`]): **stricter, never more lenient**.
//!
//! Why one file of 1,100 lines (about 380 of them tests): the two checks walk the same
//! criteria sheet line by line with the same notion of section, case and stop rule, and
//! the rules they apply (band, cap, minimum marks) come from `ocop-rules`; the tests keep
//! a reference scorer beside them.
//!
//! # Invariants
//! An evaluation that [`CriteriaSheet::check_output`] accepts has one line per criterion in
//! catalog order, and
//! - each line of a criterion that applies chose the option answered and earned exactly that
//!   option's points, with the note the sheet gives (`scored`, or `below_minimum` of the
//!   lowest star mark the option misses);
//! - a line whose section chose another case is `other_branch` and earns 0;
//! - once a declared stop rule fires (its fact does not hold, or a criterion of its section
//!   scored 0), every later line of its part is `stopped` by that rule and earns 0, and no
//!   line claims a stop rule that did not fire;
//! - the parts and the total are the sums of the lines (at most 100), the band is the band of
//!   the total;
//! - the cap is 2 to 5 and at most the cap the sheet's star marks give;
//! - the knock-outs are declared, without repeats, and include every knock-out whose fact
//!   does not hold;
//! - the stars are the lower of band and cap, and none when knocked out.
//!
//! So a plugin may be stricter than its sheet (a lower cap, an extra declared knock-out), but
//! no product gets more than the sheet the plugin publishes allows.

use std::fmt;

use crate::catalog::ProductSet;
use crate::domain::{AnswerSheet, Evaluation, EvaluationLine, PartTotals, Stars};
use crate::ids::CriterionId;
use crate::plugin::{CriteriaSheet, Criterion, LineNote, RawEvaluation, join_numbers};

/// Why an answer sheet does not fit a criteria sheet. A scorer reports it as the plugin
/// refusing its input (`PluginError::Rejected` with this code).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} [{code}]")]
pub struct AnswerError {
    /// A stable code, e.g. `unknown-fact`.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl AnswerError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        AnswerError {
            code,
            message: message.into(),
        }
    }
}

/// An answer sheet in the form a plugin receives it, checked against the criteria sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoringInput {
    /// The product set.
    pub product_set: ProductSet,
    /// One option index per criterion, in catalog order; `None` exactly for the criteria of
    /// a case their section did not choose.
    pub answers: Vec<Option<u8>>,
    /// The case each section with alternatives chose (section code, case), in catalog
    /// order.
    pub branches: Vec<(String, u8)>,
    /// The facts that hold, each one the criteria sheet lists, sorted.
    pub facts: Vec<String>,
}

impl ScoringInput {
    /// Whether `fact` holds.
    pub fn holds(&self, fact: &str) -> bool {
        self.facts
            .binary_search_by(|f| f.as_str().cmp(fact))
            .is_ok()
    }

    /// The case `section` chose, if it offers alternatives.
    pub fn branch(&self, section: &str) -> Option<u8> {
        self.branches
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, b)| *b)
    }

    /// The single case every section chose, when they all chose the same one (what a plugin
    /// of `ocop:plugin@0.1.0`, which takes one case for the whole sheet, can be given).
    /// `Ok(None)` for a sheet without alternatives.
    ///
    /// # Errors
    /// The sections and their cases, when they differ.
    pub fn single_branch(&self) -> Result<Option<u8>, String> {
        let first = self.branches.first().map(|(_, b)| *b);
        if self.branches.iter().all(|(_, b)| Some(*b) == first) {
            return Ok(first);
        }
        Err(self
            .branches
            .iter()
            .map(|(s, b)| format!("section {s} case {b}"))
            .collect::<Vec<_>>()
            .join(", "))
    }
}

/// A plugin's result that its own criteria sheet does not allow. The scorer reports it as
/// `PluginError::BadOutput`; the message names the criterion and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct OutputError {
    /// The criterion, when the problem is one line.
    pub criterion: Option<CriterionId>,
    /// What is wrong: what the sheet gives and what the plugin returned.
    pub problem: String,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.criterion {
            Some(c) => write!(f, "criterion {c}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

fn whole(problem: impl Into<String>) -> OutputError {
    OutputError {
        criterion: None,
        problem: problem.into(),
    }
}

fn at(c: &Criterion, problem: impl Into<String>) -> OutputError {
    OutputError {
        criterion: Some(c.id.clone()),
        problem: problem.into(),
    }
}

/// Points as hundredths, the unit plugins return.
fn centi(points: f64) -> u64 {
    let c = (points * 100.0).round();
    if c <= 0.0 { 0 } else { c as u64 }
}

fn shown(centi: u64) -> String {
    format!("{:.2}", centi as f64 / 100.0)
}

/// A criterion's options as the shared rules read them: points in hundredths and minimum
/// mark.
fn marks(c: &Criterion) -> impl Iterator<Item = (u32, Option<u8>)> + Clone + '_ {
    c.options.iter().map(|o| {
        (
            u32::try_from(centi(o.points)).unwrap_or(u32::MAX),
            o.min_stars.map(Stars::get),
        )
    })
}

/// The lowest star level whose minimum mark the option at `chosen` misses
/// ([`ocop_rules::below_minimum`]).
fn below_minimum(c: &Criterion, chosen: usize) -> Option<u8> {
    ocop_rules::below_minimum(marks(c), chosen)
}

/// The lowest star level a criterion that is not assessed misses
/// ([`ocop_rules::below_minimum_unassessed`]).
fn below_minimum_unassessed(c: &Criterion) -> Option<u8> {
    ocop_rules::below_minimum_unassessed(marks(c))
}

fn note_text(note: &LineNote) -> String {
    match note {
        LineNote::Scored => "scored".into(),
        LineNote::BelowMinimum(s) => format!("below the {s}-star minimum"),
        LineNote::OtherBranch => "another case".into(),
        LineNote::Stopped(id) => format!("stopped by `{id}`"),
    }
}

fn part_slot(part: &str) -> Option<usize> {
    match part {
        "A" => Some(0),
        "B" => Some(1),
        "C" => Some(2),
        _ => None,
    }
}

impl CriteriaSheet {
    /// Checks an answer sheet against this criteria sheet and turns it into what the plugin
    /// receives: its format, its product set, every criterion id and fact name (a misspelt
    /// fact would otherwise silently read as false), each section's case, and one answer in
    /// range for every criterion that applies.
    ///
    /// # Errors
    /// An [`AnswerError`] with a stable code: `unsupported-format`, `wrong-set`,
    /// `unknown-criterion`, `unknown-fact`, `unexpected-branch`, `unknown-branch`,
    /// `missing-branch`, `other-branch-answered`, `unanswered`, `answer-out-of-range`.
    pub fn prepare(&self, sheet: &AnswerSheet) -> Result<ScoringInput, AnswerError> {
        if sheet.format != crate::domain::DOCUMENT_FORMAT {
            return Err(AnswerError::new(
                "unsupported-format",
                format!(
                    "the answer sheet has `format = {}`; this version of ocop reads format {}",
                    sheet.format,
                    crate::domain::DOCUMENT_FORMAT
                ),
            ));
        }
        if sheet.product_set != self.product_set {
            return Err(AnswerError::new(
                "wrong-set",
                format!(
                    "the answer sheet is for set {}, this criteria sheet is set {}",
                    sheet.product_set, self.product_set
                ),
            ));
        }
        // Criterion ids are unique (a published sheet is checked for it), so every answer
        // names a criterion exactly when as many criteria are answered as there are answers.
        let answered = self
            .criteria
            .iter()
            .filter(|c| sheet.answers.contains_key(&c.id))
            .count();
        if answered != sheet.answers.len()
            && let Some(unknown) = sheet
                .answers
                .keys()
                .find(|id| !self.criteria.iter().any(|c| c.id == **id))
        {
            let hint = crate::validate::nearest(
                unknown.as_str(),
                self.criteria.iter().map(|c| c.id.as_str()),
            )
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
            return Err(AnswerError::new(
                "unknown-criterion",
                format!(
                    "set {} has no criterion `{unknown}`{hint}",
                    self.product_set
                ),
            ));
        }
        if let Some(unknown) = sheet.facts.keys().find(|f| !self.reads_fact(f)) {
            let known = self.facts();
            let hint = crate::validate::nearest(unknown, known.iter().map(String::as_str))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let listed = if known.is_empty() {
                "it reads no facts, so an answer sheet states none".to_owned()
            } else {
                format!(
                    "its facts are {}",
                    known
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(AnswerError::new(
                "unknown-fact",
                format!(
                    "the criteria sheet of set {} reads no fact `{unknown}`; {hint}{listed}",
                    self.product_set
                ),
            ));
        }
        let branches = self.choices(sheet)?;
        let mut answers = Vec::with_capacity(self.criteria.len());
        for c in &self.criteria {
            let applies = c.branch.is_none()
                || branches
                    .iter()
                    .any(|(s, b)| *s == c.section && Some(*b) == c.branch);
            let answer = sheet.answers.get(&c.id);
            match (applies, answer) {
                (false, _) => answers.push(None),
                (true, None) => {
                    return Err(AnswerError::new(
                        "unanswered",
                        format!("criterion {} ({}) has no answer", c.id, c.title.vi),
                    ));
                }
                (true, Some(&i)) => {
                    let fits = usize::try_from(i).is_ok_and(|i| i < c.options.len());
                    match u8::try_from(i) {
                        Ok(i) if fits => answers.push(Some(i)),
                        _ => {
                            return Err(AnswerError::new(
                                "answer-out-of-range",
                                format!(
                                    "criterion {} has options 0 to {}, the sheet chose {i}",
                                    c.id,
                                    c.options.len().saturating_sub(1)
                                ),
                            ));
                        }
                    }
                }
            }
        }
        Ok(ScoringInput {
            product_set: self.product_set,
            answers,
            branches,
            facts: sheet
                .facts
                .iter()
                .filter(|(_, holds)| **holds)
                .map(|(f, _)| f.clone())
                .collect(),
        })
    }

    /// Whether an answer sheet may state `fact` (see [`CriteriaSheet::facts`]).
    fn reads_fact(&self, fact: &str) -> bool {
        self.facts.iter().any(|f| f.id == fact)
            || self.knockouts.iter().any(|k| k.fact == fact)
            || self
                .criteria
                .iter()
                .any(|c| c.stop.as_ref().and_then(|s| s.fact.as_deref()) == Some(fact))
    }

    /// The case each section with alternatives chose. A section's case is the one whose
    /// criterion the sheet answers; failing that, the sheet's `branch`.
    fn choices(&self, sheet: &AnswerSheet) -> Result<Vec<(String, u8)>, AnswerError> {
        let alternatives = self.alternatives();
        if alternatives.is_empty() {
            if let Some(b) = sheet.branch {
                return Err(AnswerError::new(
                    "unexpected-branch",
                    format!(
                        "set {} has no alternative cases, but the sheet names case {b}",
                        self.product_set
                    ),
                ));
            }
            return Ok(Vec::new());
        }
        if let Some(b) = sheet.branch {
            self.known_case(b)?;
        }
        let mut out = Vec::with_capacity(alternatives.len());
        for (section, cases) in alternatives {
            let answered: Vec<&Criterion> = self
                .criteria
                .iter()
                .filter(|c| {
                    c.section == section && c.branch.is_some() && sheet.answers.contains_key(&c.id)
                })
                .collect();
            let chosen = match (answered.as_slice(), sheet.branch) {
                ([a, b, ..], _) => {
                    return Err(AnswerError::new(
                        "other-branch-answered",
                        format!(
                            "section {section} is answered under two cases (criteria {} and {}): answer the criterion of one case only",
                            a.id, b.id
                        ),
                    ));
                }
                ([one], Some(b)) if one.branch != Some(b) => {
                    return Err(AnswerError::new(
                        "other-branch-answered",
                        format!(
                            "criterion {} belongs to case {}, but the sheet's `branch` is {b}; leave `branch` out to choose a case per section",
                            one.id,
                            one.branch.unwrap_or_default()
                        ),
                    ));
                }
                ([one], _) => one.branch.unwrap_or_default(),
                ([], Some(b)) if cases.contains(&b) => b,
                ([], Some(b)) => {
                    return Err(AnswerError::new(
                        "unknown-branch",
                        format!(
                            "section {section} has no case {b}; it offers {}",
                            join_numbers(&cases)
                        ),
                    ));
                }
                ([], None) => {
                    let ids: Vec<&str> = self
                        .criteria
                        .iter()
                        .filter(|c| c.section == section && c.branch.is_some())
                        .map(|c| c.id.as_str())
                        .collect();
                    return Err(AnswerError::new(
                        "missing-branch",
                        format!(
                            "section {section} offers cases {}: answer the criterion of one of them ({}), or set `branch` for every section",
                            join_numbers(&cases),
                            ids.join(" or ")
                        ),
                    ));
                }
            };
            out.push((section.to_owned(), chosen));
        }
        Ok(out)
    }

    /// Checks a plugin's raw result against this criteria sheet (the one the same plugin
    /// published) and the input it was given, and builds the evaluation document. See the
    /// module's invariants: the plugin may be stricter than its sheet, never more lenient.
    ///
    /// # Errors
    /// An [`OutputError`] naming the criterion and what was expected.
    pub fn check_output(
        &self,
        input: &ScoringInput,
        raw: &RawEvaluation,
    ) -> Result<Evaluation, OutputError> {
        if raw.lines.len() != self.criteria.len() {
            return Err(whole(format!(
                "{} lines for {} criteria",
                raw.lines.len(),
                self.criteria.len()
            )));
        }
        let mut parts = [0u64; 3];
        // The stop rule that fired in each part, and where.
        let mut stopped: [Option<(&str, &CriterionId)>; 3] = [None, None, None];
        let mut section = "";
        let mut zero_in_section = false;
        // The lowest star level a line misses, and the line.
        let mut lowest: Option<(u8, &CriterionId)> = None;
        let mut lines = Vec::with_capacity(raw.lines.len());
        for (i, (c, l)) in self.criteria.iter().zip(&raw.lines).enumerate() {
            if c.section != section {
                section = c.section.as_str();
                zero_in_section = false;
            }
            let slot = part_slot(&c.part)
                .ok_or_else(|| at(c, format!("its part `{}` is not A, B or C", c.part)))?;
            let applies = c.branch.is_none() || input.branch(&c.section) == c.branch;
            if !applies {
                if l.note != LineNote::OtherBranch || l.points != 0 {
                    return Err(at(
                        c,
                        format!(
                            "section {} chose case {}, so this line of case {} is `other_branch` with 0 points; the plugin returned {} with {}",
                            c.section,
                            input.branch(&c.section).unwrap_or_default(),
                            c.branch.unwrap_or_default(),
                            note_text(&l.note),
                            shown(l.points.into())
                        ),
                    ));
                }
                lines.push(EvaluationLine {
                    criterion: c.id.clone(),
                    option: u32::from(u8::MAX),
                    points: 0.0,
                    explanation: self.explain(i, u32::from(u8::MAX), 0.0, &l.note),
                });
                continue;
            }
            let answered = input.answers.get(i).copied().flatten().ok_or_else(|| {
                at(
                    c,
                    "the input has no answer for it (the host's input is inconsistent)",
                )
            })?;
            if l.option != answered {
                return Err(at(
                    c,
                    format!(
                        "the answer sheet chose option {answered}, the plugin reports option {}",
                        l.option
                    ),
                ));
            }
            if let Some((stop, origin)) = stopped.get(slot).copied().flatten() {
                if l.note != LineNote::Stopped(stop.to_owned()) || l.points != 0 {
                    return Err(at(
                        c,
                        format!(
                            "stop rule `{stop}` fired at criterion {origin}, so this line is not assessed: `stopped` with 0 points; the plugin returned {} with {}",
                            note_text(&l.note),
                            shown(l.points.into())
                        ),
                    ));
                }
                if let Some(level) = below_minimum_unassessed(c)
                    && lowest.is_none_or(|(l, _)| level < l)
                {
                    lowest = Some((level, &c.id));
                }
                lines.push(EvaluationLine {
                    criterion: c.id.clone(),
                    option: u32::from(answered),
                    points: 0.0,
                    explanation: self.explain(i, u32::from(answered), 0.0, &l.note),
                });
                continue;
            }
            let option = c
                .options
                .get(usize::from(answered))
                .ok_or_else(|| at(c, format!("it has no option {answered}")))?;
            let expected = centi(option.points);
            if u64::from(l.points) != expected {
                return Err(at(
                    c,
                    format!(
                        "option {answered} («{}») is worth {} points; the plugin gave {}",
                        option.label.vi,
                        shown(expected),
                        shown(l.points.into())
                    ),
                ));
            }
            let below = below_minimum(c, usize::from(answered));
            let note = below.map_or(LineNote::Scored, LineNote::BelowMinimum);
            if l.note != note {
                return Err(at(
                    c,
                    format!(
                        "the line is {} by the sheet's star marks; the plugin says {}",
                        note_text(&note),
                        note_text(&l.note)
                    ),
                ));
            }
            if let Some(level) = below
                && lowest.is_none_or(|(l, _)| level < l)
            {
                lowest = Some((level, &c.id));
            }
            if let Some(p) = parts.get_mut(slot) {
                *p += expected;
            }
            if expected == 0 {
                zero_in_section = true;
            }
            if let Some(stop) = &c.stop {
                let fires = match &stop.fact {
                    Some(fact) => !input.holds(fact),
                    None => stop.zero_in_section && zero_in_section,
                };
                if fires && let Some(s) = stopped.get_mut(slot) {
                    *s = Some((stop.id.as_str(), &c.id));
                }
            }
            lines.push(EvaluationLine {
                criterion: c.id.clone(),
                option: u32::from(answered),
                points: expected as f64 / 100.0,
                explanation: self.explain(i, u32::from(answered), expected as f64 / 100.0, &note),
            });
        }
        if parts != raw.parts.map(u64::from) {
            return Err(whole(format!(
                "part totals {:?} do not add up to the lines ({parts:?})",
                raw.parts
            )));
        }
        let total: u64 = parts.iter().sum();
        if total != u64::from(raw.total) || total > 10_000 {
            return Err(whole(format!(
                "total {} is not the sum of the parts ({total}) or exceeds 100 points",
                raw.total
            )));
        }
        let total = total as f64 / 100.0;
        let band = Stars::from_total(total);
        if Some(band) != Stars::new(raw.band) {
            return Err(whole(format!(
                "band {} does not match the total {total} (band {band})",
                raw.band
            )));
        }
        let cap = Stars::new(raw.cap)
            .filter(|c| c.get() >= 2)
            .ok_or_else(|| whole(format!("cap {} is not 2 to 5", raw.cap)))?;
        let marks_cap = ocop_rules::cap(lowest.map(|(level, _)| level));
        if cap.get() > marks_cap {
            let (level, criterion) = lowest.map_or((0, None), |(l, c)| (l, Some(c.clone())));
            return Err(OutputError {
                criterion,
                problem: format!(
                    "it misses the {level}-star minimum, so the cap is at most {marks_cap}; the plugin reports cap {}",
                    cap.get()
                ),
            });
        }
        for (n, k) in raw.knockouts.iter().enumerate() {
            if !self.knockouts.iter().any(|d| d.id == *k) {
                return Err(whole(format!(
                    "knock-out `{k}` is not in the criteria sheet"
                )));
            }
            if raw.knockouts.iter().take(n).any(|j| j == k) {
                return Err(whole(format!("knock-out `{k}` is listed twice")));
            }
        }
        if let Some(missing) = self
            .knockouts
            .iter()
            .find(|k| !input.holds(&k.fact) && !raw.knockouts.contains(&k.id))
        {
            return Err(whole(format!(
                "knock-out `{}` applies (fact `{}` does not hold), but the plugin does not list it",
                missing.id, missing.fact
            )));
        }
        let expected = ocop_rules::stars(band.get(), cap.get(), !raw.knockouts.is_empty())
            .and_then(Stars::new);
        if raw.stars.and_then(Stars::new) != expected
            || raw.stars.is_some_and(|s| Stars::new(s).is_none())
        {
            return Err(whole(format!(
                "stars {} do not follow from band {band}, cap {cap} and knock-outs [{}]: expected {}",
                raw.stars.map_or("none".to_owned(), |s| s.to_string()),
                raw.knockouts.join(", "),
                expected.map_or("none (knocked out)".to_owned(), |s| s.to_string())
            )));
        }
        let [a, b, c] = raw.parts.map(|p| f64::from(p) / 100.0);
        Ok(Evaluation {
            format: crate::domain::DOCUMENT_FORMAT,
            product_set: self.product_set,
            lines,
            parts: PartTotals { a, b, c },
            total,
            band,
            cap,
            knockouts: raw.knockouts.clone(),
            stars: expected,
        })
    }

    /// Problems of a published criteria sheet that would make its evaluations impossible to
    /// check: parts other than A, B and C, criteria without options or with more than 255,
    /// star marks other than 3 to 5, repeated ids, a branch or fact that is not declared.
    /// The host refuses a sheet with any of them as a bad output of `criteria`.
    pub fn publication_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut codes: Vec<&str> = self.parts.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        if codes != ["A", "B", "C"] {
            out.push(format!("parts are [{}], not A, B and C", codes.join(", ")));
        }
        let facts: Vec<&str> = self.facts.iter().map(|f| f.id.as_str()).collect();
        for (n, f) in facts.iter().enumerate() {
            if facts.iter().take(n).any(|g| g == f) {
                out.push(format!("fact `{f}` is listed twice"));
            }
        }
        let declared = |fact: &str| self.facts.is_empty() || facts.contains(&fact);
        for (n, k) in self.knockouts.iter().enumerate() {
            if self.knockouts.iter().take(n).any(|j| j.id == k.id) {
                out.push(format!("knock-out `{}` is listed twice", k.id));
            }
            if !declared(&k.fact) {
                out.push(format!(
                    "knock-out `{}` reads fact `{}`, which the sheet's facts do not list",
                    k.id, k.fact
                ));
            }
        }
        for (n, c) in self.criteria.iter().enumerate() {
            if self.criteria.iter().take(n).any(|d| d.id == c.id) {
                out.push(format!("criterion {} is listed twice", c.id));
            }
            if part_slot(&c.part).is_none() {
                out.push(format!(
                    "criterion {}: part `{}` is not A, B or C",
                    c.id, c.part
                ));
            }
            if c.options.is_empty() || c.options.len() > usize::from(u8::MAX) {
                out.push(format!(
                    "criterion {} has {} options",
                    c.id,
                    c.options.len()
                ));
            }
            if let Some(s) = c
                .options
                .iter()
                .filter_map(|o| o.min_stars)
                .find(|s| s.get() < 3)
            {
                out.push(format!(
                    "criterion {}: minimum mark {s} is not 3, 4 or 5",
                    c.id
                ));
            }
            if let Some(b) = c.branch
                && !self.branches.iter().any(|x| x.number == b)
            {
                out.push(format!(
                    "criterion {} belongs to case {b}, which the sheet does not declare",
                    c.id
                ));
            }
            if let Some(stop) = &c.stop
                && let Some(fact) = &stop.fact
                && !declared(fact)
            {
                out.push(format!(
                    "criterion {}: stop rule `{}` reads fact `{fact}`, which the sheet's facts do not list",
                    c.id, stop.id
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Label;
    use crate::plugin::{Branch, CriterionOption, Fact, Knockout, Part, RawLine, StopRule};

    fn option(points: f64, min_stars: Option<u8>) -> CriterionOption {
        CriterionOption {
            label: Label::new("phương án", "option"),
            points,
            min_stars: min_stars.and_then(Stars::new),
        }
    }

    fn criterion(id: &str, part: &str, section: &str, options: Vec<CriterionOption>) -> Criterion {
        Criterion {
            id: id.into(),
            part: part.into(),
            section: section.into(),
            title: Label::new(id, id),
            max: options.iter().map(|o| o.points).fold(0.0, f64::max),
            branch: None,
            options,
            stop: None,
        }
    }

    /// a (A): 0 / 25 / 40; b (B): 0 / 10 / 25 with a stop on `declared`; b2 (B): 0 / 0;
    /// c (C): 0 / 30 / 35*****; s (C, section 9): case 1 0/0, case 2 0/0.
    fn sheet() -> CriteriaSheet {
        let mut b = criterion(
            "b",
            "B",
            "2",
            vec![option(0.0, None), option(10.0, None), option(25.0, None)],
        );
        b.stop = Some(StopRule {
            id: "undeclared".into(),
            fact: Some("declared".into()),
            zero_in_section: false,
            label: Label::new("dừng", "stop"),
        });
        let mut s1 = criterion("9a", "C", "9", vec![option(0.0, None)]);
        s1.branch = Some(1);
        let mut s2 = criterion("9b", "C", "9", vec![option(0.0, None)]);
        s2.branch = Some(2);
        CriteriaSheet {
            format: 1,
            product_set: ProductSet::new(1).unwrap(),
            title: Label::new("thử", "test"),
            legal_basis: "test".into(),
            knockouts: vec![Knockout {
                id: "no_certificate".into(),
                label: Label::new("không có giấy", "no certificate"),
                fact: "certificate".into(),
            }],
            parts: ["A", "B", "C"]
                .map(|p| Part {
                    code: p.into(),
                    title: Label::new(p, p),
                    max: 0.0,
                })
                .into(),
            sections: Vec::new(),
            criteria: vec![
                criterion(
                    "a",
                    "A",
                    "1",
                    vec![option(0.0, None), option(25.0, None), option(40.0, None)],
                ),
                b,
                criterion("b2", "B", "2", vec![option(0.0, None), option(0.0, None)]),
                criterion(
                    "c",
                    "C",
                    "3",
                    vec![option(0.0, None), option(30.0, None), option(35.0, Some(5))],
                ),
                s1,
                s2,
            ],
            branches: vec![
                Branch {
                    number: 1,
                    label: Label::new("một", "one"),
                },
                Branch {
                    number: 2,
                    label: Label::new("hai", "two"),
                },
            ],
            facts: vec![
                Fact {
                    id: "certificate".into(),
                    label: Label::new("có giấy", "certificate"),
                },
                Fact {
                    id: "declared".into(),
                    label: Label::new("đã công bố", "declared"),
                },
            ],
        }
    }

    fn answers(
        sheet: &CriteriaSheet,
        picks: &[(&str, u32)],
        facts: &[(&str, bool)],
    ) -> AnswerSheet {
        let mut a = sheet.template(Some(1));
        for (k, v) in picks {
            a.answers.insert((*k).into(), *v);
        }
        for (k, v) in facts {
            a.facts.insert((*k).into(), *v);
        }
        a
    }

    /// What an honest plugin returns for `input`.
    fn honest(sheet: &CriteriaSheet, input: &ScoringInput) -> RawEvaluation {
        let mut lines = Vec::new();
        let mut parts = [0u32; 3];
        let mut stopped: [Option<String>; 3] = [None, None, None];
        let mut failed = Vec::new();
        for (i, c) in sheet.criteria.iter().enumerate() {
            let slot = part_slot(&c.part).unwrap_or(2);
            let Some(a) = input.answers[i] else {
                lines.push(RawLine {
                    option: u8::MAX,
                    points: 0,
                    note: LineNote::OtherBranch,
                });
                continue;
            };
            if let Some(id) = &stopped[slot] {
                failed.extend(below_minimum_unassessed(c));
                lines.push(RawLine {
                    option: a,
                    points: 0,
                    note: LineNote::Stopped(id.clone()),
                });
                continue;
            }
            let p = centi(c.options[usize::from(a)].points) as u32;
            parts[slot] += p;
            let below = below_minimum(c, usize::from(a));
            failed.extend(below);
            lines.push(RawLine {
                option: a,
                points: p,
                note: below.map_or(LineNote::Scored, LineNote::BelowMinimum),
            });
            if let Some(stop) = &c.stop
                && stop.fact.as_deref().is_some_and(|f| !input.holds(f))
            {
                stopped[slot] = Some(stop.id.clone());
            }
        }
        let total: u32 = parts.iter().sum();
        let band = ocop_rules::band(total);
        let cap = ocop_rules::cap(failed.iter().copied());
        let knockouts: Vec<String> = sheet
            .knockouts
            .iter()
            .filter(|k| !input.holds(&k.fact))
            .map(|k| k.id.clone())
            .collect();
        RawEvaluation {
            lines,
            parts,
            total,
            band,
            cap,
            stars: ocop_rules::stars(band, cap, !knockouts.is_empty()),
            knockouts,
        }
    }

    #[test]
    fn an_honest_result_passes_and_lies_are_named() {
        let sheet = sheet();
        assert!(
            sheet.publication_problems().is_empty(),
            "{:?}",
            sheet.publication_problems()
        );
        // 25 + 25 + 30 = 80: 4 stars; c misses its 5-star mark.
        let a = answers(&sheet, &[("a", 1), ("b", 2), ("c", 1)], &[]);
        let input = sheet.prepare(&a).unwrap();
        let raw = honest(&sheet, &input);
        let e = sheet.check_output(&input, &raw).unwrap();
        assert_eq!(
            (e.total, e.cap.get(), e.stars.map(Stars::get)),
            (80.0, 4, Some(4))
        );

        // Inflated line, with totals that add up.
        let mut lie = raw.clone();
        lie.lines[0].points = 4000;
        lie.parts[0] = 4000;
        lie.total += 1500;
        lie.band = 5;
        let err = sheet.check_output(&input, &lie).unwrap_err().to_string();
        assert!(
            err.starts_with("criterion a: option 1")
                && err.contains("worth 25.00 points; the plugin gave 40.00"),
            "{err}"
        );

        // A better option than the one answered.
        let mut lie = raw.clone();
        lie.lines[0].option = 2;
        let err = sheet.check_output(&input, &lie).unwrap_err().to_string();
        assert!(
            err.contains("chose option 1, the plugin reports option 2"),
            "{err}"
        );

        // Ignored minimum: cap 5 with the 5-star mark missed.
        let full = answers(&sheet, &[("a", 2), ("b", 2), ("c", 1)], &[]);
        let input = sheet.prepare(&full).unwrap();
        let mut lie = honest(&sheet, &input);
        assert_eq!((lie.total, lie.cap), (9_500, 4));
        lie.cap = 5;
        lie.stars = Some(5);
        let err = sheet.check_output(&input, &lie).unwrap_err().to_string();
        assert_eq!(
            err,
            "criterion c: it misses the 5-star minimum, so the cap is at most 4; the plugin reports cap 5"
        );
        // Stricter is allowed: cap 3.
        let mut strict = honest(&sheet, &input);
        strict.cap = 3;
        strict.stars = Some(3);
        assert!(sheet.check_output(&input, &strict).is_ok());

        // Ignored knock-out.
        let no_cert = answers(
            &sheet,
            &[("a", 2), ("b", 2), ("c", 2)],
            &[("certificate", false)],
        );
        let input = sheet.prepare(&no_cert).unwrap();
        let mut lie = honest(&sheet, &input);
        assert_eq!(lie.knockouts, ["no_certificate"]);
        lie.knockouts.clear();
        lie.stars = Some(5);
        let err = sheet.check_output(&input, &lie).unwrap_err().to_string();
        assert!(
            err.contains("knock-out `no_certificate` applies (fact `certificate` does not hold)"),
            "{err}"
        );
    }

    #[test]
    fn stop_rules_bind_both_ways() {
        let sheet = sheet();
        let a = answers(
            &sheet,
            &[("a", 2), ("b", 2), ("b2", 1), ("c", 2)],
            &[("declared", false)],
        );
        let input = sheet.prepare(&a).unwrap();
        let raw = honest(&sheet, &input);
        assert_eq!(raw.lines[2].note, LineNote::Stopped("undeclared".into()));
        assert!(sheet.check_output(&input, &raw).is_ok());
        // Ignoring the stop is refused.
        let mut lie = raw.clone();
        lie.lines[2] = RawLine {
            option: 1,
            points: 0,
            note: LineNote::Scored,
        };
        let err = sheet.check_output(&input, &lie).unwrap_err().to_string();
        assert!(
            err.starts_with("criterion b2: stop rule `undeclared` fired at criterion b"),
            "{err}"
        );
        // Claiming a stop that did not fire is refused.
        let declared = answers(&sheet, &[("a", 2), ("b", 2), ("b2", 1), ("c", 2)], &[]);
        let input = sheet.prepare(&declared).unwrap();
        let mut lie = honest(&sheet, &input);
        lie.lines[2].note = LineNote::Stopped("undeclared".into());
        assert!(
            sheet
                .check_output(&input, &lie)
                .unwrap_err()
                .to_string()
                .contains("criterion b2")
        );
    }

    #[test]
    fn answer_sheets_are_checked_before_the_plugin_sees_them() {
        let sheet = sheet();
        let code = |a: &AnswerSheet| sheet.prepare(a).map(drop).map_err(|e| e.code);
        let ok = answers(&sheet, &[], &[]);
        assert_eq!(code(&ok), Ok(()));
        let mut bad = ok.clone();
        bad.format = 2;
        assert_eq!(code(&bad), Err("unsupported-format"));
        let mut bad = ok.clone();
        bad.facts.insert("certifcate".into(), true);
        let err = sheet.prepare(&bad).unwrap_err();
        assert_eq!(err.code, "unknown-fact");
        assert!(err.message.contains("did you mean `certificate`?"), "{err}");
        let mut bad = ok.clone();
        bad.answers.insert("a".into(), 3);
        assert_eq!(code(&bad), Err("answer-out-of-range"));
        let mut bad = ok.clone();
        bad.answers.remove("c");
        assert_eq!(code(&bad), Err("unanswered"));
        let mut bad = ok.clone();
        bad.branch = Some(3);
        assert_eq!(code(&bad), Err("unknown-branch"));
        // Case per section: answer 9b and leave `branch` out.
        let mut per_section = ok.clone();
        per_section.branch = None;
        per_section.answers.remove("9a");
        per_section.answers.insert("9b".into(), 0);
        let input = sheet.prepare(&per_section).unwrap();
        assert_eq!(input.branches, [("9".to_owned(), 2)]);
        assert_eq!(input.answers[4..], [None, Some(0)]);
        let mut both = per_section.clone();
        both.answers.insert("9a".into(), 0);
        assert_eq!(code(&both), Err("other-branch-answered"));
        let mut none = per_section.clone();
        none.answers.remove("9b");
        assert_eq!(code(&none), Err("missing-branch"));
        let mut contradicting = per_section;
        contradicting.branch = Some(1);
        assert_eq!(code(&contradicting), Err("other-branch-answered"));
    }

    #[test]
    fn templates_refuse_cases_that_do_not_exist() {
        let sheet = sheet();
        assert_eq!(
            sheet.template_for(Some(3), &[]).unwrap_err().code,
            "unknown-branch"
        );
        assert_eq!(
            sheet
                .template_for(None, &[("8".into(), 1)])
                .unwrap_err()
                .code,
            "unexpected-branch"
        );
        assert_eq!(
            sheet.template_for(None, &[]).unwrap_err().code,
            "missing-branch"
        );
        // The only section with alternatives chose case 2: one case everywhere.
        let t = sheet.template_for(Some(1), &[("9".into(), 2)]).unwrap();
        assert_eq!(t.branch, Some(2));
        assert!(t.answers.contains_key("9b") && !t.answers.contains_key("9a"));
        assert!(sheet.prepare(&t).is_ok());
        let t = sheet.template_for(Some(2), &[]).unwrap();
        assert_eq!(t.branch, Some(2));
    }

    #[test]
    fn marks_on_equal_points_count_by_position() {
        let c = criterion(
            "x",
            "A",
            "1",
            vec![
                option(1.0, None),
                option(1.0, Some(4)),
                option(3.0, Some(5)),
            ],
        );
        assert_eq!(below_minimum(&c, 0), Some(4));
        assert_eq!(below_minimum(&c, 1), Some(5));
        assert_eq!(below_minimum(&c, 2), None);
    }
}
