//! The built-in guards and effects a definition may use: one table each, with every
//! entry's name, parameters and the function that lowers checked parameters into the typed
//! [`Guard`] or [`Effect`]. The validator checks definitions against these tables and
//! lowers them; the engine implements the typed enums.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;

use crate::cycle::{Effect, Guard, OnFinding};
use crate::domain::Stars;
use crate::ids::{EvaluationId, PluginId, RoleId};

/// The type of a guard or effect parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// A number (integer or decimal).
    Number,
    /// A whole number ≥ 0.
    Count,
    /// A star rank, 1 to 5.
    Stars,
    /// Free text.
    Text,
    /// One of the listed words.
    OneOf(&'static [&'static str]),
    /// The id of an evaluation stage of the definition.
    Evaluation,
    /// The id of a plugin of the definition.
    Plugin,
    /// The id of a role of the definition.
    Role,
}

impl ParamType {
    /// How the type is described in a diagnostic.
    pub fn describe(self) -> String {
        match self {
            ParamType::Number => "a number".into(),
            ParamType::Count => "a whole number".into(),
            ParamType::Stars => "a star rank from 1 to 5".into(),
            ParamType::Text => "a string".into(),
            ParamType::OneOf(words) => format!("one of {}", words.join(", ")),
            ParamType::Evaluation => "the id of an evaluation stage".into(),
            ParamType::Plugin => "the id of a declared plugin".into(),
            ParamType::Role => "the id of a declared role".into(),
        }
    }
}

/// One parameter of a guard or effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// The parameter's key.
    pub name: &'static str,
    /// Its type.
    pub ty: ParamType,
    /// Whether it must be given.
    pub required: bool,
}

/// A built-in guard or effect: its name, what it does, its parameters, and how checked
/// parameters become the typed `T` ([`Guard`] or [`Effect`]).
pub struct Spec<T: 'static> {
    /// Its name, as written in `guard = "..."` or `effect = "..."`.
    pub name: &'static str,
    /// What it checks or does.
    pub doc: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
    /// Builds the typed value from parameters the validator has checked against `params`.
    /// Reading a required parameter with `?` is safe: the validator reported it missing.
    pub(crate) lower: fn(&Args<'_>) -> Option<T>,
}

impl<T> Clone for Spec<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Spec<T> {}

impl<T> fmt::Debug for Spec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Checked parameters of one guard or effect, read with their types.
pub(crate) struct Args<'a> {
    params: &'a BTreeMap<String, serde_json::Value>,
}

impl<'a> Args<'a> {
    pub(crate) fn new(params: &'a BTreeMap<String, serde_json::Value>) -> Self {
        Args { params }
    }

    fn get(&self, name: &str) -> Option<&'a serde_json::Value> {
        self.params.get(name)
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.get(name)?.as_f64()
    }

    fn count(&self, name: &str) -> Option<u32> {
        u32::try_from(self.get(name)?.as_u64()?).ok()
    }

    fn stars(&self, name: &str) -> Option<Stars> {
        Stars::new(u8::try_from(self.get(name)?.as_u64()?).ok()?)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)?.as_str().map(str::to_owned)
    }

    /// One of the words of a `OneOf` parameter, as the enum serde reads it as.
    fn word<W: DeserializeOwned>(&self, name: &str) -> Option<W> {
        W::deserialize(self.get(name)?).ok()
    }

    fn evaluation(&self, name: &str) -> Option<EvaluationId> {
        self.text(name).map(EvaluationId::new)
    }
}

const fn req(name: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        required: false,
    }
}

/// The registration types a guard can test for.
pub(crate) const REGISTRATION_TYPES: &[&str] = &["first", "upgrade", "re_evaluation"];
/// The levels a certificate can be issued at.
pub(crate) const ISSUING_LEVELS: &[&str] = &["district", "province", "central"];

