//! States, their deadlines, and transitions (whose guards and effects are lowered in `params`).

use std::collections::{HashMap, HashSet};

use super::Validator;
use super::refs::{Refs, did_you_mean, quote_list};
use crate::cycle::{self, Amount};
use crate::definition::{Anchor, Deadline, SYSTEM_ROLE, StateKind};
use crate::diagnostic::{Code, Diagnostic};

impl Validator<'_> {
    pub(super) fn states(&mut self, refs: &Refs<'_>, transitions: &HashMap<&str, usize>) {
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
            let mut lowered = None;
            if let Some(d) = &s.deadline {
                if let Some(since) = &d.since {
                    refs.state(self, &format!("{path}.deadline.since"), since.as_str());
                }
                lowered = self.deadline(&format!("{path}.deadline"), s.id.as_str(), d, transitions);
                if let Some(t) = &d.on_timeout {
                    timeout_transitions.insert(t.as_str());
                }
            }
            self.lowered.deadlines.push(lowered);
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

    pub(super) fn deadline(
        &mut self,
        path: &str,
        state: &str,
        d: &Deadline,
        transitions: &HashMap<&str, usize>,
    ) -> Option<cycle::Deadline> {
        let def = self.def;
        let amount = match (d.working_days, d.days, d.months) {
            (Some(n), None, None) => Some(Amount::WorkingDays(n)),
            (None, Some(n), None) => Some(Amount::Days(n)),
            (None, None, Some(n)) => Some(Amount::Months(n)),
            (None, None, None) if d.from != Anchor::Entered => Some(Amount::OnAnchor),
            _ => None,
        };
        if amount.is_none() {
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
            return None;
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
            return None;
        };
        let t = def.transitions.get(ti)?;
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
        Some(cycle::Deadline {
            amount: amount?,
            from: d.from,
            since: d.since.clone(),
            on_timeout: timeout.clone(),
            basis: d.basis.clone(),
        })
    }

    pub(super) fn transitions(&mut self, refs: &Refs<'_>) {
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
            let guards = t
                .guards
                .iter()
                .enumerate()
                .filter_map(|(j, g)| self.guard(refs, &format!("{path}.guards[{j}]"), g))
                .collect();
            self.lowered.guards.push(guards);
            let effects = t
                .effects
                .iter()
                .enumerate()
                .filter_map(|(j, e)| self.effect(refs, &format!("{path}.effects[{j}]"), e))
                .collect();
            self.lowered.effects.push(effects);
        }
    }
}
