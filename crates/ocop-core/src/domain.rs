//! The documents a case carries: producers, dossiers, answer sheets, evaluations and
//! certificates.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::ProductSet;
use crate::date::Date;
use crate::i18n::Lang;
use crate::ids::CriterionId;

/// The current version of the document formats in this module.
pub const DOCUMENT_FORMAT: u32 = 1;

/// A star rating, 1 to 5 ("hạng sao", Art. 3.3).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "u8", into = "u8")]
#[schemars(with = "StarsNumber")]
pub struct Stars(u8);

#[derive(JsonSchema)]
#[allow(dead_code, reason = "only used to describe the schema")]
struct StarsNumber(#[schemars(range(min = 1, max = 5))] u8);

impl Stars {
    /// One star.
    pub const ONE: Stars = Stars(1);
    /// Two stars.
    pub const TWO: Stars = Stars(2);
    /// Three stars, the least that is certified.
    pub const THREE: Stars = Stars(3);
    /// Four stars.
    pub const FOUR: Stars = Stars(4);
    /// Five stars, certified by the Ministry.
    pub const FIVE: Stars = Stars(5);

    /// `n` stars, if `n` is 1 to 5.
    pub fn new(n: u8) -> Option<Self> {
        (1..=5).contains(&n).then_some(Stars(n))
    }

    /// The number of stars.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The band of a (mean) total score, Art. 3.3: 90-100 five stars, 70-<90 four,
    /// 50-<70 three, 30-<50 two, below 30 one. Bands are half-open; no rounding is applied.
    pub fn from_total(total: f64) -> Stars {
        Stars(ocop_rules::band_of_points(total))
    }

    /// Whether a product of this rank gets a decision and a certificate (3 stars or more,
    /// Art. 4.1a).
    pub fn is_certifiable(self) -> bool {
        self.0 >= 3
    }
}

impl TryFrom<u8> for Stars {
    type Error = String;

    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Stars::new(n).ok_or_else(|| format!("{n} stars does not exist: use 1 to 5"))
    }
}

impl From<Stars> for u8 {
    fn from(s: Stars) -> u8 {
        s.0
    }
}

impl fmt::Display for Stars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}★", self.0)
    }
}

/// An administrative level that reviews, evaluates or decides.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The producer itself ("chủ thể OCOP").
    Producer,
    /// Commune People's Committee ("UBND cấp xã").
    Commune,
    /// District People's Committee ("UBND cấp huyện"), abolished on 1 July 2025.
    District,
    /// Province or centrally-run city ("cấp tỉnh").
    Province,
    /// Central level: the Ministry of Agriculture and Environment ("cấp trung ương").
    Central,
}

impl Level {
    /// The level's name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Level::Producer, Lang::Vi) => "chủ thể OCOP",
            (Level::Producer, Lang::En) => "producer",
            (Level::Commune, Lang::Vi) => "cấp xã",
            (Level::Commune, Lang::En) => "commune",
            (Level::District, Lang::Vi) => "cấp huyện",
            (Level::District, Lang::En) => "district",
            (Level::Province, Lang::Vi) => "cấp tỉnh",
            (Level::Province, Lang::En) => "province",
            (Level::Central, Lang::Vi) => "cấp trung ương",
            (Level::Central, Lang::En) => "central",
        }
    }
}

/// Who may register a product (Art. 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProducerKind {
    /// Hợp tác xã.
    Cooperative,
    /// Tổ hợp tác.
    CooperativeGroup,
    /// Doanh nghiệp nhỏ và vừa.
    Enterprise,
    /// Trang trại.
    Farm,
    /// Hộ sản xuất, hộ gia đình có đăng ký kinh doanh.
    Household,
    /// Hội, hiệp hội, trung tâm điều hành (tourism products only).
    Association,
}

