//! Why a transition is blocked, in words (vi/en), from the typed guard and the case: what a
//! clerk can act on, not a code. The `match` over [`Guard`] is exhaustive, so a guard added
//! to the cycle does not compile here until it is explained. The engine's own sentence
//! (English) is kept for guards whose facts live inside a plugin.

use ocop_core::cycle::Guard;
use ocop_core::{Lang, Stars, domain::RegistrationType, ids::EvaluationId};
use ocop_engine::{Case, CouncilResult, CouncilStatus, Engine};

use super::i18n::{day, document, points, registration, tr};

fn en_vi(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The registration type as a definition writes it (and the engine's reasons quote it).
fn registration_name(r: RegistrationType) -> &'static str {
    match r {
        RegistrationType::First => "first",
        RegistrationType::Upgrade => "upgrade",
        RegistrationType::ReEvaluation => "re_evaluation",
    }
}

/// The guard's parameters as the engine's reasons print them.
fn parameters(g: &Guard) -> Vec<String> {
    let stage = |e: &Option<EvaluationId>| e.iter().map(ToString::to_string).collect::<Vec<_>>();
    match g {
        Guard::DossierComplete
        | Guard::CertificateActive
        | Guard::CertificateInTerm
        | Guard::CertificatePastTerm
        | Guard::RevocationGround => Vec::new(),
        Guard::HasDocument { kind } => vec![kind.clone()],
        Guard::Registration { registration } => vec![registration_name(*registration).to_owned()],
        Guard::CouncilComplete { evaluation } | Guard::SpreadExceeded { evaluation } => {
            vec![evaluation.to_string()]
        }
        Guard::MinScore { min: n, evaluation }
        | Guard::MaxScore {
            below: n,
            evaluation,
        } => {
            let mut p = stage(evaluation);
            p.push(n.to_string());
            p
        }
        Guard::MinStars { stars, evaluation } | Guard::MaxStars { stars, evaluation } => {
            let mut p = stage(evaluation);
            p.push(stars.to_string());
            p
        }
        Guard::KnockedOut { evaluation } | Guard::NotKnockedOut { evaluation } => stage(evaluation),
        Guard::CertificateStars { min, max } => [min, max]
            .into_iter()
            .flatten()
            .map(|s| s.get().to_string())
            .collect(),
        Guard::FilingWindow {
            opens_days_before,
            closes_days_before,
        } => vec![
            opens_days_before.to_string(),
            closes_days_before.to_string(),
        ],
        Guard::AfterExpiry { max_days } => vec![max_days.to_string()],
        Guard::LateFilingWindow {
            closes_days_before,
            max_days_after_expiry,
        } => vec![
            closes_days_before.to_string(),
            max_days_after_expiry.to_string(),
        ],
        Guard::Plugin { plugin, check, .. } => vec![plugin.to_string(), check.clone()],
    }
}

/// The guard of `guards` named `name` that the engine's `reason` is about: when a
/// transition has several guards of one name (`has_document` for form 01 and form 02), the
/// one whose parameters the reason names, else the first of that name.
pub(crate) fn pick_guard<'a>(guards: &'a [Guard], name: &str, reason: &str) -> Option<&'a Guard> {
    let mut same = guards.iter().filter(|g| g.name() == name);
    let first = same.clone().next();
    same.find(|g| parameters(g).iter().all(|p| reason.contains(p.as_str())))
        .or(first)
}

