//! What a command or a tick must do beyond the history's invariants: refusals that must
//! happen, idempotent retries, appends equal to what the engine returns, timeouts on time.

use ocop_engine::{Action, Case, Clock, Command, CommandError, Event};

use super::TransitionViolation;
use super::report::{count, describe, kinds};
use super::run::{Keyed, Kind, Run, TickKind};

impl Run<'_> {
    pub(super) fn tick(
        &mut self,
        i: usize,
        kind: TickKind,
        before: &Case,
        history: &[Event],
    ) -> Result<(), TransitionViolation> {
        let report = match kind {
            TickKind::Wait(days) => {
                self.clock.advance_days(i64::from(days));
                self.engine
                    .tick(self.store, self.clock.now())
                    .map_err(CommandError::from)
                    .map(Some)
            }
            TickKind::NextDeadline => match self.engine.deadline(before) {
                Ok(Some(due)) if !due.fired && !self.harness.cycle.is_terminal(before.state()) => {
                    let fires_on = due.due.add_days(1);
                    if self.clock.now().vn_date() < fires_on {
                        self.clock.set_date(fires_on);
                    }
                    self.engine
                        .tick(self.store, self.clock.now())
                        .map_err(CommandError::from)
                        .map(Some)
                }
                Ok(_) => Ok(None),
                Err(e) => {
                    self.stats.skipped += 1;
                    self.trace.push(format!(
                        "{i}. jump to the case's next deadline: skipped ({e})"
                    ));
                    return Ok(());
                }
            },
        };
        let what = match kind {
            TickKind::Wait(days) => format!("wait {days} days and tick"),
            TickKind::NextDeadline => "jump to the case's next deadline and tick".to_owned(),
        };
        let today = self.clock.now().vn_date();
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                self.trace
                    .push(format!("{i}. {what} (now {today}) -> failed: {e}"));
                return Err(self.violation(
                    i,
                    "ticks run",
                    "the tick runs over the store's cases",
                    e.to_string(),
                ));
            }
        };
        let mut outcome = String::new();
        if let Some(report) = &report {
            for f in report.failed.iter().filter(|f| f.case == self.case) {
                if !matches!(f.error, CommandError::Calendar(_)) {
                    self.trace
                        .push(format!("{i}. {what} (now {today}) -> failed: {}", f.error));
                    return Err(self.violation(
                        i,
                        "deadlines are handled",
                        "the case's due timeout fires (only a calendar without the year may stop it)",
                        f.error.to_string(),
                    ));
                }
                outcome.push_str(&format!("; not fired: {}", f.error));
            }
            for f in report.fired.iter().filter(|f| f.case == self.case) {
                self.stats.timeouts += 1;
                outcome.push_str(&format!(
                    "; fired `{}` (due {})",
                    f.transition
                        .as_ref()
                        .map_or("transitional limit", |t| t.as_str()),
                    f.due
                ));
                if f.due >= today {
                    self.trace
                        .push(format!("{i}. {what} (now {today}){outcome}"));
                    return Err(self.violation(
                        i,
                        "timeouts fire after their due date",
                        format!("a deadline due {} fires on a later day", f.due),
                        format!("it fired on {today}"),
                    ));
                }
            }
        } else {
            outcome.push_str("; no deadline pending");
        }
        let after = self.case(i)?;
        self.trace.push(format!(
            "{i}. {what} (now {today}){outcome}; now `{}` v{}",
            after.state(),
            after.version()
        ));
        let stored = self.load(i)?;
        let new = stored.get(history.len()..).unwrap_or_default();
        if self.harness.cycle.is_terminal(before.state()) && !new.is_empty() {
            return Err(self.violation(
                i,
                "terminal states are final",
                format!("the case, ended in `{}`, fires no timeout", before.state()),
                format!("the tick appended {}", kinds(new)),
            ));
        }
        self.after(i)
    }

    pub(super) fn command(
        &mut self,
        i: usize,
        cmd: &Command,
        kind: Kind,
        before: &Case,
        history: &[Event],
    ) -> Result<(), TransitionViolation> {
        let result = self.engine.execute(self.store, cmd);
        let after = self.case(i)?;
        let label = match kind {
            Kind::Fresh => String::new(),
            Kind::Retry(k) => format!(
                "retry of step {}: ",
                self.keyed.get(k).map_or(0, |o| o.step)
            ),
            Kind::ReuseKey(k) => format!(
                "key of step {} reused: ",
                self.keyed.get(k).map_or(0, |o| o.step)
            ),
        };
        let answer = match &result {
            Ok(events) => format!("accepted: {}", kinds(events)),
            Err(e) => format!("refused: {e}"),
        };
        self.trace.push(format!(
            "{i}. {label}{} in `{}` v{} -> {answer}; now `{}` v{}",
            describe(cmd),
            before.state(),
            before.version(),
            after.state(),
            after.version()
        ));
        let stored = self.load(i)?;
        let new = stored.get(history.len()..).unwrap_or_default();
        match &result {
            Ok(_) => self.stats.accepted += 1,
            Err(_) => self.stats.refused += 1,
        }
        if let Some(e) = new
            .iter()
            .find(|e| self.harness.cycle.state(&e.to).is_none())
        {
            return Err(self.violation(
                i,
                "the state is a node",
                "every event lands in a state of the cycle",
                format!("event {} ({}) lands in `{}`", e.seq, e.body.kind(), e.to),
            ));
        }

        // What this kind of command must do.
        let recorded = match kind {
            Kind::Retry(k) | Kind::ReuseKey(k) => self
                .keyed
                .get(k)
                .and_then(|o| o.result.as_ref().ok().map(|e| (o.step, e.clone()))),
            Kind::Fresh => None,
        };
        match (&kind, &recorded) {
            (Kind::Retry(_), Some((step, events))) => {
                self.stats.retries += 1;
                let same = matches!(&result, Ok(e) if e == events);
                if !same || !new.is_empty() {
                    return Err(self.violation(
                        i,
                        "idempotent retry",
                        format!(
                            "the retry returns the {} step {step} appended ({}) and appends nothing",
                            count(events.len()),
                            kinds(events)
                        ),
                        format!(
                            "the engine answered ({answer}) and appended {}{}",
                            count(new.len()),
                            if new.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", kinds(new))
                            }
                        ),
                    ));
                }
                return self.after(i);
            }
            (Kind::ReuseKey(_), Some((step, _))) => {
                if !matches!(result, Err(CommandError::KeyReused { .. })) || !new.is_empty() {
                    return Err(self.violation(
                        i,
                        "idempotency keys are not reused",
                        format!(
                            "another command under the key of step {step} is refused (key reused) and appends nothing"
                        ),
                        format!("the engine answered ({answer}) and appended {}", count(new.len())),
                    ));
                }
                return self.after(i);
            }
            _ => {}
        }

        // Refusals that must happen.
        let terminal = self.harness.cycle.is_terminal(before.state());
        let stale = cmd.expected_version.is_some_and(|v| v != before.version());
        // An ended case refuses as ended; a stale command may be refused as a conflict first.
        let refused_as_ended = match &result {
            Err(CommandError::Terminal { .. }) => true,
            Err(CommandError::Conflict { .. }) => stale,
            _ => false,
        };
        if terminal && !refused_as_ended {
            return Err(self.violation(
                i,
                "terminal states are final",
                format!(
                    "the case, ended in `{}`, refuses the command as ended",
                    before.state()
                ),
                answer,
            ));
        }
        if stale && !matches!(result, Err(CommandError::Conflict { .. })) {
            return Err(self.violation(
                i,
                "expected versions are checked",
                format!(
                    "a command expecting v{} on a case at v{} is refused with a conflict",
                    cmd.expected_version.unwrap_or_default(),
                    before.version()
                ),
                answer,
            ));
        }
        if let Action::Take { transition, .. } = &cmd.action {
            let allowed = self
                .harness
                .cycle
                .transition(transition)
                .is_some_and(|t| t.roles.contains(&cmd.actor.role));
            if !allowed && (result.is_ok() || after.state() != before.state()) {
                return Err(self.violation(
                    i,
                    "only the transition's roles move the case",
                    format!(
                        "role `{}` may not take `{transition}`: the command is refused",
                        cmd.actor.role
                    ),
                    answer,
                ));
            }
        }
        if let Err(e @ (CommandError::Store(_) | CommandError::Corrupt(_))) = &result {
            return Err(self.violation(
                i,
                "the engine refuses cleanly",
                "a refusal that says what the command lacks",
                format!("the engine failed: {e}"),
            ));
        }

        // What the command appended.
        match &result {
            Ok(events) if events.as_slice() != new => {
                let diff = events
                    .iter()
                    .zip(new)
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| {
                        format!("; event {} differs: returned {a:?}, stored {b:?}", a.seq)
                    })
                    .unwrap_or_default();
                return Err(self.violation(
                    i,
                    "commands append what they return",
                    format!(
                        "the store gains the {} the engine returned ({})",
                        count(events.len()),
                        kinds(events)
                    ),
                    format!(
                        "the store gained {} ({}){diff}",
                        count(new.len()),
                        kinds(new)
                    ),
                ));
            }
            Err(_) if !new.is_empty() => {
                return Err(self.violation(
                    i,
                    "refused commands append nothing",
                    "the store is unchanged",
                    format!("the store gained {} ({})", count(new.len()), kinds(new)),
                ));
            }
            _ => {}
        }
        if cmd.idempotency_key.is_some() && matches!(kind, Kind::Fresh) {
            self.keyed.push(Keyed {
                step: i,
                command: cmd.clone(),
                result: result.map_err(|e| e.to_string()),
            });
        }
        self.after(i)
    }
}
