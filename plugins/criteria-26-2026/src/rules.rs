//! The scoring rules of Annex II, on compact indices: plain Rust that runs the same natively
//! and in WebAssembly.

/// Points are hundredths of a point throughout (the WIT interface's unit).
pub type Centi = u32;

/// A sheet: Annex II's criteria for one product set.
#[derive(Debug)]
pub struct Sheet {
    /// The product set, 1-26.
    pub set: u8,
    /// The set's name.
    pub title_vi: &'static str,
    /// The set's name in English.
    pub title_en: &'static str,
    /// Conditions that reject the dossier.
    pub knockouts: &'static [KnockoutDef],
    /// Parts A, B, C.
    pub parts: &'static [PartDef],
    /// Sections (and the sub-sections of sets 11 and 13), in printed order.
    pub sections: &'static [SectionDef],
    /// Criteria in printed order; set 26's alternatives appear once per branch.
    pub criteria: &'static [CriterionDef],
    /// Alternative branches (set 26).
    pub branches: &'static [BranchDef],
}

/// A knock-out: the dossier is rejected unless `fact` holds.
#[derive(Debug)]
pub struct KnockoutDef {
    /// Stable id.
    pub id: &'static str,
    /// The fact that must hold.
    pub fact: &'static str,
    /// The condition as printed.
    pub label_vi: &'static str,
    /// In English.
    pub label_en: &'static str,
    /// The criterion whose note states it, for elimination notes.
    pub criterion: Option<&'static str>,
}

/// Part A, B or C.
#[derive(Debug)]
pub struct PartDef {
    /// `A`, `B` or `C`.
    pub code: &'static str,
    /// Title.
    pub title_vi: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Printed maximum, hundredths.
    pub max: Centi,
}

/// A section.
#[derive(Debug)]
pub struct SectionDef {
    /// Index of its part.
    pub part: u8,
    /// Printed number.
    pub code: &'static str,
    /// Title.
    pub title_vi: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Printed maximum, hundredths.
    pub max: Centi,
}

/// An alternative branch.
#[derive(Debug)]
pub struct BranchDef {
    /// 1 or 2.
    pub number: u8,
    /// What it covers.
    pub label_vi: &'static str,
    /// In English.
    pub label_en: &'static str,
}

/// A criterion.
#[derive(Debug)]
pub struct CriterionDef {
    /// Printed number (set 26's alternatives: `8a`, `8b`).
    pub id: &'static str,
    /// Index of its part.
    pub part: u8,
    /// Its section (or sub-section) code.
    pub section: &'static str,
    /// Title.
    pub title_vi: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Printed maximum, hundredths.
    pub max: Centi,
    /// Branch it belongs to, 0 for none.
    pub branch: u8,
    /// Options in printed order.
    pub options: &'static [OptionDef],
    /// A stop rule printed under it.
    pub stop: Option<StopDef>,
}

/// An option.
#[derive(Debug)]
pub struct OptionDef {
    /// Text.
    pub label_vi: &'static str,
    /// In English.
    pub label_en: &'static str,
    /// Points, hundredths.
    pub points: Centi,
    /// 3, 4 or 5 when it is the minimum for that rank; 0 otherwise.
    pub min_stars: u8,
}

/// A stop rule: "the following steps are not assessed". When it fires, every later
/// criterion of the same part scores 0.
#[derive(Debug)]
pub struct StopDef {
    /// Stable id.
    pub id: &'static str,
    /// Fires when this fact does not hold.
    pub fact: Option<&'static str>,
    /// Fires when a criterion of the same section, up to this one, scored 0 (set 16).
    pub zero_in_section: bool,
    /// The rule as printed.
    pub label_vi: &'static str,
    /// In English.
    pub label_en: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/sheets.rs"));

/// The name the plugin publishes.
pub const NAME: &str = "criteria-26-2026";
/// The plugin's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the rules come from.
pub const LEGAL_BASIS: &str =
    "Quyết định 26/2026/QĐ-TTg, Phụ lục II (Bộ tiêu chí đánh giá sản phẩm OCOP)";

/// The sheet of product set `set`, if it exists (1-26).
pub fn sheet(set: u8) -> Option<&'static Sheet> {
    SHEETS.get(usize::from(set).checked_sub(1)?)
}

