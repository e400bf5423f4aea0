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

impl NamedSchema {
    /// The schema of `T`, published as `schemas/<name>.schema.json`.
    pub fn of<T: JsonSchema>(name: &'static str) -> NamedSchema {
        NamedSchema {
            name,
            schema: schema_for!(T),
        }
    }
}

/// The schemas of the cycle definition, dossier, answer sheet, evaluation, certificate,
/// criteria sheet, score sheet (an evaluation with its plugin's provenance), and the case
/// view and findings exchanged with guard plugins.
pub fn document_schemas() -> Vec<NamedSchema> {
    vec![
        NamedSchema::of::<Definition>("definition"),
        NamedSchema::of::<Dossier>("dossier"),
        NamedSchema::of::<AnswerSheet>("answer-sheet"),
        NamedSchema::of::<Evaluation>("evaluation"),
        NamedSchema::of::<Certificate>("certificate"),
        NamedSchema::of::<CriteriaSheet>("criteria-sheet"),
        NamedSchema::of::<Scored>("score-sheet"),
        NamedSchema::of::<CaseView>("case-view"),
        NamedSchema::of::<Vec<Finding>>("findings"),
    ]
}
