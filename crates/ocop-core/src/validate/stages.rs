//! Evaluation stages, rounds, plugins and separation rules.

use super::Validator;
use super::refs::Refs;
use crate::cycle::{self, Pin};
use crate::date::MonthDay;
use crate::definition::{PluginKind, StateKind};
use crate::diagnostic::{Code, Diagnostic};

impl Validator<'_> {
    pub(super) fn evaluations(&mut self, refs: &Refs<'_>) {
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
            if let Some(plugin) = &e.plugin {
                self.lowered.evaluations.push(cycle::Evaluation {
                    id: e.id.clone(),
                    state: e.state.clone(),
                    level: e.level,
                    member_role: e.member_role.clone(),
                    chair_role: e.chair_role.clone(),
                    plugin: plugin.clone(),
                    substitute: e.substitute.clone(),
                    aggregation: e.aggregation,
                    council: e.council.clone(),
                    pass_threshold: e.pass_threshold,
                    basis: e.basis.clone(),
                });
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

    pub(super) fn rounds(&mut self) {
        for (i, r) in self.def.rounds.iter().enumerate() {
            let mut day = |key: &str, value: &str| {
                let parsed = MonthDay::parse(value);
                if parsed.is_none() {
                    self.push(
                        Diagnostic::error(
                            Code::BadRoundDate,
                            format!("rounds[{i}].{key}"),
                            format!("`{value}` is not a day of the year"),
                        )
                        .help("write it as MM-DD, e.g. `04-30`"),
                    );
                }
                parsed
            };
            let proposals_by = day("proposals_by", &r.proposals_by);
            let decided_by = day("decided_by", &r.decided_by);
            if let (Some(proposals_by), Some(decided_by)) = (proposals_by, decided_by) {
                self.lowered.rounds.push(cycle::Round {
                    id: r.id.clone(),
                    level: r.level,
                    proposals_by,
                    decided_by,
                    basis: r.basis.clone(),
                });
            }
        }
    }

    pub(super) fn plugins(&mut self) {
        let def = self.def;
        for (i, p) in def.plugins.iter().enumerate() {
            let path = format!("plugins[{i}]");
            let mut pin = Some(Pin::Unpinned);
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
                pin = None;
            } else {
                pin = Some(Pin::Sha256(p.sha256.clone()));
            }
            let used =
                def.evaluations
                    .iter()
                    .any(|e| e.plugin.as_ref() == Some(&p.id))
                    || self.lowered.guards.iter().flatten().any(
                        |g| matches!(g, cycle::Guard::Plugin { plugin, .. } if *plugin == p.id),
                    );
            if let Some(pin) = pin {
                self.lowered.plugins.push(cycle::Plugin {
                    id: p.id.clone(),
                    kind: p.kind,
                    path: p.path.clone(),
                    pin,
                    used,
                    config: p.config.clone(),
                    runtime: p.runtime,
                    fuel: p.fuel,
                    memory_mib: p.memory_mib,
                });
            }
            if let Some(fuel) = p.fuel
                && !(1..=cycle::MAX_PLUGIN_FUEL).contains(&fuel)
            {
                self.push(
                    Diagnostic::error(
                        Code::PluginLimits,
                        format!("{path}.fuel"),
                        format!("plugin `{}` asks for {fuel} fuel per call", p.id),
                    )
                    .help(format!(
                        "give between 1 and {} (a Rust component needs about 10,000,000, a Python or JavaScript one about 1,000,000,000), or leave `fuel` out for the host's default",
                        cycle::MAX_PLUGIN_FUEL
                    )),
                );
            }
            if let Some(mib) = p.memory_mib
                && !(1..=cycle::MAX_PLUGIN_MEMORY_MIB).contains(&mib)
            {
                self.push(
                    Diagnostic::error(
                        Code::PluginLimits,
                        format!("{path}.memory_mib"),
                        format!("plugin `{}` asks for {mib} MiB of memory", p.id),
                    )
                    .help(format!(
                        "give between 1 and {} MiB (an interpreter starts at 10-13 MiB; 256 is a safe setting), or leave `memory_mib` out for the host's default",
                        cycle::MAX_PLUGIN_MEMORY_MIB
                    )),
                );
            }
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

    pub(super) fn separation(&mut self, refs: &Refs<'_>) {
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
}
