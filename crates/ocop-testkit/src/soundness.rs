//! `assert_definition_sound`: checks of a definition by exploring its graph, beyond the
//! static validation, each failure with a counterexample path.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;

use ocop_core::cycle::{Effect, OnFinding};
use ocop_core::cycle::{Guard, Transition};
use ocop_core::{
    Cycle, Definition,
    definition::{SYSTEM_ROLE, StateKind},
    diagnostic::Report,
    domain::{Level, RegistrationType},
    ids::StateId,
};

/// A way a definition is unsound, with the path that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsoundness {
    /// Which check failed.
    pub check: &'static str,
    /// What is wrong.
    pub message: String,
    /// A path from the initial state that shows it: `state -[transition]-> state ...`.
    pub path: Vec<String>,
}

impl fmt::Display for Unsoundness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.message)?;
        if !self.path.is_empty() {
            write!(f, "\n    counterexample: {}", self.path.join(" "))?;
        }
        Ok(())
    }
}

/// Why a definition is not sound: validation errors, or the explorations' findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SoundnessError {
    /// Static validation failed.
    Invalid(Report),
    /// Validation passed, but exploring the graph found problems.
    Unsound(Vec<Unsoundness>),
}

impl fmt::Display for SoundnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SoundnessError::Invalid(r) => write!(f, "the definition does not validate:\n{r}"),
            SoundnessError::Unsound(list) => {
                writeln!(f, "the definition is not sound ({} findings):", list.len())?;
                for u in list {
                    writeln!(f, "  - {u}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SoundnessError {}

/// Panics with a readable report, counterexample paths included, unless `definition` is
/// sound (see [`check_definition_sound`]).
///
/// # Panics
/// When the definition is not sound: that is the point of an assertion.
#[track_caller]
pub fn assert_definition_sound(definition: &Definition) {
    if let Err(e) = check_definition_sound(definition) {
        #[allow(clippy::panic, reason = "an assertion for test suites")]
        {
            panic!("{e}");
        }
    }
}

/// Checks a definition beyond static validation, by exploring its graph:
///
/// - every state is reachable, and a terminal state is reachable from every state (again,
///   independently of the validator);
/// - every waiting state has a deadline, or an outgoing transition a named (non-`system`)
///   role can take;
/// - every evaluation stage can both pass and fail: some council result at or above its
///   pass threshold that meets its minimum marks leads, through transitions whose score and
///   star guards allow it, to a certificate or to a higher evaluation, and some result below
///   it leads to an end or back to monitoring;
/// - `decision-exits`: every council result has a way out of every decision state, for
///   every registration type and certificate status (see [`decision_exits`]);
/// - separation of duties: the role of every council's members is separated from the role
///   that files the dossier (the initial state's owner), and every separated role acts
///   somewhere in the cycle.
///
/// # Errors
/// [`SoundnessError`] listing every finding.
pub fn check_definition_sound(definition: &Definition) -> Result<(), SoundnessError> {
    let cycle = Cycle::new(definition.clone()).map_err(SoundnessError::Invalid)?;
    let graph = Explorer::new(&cycle);
    let mut out = Vec::new();
    graph.reachability(&mut out);
    graph.waiting_states(&mut out);
    graph.evaluations(&mut out);
    graph.decision_exits(&mut out);
    graph.separation(&mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(SoundnessError::Unsound(out))
    }
}

/// The `decision-exits` check alone: for each state of kind `decision`, each context
/// (registration type × certificate status × certificate rank) and each council result
/// (every rank the total's band allows, and knocked out, at totals around every
/// threshold), some path of transitions an authority can take under that context and
/// result ends the decision: it issues a certificate, or enters a terminal, monitoring or
/// certified state, or an evaluation at a higher level than the decision's own. Guards are
/// evaluated abstractly: result guards on the result; `registration`, `certificate_*` on
/// the context; document and council guards hold (the acting role can cure them); a
/// `plugin` guard holds only when its findings merely warn; guards that need a time or an
/// outside conclusion (`revocation_ground`, `filing_window`, `after_expiry`,
/// `late_filing_window`) do not.
///
/// # Errors
/// [`SoundnessError::Invalid`] when the definition does not validate;
/// [`SoundnessError::Unsound`] listing, per decision state and context, the results
/// without a resolving exit, each with a path to the state.
pub fn decision_exits(definition: &Definition) -> Result<(), SoundnessError> {
    let cycle = Cycle::new(definition.clone()).map_err(SoundnessError::Invalid)?;
    let mut out = Vec::new();
    Explorer::new(&cycle).decision_exits(&mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(SoundnessError::Unsound(out))
    }
}

/// The status of the case's certificate, abstractly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CertStatus {
    /// No certificate (a first registration).
    None,
    /// Active, on or before its expiry.
    InTerm,
    /// Past its expiry, kept valid by an Art. 12.3 extension.
    Extended,
    /// Past its expiry and not valid.
    Lapsed,
}

impl CertStatus {
    fn describe(self) -> &'static str {
        match self {
            CertStatus::None => "no certificate",
            CertStatus::InTerm => "in its term",
            CertStatus::Extended => "extended past its expiry (Art. 12.3)",
            CertStatus::Lapsed => "past its expiry",
        }
    }
}

/// Registration type and certificate, abstractly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Context {
    registration: RegistrationType,
    status: CertStatus,
    rank: u8,
}

