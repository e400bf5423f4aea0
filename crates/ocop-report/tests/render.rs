//! The Markdown and HTML renderings of the programme report: golden files for a realistic
//! Cần Thơ report, and properties (well-formed HTML, three charts, escaping, one language at a
//! time, empty sections that say so, determinism).
//!
//! Golden files are rewritten only with `OCOP_BLESS=1` (never in CI):
//! `OCOP_BLESS=1 cargo test -p ocop-report --test render`.
#![cfg(test)]
#![allow(clippy::type_complexity, reason = "golden tables are tuples")]

use std::path::PathBuf;

use ocop_core::{Date, Label, Lang, Stars, catalog::ProductGroup};
use ocop_report::{
    AreaRow, CommuneRow, Count, ExpiringRow, GroupRow, OverdueCase, OverdueRow, ProgrammeReport,
    ReportPeriod, StarCount, TargetRow, render_html, render_markdown,
};

// ---------------------------------------------------------------------------------------------
// Sample data
// ---------------------------------------------------------------------------------------------

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn label(vi: &str, en: &str) -> Label {
    Label::new(vi, en)
}

/// The hostile product and producer names of the sample.
const SCRIPT_PRODUCT: &str = "Bánh pía <script>alert('pía')</script>";
const AMP_PRODUCER: &str = "Cơ sở Tư & Con";

