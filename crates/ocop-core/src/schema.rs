//! JSON Schemas of the documents this crate defines.

use schemars::{JsonSchema, Schema, schema_for};

use crate::definition::Definition;
use crate::domain::{AnswerSheet, Certificate, Dossier, Evaluation};

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

/// The schemas of the cycle definition, dossier, answer sheet, evaluation (score sheet)
/// and certificate.
pub fn document_schemas() -> Vec<NamedSchema> {
    vec![
        named::<Definition>("definition"),
        named::<Dossier>("dossier"),
        named::<AnswerSheet>("answer-sheet"),
        named::<Evaluation>("evaluation"),
        named::<Certificate>("certificate"),
    ]
}