impl Context {
    fn all() -> Vec<Context> {
        let mut v = vec![Context {
            registration: RegistrationType::First,
            status: CertStatus::None,
            rank: 0,
        }];
        for registration in [RegistrationType::Upgrade, RegistrationType::ReEvaluation] {
            for status in [CertStatus::InTerm, CertStatus::Extended, CertStatus::Lapsed] {
                for rank in 3..=5 {
                    v.push(Context {
                        registration,
                        status,
                        rank,
                    });
                }
            }
        }
        v
    }

    fn describe(self) -> String {
        let reg = match self.registration {
            RegistrationType::First => "first",
            RegistrationType::Upgrade => "upgrade",
            RegistrationType::ReEvaluation => "re_evaluation",
        };
        if self.status == CertStatus::None {
            format!("registration `{reg}` with no certificate")
        } else {
            format!(
                "registration `{reg}` with a {}★ certificate {}",
                self.rank,
                self.status.describe()
            )
        }
    }
}

/// Whether `g` may hold under context `c` and result `o` (see [`decision_exits`]).
fn guard_holds_in(g: &Guard, c: Context, o: Outcome) -> bool {
    let has = c.status != CertStatus::None;
    match g {
        Guard::MinScore { .. }
        | Guard::MaxScore { .. }
        | Guard::MinStars { .. }
        | Guard::MaxStars { .. }
        | Guard::KnockedOut { .. }
        | Guard::NotKnockedOut { .. } => guard_allows(g, o),
        Guard::Registration { registration } => *registration == c.registration,
        Guard::CertificateActive => matches!(c.status, CertStatus::InTerm | CertStatus::Extended),
        Guard::CertificateInTerm => c.status == CertStatus::InTerm,
        Guard::CertificatePastTerm => c.status != CertStatus::InTerm,
        Guard::CertificateStars { min, max } => {
            has && min.is_none_or(|m| c.rank >= m.get()) && max.is_none_or(|m| c.rank <= m.get())
        }
        Guard::DossierComplete
        | Guard::HasDocument { .. }
        | Guard::CouncilComplete { .. }
        | Guard::SpreadExceeded { .. } => true,
        Guard::Plugin { on_finding, .. } => *on_finding == OnFinding::Warn,
        Guard::RevocationGround
        | Guard::FilingWindow { .. }
        | Guard::AfterExpiry { .. }
        | Guard::LateFilingWindow { .. } => false,
    }
}