/// Cần Thơ's report as of 5 December 2024: 150 cases in the 9 districts, all 6 product
/// groups, certificates expiring, cases overdue, a revocation.
fn sample() -> ProgrammeReport {
    let as_of = date("2024-12-05");

    // Pipeline, in cycle order (can-tho-2024, then the national states in use). 150 cases.
    let states: [(&str, &str, &str, u32); 20] = [
        (
            "registration",
            "Đăng ký tham gia Chương trình OCOP",
            "Registration",
            7,
        ),
        (
            "dossier",
            "Hoàn thiện hồ sơ, tự đánh giá sản phẩm",
            "Dossier and self-assessment",
            9,
        ),
        (
            "district_review",
            "Cấp huyện tiếp nhận, kiểm tra hồ sơ",
            "District office check",
            2,
        ),
        (
            "district_evaluation",
            "Đánh giá cấp huyện",
            "District evaluation",
            4,
        ),
        (
            "district_decision",
            "Chủ tịch UBND cấp huyện quyết định",
            "District chair's decision",
            2,
        ),
        (
            "city_review",
            "Thành phố tiếp nhận, kiểm tra hồ sơ",
            "City office check",
            3,
        ),
        (
            "city_evaluation",
            "Đánh giá cấp thành phố",
            "City evaluation",
            4,
        ),
        (
            "city_decision",
            "Chủ tịch UBND thành phố quyết định",
            "City chair's decision",
            2,
        ),
        (
            "central_review",
            "Trung ương tiếp nhận, kiểm tra hồ sơ",
            "Central office check",
            1,
        ),
        (
            "central_evaluation",
            "Đánh giá cấp trung ương",
            "Central evaluation",
            0,
        ),
        (
            "central_decision",
            "Bộ trưởng quyết định công nhận 5 sao",
            "Minister's decision on 5 stars",
            1,
        ),
        (
            "certified",
            "Đã công nhận, chờ công bố",
            "Certified, to be announced",
            6,
        ),
        (
            "monitoring",
            "Quản lý, giám sát sản phẩm OCOP",
            "Monitoring",
            77,
        ),
        (
            "revocation",
            "Xem xét thu hồi giấy chứng nhận",
            "Revocation proceedings",
            1,
        ),
        ("withdrawn", "Đã rút hồ sơ", "Withdrawn", 4),
        ("rejected", "Hồ sơ bị loại", "Dossier rejected", 5),
        (
            "not_ranked",
            "Không đạt 3 sao, không cấp giấy chứng nhận",
            "Below 3 stars, no certificate",
            14,
        ),
        (
            "revoked",
            "Đã thu hồi giấy chứng nhận",
            "Certificate revoked",
            1,
        ),
        (
            "expired",
            "Giấy chứng nhận hết hạn",
            "Certificate expired",
            4,
        ),
        ("commune_review", "Đánh giá cấp xã", "Commune review", 3),
    ];
    let by_state: Vec<Count> = states
        .iter()
        .map(|(key, vi, en, count)| Count {
            key: (*key).to_owned(),
            label: label(vi, en),
            count: *count,
        })
        .collect();

    // Product groups: cases, and valid certificates 3★/4★/5★ (60 + 22 + 2 = 84).
    let groups: [(ProductGroup, u32, [u32; 3]); 6] = [
        (ProductGroup::Food, 60, [28, 10, 1]),
        (ProductGroup::Beverage, 28, [12, 5, 1]),
        (ProductGroup::Herbal, 18, [6, 2, 0]),
        (ProductGroup::Handicraft, 15, [5, 1, 0]),
        (ProductGroup::Ornamental, 12, [4, 1, 0]),
        (ProductGroup::Tourism, 17, [5, 3, 0]),
    ];
    let by_group: Vec<GroupRow> = groups
        .iter()
        .map(|(g, cases, certified)| GroupRow {
            group: *g,
            label: label(g.label(Lang::Vi), g.label(Lang::En)),
            cases: *cases,
            certified: *certified,
        })
        .collect();

    // Districts and communes: 150 cases, 84 certified.
    let areas: [(&str, &[(&str, u32, u32)]); 9] = [
        (
            "Ninh Kiều",
            &[("Phường An Bình", 6, 4), ("Phường An Khánh", 4, 2)],
        ),
        (
            "Bình Thủy",
            &[
                ("Phường Long Tuyền", 7, 4),
                ("Phường Long Hòa", 3, 2),
                ("Phường An Thới", 2, 1),
            ],
        ),
        (
            "Cái Răng",
            &[
                ("Phường Lê Bình", 8, 5),
                ("Phường Thường Thạnh", 6, 3),
                ("Phường Phú Thứ", 4, 2),
            ],
        ),
        (
            "Ô Môn",
            &[
                ("Phường Trường Lạc", 6, 4),
                ("Phường Thới Long", 5, 3),
                ("Phường Phước Thới", 3, 1),
            ],
        ),
        (
            "Thốt Nốt",
            &[
                ("Phường Thuận Hưng", 7, 4),
                ("Phường Tân Lộc", 5, 3),
                ("Phường Trung Kiên", 4, 2),
            ],
        ),
        (
            "Phong Điền",
            &[
                ("Xã Mỹ Khánh", 9, 6),
                ("Xã Nhơn Ái", 8, 4),
                ("Xã Giai Xuân", 5, 3),
                ("Xã Tân Thới", 4, 2),
            ],
        ),
        (
            "Cờ Đỏ",
            &[
                ("Xã Thới Hưng", 6, 3),
                ("Xã Trung An", 5, 3),
                ("Xã Đông Hiệp", 5, 2),
            ],
        ),
        (
            "Vĩnh Thạnh",
            &[
                ("Xã Thạnh Mỹ", 6, 3),
                ("Xã Thạnh An", 5, 3),
                ("Xã Vĩnh Trinh", 4, 2),
            ],
        ),
        (
            "Thới Lai",
            &[
                ("Xã Trường Thành", 8, 5),
                ("Thị trấn Thới Lai", 6, 3),
                ("Xã Xuân Thắng", 5, 3),
                ("Xã Định Môn", 4, 2),
            ],
        ),
    ];
    let by_area: Vec<AreaRow> = areas
        .iter()
        .map(|(district, communes)| AreaRow {
            district: (*district).to_owned(),
            cases: communes.iter().map(|c| c.1).sum(),
            certified: communes.iter().map(|c| c.2).sum(),
            communes: communes
                .iter()
                .map(|(commune, cases, certified)| CommuneRow {
                    commune: (*commune).to_owned(),
                    cases: *cases,
                    certified: *certified,
                })
                .collect(),
        })
        .collect();

    // Certificates expiring within 180 days (issued December 2021 to June 2022), by expiry.
    let expiring_rows: [(&str, &str, &str, u8, &str, bool); 5] = [
        (
            "CT-2021-0142",
            "Trà mãng cầu Phong Điền",
            "HTX Nông nghiệp Mỹ Khánh",
            3,
            "2025-01-20",
            true,
        ),
        (
            "CT-2022-0031",
            "Rượu đế Vĩnh Thạnh",
            "Công ty TNHH Rượu Thạnh Mỹ",
            4,
            "2025-03-15",
            false,
        ),
        (
            "CT-2022-0047",
            "Nem chua Thới Lai",
            "Hộ kinh doanh Ngọc Hân",
            4,
            "2025-04-03",
            false,
        ),
        (
            "CT-2022-0068",
            SCRIPT_PRODUCT,
            AMP_PRODUCER,
            3,
            "2025-05-14",
            false,
        ),
        (
            "CT-2022-0075",
            "Khô cá lóc Cờ Đỏ",
            "HTX Thới Hưng",
            3,
            "2025-05-30",
            true,
        ),
    ];
    let expiring: Vec<ExpiringRow> = expiring_rows
        .iter()
        .map(|(case, product, producer, stars, expires, filed)| {
            let expires_on = date(expires);
            let days_left = as_of.days_until(expires_on);
            ExpiringRow {
                case: (*case).to_owned(),
                product: (*product).to_owned(),
                producer: (*producer).to_owned(),
                stars: Stars::new(*stars).unwrap(),
                expires_on,
                days_left,
                in_renewal_window: (120..=180).contains(&days_left),
                renewal_filed: *filed,
            }
        })
        .collect();

    let overdue_case = |case: &str, product: &str, due: &str| {
        let due = date(due);
        OverdueCase {
            case: case.to_owned(),
            product: product.to_owned(),
            due,
            days_late: due.days_until(as_of),
        }
    };
    let overdue = vec![
        OverdueRow {
            state: "commune_review".to_owned(),
            label: label("Đánh giá cấp xã", "Commune review"),
            deadline: label("15 ngày làm việc", "15 working days"),
            cases: vec![
                overdue_case("CT-2024-0131", "Bánh tráng Thuận Hưng", "2024-11-18"),
                overdue_case("CT-2024-0137", "Mật ong hoa xoài Giai Xuân", "2024-11-25"),
                overdue_case("CT-2024-0140", "Đệm bàng Thới Hưng", "2024-12-02"),
            ],
        },
        OverdueRow {
            state: "revocation".to_owned(),
            label: label("Xem xét thu hồi giấy chứng nhận", "Revocation proceedings"),
            deadline: label("15 ngày", "15 days"),
            cases: vec![overdue_case(
                "CT-2022-0019",
                "Nước mắm cá linh Thốt Nốt",
                "2024-11-29",
            )],
        },
    ];

    ProgrammeReport {
        format: 1,
        province: "Cần Thơ".to_owned(),
        definitions: vec!["can-tho-2024".to_owned(), "national-2026".to_owned()],
        as_of,
        year: 2024,
        cases: 150,
        by_state,
        stars: vec![
            StarCount {
                stars: Stars::THREE,
                certified: 60,
                new_this_year: 14,
            },
            StarCount {
                stars: Stars::FOUR,
                certified: 22,
                new_this_year: 8,
            },
            StarCount {
                stars: Stars::FIVE,
                certified: 2,
                new_this_year: 1,
            },
        ],
        by_group,
        by_area,
        by_commune: Vec::new(),
        targets: vec![
            TargetRow {
                stars: Stars::THREE,
                target: 20,
                actual: 14,
            },
            TargetRow {
                stars: Stars::FOUR,
                target: 10,
                actual: 8,
            },
            TargetRow {
                stars: Stars::FIVE,
                target: 2,
                actual: 1,
            },
        ],
        expiring,
        overdue,
        revoked: vec![Count {
            key: "NoLongerMeetsCriteria".to_owned(),
            label: label(
                "b) Không còn đáp ứng tiêu chí",
                "b) No longer meets the criteria",
            ),
            count: 1,
        }],
        periods: vec![
            ReportPeriod {
                label: label(
                    "Báo cáo quý (trước ngày 10/3)",
                    "Quarterly report (by 10 March)",
                ),
                due: date("2024-03-10"),
                past: true,
            },
            ReportPeriod {
                label: label(
                    "Báo cáo 6 tháng (trước ngày 10/6)",
                    "Half-yearly report (by 10 June)",
                ),
                due: date("2024-06-10"),
                past: true,
            },
            ReportPeriod {
                label: label(
                    "Báo cáo năm (trước ngày 10/12)",
                    "Yearly report (by 10 December)",
                ),
                due: date("2024-12-10"),
                past: false,
            },
        ],
    }
}