/// The facts the sheets read, with what holds when each is true (the knock-outs' and stop
/// rules' facts; a sheet publishes those it reads).
pub const FACTS: &[(&str, &str, &str)] = &[
    (
        "dossier_authentic",
        "Hồ sơ trung thực, không giả mạo",
        "The dossier is authentic: nothing in it is forged",
    ),
    (
        "gmp_certificate",
        "Có giấy chứng nhận cơ sở đủ điều kiện sản xuất (GMP đối với thực phẩm bảo vệ sức khỏe, hoặc tương đương)",
        "Holds a certificate of eligible production facilities (GMP for health supplements, or equivalent)",
    ),
    (
        "food_safety_certificate",
        "Có giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm theo quy định",
        "Holds a certificate of eligibility for food safety as required",
    ),
    (
        "production_licence",
        "Có giấy phép sản xuất theo quy định",
        "Holds a production licence as required",
    ),
    (
        "declaration_labelling_advertising_compliant",
        "Hồ sơ công bố chất lượng, ghi nhãn và quảng cáo sản phẩm đúng quy định",
        "The quality declaration, labelling and advertising of the product comply with the rules",
    ),
    (
        "mandatory_production_conditions",
        "Đủ điều kiện bắt buộc để sản xuất sản phẩm theo quy định quản lý chuyên ngành",
        "Meets the mandatory conditions for producing the product under the sector's rules",
    ),
    (
        "product_declaration",
        "Có bản công bố sản phẩm (hoặc tương đương)",
        "The product has its declaration (or equivalent)",
    ),
    (
        "registration_dossier_complete",
        "Hồ sơ đăng ký đáp ứng quy định",
        "The registration dossier meets the rules",
    ),
    (
        "local_or_known_raw_material",
        "Không sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ nguồn gốc",
        "The raw material is not wholly imported nor of unknown origin",
    ),
    (
        "original_product",
        "Không giống hệt sản phẩm của nhà sản xuất khác",
        "The product is not identical to another producer's, renamed",
    ),
    (
        "no_ip_infringement",
        "Sản phẩm không vi phạm sở hữu trí tuệ",
        "The product infringes no intellectual property",
    ),
    (
        "distinctive_product",
        "Sản phẩm nổi trội về chất lượng và đặc sắc (không chỉ có tính phổ biến)",
        "The product stands out in quality and character (not merely commonplace)",
    ),
    (
        "no_unacceptable_impurities",
        "Không có tạp chất không chấp nhận được (có nguy cơ gây mất an toàn thực phẩm)",
        "No unacceptable impurities (a food-safety risk)",
    ),
];

/// The facts `sheet` reads, in order of first use (knock-outs, then stop rules), each with
/// its labels from [`FACTS`].
pub fn facts(sheet: &Sheet) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str, &'static str)> = Vec::new();
    let used = sheet
        .knockouts
        .iter()
        .map(|k| k.fact)
        .chain(sheet.criteria.iter().filter_map(|c| c.stop.as_ref()?.fact));
    for fact in used {
        if out.iter().any(|(f, _, _)| *f == fact) {
            continue;
        }
        let (vi, en) = FACTS
            .iter()
            .find(|(f, _, _)| *f == fact)
            .map_or((fact, fact), |(_, vi, en)| (*vi, *en));
        out.push((fact, vi, en));
    }
    out
}

/// The sections of `sheet` that offer alternative cases, each with its cases.
pub fn alternatives(sheet: &Sheet) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    for c in sheet.criteria.iter().filter(|c| c.branch != 0) {
        match out.iter_mut().find(|(s, _)| *s == c.section) {
            Some((_, cases)) if !cases.contains(&c.branch) => cases.push(c.branch),
            Some(_) => {}
            None => out.push((c.section, vec![c.branch])),
        }
    }
    out
}

/// Why a sheet was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// Stable code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    fn new(code: &'static str, message: String) -> Self {
        RuleError { code, message }
    }
}

/// How one line was scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// As chosen.
    Scored,
    /// Below the minimum mark for this many stars.
    BelowMinimum(u8),
    /// Another branch's criterion.
    OtherBranch,
    /// Not assessed: the stop rule or knock-out with this id fired.
    Stopped(&'static str),
}

/// One line of an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The option chosen, 255 when not answered.
    pub option: u8,
    /// Points earned.
    pub points: Centi,
    /// Why.
    pub note: Note,
}

/// A scored sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// One line per criterion, in catalog order.
    pub lines: Vec<Line>,
    /// Totals of parts A, B, C.
    pub parts: [Centi; 3],
    /// The total.
    pub total: Centi,
    /// The band of the total.
    pub band: u8,
    /// The star cap from the minimum marks.
    pub cap: u8,
    /// Knock-outs that apply.
    pub knockouts: Vec<&'static str>,
    /// The final rank, none when knocked out.
    pub stars: Option<u8>,
}

