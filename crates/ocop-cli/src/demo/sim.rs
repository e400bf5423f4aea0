//! The demo's simulation: a province's OCOP year (and the next two), driven case by case
//! with the right actors through the cycle, on a manual clock.
//!
//! Why one file of 1,100 lines: it is one simulation, whose steps (filing, review,
//! councils, decisions, monitoring, renewals of the 148 existing products) share the
//! simulator's state and its calibration (#11's cohort); the reference data it draws on is
//! in `data.rs`. It is the demo's, not a library's: nothing outside the CLI uses it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ocop_core::cycle::{Effect, Evaluation};
use ocop_core::{
    Cycle, Date, ProductSet, Stars,
    domain::{
        AnswerSheet, Certificate, CertificateStatus, DossierDocument, Level, Producer,
        RegistrationType, RevocationGround,
    },
    ids::StateId,
    plugin::{CriteriaSheet, Scorer},
};
use ocop_engine::{
    Action, Actor, Case, CaseId, Command, CouncilMember, Engine, InspectionOutcome, ManualClock,
    Migration, OpenCase, Product, Store, Timestamp, TransitionInput,
};

use super::data::{self, DISTRICTS, Rng};

/// One simulated product and what will happen to it.
pub(crate) struct Plan {
    pub(crate) case: CaseId,
    producer_id: String,
    district: Option<usize>,
    commune: String,
    set: ProductSet,
    /// The rank the producer prepared the product for (2 to 5): its answers meet that
    /// rank's minimum marks, and its quality lies in that rank's band.
    tier: u8,
    /// Latent quality in [0, 1]: where its answers fall on each criterion.
    quality: f64,
    /// Per-criterion offsets, so products differ criterion by criterion.
    profile: u64,
    forged: bool,
    incomplete: bool,
    traceable: bool,
    /// A fact the dossier fails (a knock-out), if any.
    knockout: Option<String>,
    revoke_on: Option<Date>,
    upgrade_after: Option<Date>,
    /// What the case asks for when it opens: a first evaluation, or, for one of the plan's
    /// existing certified products, its renewal or an upgrade.
    registration: RegistrationType,
    /// The certificate an existing product already holds (issued before the engine).
    certificate: Option<Certificate>,
    inspected: u32,
    rescored: u32,
    attempts: u32,
    done: bool,
}

/// What the simulation did, for the summary.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) commands: u64,
    /// The engine's wall time for each accepted command (scoring by the plugin and the
    /// store's append included; the simulation's own work around it left out).
    pub(crate) command_times: Vec<Duration>,
    pub(crate) refused: u64,
    pub(crate) timeouts: u64,
    pub(crate) opened: u64,
    pub(crate) migrated: usize,
    pub(crate) cannot_migrate: usize,
    pub(crate) continued: usize,
    pub(crate) stuck: Vec<String>,
}

pub(crate) struct Sim<'a> {
    engines: BTreeMap<String, Arc<Engine>>,
    store: &'a dyn Store,
    clock: ManualClock,
    rng: Rng,
    scorer: Arc<dyn Scorer>,
    catalogs: HashMap<u8, Arc<CriteriaSheet>>,
    pub(crate) plans: Vec<Plan>,
    queue: BinaryHeap<Reverse<(Date, u64, usize)>>,
    seq: u64,
    pub(crate) stats: Stats,
    /// The transitions between the cycles, in order of their effective day.
    migrations: Vec<Migration>,
    /// The effective days whose first run has been made.
    migrated: Vec<Date>,
}

/// The cycle a new dossier follows on `day`: Cần Thơ's 2024 plan (Decision 148, district
/// tier) until 30 June 2025, 148 as amended by 1489 from 1 July 2025 (no district), and
/// Decision 26/2026 from 22 May 2026.
fn definition_on(day: Date) -> &'static str {
    if day < date(2025, 7, 1) {
        "can-tho-2024"
    } else if day < date(2026, 5, 22) {
        "amended-2025"
    } else {
        "national-2026"
    }
}

/// Whether `def` has the commune and provincial stages of national-2026 (every cycle but the
/// district-tier one).
fn commune_tier(def: &str) -> bool {
    def != "can-tho-2024"
}

fn date(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap_or_else(|| unreachable!("a valid calendar date"))
}

