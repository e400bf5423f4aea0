//! Runs OCOP cases through a validated cycle: commands in, events out.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::engine` and `ocop::store`; this crate is one of its parts.
//!
//! A case is one product's journey through a [`Cycle`](ocop_core::Cycle) read from a
//! definition file. [`Engine::execute`] checks a [`Command`] (the actor's role, separation
//! of duties, the transition's guards, the expected case version, the idempotency key),
//! appends its [`Event`]s to a [`Store`] atomically and returns them. A case's state is a
//! fold over its events ([`Case::replay`]); every event carries the hash of the one before,
//! so [`verify`] finds any change to a stored history.
//!
//! - Councils: members submit answer sheets independently; each is scored through the
//!   stage's [`Scorer`](ocop_core::plugin::Scorer) plugin and recorded with the plugin's name,
//!   version, sha256 and fuel. The council's result is the mean (or median) total, its band,
//!   the median of the members' caps, and any knock-out (see the `council` rules below).
//! - Deadlines: working days on a [`Calendar`] whose holidays are data per year (a year
//!   without data is an error), calendar days and months; [`Engine::tick`] fires due
//!   timeouts as `system`, in order of due date then case id.
//! - Rounds, certificates (36 months, supersession, revocation, expiry, Art. 12.3
//!   extension), monitoring inspections.
//! - [`Migration`]: moves cases between definitions under Art. 12's transitional limits,
//!   with a dry run.
//! - Stores: [`MemoryStore`], `SqliteStore` (feature `sqlite`, on by default: SQLite
//!   compiled in), and the [`store::conformance`] suite for any other store.
//!
//! # Semantics of the definition format
//! - A transition whose `to` is its own source is *internal*: the case keeps its entry
//!   date, so the state's deadline neither restarts nor fires again.
//! - A deadline's last day is its anchor plus its amount (`working_days`, `days`, `months`,
//!   or none: the anchor itself). It fires at the first tick on a later date (Vietnam
//!   time), at most once per entry into the state and due date: when its anchor moves
//!   (e.g. `assign_round` puts the case in a later round) it is armed again.
//! - Council result: mean (or median) of the members' totals, unrounded unless
//!   `council.rounding` says otherwise; band by [`Stars::from_total`](ocop_core::Stars::from_total);
//!   capped by the *median* of the members' caps (lower median for an even count); any
//!   member's knock-out knocks the product out, and a knocked-out product has no stars
//!   (`min_stars` fails, `max_stars` holds).
//! - Quorum: a council is constituted by naming its members
//!   ([`Action::ConstituteCouncil`]); `council_complete` needs at least
//!   `ceil(quorum × members)` and `min_members` sheets, the chair's sheet when
//!   `chair_required`, and a spread (max − min total) within `max_spread`.
//!   `spread_exceeded` holds when the quorum is met but the spread is not.
//! - Separation of duties: the definition's `separation` rules (one actor may not act in
//!   two of a rule's roles on a case) and a built-in rule: whoever acted for the producer
//!   never sits on its council.
//! - Time: events carry a Unix [`Timestamp`] from the engine's [`Clock`]; deadlines are
//!   computed on the civil date in Vietnam (UTC+7).
//!
//! # Examples
//! Open a case under Decision 26/2026 and file its dossier at the commune:
//! ```
//! use ocop_core::domain::{DossierDocument, Producer, ProducerKind, RegistrationType};
//! use ocop_core::{Date, ProductSet};
//! use ocop_engine::{Actor, Command, EngineBuilder, ManualClock, MemoryStore, OpenCase, Product};
//!
//! let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml"));
//! let cycle = ocop_core::load_definition("national-2026.toml", text).unwrap();
//! let clock = ManualClock::on(Date::new(2026, 6, 1).unwrap());
//! let engine = EngineBuilder::new(cycle)
//!     .clock(clock.clone())
//!     .scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new()))
//!     .build()?;
//! let store = MemoryStore::new();
//!
//! let producer = Actor::new("htx-binh-minh", "producer");
//! let doc = |kind: &str| DossierDocument { kind: kind.into(), present: true, valid_until: None };
//! let open = OpenCase {
//!     product: Product {
//!         name: "Bánh pía Bình Minh".into(),
//!         product_set: ProductSet::new(3).unwrap(),
//!         producer: Producer {
//!             name: "HTX Bình Minh".into(),
//!             kind: ProducerKind::Cooperative,
//!             province: "92".into(),
//!             commune: "Thới Lai".into(),
//!             district: None,
//!         },
//!     },
//!     registration: RegistrationType::First,
//!     documents: vec![doc("form_01"), doc("form_02")],
//!     facts: Default::default(),
//!     certificate: None,
//! };
//! engine.execute(&store, &Command::open("case-1", producer.clone(), open))?;
//! let events = engine.execute(&store, &Command::take("case-1", producer, "file_dossier").expecting(1))?;
//! assert_eq!(events[0].to.as_str(), "commune_review");
//!
//! let case = engine.case(&store, &"case-1".into())?;
//! // The commune has 15 working days (Art. 7.2): from Monday 1 June to Monday 22 June.
//! let due = engine.deadline(&case)?.unwrap();
//! assert_eq!(due.due, Date::new(2026, 6, 22).unwrap());
//! ocop_engine::verify(&ocop_engine::Store::load(&store, &"case-1".into(), 0)?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod case;
mod clock;
mod command;
mod council;
mod engine;
mod event;
mod migration;
mod projector;
mod schema;
pub mod store;
mod summary;

pub use calendar::{
    CALENDAR_FORMAT, Calendar, CalendarError, CalendarFile, CalendarYear, DayRange, YearStatus,
};
pub use case::{Case, Council, ReplayError, Revocation};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use command::{Action, Command, CommandError, OpenCase};
pub use council::CouncilStatus;
pub use engine::{
    BuildError, Engine, EngineBuilder, FiredTimeout, Outcome, RetryPolicy, TickFailure, TickReport,
};
pub use event::{
    Actor, CaseId, ContinuesUnderOldRules, CouncilMember, CouncilResult, DecodeError, EVENT_FORMAT,
    EncodeError, Event, EventBody, GENESIS_HASH, Inspection, InspectionOutcome, MemberSheet,
    MemberTotal, Migrated, Opened, Product, RescoreError, RoundAssignment, SheetResult, SheetScore,
    Timeout, TransitionInput, Transitioned, VerifyError, decode_log, encode_log, verify,
};
pub use migration::{
    CaseFailure, CasePlan, MIGRATION_FORMAT, Migration, MigrationError, MigrationFile,
    MigrationReport, RuleKind, StateRule, TransitionalLimits, check_migration,
};
pub use projector::{ProjectError, Projector, project_missing};
pub use schema::document_schemas;
pub use store::{IdempotencyRecord, MemoryStore, Recorded, Store, StoreError, SummaryQuery};
#[cfg(feature = "sqlite")]
pub use store::{SqliteStore, SqliteStoreBuilder, Synchronous};
pub use summary::{CaseSummary, DueDate};

/// Folds a case's history into its state (the same as [`Case::replay`]).
///
/// # Errors
/// A [`ReplayError`] when the history does not start with `opened`, or an event is out of
/// sequence or inconsistent.
pub fn replay(events: &[Event]) -> Result<Case, ReplayError> {
    Case::replay(events)
}
