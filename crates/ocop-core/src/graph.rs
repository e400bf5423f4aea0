//! The validated cycle: a definition whose graph has passed every check, lowered into typed
//! parts.

use std::collections::HashMap;
use std::sync::Arc;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::cycle::{Evaluation, Plugin, Round, State, Transition};
use crate::definition::{Definition, PluginDecl, Role, Separation, StateKind};
use crate::diagnostic::{Diagnostic, Report, Severity};
use crate::ids::{EvaluationId, PluginId, RoleId, StateId, TransitionId};
use crate::validate::{Lowered, build_graph, check};

/// A cycle definition that passed validation, with its state graph and its rules lowered
/// into the typed parts of [`cycle`](crate::cycle).
///
/// # Invariants
/// - Every state id and transition id is unique, and every id a transition, deadline or
///   evaluation stage names exists.
/// - The initial state exists; every state is reachable from it; a terminal state is
///   reachable from every state; terminal states have no outgoing transitions.
/// - Every deadline names a timeout transition that leaves its state.
/// - Every evaluation stage has a declared scoring plugin.
/// - Every guard and effect is a built-in one with parameters of the right types.
///
/// The graph's node indices never leave this type: callers speak in [`StateId`]s and
/// [`TransitionId`]s.
#[derive(Clone, Debug)]
pub struct Cycle {
    definition: Definition,
    source: Arc<Source>,
    states: Vec<State>,
    transitions: Vec<Transition>,
    evaluations: Vec<Evaluation>,
    rounds: Vec<Round>,
    plugins: Vec<Plugin>,
    graph: DiGraph<usize, usize>,
    nodes: HashMap<StateId, NodeIndex>,
    transition_index: HashMap<TransitionId, usize>,
    warnings: Vec<Diagnostic>,
}

impl Cycle {
    /// Validates `definition`, lowers it into typed parts and builds its graph.
    ///
    /// # Errors
    /// A [`Report`] with every finding (errors and warnings) when any finding is an error.
    /// The report has no file name or locations; use [`load_definition`](crate::load_definition)
    /// to get them from a file.
    ///
    /// The cycle's [`source`](Cycle::source) is the definition written as JSON (its
    /// canonical text); a cycle read from a file with
    /// [`load_definition`](crate::load_definition) keeps the file's exact text instead.
    pub fn new(definition: Definition) -> Result<Cycle, Report> {
        let mut text = serde_json::to_string_pretty(&definition).unwrap_or_default();
        text.push('\n');
        let file_name = format!("{}.json", definition.id);
        Cycle::read(definition, &file_name, text)
    }

