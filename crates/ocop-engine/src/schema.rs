//! JSON Schemas of the documents this crate reads and writes.

use ocop_core::schema::NamedSchema;

use crate::calendar::CalendarFile;
use crate::command::Command;
use crate::event::Event;
use crate::migration::{MigrationFile, MigrationReport};
use crate::summary::CaseSummary;

/// The schemas of the engine's documents: an event, a command, a case summary, a
/// migration file, a migration report and a working-day calendar file.
pub fn document_schemas() -> Vec<NamedSchema> {
    vec![
        NamedSchema::of::<Event>("event"),
        NamedSchema::of::<Command>("command"),
        NamedSchema::of::<CaseSummary>("case-summary"),
        NamedSchema::of::<MigrationFile>("migration"),
        NamedSchema::of::<MigrationReport>("migration-report"),
        NamedSchema::of::<CalendarFile>("calendar"),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemas_have_distinct_names_and_render() {
        let schemas = super::document_schemas();
        let mut names: Vec<&str> = schemas.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), schemas.len());
        for s in schemas {
            let text = serde_json::to_string(&s.schema).unwrap();
            assert!(
                text.contains("\"properties\"") || text.contains("oneOf"),
                "{}",
                s.name
            );
        }
    }
}