/// The sentence for `guard`, failing on `case` with the engine's `reason` (kept as it is
/// when the guard is not known: a definition changed under the page).
pub(crate) fn explain(
    engine: &Engine,
    case: &Case,
    guard: Option<&Guard>,
    reason: &str,
    lang: Lang,
) -> String {
    let Some(g) = guard else {
        return reason.to_owned();
    };
    let today = engine.now().vn_date();
    let result = |evaluation: &Option<EvaluationId>| -> Option<&CouncilResult> {
        match evaluation {
            Some(ev) => case.result(ev),
            None => case.latest_result(),
        }
    };
    let no_result = || {
        tr(
            lang,
            "Hội đồng chưa có kết quả đánh giá.",
            "The council has not recorded a result yet.",
        )
        .to_owned()
    };
    let no_certificate = || {
        tr(
            lang,
            "Sản phẩm chưa có giấy chứng nhận.",
            "The product holds no certificate.",
        )
        .to_owned()
    };
    let knocked_out = |r: &CouncilResult| {
        en_vi(
            lang,
            format!(
                "Hồ sơ bị loại ({}), không được xếp hạng sao.",
                r.knockouts.join(", ")
            ),
            format!(
                "The dossier is knocked out ({}) and gets no stars.",
                r.knockouts.join(", ")
            ),
        )
    };
    match g {
        Guard::DossierComplete => {
            let missing: Vec<String> = case
                .documents()
                .iter()
                .filter(|d| !d.present)
                .map(|d| document(lang, &d.kind))
                .collect();
            if case.documents().is_empty() {
                tr(
                    lang,
                    "Hồ sơ chưa có tài liệu nào.",
                    "The dossier holds no documents.",
                )
                .to_owned()
            } else {
                en_vi(
                    lang,
                    format!("Hồ sơ còn thiếu: {}.", missing.join("; ")),
                    format!("The dossier still lacks: {}.", missing.join("; ")),
                )
            }
        }
        Guard::HasDocument { kind } => {
            let kind = document(lang, kind);
            en_vi(
                lang,
                format!("Hồ sơ chưa có: {kind}."),
                format!("The dossier does not have: {kind}."),
            )
        }
        Guard::Registration { registration: want } => {
            let want = registration(lang, *want);
            let now = registration(lang, case.registration());
            en_vi(
                lang,
                format!("Chỉ áp dụng cho hồ sơ «{want}»; hồ sơ này là «{now}»."),
                format!("Only for a case of type “{want}”; this case is “{now}”."),
            )
        }
        Guard::CouncilComplete { evaluation } | Guard::SpreadExceeded { evaluation } => {
            let (Some(stage), Some(status)) = (
                engine.cycle().evaluation(evaluation),
                engine.council_status(case, evaluation),
            ) else {
                return reason.to_owned();
            };
            if !status.constituted {
                return tr(
                    lang,
                    "Hội đồng chưa được thành lập: chủ tịch hội đồng cần chỉ định các thành viên trước.",
                    "The council has not been constituted: its chair must name the members first.",
                )
                .to_owned();
            }
            let CouncilStatus {
                members,
                sheets,
                needed,
                chair_missing,
                spread,
                ..
            } = status;
            let allowed = stage.council.max_spread.unwrap_or(f64::INFINITY);
            if sheets < needed {
                en_vi(
                    lang,
                    format!(
                        "Mới có {sheets}/{members} thành viên nộp phiếu chấm; cần ít nhất {needed} phiếu."
                    ),
                    format!(
                        "{sheets} of {members} members have submitted their sheets; at least {needed} are needed."
                    ),
                )
            } else if chair_missing {
                tr(
                    lang,
                    "Chủ tịch hội đồng chưa nộp phiếu chấm.",
                    "The council chair has not submitted a sheet yet.",
                )
                .to_owned()
            } else if matches!(g, Guard::CouncilComplete { .. }) {
                en_vi(
                    lang,
                    format!(
                        "Điểm của các thành viên chênh nhau {} điểm, vượt mức {} điểm cho phép: cần chấm lại.",
                        points(lang, spread),
                        points(lang, allowed)
                    ),
                    format!(
                        "The members' totals differ by {} points, more than the {} allowed: the council must re-score.",
                        points(lang, spread),
                        points(lang, allowed)
                    ),
                )
            } else {
                en_vi(
                    lang,
                    format!(
                        "Chỉ chấm lại khi điểm các thành viên chênh nhau quá {} điểm; hiện chỉ chênh {} điểm.",
                        points(lang, allowed),
                        points(lang, spread)
                    ),
                    format!(
                        "Re-scoring is only for totals that differ by more than {} points; they differ by {}.",
                        points(lang, allowed),
                        points(lang, spread)
                    ),
                )
            }
        }
        Guard::MinScore { min: n, evaluation }
        | Guard::MaxScore {
            below: n,
            evaluation,
        } => match result(evaluation) {
            None => no_result(),
            Some(r) => {
                let (total, n) = (points(lang, r.total), points(lang, *n));
                if matches!(g, Guard::MinScore { .. }) {
                    en_vi(
                        lang,
                        format!("Tổng điểm của hội đồng là {total}, chưa đạt {n} điểm."),
                        format!("The council's total is {total}, below {n} points."),
                    )
                } else {
                    en_vi(
                        lang,
                        format!("Tổng điểm của hội đồng là {total}, không dưới {n} điểm."),
                        format!("The council's total is {total}, not below {n} points."),
                    )
                }
            }
        },
        // `Stars` displays as `4★`; the sentences say "4 sao" / "4 stars".
        Guard::MinStars { stars, evaluation } | Guard::MaxStars { stars, evaluation } => {
            match result(evaluation) {
                None => no_result(),
                Some(r) => match (r.stars.map(Stars::get), stars.get()) {
                    (None, _) => knocked_out(r),
                    (Some(s), n) if matches!(g, Guard::MinStars { .. }) => en_vi(
                        lang,
                        format!("Hội đồng xếp hạng {s} sao; bước này cần từ {n} sao trở lên."),
                        format!(
                            "The council ranked the product {s} stars; this step needs at least {n}."
                        ),
                    ),
                    (Some(s), n) => en_vi(
                        lang,
                        format!(
                            "Hội đồng xếp hạng {s} sao; bước này chỉ dành cho sản phẩm từ {n} sao trở xuống."
                        ),
                        format!(
                            "The council ranked the product {s} stars; this step is for {n} stars or fewer."
                        ),
                    ),
                },
            }
        }
        Guard::KnockedOut { evaluation } => match result(evaluation) {
            None => no_result(),
            Some(_) => tr(
                lang,
                "Không có điều kiện loại hồ sơ nào được ghi nhận.",
                "No knock-out condition was recorded.",
            )
            .to_owned(),
        },
        Guard::NotKnockedOut { evaluation } => match result(evaluation) {
            None => no_result(),
            Some(r) => en_vi(
                lang,
                format!("Hồ sơ bị loại theo phiếu chấm: {}.", r.knockouts.join(", ")),
                format!(
                    "The sheets knock the dossier out: {}.",
                    r.knockouts.join(", ")
                ),
            ),
        },
        Guard::CertificateActive => match case.certificate() {
            None => no_certificate(),
            Some(c) => en_vi(
                lang,
                format!(
                    "Giấy chứng nhận {} không còn hiệu lực ngày {}.",
                    c.number,
                    day(lang, today)
                ),
                format!(
                    "Certificate {} is not valid on {}.",
                    c.number,
                    day(lang, today)
                ),
            ),
        },
        Guard::CertificateStars { min, max } => match case.certificate() {
            None => no_certificate(),
            Some(c) => {
                let (min, max) = (min.map_or(1, Stars::get), max.map_or(5, Stars::get));
                en_vi(
                    lang,
                    format!(
                        "Giấy chứng nhận {} sao; bước này dành cho {min}–{max} sao.",
                        c.stars.get()
                    ),
                    format!(
                        "The certificate is {} stars; this step is for {min}–{max} stars.",
                        c.stars.get()
                    ),
                )
            }
        },
        Guard::FilingWindow {
            opens_days_before: opens,
            closes_days_before: closes,
        } => match case.certificate() {
            None => no_certificate(),
            Some(c) => {
                let (from, to) = (
                    c.expires_on.add_days(-i64::from(*opens)),
                    c.expires_on.add_days(-i64::from(*closes)),
                );
                en_vi(
                    lang,
                    format!(
                        "Chỉ được nộp từ {} đến {} ({opens} đến {closes} ngày trước khi giấy chứng nhận hết hạn ngày {}).",
                        day(lang, from),
                        day(lang, to),
                        day(lang, c.expires_on)
                    ),
                    format!(
                        "Filing is open from {} to {} ({opens} to {closes} days before the certificate expires on {}).",
                        day(lang, from),
                        day(lang, to),
                        day(lang, c.expires_on)
                    ),
                )
            }
        },
        Guard::AfterExpiry { max_days } => match case.certificate() {
            None => no_certificate(),
            Some(c) => {
                let (from, to) = (
                    c.expires_on.add_days(1),
                    c.expires_on.add_days(i64::from(*max_days)),
                );
                en_vi(
                    lang,
                    format!(
                        "Bước này chỉ thực hiện được sau khi giấy chứng nhận hết hạn ngày {}, từ {} đến {} (trong {max_days} ngày).",
                        day(lang, c.expires_on),
                        day(lang, from),
                        day(lang, to)
                    ),
                    format!(
                        "This step is only possible after the certificate expires on {}, from {} to {} (within {max_days} days).",
                        day(lang, c.expires_on),
                        day(lang, from),
                        day(lang, to)
                    ),
                )
            }
        },
        Guard::CertificateInTerm => match case.certificate() {
            None => no_certificate(),
            Some(c) => en_vi(
                lang,
                format!(
                    "Bước này dành cho giấy chứng nhận còn trong thời hạn; giấy chứng nhận {} hết hạn ngày {} hoặc không còn hiệu lực.",
                    c.number,
                    day(lang, c.expires_on)
                ),
                format!(
                    "This step is for a certificate still in its term; certificate {} expired on {} or is no longer in force.",
                    c.number,
                    day(lang, c.expires_on)
                ),
            ),
        },
        Guard::CertificatePastTerm => match case.certificate() {
            None => no_certificate(),
            Some(c) => en_vi(
                lang,
                format!(
                    "Bước này chỉ dành cho khi giấy chứng nhận đã hết thời hạn; giấy chứng nhận {} còn hạn đến ngày {}.",
                    c.number,
                    day(lang, c.expires_on)
                ),
                format!(
                    "This step is only for a certificate past its term; certificate {} runs until {}.",
                    c.number,
                    day(lang, c.expires_on)
                ),
            ),
        },
        Guard::LateFilingWindow {
            closes_days_before: closes,
            max_days_after_expiry: after,
        } => match case.certificate() {
            None => no_certificate(),
            Some(c) => {
                let (from, to) = (
                    c.expires_on.add_days(1 - i64::from(*closes)),
                    c.expires_on.add_days(i64::from(*after)),
                );
                en_vi(
                    lang,
                    format!(
                        "Nộp muộn (Điều 12.3) chỉ được từ {} đến {} (sau hạn {closes} ngày trước khi giấy chứng nhận hết hạn ngày {}, và không quá {after} ngày sau đó).",
                        day(lang, from),
                        day(lang, to),
                        day(lang, c.expires_on)
                    ),
                    format!(
                        "A late filing (Art. 12.3) is possible only from {} to {} (after the close {closes} days before the certificate expires on {}, and at most {after} days after it).",
                        day(lang, from),
                        day(lang, to),
                        day(lang, c.expires_on)
                    ),
                )
            }
        },
        Guard::RevocationGround => tr(
            lang,
            "Cần nêu một trong sáu căn cứ thu hồi của Điều 8.1.",
            "Name one of the six grounds of Art. 8.1.",
        )
        .to_owned(),
        Guard::Plugin { .. } => en_vi(
            lang,
            format!("Quy định của địa phương chưa được đáp ứng: {reason}"),
            format!("A local rule is not met: {reason}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(kind: &str) -> Guard {
        Guard::HasDocument { kind: kind.into() }
    }

    #[test]
    fn the_guard_picked_is_the_one_the_reason_names() {
        let guards = [
            Guard::DossierComplete,
            has("registration_form"),
            has("product_plan"),
        ];
        let picked = pick_guard(&guards, "has_document", "the dossier lacks `product_plan`");
        assert_eq!(picked, Some(&has("product_plan")));
        // A reason naming neither falls back to the first guard of the name.
        let picked = pick_guard(&guards, "has_document", "something else");
        assert_eq!(picked, Some(&has("registration_form")));
        assert_eq!(pick_guard(&guards, "min_score", "x"), None);
    }

    #[test]
    fn typed_parameters_are_printed_as_the_engine_prints_them() {
        let g = Guard::MinStars {
            stars: Stars::new(4).unwrap(),
            evaluation: None,
        };
        assert_eq!(parameters(&g), vec!["4★".to_owned()]);
        let g = Guard::Registration {
            registration: RegistrationType::ReEvaluation,
        };
        assert_eq!(parameters(&g), vec!["re_evaluation".to_owned()]);
    }
}
