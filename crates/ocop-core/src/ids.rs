//! Newtype identifiers used across definitions, cases and plugins.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string as an identifier. Definitions are checked by the validator, so
            /// any string is accepted here.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The identifier as written in the definition.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// Identifies a state of a cycle definition, e.g. `district_evaluation`.
    StateId
);
string_id!(
    /// Identifies a transition of a cycle definition, e.g. `submit_dossier`.
    TransitionId
);
string_id!(
    /// Identifies a role, e.g. `producer`, `province_council_member`.
    RoleId
);
string_id!(
    /// Identifies a plugin declared in a definition's plugin table.
    PluginId
);
string_id!(
    /// Identifies an evaluation stage (a council sitting at one level).
    EvaluationId
);
string_id!(
    /// Identifies an evaluation round ("đợt") with its cut-off dates.
    RoundId
);
string_id!(
    /// Identifies a cycle definition, e.g. `national-2026`.
    DefinitionId
);
string_id!(
    /// Identifies one criterion of a criteria sheet, e.g. `1.1`.
    CriterionId
);
