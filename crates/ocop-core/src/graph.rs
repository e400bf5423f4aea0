//! The validated cycle: a definition whose graph has passed every check.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::definition::{
    Definition, EvaluationStage, PluginDecl, Role, State, StateKind, Transition,
};
use crate::diagnostic::{Diagnostic, Report};
use crate::ids::{EvaluationId, PluginId, RoleId, StateId, TransitionId};
use crate::validate::{build_graph, validate};

/// A cycle definition that passed validation, with its state graph.
///
/// # Invariants
/// - Every state id and transition id is unique, and every id a transition, deadline or
///   evaluation stage names exists.
/// - The initial state exists; every state is reachable from it; a terminal state is
///   reachable from every state; terminal states have no outgoing transitions.
/// - Every deadline names a timeout transition that leaves its state.
/// - Every evaluation stage has a declared scoring plugin.
///
/// The graph's node indices never leave this type: callers speak in [`StateId`]s and
/// [`TransitionId`]s.
#[derive(Clone, Debug)]
pub struct Cycle {
    definition: Definition,
    graph: DiGraph<usize, usize>,
    nodes: HashMap<StateId, NodeIndex>,
    transitions: HashMap<TransitionId, usize>,
    warnings: Vec<Diagnostic>,
}

impl Cycle {
    /// Validates `definition` and builds its graph.
    ///
    /// # Errors
    /// A [`Report`] with every finding (errors and warnings) when any finding is an error.
    /// The report has no file name or locations; use [`load_definition`](crate::load_definition)
    /// to get them from a file.
    pub fn new(definition: Definition) -> Result<Cycle, Report> {
        let diagnostics = validate(&definition);
        if diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
        {
            return Err(Report::new(definition.id.as_str(), diagnostics));
        }
        // INVARIANT: validation passed, so ids are unique and every reference resolves.
        let index: HashMap<&str, usize> = definition
            .states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let (graph, by_index) = build_graph(&definition, &index);
        let nodes = definition
            .states
            .iter()
            .enumerate()
            .filter_map(|(i, s)| by_index.get(&i).map(|n| (s.id.clone(), *n)))
            .collect();
        let transitions = definition
            .transitions
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        Ok(Cycle {
            definition,
            graph,
            nodes,
            transitions,
            warnings: diagnostics,
        })
    }

    /// The definition as written.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Warnings the validator raised (an accepted definition has no errors).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The state new cases start in.
    pub fn initial(&self) -> &State {
        self.state(&self.definition.initial)
            .unwrap_or_else(|| unreachable_invariant())
    }

    /// The state `id`, if defined.
    pub fn state(&self, id: &StateId) -> Option<&State> {
        let n = self.nodes.get(id)?;
        self.definition.states.get(*self.graph.node_weight(*n)?)
    }

    /// The transition `id`, if defined.
    pub fn transition(&self, id: &TransitionId) -> Option<&Transition> {
        self.definition.transitions.get(*self.transitions.get(id)?)
    }

    /// All states, in definition order.
    pub fn states(&self) -> impl Iterator<Item = &State> {
        self.definition.states.iter()
    }

    /// All transitions, in definition order.
    pub fn transitions(&self) -> impl Iterator<Item = &Transition> {
        self.definition.transitions.iter()
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
            .filter_map(|i| self.definition.transitions.get(i))
            .collect()
    }

    /// Whether `transition` may be taken from `state` (an edge of the graph).
    pub fn leaves(&self, transition: &TransitionId, state: &StateId) -> bool {
        self.transition(transition)
            .is_some_and(|t| t.from.as_slice().contains(state))
    }

    /// Whether `state` ends a case.
    pub fn is_terminal(&self, state: &StateId) -> bool {
        self.state(state)
            .is_some_and(|s| s.kind == StateKind::Terminal)
    }

    /// The role `id`, if defined.
    pub fn role(&self, id: &RoleId) -> Option<&Role> {
        self.definition.roles.iter().find(|r| r.id == *id)
    }

    /// The evaluation stage `id`, if defined.
    pub fn evaluation(&self, id: &EvaluationId) -> Option<&EvaluationStage> {
        self.definition.evaluations.iter().find(|e| e.id == *id)
    }

    /// The evaluation stage that sits in `state`, if any.
    pub fn evaluation_in(&self, state: &StateId) -> Option<&EvaluationStage> {
        self.definition
            .evaluations
            .iter()
            .find(|e| e.state == *state)
    }

    /// The plugin `id`, if declared.
    pub fn plugin(&self, id: &PluginId) -> Option<&PluginDecl> {
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
            if let Some(s) = self
                .graph
                .node_weight(n)
                .and_then(|i| self.definition.states.get(*i))
            {
                out.push(s.id.clone());
            }
        }
        out
    }
}

#[cold]
fn unreachable_invariant() -> ! {
    // The constructor refuses definitions whose initial state is missing.
    unreachable!("a validated cycle always has its initial state")
}