fn slug(s: &str) -> String {
    let map = |c: char| match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
        'đ' => 'd',
        c if c.is_ascii_alphanumeric() => c,
        _ => '-',
    };
    s.to_lowercase()
        .chars()
        .map(map)
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The options the demo follows when several transitions could be taken, per state: the
/// first whose guards hold is taken.
fn choices(def: &str, state: &str) -> &'static [(&'static str, &'static str)] {
    match state {
        "registration" if commune_tier(def) => &[("file_dossier", "producer")],
        // can-tho-2024
        "registration" => &[("accept_registration", "district_office")],
        "dossier" => &[("submit_dossier", "producer")],
        "district_decision" => &[
            ("district_propose_to_city", "district_chair"),
            ("district_certify", "district_chair"),
            ("district_not_ranked", "district_chair"),
            ("district_keep_certificate", "district_chair"),
        ],
        "city_review" => &[("city_accept", "city_office")],
        "city_decision" => &[
            ("city_propose_five_star", "city_chair"),
            ("city_certify", "city_chair"),
            ("city_refer_three_star", "city_chair"),
            ("city_not_ranked", "city_chair"),
            ("city_keep_certificate", "city_chair"),
        ],
        "central_review" => &[("central_accept", "ministry_office")],
        // national-2026
        "commune_completion" => &[("commune_resubmit", "producer")],
        "province_office_check" => &[
            ("province_accept", "province_office"),
            ("province_return", "province_office"),
        ],
        "province_completion" => &[("province_resubmit", "producer")],
        "advisory_review" => &[("advisory_report", "advisory_group")],
        "province_decision" | "province_decision_after_central" | "re_evaluation_decision" => &[
            ("province_approve_five_star", "province_chair"),
            ("province_propose_five_star", "province_chair"),
            ("province_certify", "province_chair"),
            ("province_not_ranked", "province_chair"),
            ("province_keep_certificate", "province_chair"),
        ],
        "central_office_check" => &[("central_accept", "ministry_office")],
        "central_advisory_review" => &[("central_advisory_report", "central_advisory_group")],
        "upgrade_commune_review" => &[("upgrade_propose", "commune_officer")],
        "re_evaluation_commune_review" => &[("re_evaluation_propose", "commune_officer")],
        "re_evaluation_check" => &[("re_evaluation_to_council", "province_office")],
        // both
        "central_decision" => &[
            ("central_certify", "minister"),
            ("central_below_five", "minister"),
        ],
        _ => &[],
    }
}

impl<'a> Sim<'a> {
    pub(crate) fn new(
        engines: BTreeMap<String, Engine>,
        store: &'a dyn Store,
        clock: ManualClock,
        seed: u64,
        scorer: Arc<dyn Scorer>,
        migrations: Vec<Migration>,
    ) -> Self {
        Sim {
            engines: engines
                .into_iter()
                .map(|(def, engine)| (def, Arc::new(engine)))
                .collect(),
            store,
            clock,
            rng: Rng::new(seed),
            scorer,
            catalogs: HashMap::new(),
            plans: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            stats: Stats::default(),
            migrations,
            migrated: Vec::new(),
        }
    }

    fn schedule(&mut self, day: Date, plan: usize) {
        self.seq += 1;
        self.queue.push(Reverse((day, self.seq, plan)));
    }

    /// A shuffled list of `n` tiers in the proportions of a plausible provincial year: of 45
    /// dossiers, 2 prepared for 5★, 9 for 4★, 24 for 3★ and 10 that fall short (scaled by
    /// `n / 45`, at least one 5★ candidate from 20 dossiers up). With about 70% of
    /// candidates reaching their rank, 45 dossiers land near the 2024 plan's 20 / 10 / 2.
    fn tiers(&mut self, n: usize) -> Vec<u8> {
        let scale = |k: usize| (k * n + 22) / 45;
        let five = scale(2).max(usize::from(n >= 20));
        let four = scale(9);
        let three = scale(24);
        let mut tiers: Vec<u8> = std::iter::repeat_n(5, five)
            .chain(std::iter::repeat_n(4, four))
            .chain(std::iter::repeat_n(3, three))
            .chain(std::iter::repeat(2))
            .take(n)
            .collect();
        for k in (1..tiers.len()).rev() {
            let j = self.rng.below(k + 1);
            tiers.swap(k, j);
        }
        tiers
    }

    /// A quality in the band of `tier`: weak products score below 50, 3★ candidates 50-67,
    /// 4★ candidates 69-84, 5★ candidates 93 or more (before the members' noise).
    fn quality(&mut self, tier: u8) -> f64 {
        let u = self.rng.unit();
        match tier {
            5 => 0.93 + 0.07 * u,
            4 => 0.69 + 0.15 * u,
            3 => 0.50 + 0.17 * u,
            _ => 0.20 + 0.25 * u,
        }
    }

