//! The words of the pages: Vietnamese first, English beside it.

use ocop_core::{
    Date, Lang,
    domain::{RegistrationType, RevocationGround},
};
use ocop_engine::{Event, EventBody, Timestamp};

/// `vi` or `en`.
pub(crate) fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A day as people write it: `05/06/2026` or `5 Jun 2026`.
pub(crate) fn day(lang: Lang, d: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
        Lang::En => format!(
            "{} {} {}",
            d.day(),
            MONTHS
                .get(usize::try_from(d.month() - 1).unwrap_or(0))
                .copied()
                .unwrap_or(""),
            d.year()
        ),
    }
}

/// An instant in Vietnam's time: the day and `HH:MM`.
pub(crate) fn moment(lang: Lang, t: Timestamp) -> String {
    let secs = t.unix_seconds() + 7 * 3600;
    let minutes = secs.rem_euclid(86_400) / 60;
    format!(
        "{} {:02}:{:02}",
        day(lang, t.vn_date()),
        minutes / 60,
        minutes % 60
    )
}

/// A revocation ground's words (Art. 8.1).
pub(crate) fn ground(lang: Lang, g: RevocationGround) -> &'static str {
    use RevocationGround as G;
    match g {
        G::ForgedDossier => tr(
            lang,
            "a) Gian lận, giả mạo hồ sơ hoặc thông tin không trung thực",
            "a) Untruthful information or a forged dossier",
        ),
        G::NoLongerMeetsCriteria => tr(
            lang,
            "b) Sản phẩm không còn đáp ứng tiêu chí theo kết luận kiểm tra",
            "b) The product no longer meets the criteria, per an inspection's conclusion",
        ),
        G::LegalBreach => tr(
            lang,
            "c) Vi phạm quy định về chất lượng, an toàn thực phẩm, môi trường, sở hữu trí tuệ, nhãn hàng hóa",
            "c) A breach of quality, food-safety, environmental, intellectual-property or labelling law",
        ),
        G::MarkMisuse => tr(
            lang,
            "d) Sử dụng biểu trưng OCOP sai quy định, gây nhầm lẫn về sản phẩm được công nhận",
            "d) The OCOP mark used wrongly, misleading about the certified product",
        ),
        G::ProductionStopped => tr(
            lang,
            "đ) Chủ thể không còn sản xuất sản phẩm",
            "đ) The producer no longer makes the product",
        ),
        G::OtherAuthority => tr(
            lang,
            "e) Theo kết luận của cơ quan có thẩm quyền khác",
            "e) Another competent authority's conclusion",
        ),
    }
}

/// A ground's wire name.
pub(crate) fn ground_id(g: RevocationGround) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The registration type's words.
pub(crate) fn registration(lang: Lang, r: RegistrationType) -> &'static str {
    match r {
        RegistrationType::First => tr(lang, "Đánh giá lần đầu", "First evaluation"),
        RegistrationType::Upgrade => tr(lang, "Nâng hạng", "Upgrade"),
        RegistrationType::ReEvaluation => tr(lang, "Phân hạng lại", "Re-evaluation"),
    }
}

/// A dossier document's name, for the kinds the forms know.
pub(crate) fn document(lang: Lang, kind: &str) -> String {
    let (vi, en) = match kind {
        "form_01" => (
            "Phiếu đăng ký sản phẩm (Mẫu 01)",
            "Product registration (form 01)",
        ),
        "form_02" => ("Phiếu tự đánh giá (Mẫu 02)", "Self-assessment (form 02)"),
        "food_safety_certificate" => (
            "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "Food-safety certificate",
        ),
        "business_registration" => ("Giấy đăng ký kinh doanh", "Business registration"),
        "product_standard" => ("Tiêu chuẩn công bố sản phẩm", "Published product standard"),
        "test_report" => ("Phiếu kết quả kiểm nghiệm", "Test report"),
        "label_sample" => ("Mẫu nhãn sản phẩm", "Label sample"),
        "product_story" => ("Câu chuyện sản phẩm", "Product story"),
        _ => return kind.replace('_', " "),
    };
    tr(lang, vi, en).to_owned()
}

/// The documents the new-case and dossier forms offer.
pub(crate) const KNOWN_DOCUMENTS: [&str; 8] = [
    "form_01",
    "form_02",
    "food_safety_certificate",
    "business_registration",
    "product_standard",
    "test_report",
    "label_sample",
    "product_story",
];

/// What an event records, in words (the details are shown beside it).
pub(crate) fn event_kind(lang: Lang, e: &Event) -> &'static str {
    match &e.body {
        EventBody::Opened(_) => tr(lang, "Mở hồ sơ", "Case opened"),
        EventBody::Transitioned(t) if t.timeout.is_some() => {
            tr(lang, "Hết hạn, hệ thống chuyển bước", "Deadline passed")
        }
        EventBody::Transitioned(_) => tr(lang, "Chuyển bước", "Step taken"),
        EventBody::CouncilConstituted { .. } => {
            tr(lang, "Thành lập hội đồng", "Council constituted")
        }
        EventBody::SheetSubmitted(_) => tr(lang, "Nộp phiếu chấm", "Score sheet submitted"),
        EventBody::EvaluationRecorded(_) => {
            tr(lang, "Ghi nhận kết quả hội đồng", "Council result recorded")
        }
        EventBody::EvaluationReset { .. } => {
            tr(lang, "Huỷ các phiếu để chấm lại", "Sheets discarded")
        }
        EventBody::RoundAssigned(_) => tr(lang, "Xếp vào đợt đánh giá", "Placed in a round"),
        EventBody::CertificateIssued { .. } => {
            tr(lang, "Cấp giấy chứng nhận", "Certificate issued")
        }
        EventBody::CertificateRevoked { .. } => {
            tr(lang, "Thu hồi giấy chứng nhận", "Certificate revoked")
        }
        EventBody::CertificateExpired { .. } => {
            tr(lang, "Giấy chứng nhận hết hạn", "Certificate expired")
        }
        EventBody::CertificateExtended { .. } => {
            tr(lang, "Gia hạn giấy chứng nhận", "Certificate extended")
        }
        EventBody::InspectionRecorded(_) => tr(lang, "Ghi nhận kiểm tra", "Inspection recorded"),
        EventBody::RegistrationChanged { .. } => {
            tr(lang, "Đổi loại đăng ký", "Registration changed")
        }
        EventBody::Notified { .. } => tr(lang, "Thông báo", "Notified"),
        EventBody::DossierUpdated { .. } => tr(lang, "Cập nhật hồ sơ", "Dossier updated"),
        EventBody::FactsRecorded { .. } => tr(lang, "Ghi nhận thông tin", "Facts recorded"),
        EventBody::Migrated(_) => tr(lang, "Chuyển sang quy trình mới", "Migrated"),
        EventBody::TransitionalLimitPassed { .. } => {
            tr(lang, "Quá hạn chuyển tiếp", "Transitional limit passed")
        }
        _ => tr(lang, "Sự kiện khác", "Other event"),
    }
}

/// `★★★★` for `n` stars.
pub(crate) fn stars(n: u8) -> String {
    "★".repeat(usize::from(n))
}

/// A number of points as printed: `80.8`, `81`.
pub(crate) fn points(lang: Lang, p: f64) -> String {
    let s = format!("{:.2}", p);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}
