//! The coverage table: every rule of the legal audit (`../shared/audits/legal-2026-12.md`,
//! rows #1-#69, P1-P12, the 2026 calendar C1-C8 and the mechanics D1-D12) and the issue's
//! own items, with the tests that drive it, or why it is not modelled. `docs/legal-coverage.md`
//! is generated from it (`OCOP_BLESS=1 cargo test -p ocop-tests --test legal` rewrites it).

use std::collections::BTreeSet;

/// Where a rule stands.
#[derive(Clone, Copy)]
enum Status {
    /// Encoded, and the named tests drive it.
    Tested,
    /// Encoded per the audit, but no scenario test drives it yet.
    #[expect(
        dead_code,
        reason = "every encoded row has its scenario test today; a rule encoded before its test is listed with this"
    )]
    Untested(&'static str),
    /// Wrong or missing per the audit and not fixed in this change, with why.
    Open(&'static str),
    /// Deliberately outside the model, with why.
    NotModelled(&'static str),
}

struct Row {
    id: &'static str,
    article: &'static str,
    rule: &'static str,
    tests: &'static [&'static str],
    status: Status,
}

macro_rules! row {
    ($id:literal, $art:literal, $rule:literal, [$($t:literal),*], $status:expr) => {
        Row { id: $id, article: $art, rule: $rule, tests: &[$($t),*], status: $status }
    };
}

use Status::{NotModelled, Open, Tested, Untested};

#[rustfmt::skip]
const ROWS: &[Row] = &[
    row!("#1", "4.1", "Two tiers, province and central; the commune pre-assesses", ["tests/legal/art_4_to_8.rs::art_4_1_two_tiers_and_the_commune_pre_assesses"], Tested),
    row!("#2", "4.1a, 7.3e", "The provincial chair certifies 3★ and 4★", ["tests/legal/art_4_to_8.rs::art_7_3e_province_certifies_three_and_four_stars_only"], Tested),
    row!("#3", "4.1a", "1★/2★: no recognition, no certificate", ["tests/legal/art_4_to_8.rs::art_7_3e_province_certifies_three_and_four_stars_only"], Tested),
    row!("#4", "4.1b, 7.4e", "The Ministry certifies 5★", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#5", "4.2", "Public, objective evaluation (approximated by separation of duties)", ["crates/ocop-testkit/tests/testkit.rs::the_shipped_definitions_are_sound"], Tested),
    row!("#6", "4.3", "Certificate valid 36 months from issue, not rolled", ["tests/legal/art_4_to_8.rs::art_4_3_certificate_valid_36_months"], Tested),
    row!("#7", "5.1", "Province round 1: proposals before 30/4, decided before 30/6 (strict: last days 29/4, 29/6)", ["crates/ocop-engine/src/engine/deadlines.rs::rounds_follow_the_cut_offs_of_article_5", "tests/legal/art_4_to_8.rs::art_5_1_proposal_before_30_april_is_round_1", "tests/legal/art_4_to_8.rs::art_5_1_round_decision_due_the_day_before_30_june"], Tested),
    row!("#8", "5.1", "Province round 2: before 30/10, decided before 30/12 (strict)", ["crates/ocop-engine/src/engine/deadlines.rs::rounds_follow_the_cut_offs_of_article_5", "tests/legal/art_4_to_8.rs::art_5_1_proposal_on_30_april_goes_to_round_2"], Tested),
    row!("#9", "5.1", "At least two provincial rounds; more by the council's regulation", ["tests/legal/art_4_to_8.rs::art_5_1_at_least_two_provincial_rounds"], Tested),
    row!("#10", "5.2", "Central round 1: before 30/7, decided before 30/9 (strict)", ["crates/ocop-engine/src/engine/deadlines.rs::rounds_follow_the_cut_offs_of_article_5", "tests/legal/art_4_to_8.rs::art_5_2_central_cut_offs_are_strict"], Tested),
    row!("#11", "5.2", "Central round 2: before 30/1, decided before 30/3 (strict)", ["crates/ocop-engine/src/engine/deadlines.rs::rounds_follow_the_cut_offs_of_article_5", "tests/legal/art_4_to_8.rs::art_5_2_central_cut_offs_are_strict"], Tested),
    row!("#12", "5", "\"trước ngày\": strictly before the cut-off (decided: strict; the reason is written on the rounds of national-2026)", ["tests/legal/art_4_to_8.rs::art_5_1_proposal_before_30_april_is_round_1", "tests/legal/art_4_to_8.rs::art_5_1_proposal_on_30_april_goes_to_round_2", "tests/legal/art_4_to_8.rs::art_5_1_round_decision_due_the_day_before_30_june", "tests/legal/art_4_to_8.rs::art_5_2_central_cut_offs_are_strict", "tests/legal/plan.rs::plan_p8_report_periods_are_strict"], Tested),
    row!("#13", "5", "The round deadline covers the whole procedure up to the decision", [], Open("the provincial and central councils carry the round date (and the advisory review), the office checks and the chairs' decisions do not: a state has one deadline, and `province_decision` also receives the case back from the centre (7.4g sets no time), so the round deadline there needs that return split off first (as re-evaluations were for #44), which also moves the migration maps; not done in this change")),
    row!("#14", "6.1a", "First evaluation: forms 01 and 02", ["tests/legal/art_4_to_8.rs::art_6_1a_first_evaluation_needs_forms_01_and_02"], Tested),
    row!("#15", "6.1b", "Upgrade: forms 01 and 02 showing the changes, with evidence", [], Open("needs the day each document was filed (the case keeps presence and validity only), so a guard cannot ask for forms filed for this request; an engine and event-format feature, outside this change's rule of minimal engine changes")),
    row!("#16", "6.1c", "Re-evaluation: updated forms and valid time-limited papers", [], Open("same missing feature as #15 (documents filed since the certificate, time-limited papers valid on the day)")),
    row!("#17", "6.2", "The commune's file: letter, form 03, dossier, 5 samples (none for tourism)", [], Open("expressible as `has_document` guards on `commune_propose`, but without #15's filing dates a letter or form 03 of an earlier request would satisfy it, and every proposing actor (server fixtures, demo, tests) would have to file them; to land with #15")),
    row!("#18", "6.3a", "The province's 5★ file", [], Open("as #17, for the province's letter, reports and samples before `province_approve_five_star`")),
    row!("#19", "6.3b", "5★ re-evaluation file: the provincial office's report, not the council's", ["tests/legal/art_4_to_8.rs::art_7_6e_five_star_reevaluation_goes_to_ministry"], Tested),
    row!("#20", "7.1", "The producer files at the commune", ["tests/legal/art_4_to_8.rs::art_7_2_commune_fifteen_working_days"], Tested),
    row!("#21", "7.2", "The commune acts within 15 working days", ["tests/legal/art_4_to_8.rs::art_7_2_commune_fifteen_working_days"], Tested),
    row!("#22", "7.2a", "The commune assesses raw material, labour, idea, identity", [], NotModelled("free-text content of form 03 with no pass/fail criterion or consequence; the council scores the same subjects in part A")),
    row!("#23", "7.2b", "The commune proposes; the round follows its proposal date", ["crates/ocop-engine/src/engine/deadlines.rs::rounds_follow_the_cut_offs_of_article_5"], Tested),
    row!("#24", "7.2", "No power for the commune to refuse to propose", ["tests/legal/art_4_to_8.rs::art_7_2_commune_cannot_refuse_to_propose"], Tested),
    row!("#25", "7.3a", "The provincial office checks and may ask for completion", ["tests/legal/art_4_to_8.rs::art_7_3a_province_office_asks_for_completion"], Tested),
    row!("#26", "7.3b", "The provincial chair establishes the council; its composition", [], Open("the engine does not check who constitutes a council against the provincial chair (a `constituted_by` check is an engine feature), and council members carry no department, so the composition of 7.3b cannot be checked")),
    row!("#27", "7.3c", "The advisory group reviews and reports", ["tests/legal/art_4_to_8.rs::art_7_3c_advisory_group_reports_before_the_council"], Tested),
    row!("#28", "7.3d", "The provincial council meets, reports, proposes", ["tests/legal/art_4_to_8.rs::art_7_3e_province_certifies_three_and_four_stars_only"], Tested),
    row!("#29", "7.3đ, 7.3e", "The chair certifies 3★/4★ and the result is announced", ["tests/legal/art_4_to_8.rs::art_4_3_certificate_valid_36_months"], Tested),
    row!("#30", "7.3e", "90 or more: the chair approves and proposes to the Ministry", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#31", "7.3g", "The office notifies the commune and the producer of every result", ["tests/legal/art_4_to_8.rs::art_4_1a_failed_re_evaluation_after_expiry_ends_without_certificate"], Tested),
    row!("#32", "7.4a", "The Ministry's office receives and checks", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#33", "7.4b-c", "The central advisory group", [], Open("no central advisory-group state between the Ministry's check and the central council; adding it changes the 5★ paths of first evaluation and re-evaluation and the amended-2025 migration map; the Ministry's office check stands in for it")),
    row!("#34", "7.4d", "The central council meets and proposes", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#35", "7.4đ-e", "The Minister certifies 5★", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#36", "7.4g", "Below 90: back to the province (3-4★ or re-evaluation)", ["crates/ocop-engine/tests/all/national.rs::a_central_result_below_ninety_returns_to_the_province"], Tested),
    row!("#37", "7.5", "Upgrade follows 7.1-7.4", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#38", "7.6a", "Re-evaluation filed 180 to 120 days before expiry", ["tests/legal/art_11_12.rs::art_12_3_late_window_opens_after_the_7_6a_window"], Tested),
    row!("#39", "7.6b", "Re-evaluation: the commune's step", ["tests/legal/art_4_to_8.rs::art_4_1a_failed_re_evaluation_before_expiry_keeps_certificate_to_expiry"], Tested),
    row!("#40", "7.6c", "The office checks; may ask for completion", ["tests/legal/art_4_to_8.rs::art_7_6c_office_asks_for_completion_of_a_re_evaluation"], Tested),
    row!("#41", "7.6d", "The council decides by written opinions, meets when they diverge", ["tests/legal/art_4_to_8.rs::art_7_6d_written_opinions_meet_only_when_they_diverge"], Tested),
    row!("#42", "7.6đ", "Decision and announcement as 7.3đ-g", ["tests/legal/art_4_to_8.rs::art_4_1a_failed_re_evaluation_before_expiry_keeps_certificate_to_expiry"], Tested),
    row!("#43", "7.6e", "5★ re-evaluation: the Ministry checks, the central council decides by written opinions, the Minister re-certifies; below 90 as 7.4đ-g", ["tests/legal/art_4_to_8.rs::art_7_6e_five_star_reevaluation_goes_to_ministry", "tests/legal/art_4_to_8.rs::art_7_6e_below_90_goes_back_to_the_province"], Tested),
    row!("#44", "7.6g", "Provincial re-evaluation within 45 days, up to the chair's decision", ["tests/legal/art_4_to_8.rs::art_7_6g_provincial_re_evaluation_decided_within_45_days"], Tested),
    row!("#45", "7.6g", "Central re-evaluation within 45 days of the province's complete proposal", ["tests/legal/art_4_to_8.rs::art_7_6g_central_45_days_from_the_provinces_complete_proposal"], Tested),
    row!("#46", "4.1a, 7.6", "A re-evaluation below 3★ ends without a certificate (no dead end)", ["tests/legal/art_4_to_8.rs::art_4_1a_failed_re_evaluation_after_expiry_ends_without_certificate", "tests/legal/art_4_to_8.rs::art_4_1a_failed_re_evaluation_before_expiry_keeps_certificate_to_expiry", "tests/legal/plan.rs::soundness_decision_exits_hold_on_shipped_definitions_and_catch_a46"], Tested),
    row!("#47", "8.1", "Six grounds of revocation", ["tests/legal/art_4_to_8.rs::art_8_1_six_grounds"], Tested),
    row!("#48", "8.2a", "The provincial chair revokes 3-4★", ["crates/ocop-engine/tests/all/can_tho.rs::district_certificate_renewal_city_upgrade_revocation"], Tested),
    row!("#49", "8.2b", "The Minister revokes 5★", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#50", "8.2, 8.3b", "Only the competent authority decides, also not to revoke", ["tests/legal/art_4_to_8.rs::art_8_2_only_the_competent_authority_decides_not_to_revoke"], Tested),
    row!("#51", "8.3a", "The office verifies and opens the proceedings", ["tests/legal/art_4_to_8.rs::art_8_2_only_the_competent_authority_decides_not_to_revoke"], Tested),
    row!("#52", "8.3c", "The decision goes to the producer and the agencies", [], NotModelled("8.3c names no agency: the cycle notifies its own roles (the producer, the commune); an integrator forwards the `notified` events to the agencies concerned")),
    row!("#53", "8.4", "Revocation within 15 days of the conclusion, rolled off a day off", ["tests/legal/art_4_to_8.rs::art_8_4_revocation_limit_rolls_past_the_weekend"], Tested),
    row!("#54", "8.1", "A certificate can be revoked whatever the case is doing", [], Open("revocation opens from `monitoring` only: a case holds one state, so revoking while a request is pending needs a parallel proceeding (see A54b); from a pending request it would drop the request")),
    row!("#55", "9.2a", "Periodic and ad-hoc inspections", ["crates/ocop-engine/tests/all/national.rs::registration_certificate_re_evaluation_upgrade_revocation"], Tested),
    row!("#56", "9.3", "Inspection of criteria kept and of the mark's use, apart", [], Open("one outcome per inspection event; recording the criteria kept and the mark's use apart is an event-format change (an outcome per subject)")),
    row!("#57", "9.4a", "The provincial office inspects", ["tests/legal/art_4_to_8.rs::art_9_4a_provincial_office_inspects"], Tested),
    row!("#58", "9.4b", "The Ministry inspects 5★, and 3-4★ when necessary", ["tests/legal/art_4_to_8.rs::art_9_4b_ministry_inspects_five_stars"], Tested),
    row!("#59", "10.1b", "The Ministry has the province redo an evaluation", [], Open("no transition for the Ministry to have the province redo an evaluation (it would reopen a decided case from `monitoring`, and which certificate stands meanwhile is not settled by the text); today the Ministry opens a revocation on ground `other_authority`")),
    row!("#60", "10.4a", "The commune guides producers to complete the dossier", ["tests/legal/art_4_to_8.rs::art_10_4a_commune_returns_for_completion"], Tested),
    row!("#61", "11.1", "In force from 22 May 2026", ["tests/legal/art_11_12.rs::art_11_1_no_case_before_22_may_2026"], Tested),
    row!("#62", "11.2", "148 and 1489 lapse after 21 July 2026; no new dossier under them from 22 May 2026", ["tests/legal/art_11_12.rs::art_11_2_no_new_dossier_under_old_rules_from_22_may_2026", "crates/ocop-cli/tests/cli.rs::validate_warns_when_two_definitions_overlap_without_a_transition"], Tested),
    row!("#63", "12.1", "Certificates issued before stay valid to their expiry", ["tests/legal/art_11_12.rs::art_12_1_certificates_valid_to_expiry"], Tested),
    row!("#64", "12.2", "Filed, undecided dossiers continue under the old rules", ["tests/legal/art_11_12.rs::art_12_2_filed_dossier_continues_under_the_old_rules"], Tested),
    row!("#65", "12.2a", "First evaluation or upgrade: 60 days, to 21 July 2026", ["tests/legal/art_11_12.rs::art_12_2a_sixty_day_cap_is_21_july_2026"], Tested),
    row!("#66", "12.2b", "Re-evaluation: 30 days (Sunday 21 June rolls to Monday 22 June 2026)", ["tests/legal/art_11_12.rs::art_12_2b_thirty_day_cap_rolls_to_monday_22_june"], Tested),
    row!("#67", "12.2", "Only filed dossiers are capped; no case is told to file anew", ["tests/legal/art_11_12.rs::art_12_2_unfiled_dossier_is_not_capped", "tests/legal/art_11_12.rs::art_12_2_case_at_the_old_council_is_not_told_to_file_anew"], Tested),
    row!("#68", "12.3", "The extension lasts until the result; it ends on withdrawal and refusal", ["tests/legal/art_11_12.rs::art_12_3_withdrawal_after_late_filing_extends_nothing", "tests/legal/art_11_12.rs::art_12_3_extension_ends_at_a_negative_result", "tests/legal/art_11_12.rs::art_12_3_late_filing_extends_until_the_result"], Tested),
    row!("#69", "12.3", "Only a late re-evaluation, also after expiry, at most 180 days", ["tests/legal/art_11_12.rs::art_12_3_late_window_opens_after_the_7_6a_window", "tests/legal/art_11_12.rs::art_12_3_filing_after_expiry_revives_until_the_result", "tests/legal/art_11_12.rs::art_12_3_cap_is_180_days_after_expiry", "tests/legal/art_11_12.rs::art_12_3_lapsed_case_closes_180_days_after_expiry"], Tested),
    row!("P1", "148; plan 163-164", "The district council evaluates, the district chair certifies 3★ (unconfirmed vs 148)", ["tests/legal/plan.rs::plan_p1_district_certifies_three_stars"], Tested),
    row!("P2", "148", "The city council evaluates, the city chair certifies 4★ (unconfirmed vs 148)", ["crates/ocop-engine/tests/all/can_tho.rs::district_certificate_renewal_city_upgrade_revocation"], Tested),
    row!("P3", "148", "90 or more at the city goes to the centre; below 5★ back to the city", ["tests/legal/plan.rs::plan_p3_ninety_or_more_goes_to_the_centre"], Tested),
    row!("P4", "148", "The district proposes 70 or more to the city", ["tests/legal/plan.rs::plan_p4_district_proposes_seventy_or_more_to_the_city", "tests/legal/plan.rs::plan_p7_missing_traceability_is_a_warning"], Tested),
    row!("P5", "148", "A 3★ city result goes back to the district to certify", ["tests/legal/plan.rs::plan_p5_city_three_star_result_returns_to_the_district"], Tested),
    row!("P6", "plan I.2.a", "Targets 20 / 10 / 2 new, counted by rank", ["tests/all/demo.rs::the_report_for_a_fixed_seed_is_stable", "tests/all/demo.rs::demo_2024_cohort_lands_within_the_plans_targets"], Tested),
    row!("P7", "plan 173-177, 350-352, 372-376", "QR traceability promoted, not required: a warning by default; blocking needs a way out", ["tests/legal/plan.rs::plan_p7_missing_traceability_is_a_warning", "tests/legal/plan.rs::plan_p7_blocking_needs_a_way_out"], Tested),
    row!("P8", "plan IV.4", "Reports before 10/3, 10/6, 10/12 (strict, as #12: due the 9th)", ["tests/legal/plan.rs::plan_p8_report_periods_are_strict"], Tested),
    row!("P9", "plan 61-63, 214-223", "Rewards and support by star level", [], NotModelled("a budget act outside the cycle, amounts to be issued later; the report's counts by rank serve it")),
    row!("P10", "plan 170-172", "Monitoring after certification", ["crates/ocop-engine/tests/all/can_tho.rs::a_district_certificate_expires_by_tick"], Tested),
    row!("P11", "148", "Certificate 36 months", ["tests/legal/plan.rs::plan_p1_district_certifies_three_stars"], Tested),
    row!("P12", "1489; 26/2026 Art. 11.2", "The district tier ends 1 July 2025; the 148 cycle closes to new cases", ["tests/legal/art_11_12.rs::plan_p12_district_tier_ends_30_june_2025", "tests/legal/interim_2025.rs::t2025_migration_moves_district_cases_to_commune_and_province"], Tested),
    row!("C1", "BLLĐ 2019 Art. 112", "2024 announced schedule", ["crates/ocop-engine/src/calendar.rs::weekends_holidays_and_make_up_days"], Tested),
    row!("C2", "BLLĐ 2019 Art. 112", "2025 announced schedule", ["tests/legal/calendar.rs::cal_2025_announced_schedule"], Tested),
    row!("C3", "VPCP 12729/VPCP-KGVX", "2026: 2 Jan off, Saturday 10 Jan worked", ["tests/legal/calendar.rs::cal_2026_new_year_swap"], Tested),
    row!("C4", "Bộ Nội vụ 2026", "2026: Tết 16-20 Feb", ["crates/ocop-engine/src/calendar.rs::fifteen_working_days_across_tet_2026"], Tested),
    row!("C5", "BLLĐ 2019", "2026: Hùng Kings compensated Monday 27 Apr; 30 Apr, 1 May", ["tests/legal/calendar.rs::cal_2026_hung_kings_compensated_and_30_april"], Tested),
    row!("C6", "Bộ Nội vụ 2026", "2026: 31 Aug and 1 Sep off, Saturday 22 Aug worked", ["tests/legal/calendar.rs::cal_2026_national_day_swap"], Tested),
    row!("C7", "—", "2026 is announced and every entry cites its notice", ["tests/legal/calendar.rs::cal_2026_is_announced_and_every_entry_cites_its_source"], Tested),
    row!("C8", "NQ 80-NQ/TW; 30/NQ-CP", "24 Nov 2026 \"Ngày Văn hóa Việt Nam\" as a day off", [], NotModelled("not law in the sources seen (Labour Code amendment pending); a watch item in the calendar's note")),
    row!("D1", "BLDS 147", "Day 1 of a period is the day after the anchor", ["tests/legal/calendar.rs::blds_147_first_day_not_counted"], Tested),
    row!("D2", "BLLĐ 2019", "Weekends are not working days", ["crates/ocop-engine/src/calendar.rs::weekends_holidays_and_make_up_days"], Tested),
    row!("D3", "BLLĐ 2019", "Holidays and swapped days excluded, make-up Saturdays counted", ["crates/ocop-engine/src/calendar.rs::weekends_holidays_and_make_up_days", "tests/legal/calendar.rs::cal_2026_new_year_swap"], Tested),
    row!("D4", "BLDS 148(5)", "A working-day count ends on a working day", ["tests/legal/calendar.rs::cal_2026_new_year_swap"], Tested),
    row!("D5", "BLDS 148(5)", "Calendar-day periods ending on a day off end on the next working day", ["tests/legal/calendar.rs::blds_148_5_calendar_day_periods_roll_forward", "tests/legal/art_4_to_8.rs::art_8_4_revocation_limit_rolls_past_the_weekend", "tests/legal/art_11_12.rs::art_12_2b_thirty_day_cap_rolls_to_monday_22_june"], Tested),
    row!("D6", "BLDS 148", "The last day is in time; overdue from the next day", ["tests/legal/art_4_to_8.rs::art_8_4_revocation_limit_rolls_past_the_weekend"], Tested),
    row!("D7", "3.3", "Bands on the mean, half-open: 90 / 70 / 50 / 30", ["crates/ocop-core/src/domain.rs::bands_are_half_open"], Tested),
    row!("D8", "3.3", "No rounding unless a local rule sets it", ["crates/ocop-engine/src/council.rs::mean_total_band_and_median_cap"], Tested),
    row!("D9", "Annex II", "Star minimums cap the rank (lower median of members: a design choice)", ["crates/ocop-engine/src/council.rs::mean_total_band_and_median_cap"], Tested),
    row!("D10", "Annex II", "Any member's knock-out removes all stars (a design choice)", ["crates/ocop-engine/src/council.rs::median_rounding_and_knock_outs"], Tested),
    row!("D11", "7.3e, 7.4e", "The 90-point gates at province and centre", ["tests/legal/art_4_to_8.rs::art_7_6e_below_90_goes_back_to_the_province"], Tested),
    row!("D12", "4.1", "The issued rank is capped by the issuing level", ["tests/legal/plan.rs::plan_p1_district_certifies_three_stars"], Tested),
    row!("I2", "issue item 2", "Every decision state resolves every council result (semantic check; traps #46 and P7)", ["crates/ocop-testkit/tests/testkit.rs::decision_exits_pass_on_every_shipped_definition", "crates/ocop-testkit/tests/testkit.rs::decision_exits_flags_the_stuck_re_evaluation_of_audit_46", "crates/ocop-testkit/tests/testkit.rs::decision_exits_flags_the_traceability_trap_of_audit_p7"], Tested),
    row!("I6", "issue item 6", "The 2025 interim cycle (amended-2025, reconstructed) and its migration of 1 July 2025, with a dry run", ["tests/legal/interim_2025.rs::t2025_amended_cycle_is_sound", "tests/legal/interim_2025.rs::t2025_migration_moves_district_cases_to_commune_and_province", "tests/legal/interim_2025.rs::t2026_amended_cases_continue_or_move_on_22_may_2026"], Tested),
    row!("I7", "issue item 7", "The demo as a faithful history (1 July 2025, 22 May 2026, 148 existing products, communes after the reform, calibration)", ["tests/all/demo.rs::demo_2024_cohort_lands_within_the_plans_targets", "tests/all/demo.rs::demo_history_has_the_existing_products_and_communes_after_1_july_2025", "tests/legal/plan.rs::plan_report_groups_by_commune_after_1_july_2025"], Tested),
    row!("O1", "7.5 (audit observation)", "An upgrade that does not raise the rank keeps the certificate", [], Open("needs a guard comparing the council's rank with the current certificate's (a new engine guard kind); with today's guards `province_certify` cannot refuse a non-raising upgrade without splitting it per registration type")),
];

/// The audit's row ids that must each have a row.
fn audit_ids() -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = (1..=69).map(|n| format!("#{n}")).collect();
    ids.extend((1..=12).map(|n| format!("P{n}")));
    ids.extend((1..=8).map(|n| format!("C{n}")));
    ids.extend((1..=12).map(|n| format!("D{n}")));
    ids
}

fn status_text(s: Status) -> String {
    match s {
        Tested => "✔".into(),
        Untested(why) => format!("✔ (audit), no scenario test yet: {why}"),
        Open(why) => format!("open: {why}"),
        NotModelled(why) => format!("not modelled: {why}"),
    }
}

fn render() -> String {
    let count = |f: fn(Status) -> bool| ROWS.iter().filter(|r| f(r.status)).count();
    let tested = count(|s| matches!(s, Tested));
    let untested = count(|s| matches!(s, Untested(_)));
    let open = count(|s| matches!(s, Open(_)));
    let not_modelled = count(|s| matches!(s, NotModelled(_)));
    let mut out = String::from(
        "# Legal coverage\n\n\
         Generated by `tests/legal/coverage.rs` (`OCOP_BLESS=1 cargo test -p ocop-tests --test legal` \
         rewrites it; the test fails when it is stale, when a rule of the audit has no row, or when a \
         row names a test that does not exist). Rules: Decision 26/2026/QĐ-TTg Art. 4-12, the seed plan \
         (Kế hoạch 109/KH-UBND, Decision 148/2023), the 2026 calendar and the day-counting mechanics, \
         numbered as in the legal audit (`shared/audits/legal-2026-12.md`); `I`/`O` rows are the \
         issue's own items and the audit's observation.\n\n",
    );
    out.push_str(&format!(
        "**{} rules:** ✔ {tested} tested · ✔ {untested} encoded without a scenario test · {open} open · {not_modelled} not modelled.\n\n",
        ROWS.len()
    ));
    out.push_str("| # | Article | Rule | Test | Status |\n|---|---|---|---|---|\n");
    for r in ROWS {
        let tests: Vec<String> = r
            .tests
            .iter()
            .map(|t| match t.split_once("::") {
                Some((file, name)) => format!("`{name}` ({file})"),
                None => format!("`{t}`"),
            })
            .collect();
        let tests = if tests.is_empty() {
            "—".to_owned()
        } else {
            tests.join("<br>")
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.id,
            r.article,
            r.rule.replace('|', "\\|"),
            tests,
            status_text(r.status).replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn every_audited_rule_has_a_row() {
    let have: BTreeSet<String> = ROWS.iter().map(|r| r.id.to_owned()).collect();
    let missing: Vec<String> = audit_ids().difference(&have).cloned().collect();
    assert!(
        missing.is_empty(),
        "rules without a coverage row: {missing:?}"
    );
    assert_eq!(have.len(), ROWS.len(), "a row id is given twice");
}

#[test]
fn every_row_names_tests_that_exist() {
    for r in ROWS {
        match r.status {
            Tested => assert!(
                !r.tests.is_empty(),
                "{}: a tested row names its tests",
                r.id
            ),
            Untested(_) | NotModelled(_) => {
                assert!(
                    r.tests.is_empty(),
                    "{}: names tests but is not tested",
                    r.id
                );
            }
            Open(_) => {}
        }
        for t in r.tests {
            let (file, name) = t.split_once("::").unwrap();
            let text = std::fs::read_to_string(ocop_tests::root().join(file))
                .unwrap_or_else(|e| panic!("{}: cannot read {file}: {e}", r.id));
            assert!(
                text.contains(&format!("fn {name}(")),
                "{}: no test `{name}` in {file}",
                r.id
            );
        }
    }
}

#[test]
fn docs_legal_coverage_is_generated_from_the_table() {
    if let Err(e) = ocop_tests::check_golden("docs/legal-coverage.md", &render()) {
        panic!("{e}");
    }
}
