//! The report and export documents.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use ocop_core::{Date, Label, Stars, catalog::ProductGroup};

/// The current format of the documents in this crate.
pub const REPORT_FORMAT: u32 = 1;

/// A count under a key, with the key's label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// The key (a state id, a district name…).
    pub key: String,
    /// Its label.
    pub label: Label,
    /// How many.
    pub count: u32,
}

/// Certified products of one rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StarCount {
    /// The rank.
    pub stars: Stars,
    /// Products holding a valid certificate of that rank.
    pub certified: u32,
    /// Of those, certified during the report's year.
    pub new_this_year: u32,
}

/// One product group's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRow {
    /// The group.
    pub group: ProductGroup,
    /// Its name.
    pub label: Label,
    /// Cases of the group (all states).
    pub cases: u32,
    /// Valid certificates by rank: 3, 4 and 5 stars.
    pub certified: [u32; 3],
}

/// One commune's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommuneRow {
    /// The commune.
    pub commune: String,
    /// Cases.
    pub cases: u32,
    /// Products with a valid certificate.
    pub certified: u32,
}

/// One district's row (districts as recorded on the dossiers; none after 1 July 2025).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaRow {
    /// The district, or "(không có)" / "(none)" for dossiers filed without one.
    pub district: String,
    /// Cases.
    pub cases: u32,
    /// Products with a valid certificate.
    pub certified: u32,
    /// The district's communes.
    pub communes: Vec<CommuneRow>,
}

/// New certificates of one rank against the plan's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRow {
    /// The rank.
    pub stars: Stars,
    /// The target.
    pub target: u32,
    /// New certificates of that rank in the year.
    pub actual: u32,
}

/// A certificate that needs attention.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiringRow {
    /// The case.
    pub case: String,
    /// The product.
    pub product: String,
    /// The producer.
    pub producer: String,
    /// The rank.
    pub stars: Stars,
    /// Last day of validity.
    pub expires_on: Date,
    /// Days from the report date to expiry.
    pub days_left: i64,
    /// Whether today lies in the re-evaluation filing window (180 to 120 days before expiry).
    pub in_renewal_window: bool,
    /// Whether a re-evaluation is already under way.
    pub renewal_filed: bool,
}

/// Cases past one kind of deadline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverdueRow {
    /// The state whose deadline passed.
    pub state: String,
    /// Its label.
    pub label: Label,
    /// The deadline, as the definition words it (e.g. "15 working days").
    pub deadline: Label,
    /// The cases, with the day their deadline fell due.
    pub cases: Vec<OverdueCase>,
}

/// One overdue case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverdueCase {
    /// The case.
    pub case: String,
    /// The product.
    pub product: String,
    /// The day the deadline fell due.
    pub due: Date,
    /// Days past it.
    pub days_late: i64,
}

/// A reporting date of the plan (quarterly before 10 March, half-yearly before 10 June,
/// yearly before 10 December; "trước ngày" read strictly, so due the 9th).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPeriod {
    /// Which report.
    pub label: Label,
    /// When it is due.
    pub due: Date,
    /// Whether the report date is past it.
    pub past: bool,
}

/// The programme report ("báo cáo tình hình thực hiện Chương trình OCOP").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeReport {
    /// Format version; 1.
    pub format: u32,
    /// The province or city, e.g. "Cần Thơ", from the definitions' `jurisdiction` (empty
    /// when none names one).
    pub province: String,
    /// The definitions the cases run under (ids), e.g. `can-tho-2024`, `national-2026`.
    pub definitions: Vec<String>,
    /// The day the report describes.
    pub as_of: Date,
    /// The plan year the targets and "new this year" counts refer to: the year of the
    /// latest targets not after the report's date, else the report's year.
    pub year: i16,
    /// Cases in the database.
    pub cases: u32,
    /// Cases per current state (pipeline), in cycle order.
    pub by_state: Vec<Count>,
    /// Valid certificates by rank.
    pub stars: Vec<StarCount>,
    /// Cases and certificates per product group.
    pub by_group: Vec<GroupRow>,
    /// Cases and certificates per district and commune, for a report dated before 1 July
    /// 2025 (empty from then on: see `by_commune`).
    pub by_area: Vec<AreaRow>,
    /// Cases and certificates per commune or ward, for a report dated 1 July 2025 or later:
    /// the district tier ended that day and producers belong to a commune or ward only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_commune: Vec<CommuneRow>,
    /// New certificates against the plan's targets (none when no definition sets targets).
    pub targets: Vec<TargetRow>,
    /// Valid certificates expiring within 180 days of the report date.
    pub expiring: Vec<ExpiringRow>,
    /// Cases past a deadline, per deadline.
    pub overdue: Vec<OverdueRow>,
    /// Certificates revoked, by ground of Art. 8.1.
    pub revoked: Vec<Count>,
    /// The plan's reporting dates for the year.
    pub periods: Vec<ReportPeriod>,
}

/// One certified product for the national database (JSON Lines, one per line).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRecord {
    /// Format version; 1.
    pub format: u32,
    /// Product code `T-X-STT-Year`.
    pub product_code: String,
    /// The product.
    pub product: String,
    /// The producer's name.
    pub producer: String,
    /// The producer's legal form.
    pub producer_kind: ocop_core::domain::ProducerKind,
    /// Province code.
    pub province: String,
    /// Commune.
    pub commune: String,
    /// District, for dossiers filed before 1 July 2025.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Product set (1-26).
    pub product_set: ocop_core::ProductSet,
    /// Product group.
    pub product_group: ProductGroup,
    /// Rank.
    pub stars: Stars,
    /// Certificate number.
    pub certificate: String,
    /// Issuing level.
    pub issued_by: ocop_core::domain::Level,
    /// Issue date.
    pub issued_on: Date,
    /// Last day of validity.
    pub expires_on: Date,
    /// The council's result behind the certificate.
    pub score: ScoreSummary,
    /// The case in the source database.
    pub case: String,
}

/// The council result behind a certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreSummary {
    /// The council's aggregated total.
    pub total: f64,
    /// Members whose sheets were counted.
    pub members: u32,
    /// The scoring plugin (name version sha256).
    pub plugin: String,
    /// The evaluation stage.
    pub evaluation: String,
}

/// JSON Schemas of this crate's documents.
pub fn document_schemas() -> Vec<ocop_core::schema::NamedSchema> {
    vec![
        ocop_core::schema::NamedSchema {
            name: "programme-report",
            schema: schemars::schema_for!(ProgrammeReport),
        },
        ocop_core::schema::NamedSchema {
            name: "export-record",
            schema: schemars::schema_for!(ExportRecord),
        },
    ]
}
