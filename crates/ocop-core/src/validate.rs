//! Static validation of a definition: every problem at once, each with a stable code.

use std::collections::{BTreeMap, HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};

use crate::definition::{
    DEFINITION_FORMAT, Deadline, Definition, Effect, Guard, PluginKind, SYSTEM_ROLE, StateKind,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Label;
use crate::specs::{ParamType, Spec, effect_specs, guard_specs};

/// The nearest candidate to a misspelt id, if one is close enough to be a likely typo.
pub(crate) fn nearest<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c))
}

/// Checks a definition and returns every finding, errors and warnings.
pub fn validate(def: &Definition) -> Vec<Diagnostic> {
    let mut v = Validator {
        def,
        out: Vec::new(),
    };
    v.run();
    v.out
}

struct Validator<'a> {
    def: &'a Definition,
    out: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn run(&mut self) {
        let def = self.def;
        if def.format != DEFINITION_FORMAT {
            self.push(
                Diagnostic::error(
                    Code::UnsupportedFormat,
                    "format",
                    format!("definition format {} is not supported", def.format),
                )
                .help(format!(
                    "this version of ocop reads format {DEFINITION_FORMAT}"
                )),
            );
        }
        self.label("label", &def.label);

        let roles = self.ids("roles", def.roles.iter().map(|r| r.id.as_str()));
        let states = self.ids("states", def.states.iter().map(|s| s.id.as_str()));
        let transitions = self.ids("transitions", def.transitions.iter().map(|t| t.id.as_str()));
        let evaluations = self.ids("evaluations", def.evaluations.iter().map(|e| e.id.as_str()));
        self.ids("rounds", def.rounds.iter().map(|r| r.id.as_str()));
        let plugins = self.ids("plugins", def.plugins.iter().map(|p| p.id.as_str()));

        for (i, r) in def.roles.iter().enumerate() {
            self.label(&format!("roles[{i}].label"), &r.label);
        }

        if !states.contains_key(def.initial.as_str()) {
            self.push(
                Diagnostic::error(
                    Code::MissingInitialState,
                    "initial",
                    format!("the initial state `{}` is not defined", def.initial),
                )
                .help_opt(
                    did_you_mean(def.initial.as_str(), states.keys().copied())
                        .or_else(|| Some("add a `[[states]]` table for it".into())),
                ),
            );
        }

        let refs = Refs {
            roles: &roles,
            states: &states,
            evaluations: &evaluations,
            plugins: &plugins,
        };
        self.states(&refs, &transitions);
        self.transitions(&refs);
        self.evaluations(&refs);
        self.rounds();
        self.plugins();
        self.separation(&refs);
        // A transition into a misspelt state would make the graph checks report the same
        // mistake again as unreachable states and dead ends; they run once references resolve.
        if !self.out.iter().any(|d| d.code == Code::UnknownState) {
            self.graph(&states);
        }
    }

    fn label(&mut self, path: &str, label: &Label) {
        for (lang, text) in [("vi", &label.vi), ("en", &label.en)] {
            if text.trim().is_empty() {
                self.push(
                    Diagnostic::error(Code::EmptyLabel, format!("{path}.{lang}"), "empty label")
                        .help(format!("every label needs its `{lang}` text")),
                );
            }
        }
    }

    /// Checks the ids of one table and returns them with their index.
    fn ids<'d>(
        &mut self,
        table: &str,
        ids: impl Iterator<Item = &'d str>,
    ) -> HashMap<&'d str, usize> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            let path = format!("{table}[{i}].id");
            if !valid_id(id) {
                self.push(
                    Diagnostic::error(Code::BadId, &path, format!("`{id}` is not a valid id"))
                        .help("use lowercase letters, digits, `_`, `-` and `.`, starting with a letter or digit"),
                );
            }
            if let Some(first) = seen.get(id) {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        &path,
                        format!("`{id}` is defined twice in `{table}`"),
                    )
                    .help(format!(
                        "the first definition is `{table}[{first}]`; rename or remove one"
                    )),
                );
            } else {
                seen.insert(id, i);
            }
        }
        seen
    }

    fn states(&mut self, refs: &Refs<'_>, transitions: &HashMap<&str, usize>) {
        let def = self.def;
        let mut timeout_transitions = HashSet::new();
        if !def.states.iter().any(|s| s.kind == StateKind::Terminal) && !def.states.is_empty() {
            self.push(
                Diagnostic::error(Code::NoTerminalState, "states", "no state is of kind `terminal`")
                    .help("every case must be able to end: add a terminal state (e.g. `rejected`, `expired`)"),
            );
        }
        for (i, s) in def.states.iter().enumerate() {
            let path = format!("states[{i}]");
            self.label(&format!("{path}.label"), &s.label);
            if let Some(owner) = &s.owner {
                refs.role(self, &format!("{path}.owner"), owner.as_str());
            }
            if s.kind == StateKind::Terminal {
                let outgoing: Vec<&str> = def
                    .transitions
                    .iter()
                    .filter(|t| t.from.as_slice().contains(&s.id))
                    .map(|t| t.id.as_str())
                    .collect();
                if !outgoing.is_empty() {
                    self.push(
                        Diagnostic::error(
                            Code::TerminalWithOutgoing,
                            format!("{path}.kind"),
                            format!(
                                "terminal state `{}` has outgoing transitions: {}",
                                s.id,
                                quote_list(&outgoing)
                            ),
                        )
                        .help("a terminal state ends the case: change its kind or remove those transitions"),
                    );
                }
                if s.deadline.is_some() {
                    self.push(
                        Diagnostic::error(
                            Code::TerminalWithDeadline,
                            format!("{path}.deadline"),
                            format!("terminal state `{}` has a deadline", s.id),
                        )
                        .help("nothing happens after a terminal state: remove the deadline"),
                    );
                }
            }
            if let Some(d) = &s.deadline {
                if let Some(since) = &d.since {
                    refs.state(self, &format!("{path}.deadline.since"), since.as_str());
                }
                self.deadline(&format!("{path}.deadline"), s.id.as_str(), d, transitions);
                if let Some(t) = &d.on_timeout {
                    timeout_transitions.insert(t.as_str());
                }
            }
        }
        for (i, t) in def.transitions.iter().enumerate() {
            if t.roles.iter().any(|r| r.as_str() == SYSTEM_ROLE)
                && !timeout_transitions.contains(t.id.as_str())
            {
                self.push(
                    Diagnostic::warning(
                        Code::SystemWithoutDeadline,
                        format!("transitions[{i}].roles"),
                        format!(
                            "transition `{}` lists `system` but no deadline fires it",
                            t.id
                        ),
                    )
                    .help(
                        "name it in a state's `deadline.on_timeout`, or remove the `system` role",
                    ),
                );
            }
        }
    }

    fn deadline(
        &mut self,
        path: &str,
        state: &str,
        d: &Deadline,
        transitions: &HashMap<&str, usize>,
    ) {
        let def = self.def;
        let amounts = [
            d.working_days.is_some(),
            d.days.is_some(),
            d.months.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if amounts > 1 || (amounts == 0 && d.from == crate::definition::Anchor::Entered) {
            self.push(
                Diagnostic::error(
                    Code::DeadlineAmount,
                    path,
                    format!("the deadline of `{state}` must set exactly one of `working_days`, `days`, `months`"),
                )
                .help("e.g. `deadline = { working_days = 15, on_timeout = \"...\" }`, or `from = \"certificate_expiry\"` with no amount to fall due on that date"),
            );
        }
        let Some(timeout) = &d.on_timeout else {
            self.push(
                Diagnostic::error(
                    Code::DeadlineWithoutTimeout,
                    path,
                    format!("the deadline of `{state}` has no `on_timeout` transition"),
                )
                .help("name the transition the engine fires when the deadline passes"),
            );
            return;
        };
        let tpath = format!("{path}.on_timeout");
        let Some(&ti) = transitions.get(timeout.as_str()) else {
            self.push(
                Diagnostic::error(
                    Code::UnknownTransition,
                    tpath,
                    format!("transition `{timeout}` is not defined"),
                )
                .help_opt(did_you_mean(timeout.as_str(), transitions.keys().copied())),
            );
            return;
        };
        let Some(t) = def.transitions.get(ti) else {
            return;
        };
        if !t.from.as_slice().iter().any(|s| s.as_str() == state) {
            let leaving: Vec<&str> = def
                .transitions
                .iter()
                .filter(|t| t.from.as_slice().iter().any(|s| s.as_str() == state))
                .map(|t| t.id.as_str())
                .collect();
            self.push(
                Diagnostic::error(
                    Code::TimeoutWrongSource,
                    tpath.clone(),
                    format!("timeout transition `{timeout}` does not leave `{state}`"),
                )
                .help_opt(
                    did_you_mean(timeout.as_str(), leaving.iter().copied())
                        .or_else(|| Some(format!("add `{state}` to the `from` of `{timeout}`"))),
                ),
            );
        }
        if !t.roles.iter().any(|r| r.as_str() == SYSTEM_ROLE) {
            self.push(
                Diagnostic::error(
                    Code::TimeoutWithoutSystemRole,
                    tpath,
                    format!("timeout transition `{timeout}` does not list the `system` role"),
                )
                .help(format!("add `\"{SYSTEM_ROLE}\"` to its `roles`: the engine fires timeouts as `{SYSTEM_ROLE}`")),
            );
        }
    }

    fn transitions(&mut self, refs: &Refs<'_>) {
        let def = self.def;
        for (i, t) in def.transitions.iter().enumerate() {
            let path = format!("transitions[{i}]");
            self.label(&format!("{path}.label"), &t.label);
            let from = t.from.as_slice();
            if from.is_empty() {
                self.push(
                    Diagnostic::error(
                        Code::UnknownState,
                        format!("{path}.from"),
                        format!("transition `{}` leaves no state", t.id),
                    )
                    .help("`from` needs at least one state"),
                );
            }
            for (j, s) in from.iter().enumerate() {
                let p = match t.from {
                    crate::definition::FromStates::One(_) => format!("{path}.from"),
                    crate::definition::FromStates::Many(_) => format!("{path}.from[{j}]"),
                };
                refs.state(self, &p, s.as_str());
            }
            refs.state(self, &format!("{path}.to"), t.to.as_str());
            if t.roles.is_empty() {
                self.push(
                    Diagnostic::error(
                        Code::TransitionWithoutRoles,
                        format!("{path}.id"),
                        format!("transition `{}` has no roles, so nobody can take it", t.id),
                    )
                    .help("list the roles allowed to take it, e.g. `roles = [\"producer\"]`, or `system` for a timeout"),
                );
            }
            for (j, r) in t.roles.iter().enumerate() {
                if r.as_str() != SYSTEM_ROLE {
                    refs.role(self, &format!("{path}.roles[{j}]"), r.as_str());
                }
            }
            for (j, g) in t.guards.iter().enumerate() {
                self.guard(refs, &format!("{path}.guards[{j}]"), g);
            }
            for (j, e) in t.effects.iter().enumerate() {
                self.effect(refs, &format!("{path}.effects[{j}]"), e);
            }
        }
    }

    fn guard(&mut self, refs: &Refs<'_>, path: &str, g: &Guard) {
        let Some(spec) = guard_specs().iter().find(|s| s.name == g.guard) else {
            self.push(
                Diagnostic::error(
                    Code::UnknownGuard,
                    format!("{path}.guard"),
                    format!("guard `{}` does not exist", g.guard),
                )
                .help_opt(
                    did_you_mean(&g.guard, guard_specs().iter().map(|s| s.name)).or_else(|| {
                        Some(format!(
                            "built-in guards: {}; for a local rule use `guard = \"plugin\"`",
                            names(guard_specs())
                        ))
                    }),
                ),
            );
            return;
        };
        if spec.name == "plugin"
            && let Some(serde_json::Value::String(p)) = g.params.get("plugin")
            && let Some(decl) = self.def.plugins.iter().find(|d| d.id.as_str() == p)
            && decl.kind != PluginKind::Guard
        {
            self.push(
                Diagnostic::error(
                    Code::PluginKind,
                    format!("{path}.plugin"),
                    format!("plugin `{p}` is a scoring plugin, not a guard plugin"),
                )
                .help("declare it with `kind = \"guard\"` or use a guard plugin"),
            );
        }
        self.params(refs, path, "guard", spec, &g.params, Code::GuardParameter);
    }

    fn effect(&mut self, refs: &Refs<'_>, path: &str, e: &Effect) {
        let Some(spec) = effect_specs().iter().find(|s| s.name == e.effect) else {
            self.push(
                Diagnostic::error(
                    Code::UnknownEffect,
                    format!("{path}.effect"),
                    format!("effect `{}` does not exist", e.effect),
                )
                .help_opt(
                    did_you_mean(&e.effect, effect_specs().iter().map(|s| s.name))
                        .or_else(|| Some(format!("built-in effects: {}", names(effect_specs())))),
                ),
            );
            return;
        };
        self.params(refs, path, "effect", spec, &e.params, Code::EffectParameter);
    }

    fn params(
        &mut self,
        refs: &Refs<'_>,
        path: &str,
        what: &str,
        spec: &Spec,
        params: &BTreeMap<String, serde_json::Value>,
        code: Code,
    ) {
        for p in spec.params {
            if p.required && !params.contains_key(p.name) {
                self.push(
                    Diagnostic::error(
                        code,
                        path,
                        format!("{what} `{}` needs the parameter `{}`", spec.name, p.name),
                    )
                    .help(format!("`{}` is {}", p.name, p.ty.describe())),
                );
            }
        }
        for (key, value) in params {
            let ppath = format!("{path}.{key}");
            let Some(p) = spec.params.iter().find(|p| p.name == key) else {
                let expected = if spec.params.is_empty() {
                    "it takes no parameters".to_owned()
                } else {
                    format!(
                        "it takes {}",
                        quote_list(&spec.params.iter().map(|p| p.name).collect::<Vec<_>>())
                    )
                };
                self.push(
                    Diagnostic::error(
                        code,
                        ppath,
                        format!("{what} `{}` has no parameter `{key}`", spec.name),
                    )
                    .help_opt(
                        did_you_mean(key, spec.params.iter().map(|p| p.name)).or(Some(expected)),
                    ),
                );
                continue;
            };
            let ok = match p.ty {
                ParamType::Number => value.is_number(),
                ParamType::Count => value.is_u64(),
                ParamType::Stars => value.as_u64().is_some_and(|n| (1..=5).contains(&n)),
                ParamType::Text => value.as_str().is_some_and(|s| !s.is_empty()),
                ParamType::OneOf(words) => value.as_str().is_some_and(|s| words.contains(&s)),
                ParamType::Evaluation | ParamType::Plugin | ParamType::Role => value.is_string(),
            };
            if !ok {
                self.push(
                    Diagnostic::error(
                        code,
                        ppath.clone(),
                        format!(
                            "parameter `{key}` of {what} `{}` must be {}, not `{value}`",
                            spec.name,
                            p.ty.describe()
                        ),
                    )
                    .help_opt(match (p.ty, value.as_str()) {
                        (ParamType::OneOf(words), Some(s)) => {
                            did_you_mean(s, words.iter().copied())
                        }
                        _ => None,
                    }),
                );
                continue;
            }
            if let Some(id) = value.as_str() {
                let _known = match p.ty {
                    ParamType::Evaluation => refs.evaluation(self, &ppath, id),
                    ParamType::Plugin => refs.plugin(self, &ppath, id),
                    ParamType::Role => refs.role(self, &ppath, id),
                    _ => true,
                };
            }
        }
    }

    fn evaluations(&mut self, refs: &Refs<'_>) {
        let def = self.def;
        for (i, e) in def.evaluations.iter().enumerate() {
            let path = format!("evaluations[{i}]");
            if refs.state(self, &format!("{path}.state"), e.state.as_str())
                && let Some(s) = def.states.iter().find(|s| s.id == e.state)
                && s.kind != StateKind::Evaluation
            {
                self.push(
                    Diagnostic::error(
                        Code::EvaluationStateKind,
                        format!("{path}.state"),
                        format!(
                            "evaluation stage `{}` sits in `{}`, which is not of kind `evaluation`",
                            e.id, e.state
                        ),
                    )
                    .help(format!("set `kind = \"evaluation\"` on `{}`", e.state)),
                );
            }
            refs.role(self, &format!("{path}.member_role"), e.member_role.as_str());
            if let Some(chair) = &e.chair_role {
                refs.role(self, &format!("{path}.chair_role"), chair.as_str());
            }
            match &e.plugin {
                None => self.push(
                    Diagnostic::error(
                        Code::EvaluationWithoutPlugin,
                        format!("{path}.id"),
                        format!("evaluation stage `{}` has no scoring plugin", e.id),
                    )
                    .help("set `plugin` to a declared scoring plugin, e.g. `criteria-26-2026`"),
                ),
                Some(p) => {
                    if refs.plugin(self, &format!("{path}.plugin"), p.as_str())
                        && let Some(decl) = def.plugins.iter().find(|d| d.id == *p)
                        && decl.kind != PluginKind::Scoring
                    {
                        self.push(
                            Diagnostic::error(
                                Code::PluginKind,
                                format!("{path}.plugin"),
                                format!("plugin `{p}` is a guard plugin and cannot score"),
                            )
                            .help("use a plugin declared with `kind = \"scoring\"`"),
                        );
                    }
                }
            }
            let c = &e.council;
            if !(c.quorum > 0.0 && c.quorum <= 1.0) {
                self.push(
                    Diagnostic::error(
                        Code::CouncilRule,
                        format!("{path}.council.quorum"),
                        format!(
                            "quorum {} is not a share between 0 (excluded) and 1",
                            c.quorum
                        ),
                    )
                    .help("write a share of the members, e.g. 0.75 for three quarters"),
                );
            }
            if c.min_members == 0 {
                self.push(
                    Diagnostic::error(
                        Code::CouncilRule,
                        format!("{path}.council.min_members"),
                        "a council needs at least one member's sheet",
                    )
                    .help("set `min_members` to 1 or more"),
                );
            }
            if let Some(spread) = c.max_spread
                && !(spread > 0.0 && spread <= 100.0)
            {
                self.push(
                    Diagnostic::error(
                        Code::CouncilRule,
                        format!("{path}.council.max_spread"),
                        format!("maximum spread {spread} is not between 0 (excluded) and 100"),
                    )
                    .help("e.g. `max_spread = 10` for a 10-point limit, or remove it for no limit"),
                );
            }
            if !(0.0..=100.0).contains(&e.pass_threshold) {
                self.push(
                    Diagnostic::error(
                        Code::CouncilRule,
                        format!("{path}.pass_threshold"),
                        format!("pass threshold {} is outside 0 to 100", e.pass_threshold),
                    )
                    .help("scores run from 0 to 100; 50 is the least for 3 stars"),
                );
            }
        }
        for (i, s) in def.states.iter().enumerate() {
            if s.kind == StateKind::Evaluation && !def.evaluations.iter().any(|e| e.state == s.id) {
                self.push(
                    Diagnostic::error(
                        Code::EvaluationStateWithoutStage,
                        format!("states[{i}].kind"),
                        format!("evaluation state `{}` has no evaluation stage", s.id),
                    )
                    .help(format!(
                        "add an `[[evaluations]]` table with `state = \"{}\"`",
                        s.id
                    )),
                );
            }
        }
    }

    fn rounds(&mut self) {
        for (i, r) in self.def.rounds.iter().enumerate() {
            for (key, value) in [
                ("proposals_by", &r.proposals_by),
                ("decided_by", &r.decided_by),
            ] {
                if parse_month_day(value).is_none() {
                    self.push(
                        Diagnostic::error(
                            Code::BadRoundDate,
                            format!("rounds[{i}].{key}"),
                            format!("`{value}` is not a day of the year"),
                        )
                        .help("write it as MM-DD, e.g. `04-30`"),
                    );
                }
            }
        }
    }

    fn plugins(&mut self) {
        let def = self.def;
        for (i, p) in def.plugins.iter().enumerate() {
            let path = format!("plugins[{i}]");
            if p.sha256.is_empty() {
                self.push(
                    Diagnostic::warning(
                        Code::UnpinnedPlugin,
                        format!("{path}.sha256"),
                        format!("plugin `{}` is not pinned by its SHA-256", p.id),
                    )
                    .help("the host refuses unpinned plugins unless told otherwise: run `sha256sum` on the component and set `sha256`"),
                );
            } else if p.sha256.len() != 64
                || !p
                    .sha256
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            {
                self.push(
                    Diagnostic::error(
                        Code::BadSha256,
                        format!("{path}.sha256"),
                        format!("`{}` is not a SHA-256", p.sha256),
                    )
                    .help("write 64 lowercase hex digits, as `sha256sum` prints them"),
                );
            }
            let used = def
                .evaluations
                .iter()
                .any(|e| e.plugin.as_ref() == Some(&p.id))
                || def.transitions.iter().any(|t| {
                    t.guards.iter().any(|g| {
                        g.guard == "plugin"
                            && g.params.get("plugin").and_then(|v| v.as_str())
                                == Some(p.id.as_str())
                    })
                });
            if !used {
                self.push(
                    Diagnostic::warning(
                        Code::UnusedPlugin,
                        format!("{path}.id"),
                        format!("plugin `{}` is declared but never used", p.id),
                    )
                    .help("use it in an evaluation stage or a `plugin` guard, or remove it"),
                );
            }
        }
    }

    fn separation(&mut self, refs: &Refs<'_>) {
        for (i, s) in self.def.separation.iter().enumerate() {
            if s.roles.len() < 2 {
                self.push(
                    Diagnostic::error(
                        Code::Separation,
                        format!("separation[{i}].roles"),
                        "a separation rule needs at least two roles",
                    )
                    .help("list the roles one actor may not combine on a case"),
                );
            }
            for (j, r) in s.roles.iter().enumerate() {
                refs.role(self, &format!("separation[{i}].roles[{j}]"), r.as_str());
            }
        }
    }

    /// Reachability over the transitions whose ends exist.
    fn graph(&mut self, states: &HashMap<&str, usize>) {
        let def = self.def;
        let Some(&initial) = states.get(def.initial.as_str()) else {
            return;
        };
        let (graph, nodes) = build_graph(def, states);
        let Some(&start) = nodes.get(&initial) else {
            return;
        };
        let mut reached = HashSet::new();
        let mut bfs = Bfs::new(&graph, start);
        while let Some(n) = bfs.next(&graph) {
            reached.insert(n);
        }
        let mut leads_out = HashSet::new();
        let reversed = Reversed(&graph);
        for (i, s) in def.states.iter().enumerate() {
            if s.kind == StateKind::Terminal
                && let Some(&n) = nodes.get(&i)
            {
                let mut bfs = Bfs::new(reversed, n);
                while let Some(m) = bfs.next(reversed) {
                    leads_out.insert(m);
                }
            }
        }
        let has_terminal = def.states.iter().any(|s| s.kind == StateKind::Terminal);
        for (i, s) in def.states.iter().enumerate() {
            if states.get(s.id.as_str()) != Some(&i) {
                continue; // a duplicate, reported already
            }
            let Some(&n) = nodes.get(&i) else { continue };
            if !reached.contains(&n) {
                let entering: Vec<&str> = def
                    .transitions
                    .iter()
                    .filter(|t| t.to == s.id)
                    .map(|t| t.id.as_str())
                    .collect();
                let help = if entering.is_empty() {
                    format!(
                        "no transition enters `{}`: add one, or remove the state",
                        s.id
                    )
                } else {
                    format!(
                        "{} enter it, but from states that are themselves unreachable",
                        quote_list(&entering)
                    )
                };
                self.push(
                    Diagnostic::error(
                        Code::UnreachableState,
                        format!("states[{i}].id"),
                        format!("state `{}` cannot be reached from `{}`", s.id, def.initial),
                    )
                    .help(help),
                );
            } else if has_terminal && !leads_out.contains(&n) {
                let outgoing = graph.neighbors(n).count();
                let (what, help) = if outgoing == 0 {
                    (
                        "is a dead end",
                        "add a transition out of it, or make it `terminal`".to_owned(),
                    )
                } else {
                    (
                        "is caught in a loop with no way out",
                        "add a transition from the loop to a state that leads to an end".to_owned(),
                    )
                };
                self.push(
                    Diagnostic::error(
                        Code::NoWayOut,
                        format!("states[{i}].id"),
                        format!(
                            "state `{}` {what}: no terminal state can be reached from it",
                            s.id
                        ),
                    )
                    .help(help),
                );
            }
        }
    }
}