/// A report with nothing in it.
fn empty() -> ProgrammeReport {
    ProgrammeReport {
        format: 1,
        province: "Cần Thơ".to_owned(),
        definitions: Vec::new(),
        as_of: date("2024-01-02"),
        year: 2024,
        cases: 0,
        by_state: Vec::new(),
        stars: Vec::new(),
        by_group: Vec::new(),
        by_area: Vec::new(),
        by_commune: Vec::new(),
        targets: Vec::new(),
        expiring: Vec::new(),
        overdue: Vec::new(),
        revoked: Vec::new(),
        periods: Vec::new(),
    }
}

/// A report whose rows are there but all zero.
fn zeros() -> ProgrammeReport {
    let mut r = sample();
    r.cases = 0;
    r.by_state.iter_mut().for_each(|c| c.count = 0);
    r.stars.iter_mut().for_each(|s| {
        s.certified = 0;
        s.new_this_year = 0;
    });
    r.by_group.iter_mut().for_each(|g| {
        g.cases = 0;
        g.certified = [0; 3];
    });
    r.targets.iter_mut().for_each(|t| {
        t.target = 0;
        t.actual = 0;
    });
    r
}

// ---------------------------------------------------------------------------------------------
// Golden files
// ---------------------------------------------------------------------------------------------