struct Explorer<'a> {
    cycle: &'a Cycle,
}

/// An abstract council result, to decide which score and star guards hold.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    total: f64,
    stars: Option<u8>,
}

impl Outcome {
    fn describe(self) -> String {
        match self.stars {
            Some(s) => format!("a council result of {} points ({s}★)", self.total),
            None => format!("a knocked-out result of {} points", self.total),
        }
    }
}

/// Whether `guard` may hold for a case whose latest result is `o`. Guards that do not look
/// at the result are taken to be satisfiable: they are about the dossier, the council's
/// sitting, the certificate, the command's input or a plugin, which the engine's own tests
/// exercise.
fn guard_allows(g: &Guard, o: Outcome) -> bool {
    match g {
        Guard::MinScore { min, .. } => o.total >= *min,
        Guard::MaxScore { below, .. } => o.total < *below,
        Guard::MinStars { stars, .. } => o.stars.is_some_and(|x| x >= stars.get()),
        Guard::MaxStars { stars, .. } => o.stars.is_none_or(|x| x <= stars.get()),
        Guard::KnockedOut { .. } => o.stars.is_none(),
        Guard::NotKnockedOut { .. } => o.stars.is_some(),
        Guard::DossierComplete
        | Guard::HasDocument { .. }
        | Guard::Registration { .. }
        | Guard::CouncilComplete { .. }
        | Guard::SpreadExceeded { .. }
        | Guard::CertificateActive
        | Guard::CertificateStars { .. }
        | Guard::FilingWindow { .. }
        | Guard::AfterExpiry { .. }
        | Guard::CertificateInTerm
        | Guard::CertificatePastTerm
        | Guard::LateFilingWindow { .. }
        | Guard::RevocationGround
        | Guard::Plugin { .. } => true,
    }
}

impl<'a> Explorer<'a> {
    fn new(cycle: &'a Cycle) -> Self {
        Explorer { cycle }
    }

    /// Breadth-first paths from the initial state: for each state, the transition and
    /// predecessor that first reached it.
    fn parents(&self) -> HashMap<StateId, (StateId, String)> {
        let mut parents = HashMap::new();
        let start = self.cycle.initial().id.clone();
        let mut queue = VecDeque::from([start.clone()]);
        let mut seen = vec![start];
        while let Some(s) = queue.pop_front() {
            for t in self.cycle.outgoing(&s) {
                if !seen.contains(&t.to) {
                    seen.push(t.to.clone());
                    parents.insert(t.to.clone(), (s.clone(), t.id.to_string()));
                    queue.push_back(t.to.clone());
                }
            }
        }
        parents
    }

    /// The path from the initial state to `target`, as `a -[t]-> b ...`.
    fn path_to(
        &self,
        parents: &HashMap<StateId, (StateId, String)>,
        target: &StateId,
    ) -> Vec<String> {
        let mut steps = vec![target.to_string()];
        let mut at = target.clone();
        while let Some((prev, t)) = parents.get(&at) {
            steps.push(format!("-[{t}]->"));
            steps.push(prev.to_string());
            at = prev.clone();
            if steps.len() > 200 {
                break;
            }
        }
        steps.reverse();
        steps
    }

    fn reachability(&self, out: &mut Vec<Unsoundness>) {
        let parents = self.parents();
        for s in self.cycle.states() {
            if s.id != self.cycle.initial().id && !parents.contains_key(&s.id) {
                out.push(Unsoundness {
                    check: "reachable",
                    message: format!("state `{}` cannot be reached", s.id),
                    path: Vec::new(),
                });
                continue;
            }
            let reaches_end = self
                .cycle
                .reachable_from(&s.id)
                .iter()
                .any(|r| self.cycle.is_terminal(r));
            if !reaches_end {
                out.push(Unsoundness {
                    check: "terminates",
                    message: format!("no terminal state can be reached from `{}`", s.id),
                    path: self.path_to(&parents, &s.id),
                });
            }
        }
    }