/// A graph over the states of `def` (node weight: index into `def.states`) with an edge per
/// transition source (edge weight: index into `def.transitions`). Edges whose ends are not
/// defined states are left out.
pub(crate) fn build_graph(
    def: &Definition,
    states: &HashMap<&str, usize>,
) -> (DiGraph<usize, usize>, HashMap<usize, NodeIndex>) {
    let mut graph = DiGraph::new();
    let mut nodes = HashMap::new();
    for (i, s) in def.states.iter().enumerate() {
        if states.get(s.id.as_str()) == Some(&i) {
            nodes.insert(i, graph.add_node(i));
        }
    }
    for (ti, t) in def.transitions.iter().enumerate() {
        let Some(to) = states.get(t.to.as_str()).and_then(|i| nodes.get(i)) else {
            continue;
        };
        for from in t.from.as_slice() {
            if let Some(from) = states.get(from.as_str()).and_then(|i| nodes.get(i)) {
                graph.add_edge(*from, *to, ti);
            }
        }
    }
    (graph, nodes)
}

/// Parses `MM-DD` into (month, day), accepting 29 February.
pub(crate) fn parse_month_day(s: &str) -> Option<(i8, i8)> {
    let (m, d) = s.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    crate::Date::new(2024, m, d).map(|_| (m, d))
}