    /// A place for a new producer: a district and one of its communes.
    fn place(&mut self) -> (usize, String) {
        let district = self.rng.below(DISTRICTS.len());
        let commune = DISTRICTS
            .get(district)
            .and_then(|d| self.rng.pick(d.communes))
            .copied()
            .unwrap_or("Nhơn Ái")
            .to_owned();
        (district, commune)
    }

    /// Plans `n` products whose dossiers are filed between `from` and `to`.
    pub(crate) fn plan_cohort(&mut self, n: usize, from: Date, to: Date) {
        let span = from.days_until(to).max(1);
        for tier in self.tiers(n) {
            let (district, commune) = self.place();
            let (set, _) = data::product_set(&mut self.rng);
            let quality = self.quality(tier);
            // Only weak or modest dossiers miss a knock-out paper or are forged: a producer
            // preparing for 4★ or 5★ has its food-safety certificate in order.
            let weak = tier <= 3;
            let knockout =
                (weak && self.rng.chance(0.06)).then(|| "food_safety_certificate".to_owned());
            let forged = weak && self.rng.chance(0.02);
            let filed = from.add_days(self.rng.range(0, span));
            self.push_plan(
                filed,
                district,
                commune,
                set,
                tier,
                quality,
                knockout,
                forged,
                RegistrationType::First,
                None,
            );
        }
    }

    /// Plans the plan's existing certified products (Kế hoạch 109, I.2.a: "148 sản phẩm
    /// hiện có" to standardise): `n` products certified before the engine, their
    /// certificates issued evenly from July 2021 to December 2023 (so they expire from July
    /// 2024 to December 2026), three in four at 3★ and the rest at 4★ (an assumption: the
    /// plan gives no split; nationally about three in four OCOP products are 3★, and the
    /// plan's "phấn đấu có 02 sản phẩm 05 sao" means none is 5★ yet). Each files its renewal
    /// (re-evaluation) 120-180 days before expiry, or on `start` if that is later; one 3★
    /// product in forty files an upgrade in the spring of 2024 instead.
    pub(crate) fn plan_existing(&mut self, n: usize, start: Date) {
        let first = date(2021, 7, 1);
        let span = first.days_until(date(2023, 12, 31));
        // Decision 148/2023 (24 February 2023) gave 3★ certification to the district chair.
        let district_tier = date(2023, 2, 24);
        let fours = (n * 38 + 74) / 148;
        for k in 0..n {
            let (district, commune) = self.place();
            let (set, _) = data::product_set(&mut self.rng);
            // `fours` of the `n` are 4★, spread evenly over the issue dates.
            let stars = if k * fours / n != (k + 1) * fours / n {
                4
            } else {
                3
            };
            let issued_on = first.add_days(span * k as i64 / n as i64);
            let expires_on = issued_on.add_months(36);
            let issued_by = if stars == 3 && issued_on >= district_tier {
                Level::District
            } else {
                Level::Province
            };
            let upgrade = stars == 3 && self.rng.chance(0.025);
            let (registration, tier, filed) = if upgrade {
                (
                    RegistrationType::Upgrade,
                    4,
                    date(2024, 3, 1).add_days(self.rng.range(0, 90)),
                )
            } else {
                (
                    RegistrationType::ReEvaluation,
                    stars,
                    expires_on.add_days(-self.rng.range(120, 180)),
                )
            };
            let quality = self.quality(tier);
            let serial = self.plans.len() + 1;
            let certificate = Certificate {
                number: format!("{serial:03}/QĐ-UBND-{}", issued_on.year()),
                product_code: format!("92-{:03}-{serial:03}-{}", district + 1, issued_on.year()),
                stars: Stars::new(stars).unwrap_or(Stars::THREE),
                issued_by,
                issued_on,
                expires_on,
                status: CertificateStatus::Active,
            };
            self.push_plan(
                filed.max(start),
                district,
                commune,
                set,
                tier,
                quality,
                None,
                false,
                registration,
                Some(certificate),
            );
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per kind of product; a builder would only rename the arguments"
    )]
    fn push_plan(
        &mut self,
        filed: Date,
        district: usize,
        commune: String,
        set: ProductSet,
        tier: u8,
        quality: f64,
        knockout: Option<String>,
        forged: bool,
        registration: RegistrationType,
        certificate: Option<Certificate>,
    ) {
        let i = self.plans.len();
        let prefix = if certificate.is_some() { "CT-HC" } else { "CT" };
        let plan = Plan {
            case: CaseId::from(format!("{prefix}-{}-{:04}", filed.year(), i + 1)),
            producer_id: format!("chu-the-{:04}", i + 1),
            district: Some(district),
            commune,
            set,
            tier,
            quality,
            profile: self.rng.next(),
            forged,
            incomplete: self.rng.chance(0.15),
            traceable: self.rng.chance(0.6),
            knockout,
            revoke_on: self
                .rng
                .chance(0.02)
                .then(|| filed.add_days(self.rng.range(300, 700))),
            upgrade_after: (tier < 5 && self.rng.chance(0.08))
                .then(|| filed.add_days(self.rng.range(360, 540))),
            registration,
            certificate,
            inspected: 0,
            rescored: 0,
            attempts: 0,
            done: false,
        };
        self.plans.push(plan);
        self.schedule(filed, i);
    }