    fn waiting_states(&self, out: &mut Vec<Unsoundness>) {
        let parents = self.parents();
        for s in self.cycle.states() {
            if s.kind == StateKind::Terminal || s.deadline.is_some() {
                continue;
            }
            let movable = self
                .cycle
                .outgoing(&s.id)
                .iter()
                .any(|t| t.to != s.id && t.roles.iter().any(|r| r.as_str() != SYSTEM_ROLE));
            if !movable {
                out.push(Unsoundness {
                    check: "waiting-state-moves",
                    message: format!(
                        "state `{}` has no deadline and no transition out that a named role can take",
                        s.id
                    ),
                    path: self.path_to(&parents, &s.id),
                });
            }
        }
    }

    /// From `state`, the states reachable for outcome `o` through transitions whose result
    /// guards allow it, and whether a certificate is issued or another evaluation entered.
    fn follow(
        &self,
        state: &StateId,
        o: Outcome,
        start_stage: &StateId,
    ) -> (bool, bool, Vec<String>) {
        let mut queue = VecDeque::from([(state.clone(), vec![state.to_string()])]);
        let mut seen = vec![state.clone()];
        let (mut passes, mut fails) = (false, false);
        let mut witness = Vec::new();
        while let Some((s, path)) = queue.pop_front() {
            for t in self.cycle.outgoing(&s) {
                if t.roles.iter().all(|r| r.as_str() == SYSTEM_ROLE) || t.to == s {
                    continue;
                }
                if !t.guards.iter().all(|g| guard_allows(g, o)) {
                    continue;
                }
                let mut p = path.clone();
                p.push(format!("-[{}]->", t.id));
                p.push(t.to.to_string());
                let next_kind = self.cycle.state(&t.to).map(|x| x.kind);
                if t.issues_certificate()
                    || (next_kind == Some(StateKind::Evaluation) && t.to != *start_stage)
                    || self.leads_to_other_evaluation(&t.to, start_stage)
                {
                    passes = true;
                    witness = p.clone();
                    continue;
                }
                if self.cycle.is_terminal(&t.to) || next_kind == Some(StateKind::Monitoring) {
                    fails = true;
                    if witness.is_empty() {
                        witness = p.clone();
                    }
                    continue;
                }
                if !seen.contains(&t.to) && next_kind == Some(StateKind::Decision) {
                    seen.push(t.to.clone());
                    queue.push_back((t.to.clone(), p));
                }
            }
        }
        (passes, fails, witness)
    }

    fn leads_to_other_evaluation(&self, state: &StateId, start: &StateId) -> bool {
        let kind = self.cycle.state(state).map(|s| s.kind);
        matches!(kind, Some(StateKind::Review))
            && self.cycle.outgoing(state).iter().any(|t| {
                t.to != *start
                    && self
                        .cycle
                        .state(&t.to)
                        .is_some_and(|s| s.kind == StateKind::Evaluation)
            })
    }

