//! A province (tenant): its own store, one engine per definition, and the dispatch of a case
//! to the engine of the definition it runs under.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use ocop_engine::{Case, CaseId, Command, CommandError, Engine, Outcome, Store};

use crate::auth::ProvinceConfig;

/// One province: a store no other province reads, and its engines.
pub(crate) struct Province {
    pub(crate) config: ProvinceConfig,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) engines: BTreeMap<String, Engine>,
    /// The definition each case was last seen under.
    hints: Mutex<HashMap<CaseId, String>>,
}

impl std::fmt::Debug for Province {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Province")
            .field("id", &self.config.id)
            .finish_non_exhaustive()
    }
}

impl Province {
    pub(crate) fn new(
        config: ProvinceConfig,
        store: Arc<dyn Store>,
        engines: BTreeMap<String, Engine>,
    ) -> Province {
        Province {
            config,
            store,
            engines,
            hints: Mutex::new(HashMap::new()),
        }
    }

    fn hint(&self, id: &CaseId) -> Option<String> {
        self.hints.lock().ok().and_then(|h| h.get(id).cloned())
    }

    fn remember(&self, id: &CaseId, definition: &str) {
        if let Ok(mut h) = self.hints.lock() {
            h.insert(id.clone(), definition.to_owned());
        }
    }

    fn engine_named(&self, case: &CaseId, definition: &str) -> Result<&Engine, CommandError> {
        self.engines
            .get(definition)
            .ok_or_else(|| CommandError::WrongDefinition {
                case: case.clone(),
                runs_under: definition.to_owned(),
                engine: "(none: this server does not load it)".into(),
            })
    }

    /// The engine of the definition case `id` was last seen under (read from the store the
    /// first time).
    pub(crate) fn engine_for(&self, id: &CaseId) -> Result<&Engine, CommandError> {
        match self.hint(id) {
            Some(d) => self.engine_named(id, &d),
            None => self.case(id).map(|(e, _)| e),
        }
    }

    /// The case `id` and the engine of its definition.
    pub(crate) fn case(&self, id: &CaseId) -> Result<(&Engine, Case), CommandError> {
        let definition = match self.hint(id) {
            Some(d) => d,
            None => {
                let events = self.store.load(id, 0)?;
                if events.is_empty() {
                    return Err(CommandError::UnknownCase { case: id.clone() });
                }
                Case::replay(&events)?.definition().to_string()
            }
        };
        let engine = self.engine_named(id, &definition)?;
        let case = engine.case(self.store.as_ref(), id)?;
        if case.definition().as_str() != definition {
            // Migrated since: go to the engine of its definition now.
            let now = case.definition().to_string();
            self.remember(id, &now);
            engine.forget(id);
            let engine = self.engine_named(id, &now)?;
            let case = engine.case(self.store.as_ref(), id)?;
            return Ok((engine, case));
        }
        self.remember(id, &definition);
        Ok((engine, case))
    }

    /// Runs a command on an existing case through the engine of its definition.
    pub(crate) fn execute(&self, command: &Command) -> Result<Outcome, CommandError> {
        let (engine, _) = self.case(&command.case)?;
        match engine.execute_outcome(self.store.as_ref(), command) {
            Err(CommandError::WrongDefinition { runs_under, .. }) => {
                self.remember(&command.case, &runs_under);
                self.engine_named(&command.case, &runs_under)?
                    .execute_outcome(self.store.as_ref(), command)
            }
            other => other,
        }
    }

    /// Opens a case under `definition`.
    pub(crate) fn open(
        &self,
        definition: &str,
        command: &Command,
    ) -> Result<Outcome, CommandError> {
        let engine = self.engine_named(&command.case, definition)?;
        let outcome = engine.execute_outcome(self.store.as_ref(), command)?;
        if let Some(first) = outcome.events.first()
            && first.seq == 1
        {
            self.remember(&command.case, definition);
        }
        Ok(outcome)
    }
}
