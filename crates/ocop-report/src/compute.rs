//! Computing the programme report and the export from the cases of a store.

use std::collections::BTreeMap;

use ocop_core::{
    Cycle, Date, Label, Lang, Stars, catalog::ProductGroup, definition::StateKind,
    domain::CertificateStatus,
};
use ocop_engine::CaseSummary;

use crate::model::{
    AreaRow, CommuneRow, Count, ExpiringRow, ExportRecord, GroupRow, OverdueCase, OverdueRow,
    ProgrammeReport, REPORT_FORMAT, ReportPeriod, ScoreSummary, StarCount, TargetRow,
};

/// Cases and certified products of a district, and the same per commune.
type AreaTally = (u32, u32, BTreeMap<String, (u32, u32)>);

/// What a report is computed from. The province and the plan's targets come from the
/// cycles' [`jurisdiction`](ocop_core::definition::Jurisdiction): the provinces they name, and the
/// targets of the latest year not after `as_of` (the first cycle that sets them).
pub struct ReportInput<'a> {
    /// The report's date.
    pub as_of: Date,
    /// One cycle per definition the cases run under, first the one whose states lead the
    /// pipeline table (their labels and deadlines name the rows).
    pub cycles: &'a [&'a Cycle],
    /// The cases, as their projections (what the store keeps beside the events).
    pub cases: &'a [CaseSummary],
}

/// A certificate is "new" in a year when it was issued that year and the case held no
/// certificate of that rank or higher before (a renewal at the same rank is not new).
fn new_certificates(case: &CaseSummary, year: i16) -> Vec<Stars> {
    let certs: Vec<_> = case.certificates().collect();
    certs
        .iter()
        .enumerate()
        .filter(|(_, c)| c.issued_on.year() == year)
        .filter(|(i, c)| !certs.iter().take(*i).any(|p| p.stars >= c.stars))
        .map(|(_, c)| c.stars)
        .collect()
}

fn valid_stars(case: &CaseSummary, on: Date) -> Option<Stars> {
    if !case.certificate_valid_on(on) {
        return None;
    }
    case.certificate.as_ref().map(|c| c.stars)
}

fn deadline_label(cycle: &Cycle, state: &ocop_core::ids::StateId) -> Label {
    let Some(d) = cycle.state(state).and_then(|s| s.deadline.as_ref()) else {
        return Label::new("không có", "none");
    };
    if let (Some(vi), Some(en)) = (d.amount.describe(Lang::Vi), d.amount.describe(Lang::En)) {
        return Label::new(vi, en);
    }
    match d.from {
        ocop_core::definition::Anchor::RoundDecision => {
            Label::new("hạn quyết định của đợt", "the round's decision date")
        }
        ocop_core::definition::Anchor::CertificateExpiry => {
            Label::new("ngày hết hạn giấy chứng nhận", "the certificate's expiry")
        }
        _ => Label::new("ngày mốc", "the anchor date"),
    }
}