/// The report's golden file `name`, compared or blessed by the testkit's one harness.
fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let bless = "OCOP_BLESS=1 cargo test -p ocop-report --test render";
    if let Err(e) = ocop_testkit::golden::check(&path, actual, bless) {
        panic!("{e}");
    }
}

#[test]
fn golden_markdown_vi() {
    check_golden("report.vi.md", &render_markdown(&sample(), Lang::Vi));
}

#[test]
fn golden_markdown_en() {
    check_golden("report.en.md", &render_markdown(&sample(), Lang::En));
}

#[test]
fn golden_html_vi() {
    check_golden("report.vi.html", &render_html(&sample(), Lang::Vi));
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Every rendering the properties look at: (what, text).
fn all_html() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, report) in [
        ("sample", sample()),
        ("empty", empty()),
        ("zeros", zeros()),
        ("hostile", hostile()),
    ] {
        for lang in [Lang::Vi, Lang::En] {
            out.push((format!("{name}.{lang}.html"), render_html(&report, lang)));
        }
    }
    out
}

fn all_markdown() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, report) in [
        ("sample", sample()),
        ("empty", empty()),
        ("zeros", zeros()),
        ("hostile", hostile()),
    ] {
        for lang in [Lang::Vi, Lang::En] {
            out.push((format!("{name}.{lang}.md"), render_markdown(&report, lang)));
        }
    }
    out
}

/// The sample with user text chosen to break things: markup, ampersands, pipes, Markdown
/// punctuation, newlines, entity look-alikes and very long labels.
fn hostile() -> ProgrammeReport {
    let mut r = sample();
    r.province = "Cần Thơ <b>&amp;</b> | *x*".to_owned();
    if let Some(e) = r.expiring.first_mut() {
        e.product = "Trà \"sen\" <img src=x onerror=alert(1)> | [link](http://x) `code`".to_owned();
        e.producer = "HTX A & B\nline two &lt; _under_ ~~strike~~".to_owned();
    }
    if let Some(s) = r.by_state.first_mut() {
        s.label = label(
            "Đăng ký tham gia Chương trình OCOP và hoàn thiện hồ sơ sản phẩm theo hướng dẫn \
             của Cơ quan tham mưu quản lý OCOP cấp tỉnh, kèm theo bản tự đánh giá",
            "Registration with the OCOP programme and completion of the product dossier as \
             instructed by the provincial OCOP office, with the self-assessment attached",
        );
    }
    if let Some(a) = r.by_area.first_mut() {
        a.district = "</td></tr></table><script>x()</script>".to_owned();
    }
    r
}

/// The tags of `html`, outside `<style>` (whose CSS is not markup): (name, closing, self-closing).
fn tags(html: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').expect("a `<` without `>`");
        let inner = &rest[1..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue;
        }
        let closing = inner.starts_with('/');
        let body = inner.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "`<{inner}>` is not a tag");
        let self_closing = body.ends_with('/');
        if name == "style" && !closing {
            let close = rest.find("</style>").expect("<style> not closed");
            rest = &rest[close..];
        }
        out.push((name, closing, self_closing));
    }
    out
}