impl ProducerKind {
    /// The kind's name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ProducerKind::Cooperative, Lang::Vi) => "Hợp tác xã",
            (ProducerKind::Cooperative, Lang::En) => "Cooperative",
            (ProducerKind::CooperativeGroup, Lang::Vi) => "Tổ hợp tác",
            (ProducerKind::CooperativeGroup, Lang::En) => "Cooperative group",
            (ProducerKind::Enterprise, Lang::Vi) => "Doanh nghiệp nhỏ và vừa",
            (ProducerKind::Enterprise, Lang::En) => "Small or medium enterprise",
            (ProducerKind::Farm, Lang::Vi) => "Trang trại",
            (ProducerKind::Farm, Lang::En) => "Farm",
            (ProducerKind::Household, Lang::Vi) => "Hộ sản xuất, hộ gia đình có đăng ký kinh doanh",
            (ProducerKind::Household, Lang::En) => "Registered household business",
            (ProducerKind::Association, Lang::Vi) => "Hội, hiệp hội, trung tâm điều hành",
            (ProducerKind::Association, Lang::En) => "Association or operating centre",
        }
    }
}

/// Why a producer registers (form 01, Art. 6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationType {
    /// First evaluation ("lần đầu").
    First,
    /// Upgrade of a certified product ("nâng hạng").
    Upgrade,
    /// Re-evaluation at the end of a certificate's 36 months ("phân hạng lại").
    ReEvaluation,
}

/// The six grounds for revoking a certificate (Art. 8.1 a-e).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationGround {
    /// a) Untruthful information or a forged dossier.
    ForgedDossier,
    /// b) No longer meets the criteria, per an inspection's conclusion.
    NoLongerMeetsCriteria,
    /// c) Breach of quality, food-safety, environment, IP or labelling law.
    LegalBreach,
    /// d) The OCOP mark used wrongly, misleading about the certified product.
    MarkMisuse,
    /// đ) The producer no longer makes the product.
    ProductionStopped,
    /// e) Another competent authority's conclusion.
    OtherAuthority,
}

impl RevocationGround {
    /// All six grounds in the order of Art. 8.1.
    pub const ALL: [RevocationGround; 6] = [
        RevocationGround::ForgedDossier,
        RevocationGround::NoLongerMeetsCriteria,
        RevocationGround::LegalBreach,
        RevocationGround::MarkMisuse,
        RevocationGround::ProductionStopped,
        RevocationGround::OtherAuthority,
    ];
}

/// An OCOP producer ("chủ thể OCOP").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Producer {
    /// Registered name.
    pub name: String,
    /// Legal form.
    pub kind: ProducerKind,
    /// Province or city code (Decision 19/2025/QĐ-TTg), e.g. `92` for Cần Thơ.
    pub province: String,
    /// Commune code or name.
    pub commune: String,
    /// District name, for dossiers filed before districts were abolished (1 July 2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
}

/// A document of a dossier and whether it is present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DossierDocument {
    /// What the document is, e.g. `form_01`, `form_02`, `food_safety_certificate`.
    pub kind: String,
    /// Whether it was filed.
    pub present: bool,
    /// Expiry date of a document with a validity period (licences, certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

/// A product dossier ("hồ sơ sản phẩm", Art. 6.1) as filed by the producer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dossier {
    /// Format version of this document; currently 1.
    pub format: u32,
    /// Product name.
    pub product_name: String,
    /// The product set whose criteria sheet applies.
    pub product_set: ProductSet,
    /// Who registers.
    pub producer: Producer,
    /// First evaluation, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// When the producer filed it at the commune.
    pub filed_on: Date,
    /// Documents of the dossier (forms 01 and 02, licences, certificates, test reports).
    #[serde(default)]
    pub documents: Vec<DossierDocument>,
    /// The producer's self-assessment (form 02), if attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_assessment: Option<AnswerSheet>,
}

impl Dossier {
    /// The documents marked missing.
    pub fn missing_documents(&self) -> impl Iterator<Item = &str> {
        self.documents
            .iter()
            .filter(|d| !d.present)
            .map(|d| d.kind.as_str())
    }

    /// Whether a document of `kind` is present.
    pub fn has_document(&self, kind: &str) -> bool {
        self.documents.iter().any(|d| d.kind == kind && d.present)
    }
}