/// Computes the programme report.
pub fn compute(input: &ReportInput<'_>) -> ProgrammeReport {
    let as_of = input.as_of;
    let jurisdictions: Vec<&ocop_core::definition::Jurisdiction> = input
        .cycles
        .iter()
        .filter_map(|c| c.definition().jurisdiction.as_ref())
        .collect();
    let mut provinces: Vec<&str> = Vec::new();
    for j in &jurisdictions {
        if !provinces.contains(&j.province.as_str()) {
            provinces.push(&j.province);
        }
    }
    let mut plan: Option<&ocop_core::definition::YearTargets> = None;
    for t in jurisdictions.iter().filter_map(|j| j.targets_on(as_of)) {
        if plan.is_none_or(|p| t.year > p.year) {
            plan = Some(t);
        }
    }
    let year = plan.map_or(as_of.year(), |t| t.year);
    let cycle_of = |case: &CaseSummary| {
        let by_pin = case
            .definition_sha256
            .as_deref()
            .and_then(|sha| input.cycles.iter().find(|c| c.sha256() == sha));
        by_pin
            .or_else(|| {
                input
                    .cycles
                    .iter()
                    .find(|c| c.definition().id == case.definition)
            })
            .copied()
    };

    // Pipeline: states in the order of the engines' cycles.
    let mut by_state: Vec<Count> = Vec::new();
    for cycle in input.cycles {
        for s in cycle.states() {
            if !by_state.iter().any(|c| c.key == s.id.as_str()) {
                by_state.push(Count {
                    key: s.id.to_string(),
                    label: s.label.clone(),
                    count: 0,
                });
            }
        }
    }
    for case in input.cases {
        if let Some(row) = by_state.iter_mut().find(|c| c.key == case.state.as_str()) {
            row.count += 1;
        }
    }
    by_state.retain(|c| c.count > 0);

    let mut stars: Vec<StarCount> = [Stars::THREE, Stars::FOUR, Stars::FIVE]
        .into_iter()
        .map(|s| StarCount {
            stars: s,
            certified: 0,
            new_this_year: 0,
        })
        .collect();
    let mut groups: BTreeMap<ProductGroup, GroupRow> = ProductGroup::ALL
        .iter()
        .map(|g| {
            (
                *g,
                GroupRow {
                    group: *g,
                    label: Label::new(g.label(Lang::Vi), g.label(Lang::En)),
                    cases: 0,
                    certified: [0; 3],
                },
            )
        })
        .collect();
    let mut areas: BTreeMap<String, AreaTally> = BTreeMap::new();
    let communes_only = Date::new(2025, 7, 1).is_some_and(|d| as_of >= d);
    let mut expiring = Vec::new();
    let mut overdue: BTreeMap<String, OverdueRow> = BTreeMap::new();
    let mut revoked: BTreeMap<String, u32> = BTreeMap::new();

    for case in input.cases {
        let product = &case.product;
        let group = product.product_set.group();
        let valid = valid_stars(case, as_of);
        if let Some(s) = valid {
            let i = usize::from(s.get().saturating_sub(3)).min(2);
            if let Some(row) = stars.get_mut(i) {
                row.certified += 1;
            }
            if let Some(g) = groups.get_mut(&group)
                && let Some(slot) = g.certified.get_mut(i)
            {
                *slot += 1;
            }
        }
        for s in new_certificates(case, year) {
            let i = usize::from(s.get().saturating_sub(3)).min(2);
            if let Some(row) = stars.get_mut(i) {
                row.new_this_year += 1;
            }
        }
        if let Some(g) = groups.get_mut(&group) {
            g.cases += 1;
        }
        // From 1 July 2025 there are no districts: a report of that date or later groups
        // every producer by its commune or ward (a district recorded on an older dossier is
        // history), under one empty district key that becomes `by_commune`.
        let district = if communes_only {
            String::new()
        } else {
            product
                .producer
                .district
                .clone()
                .unwrap_or_else(|| "(không có huyện / no district)".to_owned())
        };
        let area = areas.entry(district).or_default();
        area.0 += 1;
        area.1 += u32::from(valid.is_some());
        let commune = area.2.entry(product.producer.commune.clone()).or_default();
        commune.0 += 1;
        commune.1 += u32::from(valid.is_some());

        if let (Some(cert), Some(_)) = (&case.certificate, valid) {
            let expires = case.certificate_valid_until().unwrap_or(cert.expires_on);
            let days_left = as_of.days_until(expires);
            if (0..=180).contains(&days_left) {
                let kind = case.state_kind;
                expiring.push(ExpiringRow {
                    case: case.case.to_string(),
                    product: product.name.clone(),
                    producer: product.producer.name.clone(),
                    stars: cert.stars,
                    expires_on: expires,
                    days_left,
                    in_renewal_window: (120..=180).contains(&days_left),
                    renewal_filed: case.registration
                        == ocop_core::domain::RegistrationType::ReEvaluation
                        && kind != Some(StateKind::Monitoring),
                });
            }
        }
        if let Some(CertificateStatus::Revoked { ground, .. }) =
            case.certificate.as_ref().map(|c| c.status)
        {
            *revoked.entry(format!("{ground:?}")).or_default() += 1;
        }
        if let Some(cycle) = cycle_of(case)
            && let Some(due) = &case.deadline
            && due.due < as_of
            && !matches!(
                case.state_kind,
                None | Some(StateKind::Terminal | StateKind::Monitoring)
            )
        {
            let row = overdue
                .entry(case.state.to_string())
                .or_insert_with(|| OverdueRow {
                    state: case.state.to_string(),
                    label: case
                        .state_label
                        .clone()
                        .unwrap_or_else(|| Label::new(case.state.as_str(), case.state.as_str())),
                    deadline: deadline_label(cycle, &case.state),
                    cases: Vec::new(),
                });
            row.cases.push(OverdueCase {
                case: case.case.to_string(),
                product: product.name.clone(),
                due: due.due,
                days_late: due.due.days_until(as_of),
            });
        }
    }
    expiring.sort_by(|a, b| a.expires_on.cmp(&b.expires_on).then(a.case.cmp(&b.case)));

    let new = |i: usize| stars.get(i).map_or(0, |s| s.new_this_year);
    let targets = plan.map_or_else(Vec::new, |t| {
        vec![
            TargetRow {
                stars: Stars::THREE,
                target: t.new_three_star,
                actual: new(0),
            },
            TargetRow {
                stars: Stars::FOUR,
                target: t.new_four_star,
                actual: new(1),
            },
            TargetRow {
                stars: Stars::FIVE,
                target: t.new_five_star,
                actual: new(2),
            },
        ]
    });
    let periods = [
        (
            3,
            Label::new(
                "Báo cáo quý (trước ngày 10/3)",
                "Quarterly report (before 10 March)",
            ),
        ),
        (
            6,
            Label::new(
                "Báo cáo 6 tháng (trước ngày 10/6)",
                "Half-yearly report (before 10 June)",
            ),
        ),
        (
            12,
            Label::new(
                "Báo cáo năm (trước ngày 10/12)",
                "Yearly report (before 10 December)",
            ),
        ),
    ]
    .into_iter()
    .filter_map(|(m, label)| {
        // "trước ngày 10/3" read strictly, as the rounds of Art. 5 are [#12, P8]: the last
        // day for the report is the 9th.
        let due = Date::new(as_of.year(), m, 9)?;
        Some(ReportPeriod {
            label,
            due,
            past: due < as_of,
        })
    })
    .collect();

    ProgrammeReport {
        format: REPORT_FORMAT,
        province: provinces.join(", "),
        definitions: input
            .cycles
            .iter()
            .map(|c| c.definition().id.to_string())
            .collect(),
        as_of,
        year,
        cases: u32::try_from(input.cases.len()).unwrap_or(u32::MAX),
        by_state,
        stars,
        by_group: groups.into_values().collect(),
        by_commune: if communes_only {
            areas
                .values()
                .flat_map(|(_, _, communes)| communes.iter())
                .map(|(commune, (cases, certified))| CommuneRow {
                    commune: commune.clone(),
                    cases: *cases,
                    certified: *certified,
                })
                .collect()
        } else {
            Vec::new()
        },
        by_area: areas
            .into_iter()
            .filter(|_| !communes_only)
            .map(|(district, (cases, certified, communes))| AreaRow {
                district,
                cases,
                certified,
                communes: communes
                    .into_iter()
                    .map(|(commune, (cases, certified))| CommuneRow {
                        commune,
                        cases,
                        certified,
                    })
                    .collect(),
            })
            .collect(),
        targets,
        expiring,
        overdue: overdue.into_values().collect(),
        revoked: revoked
            .into_iter()
            .map(|(k, count)| Count {
                label: ground_label(&k),
                key: k,
                count,
            })
            .collect(),
        periods,
    }
}