    fn engine_for(&self, def: &str) -> Result<&Arc<Engine>> {
        self.engines
            .get(def)
            .with_context(|| format!("no engine for definition `{def}`"))
    }

    fn actor(&self, plan: &Plan, role: &str) -> Actor {
        let district = plan
            .district
            .and_then(|d| DISTRICTS.get(d))
            .map_or("", |d| d.slug);
        let id = match role {
            "producer" => plan.producer_id.clone(),
            "district_office" => format!("phong-nn-{district}"),
            "district_chair" => format!("chu-tich-ubnd-{district}"),
            "commune_officer" => format!("ubnd-xa-{}", slug(&plan.commune)),
            "city_office" | "province_office" => "van-phong-ocop-can-tho".into(),
            "city_chair" | "province_chair" => "chu-tich-ubnd-tp-can-tho".into(),
            "advisory_group" => "to-tu-van-can-tho".into(),
            "ministry_office" => "van-phong-ocop-bo-nnmt".into(),
            "minister" => "bo-truong-nnmt".into(),
            other => format!("{other}-1"),
        };
        Actor::new(id, role)
    }

    /// The council members of a stage for this product's level and district.
    fn council(&self, plan: &Plan, stage: &Evaluation) -> Vec<CouncilMember> {
        let district = plan
            .district
            .and_then(|d| DISTRICTS.get(d))
            .map_or("tp", |d| d.slug);
        let prefix = match stage.level {
            ocop_core::domain::Level::District => format!("hd-huyen-{district}"),
            ocop_core::domain::Level::Central => "hd-trung-uong".to_owned(),
            _ => "hd-thanh-pho".to_owned(),
        };
        let size = 5 + (plan.profile % 3) as usize;
        (1..=size)
            .map(|k| CouncilMember {
                id: format!("{prefix}-{k:02}"),
                chair: k == 1,
            })
            .collect()
    }

    fn catalog(&mut self, set: ProductSet) -> Result<Arc<CriteriaSheet>> {
        if let Some(c) = self.catalogs.get(&set.number()) {
            return Ok(Arc::clone(c));
        }
        let c = Arc::new(self.scorer.criteria(set)?);
        self.catalogs.insert(set.number(), Arc::clone(&c));
        Ok(c)
    }

