//! Reachability: every state reached from the initial one, and an end reached from every state.

use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};

use super::Validator;
use super::refs::quote_list;
use crate::definition::{Definition, StateKind};
use crate::diagnostic::{Code, Diagnostic};

impl Validator<'_> {
    /// Reachability over the transitions whose ends exist.
    pub(super) fn graph(&mut self, states: &HashMap<&str, usize>) {
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