static GUARDS: &[Spec<Guard>] = &[
    Spec {
        name: "dossier_complete",
        doc: "every document of the dossier is present",
        params: &[],
        lower: |_| Some(Guard::DossierComplete),
    },
    Spec {
        name: "has_document",
        doc: "the dossier holds a document of this kind",
        params: &[req("kind", ParamType::Text)],
        lower: |a| {
            Some(Guard::HasDocument {
                kind: a.text("kind")?,
            })
        },
    },
    Spec {
        name: "registration",
        doc: "the case registered for this purpose (first, upgrade or re-evaluation)",
        params: &[req("type", ParamType::OneOf(REGISTRATION_TYPES))],
        lower: |a| {
            Some(Guard::Registration {
                registration: a.word("type")?,
            })
        },
    },
    Spec {
        name: "council_complete",
        doc: "the council's quorum is met and its members' totals agree within the spread",
        params: &[req("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Guard::CouncilComplete {
                evaluation: a.evaluation("evaluation")?,
            })
        },
    },
    Spec {
        name: "spread_exceeded",
        doc: "the quorum is met but members' totals differ by more than the allowed spread",
        params: &[req("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Guard::SpreadExceeded {
                evaluation: a.evaluation("evaluation")?,
            })
        },
    },
    Spec {
        name: "min_score",
        doc: "the council's aggregated total is at least `min`",
        params: &[
            req("min", ParamType::Number),
            opt("evaluation", ParamType::Evaluation),
        ],
        lower: |a| {
            Some(Guard::MinScore {
                min: a.number("min")?,
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "max_score",
        doc: "the council's aggregated total is below `below`",
        params: &[
            req("below", ParamType::Number),
            opt("evaluation", ParamType::Evaluation),
        ],
        lower: |a| {
            Some(Guard::MaxScore {
                below: a.number("below")?,
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "min_stars",
        doc: "the evaluated rank (band capped by minimum marks) is at least `stars`",
        params: &[
            req("stars", ParamType::Stars),
            opt("evaluation", ParamType::Evaluation),
        ],
        lower: |a| {
            Some(Guard::MinStars {
                stars: a.stars("stars")?,
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "max_stars",
        doc: "the evaluated rank is at most `stars`",
        params: &[
            req("stars", ParamType::Stars),
            opt("evaluation", ParamType::Evaluation),
        ],
        lower: |a| {
            Some(Guard::MaxStars {
                stars: a.stars("stars")?,
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "knocked_out",
        doc: "a knock-out rule applies (\"hồ sơ bị loại khi\")",
        params: &[opt("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Guard::KnockedOut {
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "not_knocked_out",
        doc: "no knock-out rule applies",
        params: &[opt("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Guard::NotKnockedOut {
                evaluation: a.evaluation("evaluation"),
            })
        },
    },
    Spec {
        name: "certificate_active",
        doc: "the case holds a valid (or extended) certificate",
        params: &[],
        lower: |_| Some(Guard::CertificateActive),
    },
    Spec {
        name: "certificate_stars",
        doc: "the current certificate's rank lies between `min` and `max`",
        params: &[opt("min", ParamType::Stars), opt("max", ParamType::Stars)],
        lower: |a| {
            Some(Guard::CertificateStars {
                min: a.stars("min"),
                max: a.stars("max"),
            })
        },
    },
    Spec {
        name: "filing_window",
        doc: "today lies between `opens_days_before` and `closes_days_before` the certificate's expiry",
        params: &[
            req("opens_days_before", ParamType::Count),
            req("closes_days_before", ParamType::Count),
        ],
        lower: |a| {
            Some(Guard::FilingWindow {
                opens_days_before: a.count("opens_days_before")?,
                closes_days_before: a.count("closes_days_before")?,
            })
        },
    },
    Spec {
        name: "after_expiry",
        doc: "the certificate has expired but by no more than `max_days`",
        params: &[req("max_days", ParamType::Count)],
        lower: |a| {
            Some(Guard::AfterExpiry {
                max_days: a.count("max_days")?,
            })
        },
    },
    Spec {
        name: "certificate_in_term",
        doc: "the current certificate is active or extended and today is on or before its expiry date (Art. 4.3)",
        params: &[],
        lower: |_| Some(Guard::CertificateInTerm),
    },
    Spec {
        name: "certificate_past_term",
        doc: "the case holds no certificate in its term (none, expired, revoked, superseded, or past its expiry date): the exact negation of `certificate_in_term`",
        params: &[],
        lower: |_| Some(Guard::CertificatePastTerm),
    },
    Spec {
        name: "late_filing_window",
        doc: "a late re-evaluation (Art. 12.3): fewer than `closes_days_before` days before the certificate's expiry, or after it by at most `max_days_after_expiry` days (that last day rolled off a day off)",
        params: &[
            req("closes_days_before", ParamType::Count),
            req("max_days_after_expiry", ParamType::Count),
        ],
        lower: |a| {
            Some(Guard::LateFilingWindow {
                closes_days_before: a.count("closes_days_before")?,
                max_days_after_expiry: a.count("max_days_after_expiry")?,
            })
        },
    },
    Spec {
        name: "revocation_ground",
        doc: "the command names one of the six grounds of Art. 8.1",
        params: &[],
        lower: |_| Some(Guard::RevocationGround),
    },
    Spec {
        name: "plugin",
        doc: "a guard plugin's check reports no blocking finding; with `on_finding = \"warn\"` its findings are recorded and never block (absent: `block`)",
        params: &[
            req("plugin", ParamType::Plugin),
            req("check", ParamType::Text),
            opt("on_finding", ParamType::OneOf(&["block", "warn"])),
        ],
        lower: |a| {
            Some(Guard::Plugin {
                plugin: PluginId::new(a.text("plugin")?),
                check: a.text("check")?,
                on_finding: if a.get("on_finding").is_some() {
                    a.word("on_finding")?
                } else {
                    OnFinding::Block
                },
            })
        },
    },
];

static EFFECTS: &[Spec<Effect>] = &[
    Spec {
        name: "record_evaluation",
        doc: "aggregate the council members' sheets into the stage's result",
        params: &[req("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Effect::RecordEvaluation {
                evaluation: a.evaluation("evaluation")?,
            })
        },
    },
    Spec {
        name: "reset_evaluation",
        doc: "discard the members' sheets so the council scores again",
        params: &[req("evaluation", ParamType::Evaluation)],
        lower: |a| {
            Some(Effect::ResetEvaluation {
                evaluation: a.evaluation("evaluation")?,
            })
        },
    },
    Spec {
        name: "assign_round",
        doc: "place the case in the next round of `level` whose proposal cut-off has not passed",
        params: &[req("level", ParamType::OneOf(&["province", "central"]))],
        lower: |a| {
            Some(Effect::AssignRound {
                level: a.word("level")?,
            })
        },
    },
    Spec {
        name: "issue_certificate",
        doc: "issue a certificate for the evaluated rank, valid `months`, superseding any current one",
        params: &[
            req("months", ParamType::Count),
            req("level", ParamType::OneOf(ISSUING_LEVELS)),
            opt("max_stars", ParamType::Stars),
        ],
        lower: |a| {
            Some(Effect::IssueCertificate {
                months: a.count("months")?,
                level: a.word("level")?,
                max_stars: a.stars("max_stars"),
            })
        },
    },
    Spec {
        name: "revoke_certificate",
        doc: "revoke the current certificate on the ground the command names",
        params: &[],
        lower: |_| Some(Effect::RevokeCertificate),
    },
    Spec {
        name: "expire_certificate",
        doc: "mark the current certificate expired",
        params: &[],
        lower: |_| Some(Effect::ExpireCertificate),
    },
    Spec {
        name: "extend_certificate",
        doc: "keep an expired certificate valid until the result, at most `max_days` past expiry (Art. 12.3)",
        params: &[req("max_days", ParamType::Count)],
        lower: |a| {
            Some(Effect::ExtendCertificate {
                max_days: a.count("max_days")?,
            })
        },
    },
    Spec {
        name: "end_extension",
        doc: "end an Art. 12.3 extension at the result, a withdrawal or a refusal: before the expiry date the certificate is active again, after it the certificate expires that day",
        params: &[],
        lower: |_| Some(Effect::EndExtension),
    },
    Spec {
        name: "record_inspection",
        doc: "record a monitoring inspection and its outcome",
        params: &[req("kind", ParamType::OneOf(&["periodic", "ad_hoc"]))],
        lower: |a| {
            Some(Effect::RecordInspection {
                kind: a.word("kind")?,
            })
        },
    },
    Spec {
        name: "set_registration",
        doc: "change the case's registration type (e.g. when it files for re-evaluation)",
        params: &[req("type", ParamType::OneOf(REGISTRATION_TYPES))],
        lower: |a| {
            Some(Effect::SetRegistration {
                registration: a.word("type")?,
            })
        },
    },
    Spec {
        name: "notify",
        doc: "tell a role about the transition (the engine emits a notification event)",
        params: &[req("role", ParamType::Role)],
        lower: |a| {
            Some(Effect::Notify {
                role: RoleId::new(a.text("role")?),
            })
        },
    },
];

/// The built-in guards.
pub fn guard_specs() -> &'static [Spec<Guard>] {
    GUARDS
}

/// The built-in effects.
pub fn effect_specs() -> &'static [Spec<Effect>] {
    EFFECTS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of the right type for every parameter: what the validator lets through.
    fn sample(ty: ParamType) -> serde_json::Value {
        match ty {
            ParamType::Number => serde_json::json!(50.5),
            ParamType::Count | ParamType::Stars => serde_json::json!(3),
            ParamType::Text | ParamType::Evaluation | ParamType::Plugin | ParamType::Role => {
                serde_json::json!("x")
            }
            ParamType::OneOf(words) => serde_json::json!(words.first().copied().unwrap_or("")),
        }
    }

    /// Every entry lowers from its declared parameters (all of them, or only the required
    /// ones) into the variant of the same name, and reads no parameter it does not declare.
    fn lowers_from_declared_parameters<T>(specs: &[Spec<T>], name: fn(&T) -> &'static str) {
        for spec in specs {
            let all: BTreeMap<String, serde_json::Value> = spec
                .params
                .iter()
                .map(|p| (p.name.to_owned(), sample(p.ty)))
                .collect();
            let required: BTreeMap<String, serde_json::Value> = spec
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| (p.name.to_owned(), sample(p.ty)))
                .collect();
            for params in [&all, &required] {
                let lowered = (spec.lower)(&Args::new(params))
                    .unwrap_or_else(|| panic!("`{}` does not lower from {params:?}", spec.name));
                assert_eq!(name(&lowered), spec.name);
            }
            for p in spec.params.iter().filter(|p| p.required) {
                let mut missing = all.clone();
                missing.remove(p.name);
                assert!(
                    (spec.lower)(&Args::new(&missing)).is_none(),
                    "`{}` lowers without its required `{}`",
                    spec.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn every_guard_lowers_to_its_variant() {
        lowers_from_declared_parameters(guard_specs(), Guard::name);
    }

    #[test]
    fn every_effect_lowers_to_its_variant() {
        lowers_from_declared_parameters(effect_specs(), Effect::name);
    }

    #[test]
    fn names_are_unique() {
        let mut g: Vec<&str> = guard_specs().iter().map(|s| s.name).collect();
        let mut e: Vec<&str> = effect_specs().iter().map(|s| s.name).collect();
        let (ng, ne) = (g.len(), e.len());
        g.sort_unstable();
        g.dedup();
        e.sort_unstable();
        e.dedup();
        assert_eq!((g.len(), e.len()), (ng, ne));
    }
}