    /// One member's answers: near the product's quality on each criterion, with the
    /// member's own leaning and some noise (less after a re-scoring).
    fn sheet(&mut self, plan_index: usize, member: usize) -> Result<AnswerSheet> {
        let (set, tier, quality, profile, rescored, knockout) = match self.plans.get(plan_index) {
            // A forged dossier that reached the council (the commune has no power to decline
            // it, Art. 7.2) is knocked out ("giả mạo hồ sơ").
            Some(p) if p.forged => (
                p.set,
                p.tier,
                p.quality,
                p.profile,
                p.rescored,
                Some("dossier_authentic".to_owned()),
            ),
            Some(p) => (
                p.set,
                p.tier,
                p.quality,
                p.profile,
                p.rescored,
                p.knockout.clone(),
            ),
            None => anyhow::bail!("no plan {plan_index}"),
        };
        // A producer preparing for a rank works to that rank's minimum marks (`***`, `****`,
        // `*****` options); a member still sees one short now and then (3%, never for a 5★
        // candidate, whose file the province has already sifted).
        let meets_minimums = if tier >= 5 { 1.0 } else { 0.97 };
        let catalog = self.catalog(set)?;
        let branch = (!catalog.branches.is_empty()).then_some(1 + (profile % 2) as u8);
        let mut sheet = catalog.template(branch);
        // Members lean their own way and disagree; after the council meets to re-score,
        // they converge.
        let settle = 1.0 / (1.0 + 3.0 * f64::from(rescored));
        let leaning = (member as f64 - 3.0) * 0.03 * settle;
        let noise = 0.16 * settle;
        for (k, c) in catalog.criteria.iter().enumerate() {
            let Some(answer) = sheet.answers.get_mut(&c.id) else {
                continue;
            };
            let offset = ((profile.rotate_left(k as u32 % 64) >> 7) % 1000) as f64 / 1000.0 - 0.5;
            let q = (quality + 0.25 * offset + leaning + noise * (self.rng.unit() - 0.5))
                .clamp(0.0, 1.0);
            let n = c.options.len().max(1);
            *answer = ((q * (n - 1) as f64).round() as u32).min(n as u32 - 1);
            if tier >= 3 && self.rng.chance(meets_minimums) {
                let floor = c
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.min_stars.is_some_and(|m| m.get() <= tier))
                    .map(|(i, _)| i as u32)
                    .max();
                if let Some(floor) = floor {
                    *answer = (*answer).max(floor);
                }
            }
        }
        for (fact, holds) in sheet.facts.iter_mut() {
            *holds = knockout.as_deref() != Some(fact.as_str());
        }
        sheet.evaluator = None;
        Ok(sheet)
    }

    fn run_command(&mut self, engine_def: &str, command: Command) -> Result<bool> {
        let engine = self.engine_for(engine_def)?;
        let started = Instant::now();
        let outcome = engine.execute(self.store, &command);
        let took = started.elapsed();
        match outcome {
            Ok(_) => {
                self.stats.commands += 1;
                self.stats.command_times.push(took);
                Ok(true)
            }
            Err(ocop_engine::CommandError::Store(e)) => Err(e.into()),
            Err(_) => {
                self.stats.refused += 1;
                Ok(false)
            }
        }
    }

    fn take(
        &mut self,
        def: &str,
        plan: usize,
        transition: &str,
        role: &str,
        input: TransitionInput,
    ) -> Result<bool> {
        let Some(p) = self.plans.get(plan) else {
            return Ok(false);
        };
        let command = Command::take_with(p.case.clone(), self.actor(p, role), transition, input);
        self.run_command(def, command)
    }

    /// Opens the case of plan `i`.
    fn open(&mut self, i: usize, today: Date) -> Result<()> {
        let Some(p) = self.plans.get(i) else {
            return Ok(());
        };
        let def = definition_on(today);
        let district = p.district.and_then(|d| DISTRICTS.get(d));
        let product_name = {
            let names = data::PRODUCTS
                .iter()
                .find(|x| x.0 == p.set.number())
                .map_or(&[][..], |x| x.2);
            let k = (p.profile % names.len().max(1) as u64) as usize;
            format!(
                "{} {}",
                names.get(k).copied().unwrap_or("Sản phẩm"),
                p.commune
            )
        };
        let mut rng = Rng::new(p.profile);
        let (producer_name, kind) = data::producer(&mut rng, &p.commune, &product_name);
        let present = |kind: &str, present: bool| DossierDocument {
            kind: kind.into(),
            present,
            valid_until: None,
        };
        let mut documents = vec![present("form_01", true), present("form_02", true)];
        documents.push(present("food_safety_certificate", !p.incomplete));
        if p.traceable {
            documents.push(present("traceability_qr", true));
        }
        let open = OpenCase {
            product: Product {
                name: product_name,
                product_set: p.set,
                producer: Producer {
                    name: producer_name,
                    kind,
                    province: "92".into(),
                    commune: p.commune.clone(),
                    district: if def == "can-tho-2024" {
                        district.map(|d| d.name.to_owned())
                    } else {
                        None
                    },
                },
            },
            registration: p.registration,
            documents,
            facts: [("traceability_registered".to_owned(), p.traceable)]
                .into_iter()
                .collect(),
            certificate: p.certificate.clone(),
        };
        let command = Command::open(p.case.clone(), self.actor(p, "producer"), open);
        if self.run_command(def, command)? {
            self.stats.opened += 1;
        }
        Ok(())
    }

    /// Visits plan `i` on `today`: takes the next step of its case, then plans the next visit.
    fn visit(&mut self, i: usize, today: Date) -> Result<()> {
        let Some(p) = self.plans.get(i) else {
            return Ok(());
        };
        if p.done {
            return Ok(());
        }
        let id = p.case.clone();
        if self.store.version(&id)? == 0 {
            self.open(i, today)?;
            let delay = self.rng.range(3, 12);
            self.schedule(today.add_days(delay), i);
            return Ok(());
        }
        // The projection says which definition the case runs under now (a migration moves
        // it); that engine's cache holds the case, and reads only the events it has not seen.
        let def = self
            .store
            .summary(&id)?
            .with_context(|| format!("case `{id}` has no projection"))?
            .definition
            .to_string();
        // A handle on the engine, not a copy of its cycle: `step` needs `self` mutably.
        let engine = Arc::clone(self.engine_for(&def)?);
        let case = engine.case(self.store, &id)?;
        let cycle = engine.cycle();
        let state = case.state().clone();
        if cycle.is_terminal(&state) {
            if let Some(p) = self.plans.get_mut(i) {
                p.done = true;
            }
            return Ok(());
        }
        let progressed = self.step(i, &def, cycle, &case, &state, today)?;
        let delay = if progressed {
            if let Some(p) = self.plans.get_mut(i) {
                p.attempts = 0;
            }
            self.rng.range(2, 9)
        } else {
            let attempts = self.plans.get(i).map_or(0, |p| p.attempts) + 1;
            if let Some(p) = self.plans.get_mut(i) {
                p.attempts = attempts;
            }
            if attempts > 12 {
                self.stats.stuck.push(format!("{id} in `{state}`"));
                if let Some(p) = self.plans.get_mut(i) {
                    p.done = true;
                }
                return Ok(());
            }
            self.rng.range(20, 60)
        };
        self.schedule(today.add_days(delay), i);
        Ok(())
    }

    fn step(
        &mut self,
        i: usize,
        def: &str,
        cycle: &Cycle,
        case: &Case,
        state: &StateId,
        today: Date,
    ) -> Result<bool> {
        let s = state.as_str();
        let (forged, incomplete) = self
            .plans
            .get(i)
            .map_or((false, false), |p| (p.forged, p.incomplete));
        let missing = case.documents().iter().any(|d| !d.present);
        if let Some(stage) = cycle.evaluation_in(state).cloned() {
            return self.council_step(i, def, cycle, case, &stage);
        }
        match s {
            // A dossier is completed once the office has sent it back for completion.
            "dossier"
                if missing && case.last_entry(&StateId::from("district_review")).is_some() =>
            {
                return self.complete_dossier(i, def, case);
            }
            "commune_completion" | "province_completion" if missing => {
                return self.complete_dossier(i, def, case);
            }
            "district_review" => {
                let t = if forged {
                    "district_reject"
                } else if missing {
                    "district_return"
                } else {
                    "district_accept"
                };
                return self.take(def, i, t, "district_office", TransitionInput::default());
            }
            "commune_review" => {
                // The commune has no power to refuse (Art. 7.2): a forged dossier goes on and
                // the council knocks it out.
                let t = if missing {
                    "commune_return"
                } else {
                    "commune_propose"
                };
                return self.take(def, i, t, "commune_officer", TransitionInput::default());
            }
            "certified" => {
                let office = if commune_tier(def) {
                    "province_office"
                } else {
                    "city_office"
                };
                let central = case.certificate().is_some_and(|c| c.stars.get() == 5);
                return self.take(
                    def,
                    i,
                    "announce",
                    if central { "ministry_office" } else { office },
                    TransitionInput::default(),
                );
            }
            "monitoring" => return self.monitor(i, def, case, today),
            "revocation" => return self.revoke(i, def, case),
            _ => {}
        }
        for (t, role) in choices(def, s) {
            if self.take(def, i, t, role, TransitionInput::default())? {
                return Ok(true);
            }
        }
        // A product proposed to the city needs a traceability registration (cantho-local):
        // the producer registers it with the city's QR system, then the district proposes.
        if s == "district_decision" && !incomplete {
            if let Some(p) = self.plans.get_mut(i) {
                p.traceable = true;
            }
            let Some(p) = self.plans.get(i) else {
                return Ok(false);
            };
            let command = Command::new(
                p.case.clone(),
                self.actor(p, "producer"),
                Action::RecordFacts {
                    facts: [("traceability_registered".to_owned(), true)]
                        .into_iter()
                        .collect(),
                },
            );
            return self.run_command(def, command);
        }
        Ok(false)
    }

    fn complete_dossier(&mut self, i: usize, def: &str, case: &Case) -> Result<bool> {
        let Some(p) = self.plans.get(i) else {
            return Ok(false);
        };
        let documents = case
            .documents()
            .iter()
            .map(|d| DossierDocument {
                present: true,
                ..d.clone()
            })
            .collect();
        let command = Command::new(
            p.case.clone(),
            self.actor(p, "producer"),
            Action::UpdateDossier { documents },
        );
        self.run_command(def, command)
    }

    fn council_step(
        &mut self,
        i: usize,
        def: &str,
        cycle: &Cycle,
        case: &Case,
        stage: &Evaluation,
    ) -> Result<bool> {
        let Some(p) = self.plans.get(i) else {
            return Ok(false);
        };
        let constituted = case.council(&stage.id).is_some_and(|c| c.is_constituted());
        if !constituted {
            let members = self.council(p, stage);
            let chair_role = stage
                .chair_role
                .clone()
                .map_or_else(|| stage.member_role.to_string(), |r| r.to_string());
            let actor = Actor::new(
                members.first().map_or("chair".to_owned(), |m| m.id.clone()),
                chair_role,
            );
            let command = Command::new(
                p.case.clone(),
                actor,
                Action::ConstituteCouncil {
                    evaluation: stage.id.clone(),
                    members,
                },
            );
            return self.run_command(def, command);
        }
        let Some(council) = case.council(&stage.id) else {
            return Ok(false);
        };
        let pending: Vec<(usize, CouncilMember)> = council
            .members()
            .iter()
            .enumerate()
            .filter(|(_, m)| council.sheet(&m.id).is_none())
            .map(|(k, m)| (k, m.clone()))
            .collect();
        // The council sits once: every member who has not scored submits a sheet at the
        // sitting; the chair closes (or has it re-score) at the next visit.
        if !pending.is_empty() {
            let mut any = false;
            for (k, member) in pending {
                let sheet = self.sheet(i, k)?;
                let role = if member.chair {
                    stage
                        .chair_role
                        .clone()
                        .unwrap_or_else(|| stage.member_role.clone())
                } else {
                    stage.member_role.clone()
                };
                let Some(p) = self.plans.get(i) else {
                    return Ok(false);
                };
                let command = Command::new(
                    p.case.clone(),
                    Actor::new(member.id.clone(), role),
                    Action::SubmitSheet {
                        evaluation: stage.id.clone(),
                        sheet,
                    },
                );
                any |= self.run_command(def, command)?;
            }
            return Ok(any);
        }
        // Every member has scored: close, or re-score when the totals diverge.
        let chair_role = stage
            .chair_role
            .clone()
            .map_or_else(|| stage.member_role.to_string(), |r| r.to_string());
        let chair = council
            .members()
            .iter()
            .find(|m| m.chair)
            .map_or("chair".to_owned(), |m| m.id.clone());
        let outgoing = cycle.outgoing(&stage.state);
        let close = outgoing
            .iter()
            .find(|t| {
                t.effects
                    .iter()
                    .any(|e| matches!(e, Effect::RecordEvaluation { .. }))
            })
            .map(|t| t.id.to_string());
        let rescore = outgoing
            .iter()
            .find(|t| {
                t.effects
                    .iter()
                    .any(|e| matches!(e, Effect::ResetEvaluation { .. }))
            })
            .map(|t| t.id.to_string());
        let Some(p) = self.plans.get(i) else {
            return Ok(false);
        };
        let case_id = p.case.clone();
        for t in [close, rescore].into_iter().flatten() {
            let command = Command::take(
                case_id.clone(),
                Actor::new(chair.clone(), chair_role.as_str()),
                t.as_str(),
            );
            if self.run_command(def, command)? {
                if t.contains("rescore")
                    && let Some(p) = self.plans.get_mut(i)
                {
                    p.rescored += 1;
                }
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn monitor(&mut self, i: usize, def: &str, case: &Case, today: Date) -> Result<bool> {
        let Some(p) = self.plans.get(i) else {
            return Ok(false);
        };
        let (revoke_on, upgrade_after, inspected) = (p.revoke_on, p.upgrade_after, p.inspected);
        let office = if commune_tier(def) {
            "province_office"
        } else {
            "city_office"
        };
        if revoke_on.is_some_and(|d| today >= d) {
            let ground = *self
                .rng
                .pick(&RevocationGround::ALL)
                .unwrap_or(&RevocationGround::NoLongerMeetsCriteria);
            let input = TransitionInput {
                ground: Some(ground),
                conclusion: Some(today.add_days(-3)),
                ..TransitionInput::default()
            };
            if self.take(def, i, "open_revocation", office, input)? {
                if let Some(p) = self.plans.get_mut(i) {
                    p.revoke_on = None;
                }
                return Ok(true);
            }
        }
        let stars = case.certificate().map_or(0, |c| c.stars.get());
        if stars > 0 && stars < 5 && upgrade_after.is_some_and(|d| today >= d) {
            if let Some(p) = self.plans.get_mut(i) {
                p.upgrade_after = None;
                p.tier = (stars + 1).max(p.tier);
                p.quality = (p.quality + 0.15).min(1.0);
                p.rescored = 0;
            }
            if self.take(
                def,
                i,
                "file_upgrade",
                "producer",
                TransitionInput::default(),
            )? {
                return Ok(true);
            }
        }
        // Re-evaluation in its window (180-120 days before expiry).
        if let Some(expiry) = case.certificate_valid_until() {
            let left = today.days_until(expiry);
            if (120..=180).contains(&left) {
                let t = if commune_tier(def) {
                    "file_re_evaluation"
                } else {
                    "file_renewal"
                };
                if let Some(p) = self.plans.get_mut(i) {
                    p.rescored = 0;
                }
                if self.take(def, i, t, "producer", TransitionInput::default())? {
                    return Ok(true);
                }
            }
        }
        // A periodic inspection about once a year.
        let since = case
            .inspections()
            .last()
            .map_or(case.entered_on(), |x| x.on);
        if since.days_until(today) >= 300
            || (inspected == 0 && case.entered_on().days_until(today) >= 200)
        {
            let outcome = if self.rng.chance(0.95) {
                InspectionOutcome::Compliant
            } else {
                InspectionOutcome::NonCompliant
            };
            let input = TransitionInput {
                inspection: Some(outcome),
                ..TransitionInput::default()
            };
            if self.take(def, i, "inspect_periodic", office, input)? {
                if let Some(p) = self.plans.get_mut(i) {
                    p.inspected += 1;
                }
                return Ok(true);
            }
        }
        Ok(true)
    }

    fn revoke(&mut self, i: usize, def: &str, _case: &Case) -> Result<bool> {
        let candidates: &[(&str, &str)] = if commune_tier(def) {
            &[
                ("revoke_province", "province_chair"),
                ("revoke_central", "minister"),
            ]
        } else {
            &[
                ("revoke_district", "district_chair"),
                ("revoke_city", "city_chair"),
                ("revoke_central", "minister"),
            ]
        };
        if self.rng.chance(0.2) {
            let role = if commune_tier(def) {
                "province_chair"
            } else {
                "city_chair"
            };
            if self.take(
                def,
                i,
                "dismiss_revocation",
                role,
                TransitionInput::default(),
            )? {
                return Ok(true);
            }
        }
        for (t, role) in candidates {
            if self.take(def, i, t, role, TransitionInput::default())? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Runs the simulation from `start` to `end`, ticking weekly; `progress` is told the
    /// share done after each day.
    pub(crate) fn run(
        &mut self,
        start: Date,
        end: Date,
        progress: &mut dyn FnMut(f64, Date),
    ) -> Result<()> {
        let total = start.days_until(end).max(1) as f64;
        let mut today = start;
        while today <= end {
            self.clock.set(Timestamp::vn(today, 9, 0));
            // On each change of rules (1 July 2025, 22 May 2026), then every Monday: cases
            // that continued under the old rules (Art. 12.2) move on once decided.
            self.migrate(today)?;
            while let Some(Reverse((day, _, i))) = self.queue.peek().copied() {
                if day > today {
                    break;
                }
                self.queue.pop();
                self.visit(i, today)?;
            }
            if today.iso_weekday() == 1 || today == end {
                self.tick(today)?;
            }
            progress(start.days_until(today) as f64 / total, today);
            today = today.add_days(1);
        }
        Ok(())
    }

    fn tick(&mut self, today: Date) -> Result<()> {
        self.clock.set(Timestamp::vn(today, 17, 0));
        for engine in self.engines.values() {
            let report = engine.tick(self.store, Timestamp::vn(today, 17, 0))?;
            self.stats.timeouts += report.fired.len() as u64;
        }
        Ok(())
    }

    fn migrate(&mut self, today: Date) -> Result<()> {
        let actor = Actor::new("van-phong-ocop-can-tho", "province_office");
        for m in &self.migrations {
            let effective = m.file().effective;
            let first = !self.migrated.contains(&effective);
            if today < effective || !(first || today.iso_weekday() == 1) {
                continue;
            }
            let source = self.engine_for(m.file().from.as_str())?.projector();
            let target = self.engine_for(m.file().to.as_str())?.projector();
            let report = m.run(
                self.store,
                source,
                target,
                &actor,
                Timestamp::vn(today, 8, 0),
            )?;
            self.stats.migrated += report.migrate.len();
            self.stats.cannot_migrate += report.cannot_migrate.len();
            self.stats.continued += report.continue_under_old_rules.len();
            if first {
                self.migrated.push(effective);
            }
        }
        Ok(())
    }
}