    fn evaluations(&self, out: &mut Vec<Unsoundness>) {
        let parents = self.parents();
        for stage in self.cycle.evaluations() {
            let samples: Vec<Outcome> = [0.0, 25.0, 40.0, 55.0, 65.0, 75.0, 85.0, 95.0, 100.0]
                .iter()
                .flat_map(|&total| {
                    let band = ocop_core::Stars::from_total(total).get();
                    (2..=band)
                        .map(move |cap| Outcome {
                            total,
                            stars: Some(band.min(cap)),
                        })
                        .chain([Outcome { total, stars: None }])
                })
                .collect();
            // After the council closes, the case leaves the evaluation state.
            let closes: Vec<&Transition> = self
                .cycle
                .outgoing(&stage.state)
                .into_iter()
                .filter(|t| t.to != stage.state)
                .collect();
            let mut can_pass = None;
            let mut can_fail = None;
            for o in samples {
                for close in &closes {
                    let (p, f, witness) = self.follow(&close.to, o, &stage.state);
                    let mut path = self.path_to(&parents, &stage.state);
                    path.push(format!("-[{}]->", close.id));
                    path.extend(witness.into_iter().skip(1));
                    // Passing means a result at or above the threshold that meets every
                    // minimum mark (rank = band) gets through.
                    let full_rank = o.stars == Some(ocop_core::Stars::from_total(o.total).get());
                    if p && full_rank && o.total >= stage.pass_threshold && can_pass.is_none() {
                        can_pass = Some(path.clone());
                    }
                    if f && o.total < stage.pass_threshold && can_fail.is_none() {
                        can_fail = Some(path);
                    }
                }
            }
            let start = self.path_to(&parents, &stage.state);
            if can_pass.is_none() {
                out.push(Unsoundness {
                    check: "evaluation-can-pass",
                    message: format!(
                        "evaluation stage `{}` cannot pass: no result at or above {} leads to a certificate or a higher evaluation",
                        stage.id, stage.pass_threshold
                    ),
                    path: start.clone(),
                });
            }
            if can_fail.is_none() {
                out.push(Unsoundness {
                    check: "evaluation-can-fail",
                    message: format!(
                        "evaluation stage `{}` cannot fail: no result below {} leads anywhere (e.g. {})",
                        stage.id,
                        stage.pass_threshold,
                        Outcome { total: 20.0, stars: Some(1) }.describe()
                    ),
                    path: start,
                });
            }
        }
    }

    /// The level of a decision state: the highest level of the councils that close into it.
    fn decision_level(&self, state: &StateId) -> Option<Level> {
        self.cycle
            .evaluations()
            .iter()
            .filter(|e| self.cycle.outgoing(&e.state).iter().any(|t| t.to == *state))
            .map(|e| e.level)
            .max()
    }

    /// Whether some path from `start` resolves the result `o` under context `c`.
    fn resolves(&self, start: &StateId, level: Option<Level>, c: Context, o: Outcome) -> bool {
        let producer = self.cycle.initial().owner.clone();
        let authority = |t: &Transition| {
            t.roles
                .iter()
                .any(|r| r.as_str() != SYSTEM_ROLE && Some(r) != producer.as_ref())
        };
        let mut queue = VecDeque::from([(start.clone(), c)]);
        let mut seen: Vec<(StateId, Context)> = vec![(start.clone(), c)];
        while let Some((s, ctx)) = queue.pop_front() {
            for t in self.cycle.outgoing(&s) {
                if t.to == s || !authority(t) || !t.guards.iter().all(|g| guard_holds_in(g, ctx, o))
                {
                    continue;
                }
                let target = self.cycle.state(&t.to);
                let kind = target.map(|x| x.kind);
                if t.issues_certificate()
                    || matches!(
                        kind,
                        Some(StateKind::Terminal | StateKind::Monitoring | StateKind::Certified)
                    )
                {
                    return true;
                }
                if kind == Some(StateKind::Evaluation)
                    && let Some(stage) = self.cycle.evaluation_in(&t.to)
                    && level.is_some_and(|l| stage.level > l)
                {
                    return true;
                }
                let mut next = ctx;
                for e in &t.effects {
                    if let Effect::SetRegistration { registration } = e {
                        next.registration = *registration;
                    }
                }
                if !seen.contains(&(t.to.clone(), next)) {
                    seen.push((t.to.clone(), next));
                    queue.push_back((t.to.clone(), next));
                }
            }
        }
        false
    }

