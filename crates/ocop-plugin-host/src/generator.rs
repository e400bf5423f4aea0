//! Answer sheets for checking plugins: random valid sheets from a seed, and the sheets at a
//! criteria sheet's boundaries (a fact that does not hold, a minimum missed, each section's
//! own case), where a lenient plugin shows.

use ocop_core::{
    domain::AnswerSheet,
    plugin::{CriteriaSheet, Criterion},
};

/// A small deterministic generator (SplitMix64), so a failing sheet can be reproduced from
/// the seed.
#[derive(Clone, Debug)]
pub struct SheetGenerator {
    state: u64,
}

/// The index of the option worth most (the last of equals).
fn best(c: &Criterion) -> u32 {
    let mut best = 0;
    for (i, o) in c.options.iter().enumerate() {
        if c.options.get(best).is_none_or(|b| o.points >= b.points) {
            best = i;
        }
    }
    best as u32
}

/// The index of the option worth least (the first of equals).
fn worst(c: &Criterion) -> u32 {
    let mut worst = 0;
    for (i, o) in c.options.iter().enumerate() {
        if c.options.get(worst).is_some_and(|w| o.points < w.points) {
            worst = i;
        }
    }
    worst as u32
}

impl SheetGenerator {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SheetGenerator { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// A valid answer sheet for `catalog`: one random case for the whole sheet (when it has
    /// alternatives), a random option for every criterion that applies, each fact true nine
    /// times in ten.
    pub fn sheet(&mut self, catalog: &CriteriaSheet) -> AnswerSheet {
        let branch = (!catalog.branches.is_empty()).then(|| {
            let i = self.below(catalog.branches.len());
            catalog.branches.get(i).map_or(1, |b| b.number)
        });
        let mut sheet = catalog.template(branch);
        for c in &catalog.criteria {
            if let Some(a) = sheet.answers.get_mut(&c.id) {
                *a = self.below(c.options.len()) as u32;
            }
        }
        for v in sheet.facts.values_mut() {
            *v = self.below(10) != 0;
        }
        sheet
    }

    /// The sheets at `catalog`'s boundaries, each with what it tries: the best answers with
    /// every fact true; the same with each fact false in turn (a knock-out or a stop rule
    /// must fire); with each criterion that carries a star mark at its lowest option (the
    /// cap must fall); and, when several sections offer alternatives, each such section on
    /// a case of its own.
    pub fn boundary_sheets(catalog: &CriteriaSheet) -> Vec<(String, AnswerSheet)> {
        let mut top = catalog.template(catalog.branches.first().map(|b| b.number));
        let best_answers = |sheet: &mut AnswerSheet| {
            for c in &catalog.criteria {
                if let Some(a) = sheet.answers.get_mut(&c.id) {
                    *a = best(c);
                }
            }
        };
        best_answers(&mut top);
        let mut out = vec![("the best answers, every fact true".to_owned(), top.clone())];
        for fact in top.facts.keys() {
            let mut s = top.clone();
            s.facts.insert(fact.clone(), false);
            out.push((format!("the best answers, fact `{fact}` false"), s));
        }
        for c in &catalog.criteria {
            let marked = c.options.iter().any(|o| o.min_stars.is_some());
            if marked && top.answers.contains_key(&c.id) {
                let mut s = top.clone();
                s.answers.insert(c.id.clone(), worst(c));
                out.push((
                    format!("the best answers, criterion {} at its lowest option", c.id),
                    s,
                ));
            }
        }
        let alternatives = catalog.alternatives();
        if alternatives.len() > 1 {
            for (section, cases) in &alternatives {
                let (Some(&first), Some(&last)) = (cases.first(), cases.last()) else {
                    continue;
                };
                let Ok(mut s) = catalog.template_for(Some(first), &[((*section).to_owned(), last)])
                else {
                    continue;
                };
                best_answers(&mut s);
                out.push((
                    format!("the best answers, section {section} alone on case {last}"),
                    s,
                ));
            }
        }
        out
    }
}