fn ground_label(key: &str) -> Label {
    match key {
        "ForgedDossier" => Label::new("a) Giả mạo hồ sơ", "a) Forged dossier"),
        "NoLongerMeetsCriteria" => Label::new(
            "b) Không còn đáp ứng tiêu chí",
            "b) No longer meets the criteria",
        ),
        "LegalBreach" => Label::new(
            "c) Vi phạm pháp luật về chất lượng, ATTP, môi trường, SHTT, nhãn",
            "c) Breach of quality, food-safety, environment, IP or labelling law",
        ),
        "MarkMisuse" => Label::new(
            "d) Sử dụng nhãn hiệu OCOP không đúng",
            "d) Misuse of the OCOP mark",
        ),
        "ProductionStopped" => Label::new("đ) Không còn sản xuất", "đ) Production stopped"),
        _ => Label::new("e) Trường hợp khác", "e) Other authority's conclusion"),
    }
}

/// The certified products (valid on `as_of`) for the national database, one record each.
pub fn export(cases: &[CaseSummary], as_of: Date) -> Vec<ExportRecord> {
    let mut out = Vec::new();
    for case in cases {
        if !case.certificate_valid_on(as_of) {
            continue;
        }
        let Some(cert) = &case.certificate else {
            continue;
        };
        let product = &case.product;
        let result = case.latest_result.as_ref();
        let plugin = case.scored_with.as_ref();
        out.push(ExportRecord {
            format: REPORT_FORMAT,
            product_code: cert.product_code.clone(),
            product: product.name.clone(),
            producer: product.producer.name.clone(),
            producer_kind: product.producer.kind,
            province: product.producer.province.clone(),
            commune: product.producer.commune.clone(),
            district: product.producer.district.clone(),
            product_set: product.product_set,
            product_group: product.product_set.group(),
            stars: cert.stars,
            certificate: cert.number.clone(),
            issued_by: cert.issued_by,
            issued_on: cert.issued_on,
            expires_on: case.certificate_valid_until().unwrap_or(cert.expires_on),
            score: ScoreSummary {
                total: result.map_or(0.0, |r| r.total),
                members: result.map_or(0, |r| u32::try_from(r.members.len()).unwrap_or(u32::MAX)),
                plugin: plugin.map_or_else(String::new, |p| {
                    format!("{} {} {}", p.name, p.version, p.sha256)
                }),
                evaluation: result.map_or_else(String::new, |r| r.evaluation.to_string()),
            },
            case: case.case.to_string(),
        });
    }
    out.sort_by(|a, b| {
        a.product_code
            .cmp(&b.product_code)
            .then(a.case.cmp(&b.case))
    });
    out
}