    fn decision_exits(&self, out: &mut Vec<Unsoundness>) {
        let parents = self.parents();
        let mut totals = vec![
            0.0, 29.99, 30.0, 49.99, 50.0, 69.99, 70.0, 89.99, 90.0, 100.0,
        ];
        for t in self.cycle.transitions() {
            for g in &t.guards {
                match g {
                    Guard::MinScore { min: m, .. } | Guard::MaxScore { below: m, .. } => {
                        totals.push(*m);
                        totals.push(*m - 0.01);
                    }
                    _ => {}
                }
            }
        }
        totals.retain(|t| (0.0..=100.0).contains(t));
        totals.sort_by(f64::total_cmp);
        totals.dedup();
        let outcomes: Vec<Outcome> = totals
            .iter()
            .flat_map(|&total| {
                let band = ocop_core::Stars::from_total(total).get();
                (1..=band)
                    .map(move |stars| Outcome {
                        total,
                        stars: Some(stars),
                    })
                    .chain([Outcome { total, stars: None }])
            })
            .collect();
        for s in self
            .cycle
            .states()
            .filter(|s| s.kind == StateKind::Decision)
        {
            let level = self.decision_level(&s.id);
            for c in Context::all() {
                // Per rank (0 = knocked out), the lowest and highest stuck total.
                let mut stuck: BTreeMap<u8, (f64, f64)> = BTreeMap::new();
                for o in &outcomes {
                    if !self.resolves(&s.id, level, c, *o) {
                        let e = stuck
                            .entry(o.stars.unwrap_or(0))
                            .or_insert((o.total, o.total));
                        e.0 = e.0.min(o.total);
                        e.1 = e.1.max(o.total);
                    }
                }
                if !stuck.is_empty() {
                    let stuck: Vec<String> = stuck
                        .iter()
                        .map(|(r, (lo, hi))| {
                            let word = if *r == 0 {
                                "knocked out".to_owned()
                            } else {
                                format!("{r}★")
                            };
                            if lo == hi {
                                format!("{word} ({lo} points)")
                            } else {
                                format!("{word} ({lo}-{hi} points)")
                            }
                        })
                        .collect();
                    out.push(Unsoundness {
                        check: "decision-exits",
                        message: format!(
                            "state `{}`: with {}, the council results {} have no exit that resolves them",
                            s.id,
                            c.describe(),
                            stuck.join(", ")
                        ),
                        path: self.path_to(&parents, &s.id),
                    });
                }
            }
        }
    }

    fn separation(&self, out: &mut Vec<Unsoundness>) {
        let producer_role = self.cycle.initial().owner.clone();
        let separated = |a: &str, b: &str| {
            self.cycle.separation().iter().any(|r| {
                r.roles.iter().any(|x| x.as_str() == a) && r.roles.iter().any(|x| x.as_str() == b)
            })
        };
        if let Some(producer) = &producer_role {
            for stage in self.cycle.evaluations() {
                if !separated(producer.as_str(), stage.member_role.as_str()) {
                    out.push(Unsoundness {
                        check: "separation",
                        message: format!(
                            "the members of `{}` (role `{}`) are not separated from the producer (role `{producer}`): declare `[[separation]] roles = [\"{producer}\", \"{}\"]`",
                            stage.id, stage.member_role, stage.member_role
                        ),
                        path: Vec::new(),
                    });
                }
            }
        }
        let mut acting: BTreeMap<&str, ()> = BTreeMap::new();
        for t in self.cycle.transitions() {
            for r in &t.roles {
                acting.insert(r.as_str(), ());
            }
        }
        for s in self.cycle.states() {
            if let Some(o) = &s.owner {
                acting.insert(o.as_str(), ());
            }
        }
        for e in self.cycle.evaluations() {
            acting.insert(e.member_role.as_str(), ());
        }
        for rule in self.cycle.separation() {
            for r in &rule.roles {
                if !acting.contains_key(r.as_str()) {
                    out.push(Unsoundness {
                        check: "separation",
                        message: format!(
                            "separation rule names role `{r}`, which never acts in this cycle"
                        ),
                        path: Vec::new(),
                    });
                }
            }
        }
    }
}