/// Scores one evaluator's answers.
///
/// `branches` holds the case each section with alternatives chose (section code, case);
/// `answers` one option index per criterion in catalog order (`None` for criteria of a case
/// their section did not choose); `holds(fact)` says whether a fact holds.
///
/// # Errors
/// A [`RuleError`] when the sheet does not fit the catalog: wrong length, an index out of
/// range, a missing answer, an answer to another case's criterion, a section without a case,
/// a case a section does not offer.
pub fn score(
    sheet: &Sheet,
    branches: &[(&str, u8)],
    answers: &[Option<u8>],
    holds: &dyn Fn(&str) -> bool,
) -> Result<Outcome, RuleError> {
    let criteria = sheet.criteria;
    if answers.len() != criteria.len() {
        return Err(RuleError::new(
            "answer-count",
            format!(
                "set {} has {} criteria but the sheet answers {}",
                sheet.set,
                criteria.len(),
                answers.len()
            ),
        ));
    }
    let alternatives = alternatives(sheet);
    for (section, case) in branches {
        let Some((_, cases)) = alternatives.iter().find(|(s, _)| s == section) else {
            return Err(RuleError::new(
                "unexpected-branch",
                format!(
                    "section {section} of set {} offers no alternative cases",
                    sheet.set
                ),
            ));
        };
        if !cases.contains(case) {
            return Err(RuleError::new(
                "unknown-branch",
                format!("section {section} of set {} has no case {case}", sheet.set),
            ));
        }
    }
    if let Some((section, _)) = alternatives
        .iter()
        .find(|(s, _)| !branches.iter().any(|(b, _)| b == s))
    {
        return Err(RuleError::new(
            "missing-branch",
            format!(
                "section {section} of set {} needs a case (1: community-run, 2: run by an organisation or a person)",
                sheet.set
            ),
        ));
    }
    let knockouts: Vec<&'static str> = sheet
        .knockouts
        .iter()
        .filter(|k| !holds(k.fact))
        .map(|k| k.id)
        .collect();

    let mut lines = Vec::with_capacity(criteria.len());
    let mut parts = [0 as Centi; 3];
    let mut failed_levels: Vec<u8> = Vec::new();
    // The stop that fired, per part: later criteria of that part score 0.
    let mut stopped: [Option<&'static str>; 3] = [None; 3];
    let mut zero_in_section: Option<&'static str> = None;
    let mut section: &'static str = "";

    for (c, answer) in criteria.iter().zip(answers) {
        if c.section != section {
            section = c.section;
            zero_in_section = None;
        }
        let applies = c.branch == 0
            || branches
                .iter()
                .any(|(s, b)| *s == c.section && *b == c.branch);
        let Some(part_total) = parts.get_mut(usize::from(c.part)) else {
            return Err(RuleError::new(
                "bad-catalog",
                format!("criterion {} has no part", c.id),
            ));
        };
        if !applies {
            if answer.is_some() {
                return Err(RuleError::new(
                    "other-branch-answered",
                    format!(
                        "criterion {} belongs to branch {}, not to the sheet's branch",
                        c.id, c.branch
                    ),
                ));
            }
            lines.push(Line {
                option: u8::MAX,
                points: 0,
                note: Note::OtherBranch,
            });
            continue;
        }
        let Some(chosen) = *answer else {
            return Err(RuleError::new(
                "unanswered",
                format!("criterion {} ({}) has no answer", c.id, c.title_vi),
            ));
        };
        let Some(option) = c.options.get(usize::from(chosen)) else {
            return Err(RuleError::new(
                "answer-out-of-range",
                format!(
                    "criterion {} has options 0 to {}, the sheet chose {chosen}",
                    c.id,
                    c.options.len().saturating_sub(1)
                ),
            ));
        };
        if let Some(stop) = stopped.get(usize::from(c.part)).copied().flatten() {
            // Not assessed: it earns nothing and cannot meet a minimum mark.
            if let Some(level) = ocop_rules::below_minimum_unassessed(marks(c)) {
                failed_levels.push(level);
            }
            lines.push(Line {
                option: chosen,
                points: 0,
                note: Note::Stopped(stop),
            });
            continue;
        }
        *part_total = part_total.saturating_add(option.points);
        if option.points == 0 {
            zero_in_section.get_or_insert(c.id);
        }
        let note = match ocop_rules::below_minimum(marks(c), usize::from(chosen)) {
            Some(level) => {
                failed_levels.push(level);
                Note::BelowMinimum(level)
            }
            None => Note::Scored,
        };
        lines.push(Line {
            option: chosen,
            points: option.points,
            note,
        });
        if let Some(stop) = &c.stop {
            let fires = match stop.fact {
                Some(fact) => !holds(fact),
                None => stop.zero_in_section && zero_in_section.is_some(),
            };
            if fires && let Some(slot) = stopped.get_mut(usize::from(c.part)) {
                *slot = Some(stop.id);
            }
        }
    }
    let total = parts.iter().fold(0 as Centi, |a, p| a.saturating_add(*p));
    let band = ocop_rules::band(total);
    let cap = ocop_rules::cap(failed_levels.iter().copied());
    let stars = ocop_rules::stars(band, cap, !knockouts.is_empty());
    Ok(Outcome {
        lines,
        parts,
        total,
        band,
        cap,
        knockouts,
        stars,
    })
}

/// A criterion's options as the shared rules read them: points and minimum mark.
fn marks(c: &CriterionDef) -> impl Iterator<Item = (Centi, Option<u8>)> + Clone + '_ {
    c.options
        .iter()
        .map(|o| (o.points, (o.min_stars != 0).then_some(o.min_stars)))
}