    /// Validates `definition`, read from `text` in file `file_name`.
    pub(crate) fn read(
        definition: Definition,
        file_name: &str,
        text: String,
    ) -> Result<Cycle, Report> {
        let (diagnostics, lowered) = check(&definition);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(Report::new(definition.id.as_str(), diagnostics));
        }
        let Lowered {
            deadlines,
            guards,
            effects,
            evaluations,
            rounds,
            plugins,
        } = lowered;
        // INVARIANT: validation passed, so ids are unique, every reference resolves and
        // every part was lowered (one deadline slot per state, one guard and effect list
        // per transition).
        let states: Vec<State> = definition
            .states
            .iter()
            .zip(deadlines)
            .map(|(s, deadline)| State {
                id: s.id.clone(),
                kind: s.kind,
                owner: s.owner.clone(),
                label: s.label.clone(),
                basis: s.basis.clone(),
                deadline,
            })
            .collect();
        let transitions: Vec<Transition> = definition
            .transitions
            .iter()
            .zip(guards.into_iter().zip(effects))
            .map(|(t, (guards, effects))| Transition {
                id: t.id.clone(),
                from: t.from.as_slice().to_vec(),
                to: t.to.clone(),
                label: t.label.clone(),
                roles: t.roles.clone(),
                guards,
                effects,
                basis: t.basis.clone(),
            })
            .collect();
        let index: HashMap<&str, usize> = definition
            .states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let (graph, by_index) = build_graph(&definition, &index);
        let nodes = states
            .iter()
            .enumerate()
            .filter_map(|(i, s)| by_index.get(&i).map(|n| (s.id.clone(), *n)))
            .collect();
        let transition_index = transitions
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        Ok(Cycle {
            definition,
            source: Arc::new(Source::new(file_name, text)),
            states,
            transitions,
            evaluations,
            rounds,
            plugins,
            graph,
            nodes,
            transition_index,
            warnings: diagnostics,
        })
    }

    /// The definition as written (labels, legal basis, the plugin declarations a plugin host
    /// loads). The rules themselves are read through the typed accessors.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// The exact text the cycle was read from, with its SHA-256.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// SHA-256 of the exact text the cycle was read from: what a case opened under it pins.
    pub fn sha256(&self) -> &str {
        &self.source.sha256
    }

    /// Warnings the validator raised (an accepted definition has no errors).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The state new cases start in.
    pub fn initial(&self) -> &State {
        // INVARIANT: validation refuses a definition whose initial state is missing, and
        // `states` is not empty then.
        self.state(&self.definition.initial)
            .or_else(|| self.states.first())
            .unwrap_or_else(|| unreachable_invariant())
    }

    /// The state `id`, if defined.
    pub fn state(&self, id: &StateId) -> Option<&State> {
        let n = self.nodes.get(id)?;
        self.states.get(*self.graph.node_weight(*n)?)
    }

    /// The transition `id`, if defined.
    pub fn transition(&self, id: &TransitionId) -> Option<&Transition> {
        self.transitions.get(*self.transition_index.get(id)?)
    }

    /// All states, in definition order.
    pub fn states(&self) -> impl Iterator<Item = &State> {
        self.states.iter()
    }

    /// All transitions, in definition order.
    pub fn transitions(&self) -> impl Iterator<Item = &Transition> {
        self.transitions.iter()
    }

    /// The transitions that leave `state`, in definition order.
    pub fn outgoing(&self, state: &StateId) -> Vec<&Transition> {
        let Some(n) = self.nodes.get(state) else {
            return Vec::new();
        };
        let mut idx: Vec<usize> = self
            .graph
            .edges_directed(*n, Direction::Outgoing)
            .map(|e| *e.weight())
            .collect();
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .filter_map(|i| self.transitions.get(i))
            .collect()
    }

    /// Whether `transition` may be taken from `state` (an edge of the graph).
    pub fn leaves(&self, transition: &TransitionId, state: &StateId) -> bool {
        self.transition(transition).is_some_and(|t| t.leaves(state))
    }

    /// Whether `state` ends a case.
    pub fn is_terminal(&self, state: &StateId) -> bool {
        self.state(state)
            .is_some_and(|s| s.kind == StateKind::Terminal)
    }

    /// The roles, in definition order.
    pub fn roles(&self) -> &[Role] {
        &self.definition.roles
    }

    /// The role `id`, if defined.
    pub fn role(&self, id: &RoleId) -> Option<&Role> {
        self.definition.roles.iter().find(|r| r.id == *id)
    }

    /// The separation-of-duties rules.
    pub fn separation(&self) -> &[Separation] {
        &self.definition.separation
    }

    /// The evaluation stages, in definition order.
    pub fn evaluations(&self) -> &[Evaluation] {
        &self.evaluations
    }

    /// The evaluation stage `id`, if defined.
    pub fn evaluation(&self, id: &EvaluationId) -> Option<&Evaluation> {
        self.evaluations.iter().find(|e| e.id == *id)
    }

    /// The evaluation stage that sits in `state`, if any.
    pub fn evaluation_in(&self, state: &StateId) -> Option<&Evaluation> {
        self.evaluations.iter().find(|e| e.state == *state)
    }

    /// The evaluation rounds, in definition order.
    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    /// The declared plugins, in definition order.
    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// The plugin `id`, if declared.
    pub fn plugin(&self, id: &PluginId) -> Option<&Plugin> {
        self.plugins.iter().find(|p| p.id == *id)
    }

    /// The declaration of plugin `id` as written, for a plugin host to load.
    pub fn plugin_decl(&self, id: &PluginId) -> Option<&PluginDecl> {
        self.definition.plugins.iter().find(|p| p.id == *id)
    }

    /// The states reachable from `from` by following transitions, `from` included.
    pub fn reachable_from(&self, from: &StateId) -> Vec<StateId> {
        let Some(start) = self.nodes.get(from) else {
            return Vec::new();
        };
        let mut bfs = petgraph::visit::Bfs::new(&self.graph, *start);
        let mut out = Vec::new();
        while let Some(n) = bfs.next(&self.graph) {
            if let Some(s) = self.graph.node_weight(n).and_then(|i| self.states.get(*i)) {
                out.push(s.id.clone());
            }
        }
        out
    }
}

/// The exact text of a definition and its SHA-256: a case pins the hash, a store keeps the
/// text under it, so the case can be read and reported without the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The file's name, without its folder (its extension says TOML or JSON).
    pub file_name: String,
    /// The text, exactly as read.
    pub text: String,
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
}

impl Source {
    /// The source `text` of file `file_name` (a path keeps only its last part).
    pub fn new(file_name: &str, text: String) -> Source {
        use sha2::{Digest, Sha256};
        use std::fmt::Write;
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        let mut sha256 = String::with_capacity(64);
        for b in Sha256::digest(text.as_bytes()) {
            let _infallible = write!(sha256, "{b:02x}");
        }
        Source {
            file_name: base.to_owned(),
            text,
            sha256,
        }
    }
}

#[cold]
fn unreachable_invariant() -> ! {
    // The constructor refuses definitions without states or whose initial state is missing.
    unreachable!("a validated cycle always has its initial state")
}