struct Refs<'r> {
    roles: &'r HashMap<&'r str, usize>,
    states: &'r HashMap<&'r str, usize>,
    evaluations: &'r HashMap<&'r str, usize>,
    plugins: &'r HashMap<&'r str, usize>,
}

impl Refs<'_> {
    fn check(
        v: &mut Validator<'_>,
        table: &HashMap<&str, usize>,
        code: Code,
        what: &str,
        path: &str,
        id: &str,
        hint: &str,
    ) -> bool {
        if table.contains_key(id) {
            return true;
        }
        v.push(
            Diagnostic::error(code, path, format!("{what} `{id}` is not defined")).help_opt(
                did_you_mean(id, table.keys().copied()).or_else(|| Some(hint.to_owned())),
            ),
        );
        false
    }

    fn state(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.states,
            Code::UnknownState,
            "state",
            path,
            id,
            "define it under `[[states]]`",
        )
    }

    fn role(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.roles,
            Code::UnknownRole,
            "role",
            path,
            id,
            "define it under `[[roles]]`",
        )
    }

    fn evaluation(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.evaluations,
            Code::UnknownEvaluation,
            "evaluation stage",
            path,
            id,
            "define it under `[[evaluations]]`",
        )
    }

    fn plugin(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.plugins,
            Code::UnknownPlugin,
            "plugin",
            path,
            id,
            "declare it under `[[plugins]]` with its path and sha256",
        )
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(specs: &[Spec]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
