//! The built-in guards and effects a definition may use, with their parameters. The
//! validator checks definitions against these tables; the engine implements them.

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

/// A built-in guard or effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Its name, as written in `guard = "..."` or `effect = "..."`.
    pub name: &'static str,
    /// What it checks or does.
    pub doc: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
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

static GUARDS: &[Spec] = &[
    Spec {
        name: "dossier_complete",
        doc: "every document of the dossier is present",
        params: &[],
    },
    Spec {
        name: "has_document",
        doc: "the dossier holds a document of this kind",
        params: &[req("kind", ParamType::Text)],
    },
    Spec {
        name: "registration",
        doc: "the case registered for this purpose (first, upgrade or re-evaluation)",
        params: &[req("type", ParamType::OneOf(REGISTRATION_TYPES))],
    },
    Spec {
        name: "council_complete",
        doc: "the council's quorum is met and its members' totals agree within the spread",
        params: &[req("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "spread_exceeded",
        doc: "the quorum is met but members' totals differ by more than the allowed spread",
        params: &[req("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "min_score",
        doc: "the council's aggregated total is at least `min`",
        params: &[
            req("min", ParamType::Number),
            opt("evaluation", ParamType::Evaluation),
        ],
    },
    Spec {
        name: "max_score",
        doc: "the council's aggregated total is below `below`",
        params: &[
            req("below", ParamType::Number),
            opt("evaluation", ParamType::Evaluation),
        ],
    },
    Spec {
        name: "min_stars",
        doc: "the evaluated rank (band capped by minimum marks) is at least `stars`",
        params: &[
            req("stars", ParamType::Stars),
            opt("evaluation", ParamType::Evaluation),
        ],
    },
    Spec {
        name: "max_stars",
        doc: "the evaluated rank is at most `stars`",
        params: &[
            req("stars", ParamType::Stars),
            opt("evaluation", ParamType::Evaluation),
        ],
    },
    Spec {
        name: "knocked_out",
        doc: "a knock-out rule applies (\"hồ sơ bị loại khi\")",
        params: &[opt("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "not_knocked_out",
        doc: "no knock-out rule applies",
        params: &[opt("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "certificate_active",
        doc: "the case holds a valid (or extended) certificate",
        params: &[],
    },
    Spec {
        name: "certificate_stars",
        doc: "the current certificate's rank lies between `min` and `max`",
        params: &[opt("min", ParamType::Stars), opt("max", ParamType::Stars)],
    },
    Spec {
        name: "filing_window",
        doc: "today lies between `opens_days_before` and `closes_days_before` the certificate's expiry",
        params: &[
            req("opens_days_before", ParamType::Count),
            req("closes_days_before", ParamType::Count),
        ],
    },
    Spec {
        name: "after_expiry",
        doc: "the certificate has expired but by no more than `max_days`",
        params: &[req("max_days", ParamType::Count)],
    },
    Spec {
        name: "revocation_ground",
        doc: "the command names one of the six grounds of Art. 8.1",
        params: &[],
    },
    Spec {
        name: "plugin",
        doc: "a guard plugin's check reports no blocking finding",
        params: &[
            req("plugin", ParamType::Plugin),
            req("check", ParamType::Text),
        ],
    },
];

static EFFECTS: &[Spec] = &[
    Spec {
        name: "record_evaluation",
        doc: "aggregate the council members' sheets into the stage's result",
        params: &[req("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "reset_evaluation",
        doc: "discard the members' sheets so the council scores again",
        params: &[req("evaluation", ParamType::Evaluation)],
    },
    Spec {
        name: "assign_round",
        doc: "place the case in the next round of `level` whose proposal cut-off has not passed",
        params: &[req("level", ParamType::OneOf(&["province", "central"]))],
    },
    Spec {
        name: "issue_certificate",
        doc: "issue a certificate for the evaluated rank, valid `months`, superseding any current one",
        params: &[
            req("months", ParamType::Count),
            req("level", ParamType::OneOf(ISSUING_LEVELS)),
            opt("max_stars", ParamType::Stars),
        ],
    },
    Spec {
        name: "revoke_certificate",
        doc: "revoke the current certificate on the ground the command names",
        params: &[],
    },
    Spec {
        name: "expire_certificate",
        doc: "mark the current certificate expired",
        params: &[],
    },
    Spec {
        name: "extend_certificate",
        doc: "keep an expired certificate valid until the result, at most `max_days` past expiry (Art. 12.3)",
        params: &[req("max_days", ParamType::Count)],
    },
    Spec {
        name: "record_inspection",
        doc: "record a monitoring inspection and its outcome",
        params: &[req("kind", ParamType::OneOf(&["periodic", "ad_hoc"]))],
    },
    Spec {
        name: "set_registration",
        doc: "change the case's registration type (e.g. when it files for re-evaluation)",
        params: &[req("type", ParamType::OneOf(REGISTRATION_TYPES))],
    },
    Spec {
        name: "notify",
        doc: "tell a role about the transition (the engine emits a notification event)",
        params: &[req("role", ParamType::Role)],
    },
];

/// The built-in guards.
pub fn guard_specs() -> &'static [Spec] {
    GUARDS
}

/// The built-in effects.
pub fn effect_specs() -> &'static [Spec] {
    EFFECTS
}
