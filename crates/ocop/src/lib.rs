#![doc = include_str!("../README.md")]

/// Cycle definitions: load, validate, draw, and the validated graph ([`Cycle`](definition::Cycle)).
pub mod definition {
    pub use ocop_core::cycle;
    pub use ocop_core::{
        Cycle, Definition, LoadError, check_definition,
        cycle::{Source, to_dot, to_mermaid},
        definition::{DEFINITION_FORMAT, Jurisdiction, PluginDecl, PluginKind},
        diagnostic::{Code, Diagnostic, Location, Report as ValidationReport, Severity},
        load_definition, parse_definition,
        plugin::check_definition_with_plugins,
        validate,
    };
}

/// The programme's vocabulary: product sets, stars, producers, dossiers, answer sheets,
/// evaluations and certificates (Decision 26/2026, Annex I and II).
pub mod domain {
    pub use ocop_core::{
        Date, Label, Lang, ProductSet, Stars,
        catalog::{PRODUCT_SETS, ProductGroup},
        domain::{
            AnswerSheet, Certificate, CertificateStatus, Dossier, DossierDocument, Evaluation,
            Producer, ProducerKind, RegistrationType, RevocationGround,
        },
        ids::{CriterionId, DefinitionId, RoleId, StateId, TransitionId},
    };
}

/// Commands in, events out: the engine, its cases, councils, deadlines, certificates and
/// migrations between definitions.
pub mod engine {
    pub use ocop_engine::{
        Action, Actor, BuildError, Calendar, CalendarError, Case, CaseId, Clock, Command,
        CommandError, CouncilMember, Engine, EngineBuilder, Event, EventBody, ManualClock,
        Migration, MigrationError, MigrationReport, OpenCase, Product, ReplayError, RetryPolicy,
        SystemClock, Timestamp, TransitionInput, VerifyError, check_migration, decode_log,
        encode_log, replay, verify,
    };
}

/// Where cases live: the [`Store`](store::Store) trait, the memory store, the embedded
/// SQLite store (feature `sqlite`), the PostgreSQL store (feature `postgres`), and the
/// conformance suite any other store must pass.
pub mod store {
    pub use ocop_engine::store::conformance;
    pub use ocop_engine::{CaseSummary, DueDate, MemoryStore, Store, StoreError, SummaryQuery};
    #[cfg(feature = "sqlite")]
    pub use ocop_engine::{SqliteStore, SqliteStoreBuilder, Synchronous};

    /// The PostgreSQL store (feature `postgres`).
    #[cfg(feature = "postgres")]
    pub mod postgres {
        pub use ocop_store_postgres::*;
    }
}

/// Scoring and guard plugins: the traits the engine calls, and (feature `wasm`) the
/// wasmtime sandbox that runs WebAssembly components pinned by sha256.
pub mod plugins {
    pub use ocop_core::{
        definition::PluginRuntime,
        ids::PluginId,
        plugin::{CriteriaSheet, GuardPlugin, PluginError, Scorer},
    };
    #[cfg(feature = "wasm")]
    pub use ocop_plugin_host::{
        Limits, PluginHost, PluginHostBuilder, PluginOptions, WasmGuard, WasmScorer,
    };

    /// An [`EngineBuilder`](ocop_engine::EngineBuilder) for `cycle` with every plugin the
    /// definition declares loaded into `host` and registered: each component is read from
    /// its `path` relative to `base` (the definition's folder) and checked against its
    /// sha256 pin before it runs.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use ocop::plugins::{PluginHost, engine_builder};
    /// let text = std::fs::read_to_string("workflows/national-2026.toml")?;
    /// let cycle = ocop::definition::load_definition("national-2026.toml", &text)?;
    /// let host = PluginHost::new()?;
    /// let engine = engine_builder(cycle, &host, "workflows".as_ref())?.build()?;
    /// # let _ = engine; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first plugin that is missing, does not match its pin, or does not load.
    #[cfg(feature = "wasm")]
    pub fn engine_builder(
        cycle: ocop_core::Cycle,
        host: &PluginHost,
        base: &std::path::Path,
    ) -> Result<ocop_engine::EngineBuilder, PluginError> {
        use std::sync::Arc;
        let decls = cycle.definition().plugins.clone();
        let mut builder = ocop_engine::EngineBuilder::new(cycle);
        for decl in &decls {
            builder = match decl.kind {
                ocop_core::definition::PluginKind::Scoring => {
                    builder.scorer(decl.id.clone(), Arc::new(host.load_scorer(decl, base)?))
                }
                ocop_core::definition::PluginKind::Guard => {
                    builder.guard_plugin(decl.id.clone(), Arc::new(host.load_guard(decl, base)?))
                }
            };
        }
        Ok(builder)
    }
}

/// The programme report and the national-database export (feature `report`).
#[cfg(feature = "report")]
pub mod report {
    pub use ocop_report::*;
}

/// The HTTP/JSON service with OpenAPI and authentication (feature `server`).
#[cfg(feature = "server")]
pub mod server {
    pub use ocop_server::*;
}