/// One evaluator's answers to a criteria sheet ("phiếu đánh giá").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerSheet {
    /// Format version of this document; currently 1.
    pub format: u32,
    /// The product set whose sheet was filled in.
    pub product_set: ProductSet,
    /// Who filled it in (a council member's id, or `self` for form 02).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluator: Option<String>,
    /// For sheets with alternative cases (set 26, sections 8, 9 and 15): the case, 1 or 2,
    /// of every such section. Leave it out to choose per section: each section's case is
    /// then the one whose criterion is answered (e.g. `8a` and `9b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<u8>,
    /// The chosen option per criterion, as a 0-based index into the criterion's options in
    /// the order the sheet prints them.
    pub answers: BTreeMap<CriterionId, u32>,
    /// Facts the knock-out and stop rules look at, e.g. `food_safety_certificate = true`;
    /// only facts the criteria sheet lists (a misspelt one is refused), and one left out
    /// does not hold.
    #[serde(default)]
    pub facts: BTreeMap<String, bool>,
}

/// The points one criterion earned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationLine {
    /// The criterion.
    pub criterion: CriterionId,
    /// The option chosen.
    pub option: u32,
    /// Points earned.
    pub points: f64,
    /// Why, in words a council clerk can read back.
    pub explanation: String,
}

/// The totals of parts A, B and C of a sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartTotals {
    /// Part A, product and community strength (at most 40).
    pub a: f64,
    /// Part B, marketing (at most 25).
    pub b: f64,
    /// Part C, quality (at most 35).
    pub c: f64,
}

/// The plugin that produced a score, so the score can be reproduced later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginRef {
    /// The plugin's declared name.
    pub name: String,
    /// The plugin's declared version.
    pub version: String,
    /// SHA-256 of the component, lowercase hex.
    pub sha256: String,
}

/// One evaluator's scored sheet ("kết quả đánh giá"): a score sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// Format version of this document; currently 1.
    pub format: u32,
    /// The product set scored.
    pub product_set: ProductSet,
    /// Points per criterion, in sheet order.
    pub lines: Vec<EvaluationLine>,
    /// Totals per part.
    pub parts: PartTotals,
    /// The total, 0 to 100.
    pub total: f64,
    /// The band of the total alone.
    pub band: Stars,
    /// The highest rank whose minimum marks (`***`, `****`, `*****`) all hold.
    pub cap: Stars,
    /// Knock-outs that apply ("hồ sơ bị loại khi"); any knock-out rejects the dossier.
    #[serde(default)]
    pub knockouts: Vec<String>,
    /// The final rank: the lower of band and cap, or none when knocked out.
    pub stars: Option<Stars>,
}

/// The state of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum CertificateStatus {
    /// Valid.
    Active,
    /// Past its 36 months but kept alive while a late re-evaluation is decided (Art. 12.3).
    Extended {
        /// The last day it may stay valid (at most 180 days past expiry).
        until: Date,
    },
    /// Replaced by a new certificate (re-evaluation or upgrade).
    Superseded,
    /// Revoked on one of the grounds of Art. 8.1.
    Revoked {
        /// The ground.
        ground: RevocationGround,
        /// Date of the decision.
        on: Date,
    },
    /// Ran out.
    Expired,
}

/// A certificate of OCOP rank ("giấy chứng nhận", Art. 4.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Number as issued.
    pub number: String,
    /// Product code `T-X-STT-Year` (province, commune, serial, year).
    pub product_code: String,
    /// Rank certified (3 to 5).
    pub stars: Stars,
    /// Level that issued it (province for 3-4★, or district for 3★ under Decision 148/2023;
    /// central for 5★).
    pub issued_by: Level,
    /// Date of issue.
    pub issued_on: Date,
    /// Last day of validity (36 months from issue).
    pub expires_on: Date,
    /// Current status.
    pub status: CertificateStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_half_open() {
        assert_eq!(Stars::from_total(100.0), Stars::FIVE);
        assert_eq!(Stars::from_total(90.0), Stars::FIVE);
        assert_eq!(Stars::from_total(89.999), Stars::FOUR);
        assert_eq!(Stars::from_total(70.0), Stars::FOUR);
        assert_eq!(Stars::from_total(69.99), Stars::THREE);
        assert_eq!(Stars::from_total(50.0), Stars::THREE);
        assert_eq!(Stars::from_total(49.5), Stars::TWO);
        assert_eq!(Stars::from_total(30.0), Stars::TWO);
        assert_eq!(Stars::from_total(29.99), Stars::ONE);
        assert_eq!(Stars::from_total(0.0), Stars::ONE);
        assert!(!Stars::TWO.is_certifiable());
        assert!(Stars::THREE.is_certifiable());
    }
}