const VOID: [&str; 2] = ["meta", "br"];

fn assert_balanced(what: &str, html: &str) {
    let mut stack: Vec<String> = Vec::new();
    for (name, closing, self_closing) in tags(html) {
        if closing {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{what}: </{name}> closes nothing"));
            assert_eq!(open, name, "{what}: <{open}> closed by </{name}>");
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "{what}: left open: {stack:?}");
}

#[test]
fn html_is_well_formed() {
    for (what, html) in all_html() {
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\""), "{what}");
        assert!(html.contains("<meta charset=\"utf-8\">"), "{what}");
        assert!(html.ends_with("</html>\n"), "{what}");
        assert_balanced(&what, &html);
        let svgs = html.matches("<svg").count();
        assert_eq!(svgs, 3, "{what}: {svgs} charts");
        assert_eq!(
            html.matches("</svg>").count(),
            3,
            "{what}: every <svg> closed"
        );
        // Each chart has a title, is labelled by it, and (with data) has a legend.
        for id in ["chart-groups", "chart-pipeline", "chart-targets"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{what}: {id}");
            assert!(
                html.contains(&format!("<title id=\"{id}-title\">")),
                "{what}: {id} title"
            );
        }
        // Every `&` starts a character reference.
        for (i, _) in html.match_indices('&') {
            let tail: String = html[i + 1..].chars().take(8).collect();
            assert!(
                ["amp;", "lt;", "gt;", "quot;", "#39;"]
                    .iter()
                    .any(|e| tail.starts_with(e)),
                "{what}: bare `&` before {tail:?}"
            );
        }
    }
}

#[test]
fn html_lang_attribute_follows_the_language() {
    assert!(render_html(&sample(), Lang::Vi).contains("<html lang=\"vi\">"));
    assert!(render_html(&sample(), Lang::En).contains("<html lang=\"en\">"));
}

#[test]
fn html_is_self_contained() {
    // (The hostile report is left out: its escaped user text mentions `src=` and a URL.)
    for (what, html) in all_html()
        .into_iter()
        .filter(|(w, _)| !w.starts_with("hostile"))
    {
        let html_lower = html.to_lowercase();
        for needle in [
            "<script",
            "<link",
            "<img",
            "<iframe",
            "src=",
            "href=",
            "url(",
            "@import",
            "@font-face",
        ] {
            assert!(!html_lower.contains(needle), "{what} contains {needle}");
        }
        // The only URL is the SVG namespace name, which is never fetched.
        let urls = html.matches("http").count();
        let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
        assert_eq!(urls, namespaces, "{what}: a URL besides the SVG namespace");
    }
}

#[test]
fn user_text_is_escaped() {
    let html = render_html(&sample(), Lang::Vi);
    assert!(!html.contains("<script"));
    assert!(html.contains("Bánh pía &lt;script&gt;alert(&#39;pía&#39;)&lt;/script&gt;"));
    assert!(html.contains("Cơ sở Tư &amp; Con"));
    let md = render_markdown(&sample(), Lang::Vi);
    assert_md_has_no_raw_html("sample", &md);
    assert!(md.contains("Bánh pía \\<script\\>alert('pía')\\</script\\>"));
    assert!(md.contains("Cơ sở Tư & Con"));

    let r = hostile();
    for lang in [Lang::Vi, Lang::En] {
        let html = render_html(&r, lang);
        for raw in ["<b>", "<img", "<script", "</td></tr></table>", "\nline two"] {
            assert!(!html.contains(raw), "{lang}: raw {raw:?} in the HTML");
        }
        assert!(html.contains("Cần Thơ &lt;b&gt;&amp;amp;&lt;/b&gt; | *x*"));
        assert!(html.contains("HTX A &amp; B line two &amp;lt; _under_"));
        let md = render_markdown(&r, lang);
        assert_md_has_no_raw_html("hostile", &md);
        // (Each pattern starts at a space so that it only matches the unescaped form.)
        for raw in [
            " [link](",
            "\nline two",
            " &lt;",
            " <b>",
            " *x*",
            " _under_",
            " ~~strike~~",
        ] {
            assert!(!md.contains(raw), "{lang}: raw {raw:?} in the Markdown");
        }
        assert!(
            md.contains("\\<img src=x onerror=alert(1)\\> \\| \\[link\\](http://x) \\`code\\`")
        );
    }
}

