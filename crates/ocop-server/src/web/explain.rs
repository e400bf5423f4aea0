//! Why a transition is blocked, in words (vi/en), from the guard, its parameters and the
//! case: what a clerk can act on, not a code. The engine's own sentence (English) is kept
//! for guards whose facts live inside a plugin.

use ocop_core::{EvaluationId, Guard, Lang, RegistrationType};
use ocop_engine::{Case, Engine};

use super::i18n::{day, document, points, registration, tr};

fn p_str<'a>(g: &'a Guard, k: &str) -> Option<&'a str> {
    g.params.get(k).and_then(serde_json::Value::as_str)
}

fn p_f64(g: &Guard, k: &str) -> Option<f64> {
    g.params.get(k).and_then(serde_json::Value::as_f64)
}

fn p_u64(g: &Guard, k: &str) -> Option<u64> {
    g.params.get(k).and_then(serde_json::Value::as_u64)
}

fn en_vi(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The sentence for guard `name` of a transition, failing on `case` with the engine's
/// `reason`.
pub(crate) fn explain(
    engine: &Engine,
    case: &Case,
    guard: Option<&Guard>,
    name: &str,
    reason: &str,
    lang: Lang,
) -> String {
    let Some(g) = guard else {
        return reason.to_owned();
    };
    let today = engine.now().vn_date();
    let result = || match p_str(g, "evaluation") {
        Some(ev) => case.result(&EvaluationId::new(ev)),
        None => case.latest_result(),
    };
    let no_result = || {
        tr(
            lang,
            "Hội đồng chưa có kết quả đánh giá.",
            "The council has not recorded a result yet.",
        )
        .to_owned()
    };
    match name {
        "dossier_complete" => {
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
        "has_document" => {
            let kind = document(lang, p_str(g, "kind").unwrap_or(""));
            en_vi(
                lang,
                format!("Hồ sơ chưa có: {kind}."),
                format!("The dossier does not have: {kind}."),
            )
        }
        "registration" => {
            let want = match p_str(g, "type") {
                Some("upgrade") => registration(lang, RegistrationType::Upgrade),
                Some("re_evaluation") => registration(lang, RegistrationType::ReEvaluation),
                _ => registration(lang, RegistrationType::First),
            };
            let now = registration(lang, case.registration());
            en_vi(
                lang,
                format!("Chỉ áp dụng cho hồ sơ «{want}»; hồ sơ này là «{now}»."),
                format!("Only for a case of type “{want}”; this case is “{now}”."),
            )
        }
        "council_complete" | "spread_exceeded" => {
            let ev = EvaluationId::new(p_str(g, "evaluation").unwrap_or(""));
            let Some(stage) = engine.cycle().evaluation(&ev) else {
                return reason.to_owned();
            };
            let council = case.council(&ev).filter(|c| c.is_constituted());
            let Some(c) = council else {
                return tr(
                    lang,
                    "Hội đồng chưa được thành lập: chủ tịch hội đồng cần chỉ định các thành viên trước.",
                    "The council has not been constituted: its chair must name the members first.",
                )
                .to_owned();
            };
            let members = c.members().len();
            let share = (stage.council.quorum.clamp(0.0, 1.0) * members as f64 - 1e-9).ceil();
            let needed = (if share.is_finite() && share > 0.0 {
                share as usize
            } else {
                0
            })
            .max(usize::try_from(stage.council.min_members).unwrap_or(usize::MAX));
            let sheets = c.sheet_count();
            let totals: Vec<f64> = c.sheets().map(|s| s.scored.evaluation.total).collect();
            let spread = totals.iter().copied().fold(f64::MIN, f64::max)
                - totals.iter().copied().fold(f64::MAX, f64::min);
            let spread = if totals.is_empty() { 0.0 } else { spread };
            let allowed = stage.council.max_spread.unwrap_or(f64::INFINITY);
            let chair_missing = stage.council.chair_required && !c.sheets().any(|s| s.chair);
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
            } else if name == "council_complete" {
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
        "min_score" | "max_score" => match result() {
            None => no_result(),
            Some(r) if name == "min_score" => {
                let min = p_f64(g, "min").unwrap_or(0.0);
                en_vi(
                    lang,
                    format!(
                        "Tổng điểm của hội đồng là {}, chưa đạt {} điểm.",
                        points(lang, r.total),
                        points(lang, min)
                    ),
                    format!(
                        "The council's total is {}, below {} points.",
                        points(lang, r.total),
                        points(lang, min)
                    ),
                )
            }
            Some(r) => {
                let below = p_f64(g, "below").unwrap_or(0.0);
                en_vi(
                    lang,
                    format!(
                        "Tổng điểm của hội đồng là {}, không dưới {} điểm.",
                        points(lang, r.total),
                        points(lang, below)
                    ),
                    format!(
                        "The council's total is {}, not below {} points.",
                        points(lang, r.total),
                        points(lang, below)
                    ),
                )
            }
        },
        "min_stars" | "max_stars" => match result() {
            None => no_result(),
            Some(r) => {
                let n = p_u64(g, "stars").unwrap_or(0);
                // `Stars` displays as `4★`; the sentence says "4 sao" / "4 stars".
                match (r.stars.map(|s| s.get()), name) {
                    (None, _) => en_vi(
                        lang,
                        format!(
                            "Hồ sơ bị loại ({}), không được xếp hạng sao.",
                            r.knockouts.join(", ")
                        ),
                        format!(
                            "The dossier is knocked out ({}) and gets no stars.",
                            r.knockouts.join(", ")
                        ),
                    ),
                    (Some(s), "min_stars") => en_vi(
                        lang,
                        format!("Hội đồng xếp hạng {s} sao; bước này cần từ {n} sao trở lên."),
                        format!(
                            "The council ranked the product {s} stars; this step needs at least {n}."
                        ),
                    ),
                    (Some(s), _) => en_vi(
                        lang,
                        format!(
                            "Hội đồng xếp hạng {s} sao; bước này chỉ dành cho sản phẩm từ {n} sao trở xuống."
                        ),
                        format!(
                            "The council ranked the product {s} stars; this step is for {n} stars or fewer."
                        ),
                    ),
                }
            }
        },
        "knocked_out" => tr(
            lang,
            "Không có điều kiện loại hồ sơ nào được ghi nhận.",
            "No knock-out condition was recorded.",
        )
        .to_owned(),
        "not_knocked_out" => match result() {
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
        "certificate_active" => match case.certificate() {
            None => tr(
                lang,
                "Sản phẩm chưa có giấy chứng nhận.",
                "The product holds no certificate.",
            )
            .to_owned(),
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
        "certificate_stars" => match case.certificate() {
            None => tr(
                lang,
                "Sản phẩm chưa có giấy chứng nhận.",
                "The product holds no certificate.",
            )
            .to_owned(),
            Some(c) => {
                let (min, max) = (p_u64(g, "min").unwrap_or(1), p_u64(g, "max").unwrap_or(5));
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
        "filing_window" => match case.certificate() {
            None => tr(
                lang,
                "Sản phẩm chưa có giấy chứng nhận.",
                "The product holds no certificate.",
            )
            .to_owned(),
            Some(c) => {
                let opens = i64::try_from(p_u64(g, "opens_days_before").unwrap_or(0)).unwrap_or(0);
                let closes =
                    i64::try_from(p_u64(g, "closes_days_before").unwrap_or(0)).unwrap_or(0);
                let (from, to) = (
                    c.expires_on.add_days(-opens),
                    c.expires_on.add_days(-closes),
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
        "after_expiry" => tr(
            lang,
            "Bước này chỉ thực hiện được sau khi giấy chứng nhận hết hạn, trong thời hạn cho phép.",
            "This step is only possible after the certificate expires, within the time allowed.",
        )
        .to_owned(),
        "revocation_ground" => tr(
            lang,
            "Cần nêu một trong sáu căn cứ thu hồi của Điều 8.1.",
            "Name one of the six grounds of Art. 8.1.",
        )
        .to_owned(),
        "plugin" => en_vi(
            lang,
            format!("Quy định của địa phương chưa được đáp ứng: {reason}"),
            format!("A local rule is not met: {reason}"),
        ),
        _ => reason.to_owned(),
    }
}
