//! JSON Schemas of the documents this crate defines.

use schemars::{JsonSchema, Schema, schema_for};

use crate::definition::Definition;
use crate::domain::{AnswerSheet, Certificate, Dossier, Evaluation};
use crate::plugin::{CaseView, CriteriaSheet, Finding, Scored};

/// A named JSON Schema, `name` being the file stem it is published under
/// (`schemas/<name>.schema.json`).
#[derive(Clone, Debug)]
pub struct NamedSchema {
    /// File stem, e.g. `definition`.
    pub name: &'static str,
    /// The schema.
    pub schema: Schema,
}

fn named<T: JsonSchema>(name: &'static str) -> NamedSchema {
    NamedSchema {
        name,
        schema: schema_for!(T),
    }
}

/// The schemas of the cycle definition, dossier, answer sheet, evaluation, certificate,
/// criteria sheet, score sheet (an evaluation with its plugin's provenance), and the case
/// view and findings exchanged with guard plugins.
pub fn document_schemas() -> Vec<NamedSchema> {
    vec![
        named::<Definition>("definition"),
        named::<Dossier>("dossier"),
        named::<AnswerSheet>("answer-sheet"),
        named::<Evaluation>("evaluation"),
        named::<Certificate>("certificate"),
        named::<CriteriaSheet>("criteria-sheet"),
        named::<Scored>("score-sheet"),
        named::<CaseView>("case-view"),
        named::<Vec<Finding>>("findings"),
    ]
}