/// Every `<` of `md` is backslash-escaped, so no user text becomes raw HTML.
fn assert_md_has_no_raw_html(what: &str, md: &str) {
    for (i, _) in md.match_indices('<') {
        assert!(
            md[..i].ends_with('\\'),
            "{what}: raw `<` at {:?}",
            &md[i..(i + 20).min(md.len())]
        );
    }
}

/// Splits a Markdown table line into cells at unescaped pipes.
fn md_cells(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match (c, escaped) {
            ('\\', false) => escaped = true,
            ('|', false) => count += 1,
            _ => escaped = false,
        }
    }
    count
}

#[test]
fn markdown_tables_keep_their_columns() {
    for (what, md) in all_markdown() {
        let lines: Vec<&str> = md.lines().collect();
        let mut tables = 0;
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].starts_with('|') {
                i += 1;
                continue;
            }
            tables += 1;
            let head = md_cells(lines[i]);
            let delimiter = lines[i + 1];
            assert!(
                delimiter
                    .chars()
                    .all(|c| matches!(c, '|' | '-' | ':' | ' ')),
                "{what}: no delimiter row under {}",
                lines[i]
            );
            assert_eq!(md_cells(delimiter), head, "{what}: {delimiter}");
            while i < lines.len() && lines[i].starts_with('|') {
                assert_eq!(md_cells(lines[i]), head, "{what}: {}", lines[i]);
                i += 1;
            }
            // A table is preceded and followed by a blank line (or the end).
            assert!(lines.get(i).is_none_or(|l| l.is_empty()), "{what}");
        }
        if what.starts_with("sample") || what.starts_with("hostile") {
            // stars, targets, pipeline, groups, areas, expiring, 2 overdue, revoked, periods
            assert_eq!(tables, 10, "{what}");
        }
    }
}

const VI_HEADINGS: [&str; 10] = [
    "Báo cáo tình hình thực hiện Chương trình OCOP",
    "Sản phẩm theo hạng sao",
    "Chỉ tiêu và kết quả",
    "Hồ sơ theo trạng thái hiện tại",
    "Theo nhóm sản phẩm",
    "Theo huyện/xã",
    "Giấy chứng nhận sắp hết hạn (trong 180 ngày)",
    "Hồ sơ quá hạn",
    "Giấy chứng nhận bị thu hồi",
    "Kỳ báo cáo",
];

const EN_HEADINGS: [&str; 10] = [
    "OCOP programme implementation report",
    "Products by star rank",
    "Targets and results",
    "Cases by current state",
    "By product group",
    "By district and commune",
    "Certificates expiring within 180 days",
    "Overdue cases",
    "Revoked certificates",
    "Report periods",
];

#[test]
fn one_language_at_a_time() {
    for (report_name, report) in [("sample", sample()), ("empty", empty())] {
        for (lang, ours, theirs) in [
            (Lang::Vi, VI_HEADINGS, EN_HEADINGS),
            (Lang::En, EN_HEADINGS, VI_HEADINGS),
        ] {
            for text in [render_markdown(&report, lang), render_html(&report, lang)] {
                for h in ours {
                    assert!(text.contains(h), "{report_name}.{lang}: missing {h:?}");
                }
                for h in theirs {
                    assert!(!text.contains(h), "{report_name}.{lang}: contains {h:?}");
                }
            }
        }
    }
    // Sections come in the prescribed order, numbered.
    let md = render_markdown(&sample(), Lang::Vi);
    let positions: Vec<usize> = VI_HEADINGS[1..]
        .iter()
        .enumerate()
        .map(|(i, h)| {
            md.find(&format!("## {}. {h}", i + 1))
                .unwrap_or_else(|| panic!("{h}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // English text has no Vietnamese letters beyond the proper names of the data.
    let en = render_markdown(&empty(), Lang::En).replace("Cần Thơ", "");
    assert!(
        !en.chars()
            .any(|c| "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ".contains(c)),
        "{en}"
    );
}

#[test]
fn empty_sections_say_so() {
    let md = render_markdown(&empty(), Lang::Vi);
    // All nine sections are there, each saying it has nothing.
    for (i, h) in VI_HEADINGS[1..].iter().enumerate() {
        assert!(
            md.contains(&format!("## {}. {h}\n\nKhông có.\n", i + 1)),
            "{h}:\n{md}"
        );
    }
    let en = render_markdown(&empty(), Lang::En);
    for (i, h) in EN_HEADINGS[1..].iter().enumerate() {
        assert!(
            en.contains(&format!("## {}. {h}\n\nNone.\n", i + 1)),
            "{h}:\n{en}"
        );
    }
    assert!(md.contains("- **Chu trình áp dụng:** Không có\n"));
    assert!(md.contains("- **Tổng số hồ sơ:** 0\n"));
    let html = render_html(&empty(), Lang::Vi);
    assert_eq!(html.matches("<p class=\"none\">Không có.</p>").count(), 9);
    assert_eq!(html.matches(">Không có dữ liệu</text>").count(), 3);
    let html = render_html(&empty(), Lang::En);
    assert_eq!(html.matches("<p class=\"none\">None.</p>").count(), 9);
    assert_eq!(html.matches(">No data</text>").count(), 3);
}

#[test]
fn zero_data_is_drawn_as_zero() {
    let html = render_html(&zeros(), Lang::Vi);
    // Rows exist but every value is zero: the charts are drawn, say so, and no bar has a
    // negative or non-finite size.
    assert_eq!(html.matches(">Tất cả đều bằng 0</text>").count(), 3);
    assert!(!html.contains("NaN") && !html.contains("inf") && !html.contains("height=\"-"));
    assert!(!html.contains("width=\"-"));
    let md = render_markdown(&zeros(), Lang::Vi);
    // No target: no percentage.
    assert!(md.contains("| 3★   |"));
    assert!(md.contains(" — |"));
}

#[test]
fn long_labels_are_wrapped_or_cut_with_the_full_text_in_a_tooltip() {
    let r = hostile();
    let html = render_html(&r, Lang::Vi);
    let long = r.by_state[0].label.vi.clone();
    assert!(
        html.contains(&format!("<title>{long}</title>")),
        "the full label is the tooltip"
    );
    let chart = &html[html.find("id=\"chart-pipeline\"").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(
        chart.contains("…</text>"),
        "the long label is cut with an ellipsis"
    );
    // The longest product group name (VI) wraps over several lines in the groups chart.
    let html = render_html(&sample(), Lang::Vi);
    let groups = &html[html.find("id=\"chart-groups\"").unwrap()..];
    let groups = &groups[..groups.find("</svg>").unwrap()];
    let tourism = "VI. Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch";
    assert!(groups.contains(&format!("<title>{tourism}</title>")));
    assert!(groups.contains(">VI. Dịch vụ du lịch</text>"), "{groups}");
}

#[test]
fn rendering_is_deterministic() {
    let r = sample();
    for lang in [Lang::Vi, Lang::En] {
        assert_eq!(render_markdown(&r, lang), render_markdown(&r.clone(), lang));
        assert_eq!(render_html(&r, lang), render_html(&r.clone(), lang));
    }
}

#[test]
fn sample_figures_add_up() {
    // The sample is consistent, so the totals the renderer prints are the report's own.
    let r = sample();
    let states: u32 = r.by_state.iter().map(|c| c.count).sum();
    let groups: u32 = r.by_group.iter().map(|g| g.cases).sum();
    let areas: u32 = r.by_area.iter().map(|a| a.cases).sum();
    assert_eq!((states, groups, areas), (150, 150, 150));
    let certified: u32 = r.stars.iter().map(|s| s.certified).sum();
    let by_group: u32 = r.by_group.iter().flat_map(|g| g.certified).sum();
    let by_area: u32 = r.by_area.iter().map(|a| a.certified).sum();
    assert_eq!((certified, by_group, by_area), (84, 84, 84));
    let md = render_markdown(&r, Lang::Vi);
    assert!(md.contains("| **Tổng cộng** |"));
    assert!(md.contains("**150**"));
    assert!(md.contains("**84**"));
    assert!(md.contains("70,0%") && md.contains("80,0%") && md.contains("50,0%"));
    let en = render_markdown(&r, Lang::En);
    assert!(en.contains("70.0%") && en.contains("71.9%"));
    assert!(md.contains("Sắp tới (còn 5 ngày)"));
    assert!(en.contains("Upcoming (in 5 days)"));
}
