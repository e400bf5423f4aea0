//! Building and running the server: configuration, start-up checks, the router with its
//! layers, the ticker and the auth-file watcher, graceful shutdown.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use ocop_engine::{Clock, SqliteStore, Store, SystemClock};
use ocop_plugin_host::PluginHostBuilder;
use ocop_store_postgres::PostgresStore;
use tokio::sync::watch;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{AuthFile, Authenticator};
use crate::catalogue::Catalogue;
use crate::limits::RateLimiter;
use crate::metrics::Metrics;
use crate::province::Province;
use crate::state::{AppState, Shared};
use crate::{ServeError, StartError};

/// Where the provinces' cases are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreConfig {
    /// SQLite: a file (one province) or a folder holding `<province>.sqlite` files.
    Sqlite(PathBuf),
    /// PostgreSQL: one schema per province in the database at this URL.
    Postgres {
        /// `postgres://user@host:port/database`.
        url: String,
        /// Connections per province's pool.
        max_connections: usize,
    },
}

/// Configures a [`Server`].
///
/// # Examples
/// ```no_run
/// use ocop_server::{ServerBuilder, StoreConfig};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ServerBuilder::new("workflows", StoreConfig::Sqlite("cases".into()), "auth.toml")
///     .listen("127.0.0.1:8080".parse()?)
///     .start()
///     .await?;
/// server.serve(ocop_server::shutdown_signal()).await?;
/// # Ok(()) }
/// ```
pub struct ServerBuilder {
    workflows: PathBuf,
    plugins: Option<PathBuf>,
    store: StoreConfig,
    auth: PathBuf,
    listen: SocketAddr,
    max_body: usize,
    timeout: Duration,
    rate: f64,
    burst: u32,
    tick: Option<Duration>,
    clock: Arc<dyn Clock>,
    plugin_cache: Option<PathBuf>,
    stores: BTreeMap<String, Arc<dyn Store>>,
    dev_login: bool,
    public_url: Option<String>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("workflows", &self.workflows)
            .field("store", &self.store)
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

/// The default body cap: 1 MiB (an answer sheet is a few kilobytes).
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

impl ServerBuilder {
    /// A server for the definitions in `workflows`, the cases in `store` and the credentials
    /// and provinces of the auth file `auth`.
    pub fn new(
        workflows: impl Into<PathBuf>,
        store: StoreConfig,
        auth: impl Into<PathBuf>,
    ) -> ServerBuilder {
        ServerBuilder {
            workflows: workflows.into(),
            plugins: None,
            store,
            auth: auth.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body: DEFAULT_MAX_BODY,
            timeout: Duration::from_secs(30),
            rate: 50.0,
            burst: 100,
            tick: Some(Duration::from_secs(60)),
            clock: Arc::new(SystemClock),
            plugin_cache: None,
            stores: BTreeMap::new(),
            dev_login: false,
            public_url: None,
        }
    }

    /// Turns on the development sign-in of the pages (anyone picks an identity and roles;
    /// its ID tokens are signed with a key made at start). Never in production.
    pub fn dev_login(mut self, on: bool) -> Self {
        self.dev_login = on;
        self
    }

    /// The server's public origin, e.g. `https://ocop.cantho.gov.vn` (behind a proxy): the
    /// OIDC redirect URI is `<public_url>/login/callback`, and forms must come from it.
    /// Default: the request's `Host`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Serves province `province` from `store` instead of the one `StoreConfig` would open
    /// (an integrator's own `Store`, or a store shared with code beside the server). The
    /// caller keeps it alive as long as it likes; a PostgreSQL store must be dropped off the
    /// async threads.
    pub fn province_store(mut self, province: impl Into<String>, store: Arc<dyn Store>) -> Self {
        self.stores.insert(province.into(), store);
        self
    }

    /// The folder the plugin components are in (default: the paths the definitions declare).
    pub fn plugins(mut self, dir: impl Into<PathBuf>) -> Self {
        self.plugins = Some(dir.into());
        self
    }

    /// The address to listen on (default `127.0.0.1:8080`; port 0 picks a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The largest body accepted, in bytes (default 1 MiB); larger gets 413.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The longest a request may take (default 30 s); longer gets 503 `timeout`.
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Requests per second per credential, and the burst allowed (default 50/s, 100).
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate = per_second;
        self.burst = burst;
        self
    }

    /// How often the ticker fires due timeouts (default every 60 s); `None` turns it off
    /// (another node ticks).
    pub fn tick_every(mut self, every: Option<Duration>) -> Self {
        self.tick = every;
        self
    }

    /// The clock of the engines (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where compiled plugins are cached between starts.
    pub fn plugin_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.plugin_cache = Some(dir.into());
        self
    }

    /// Loads and checks everything, opens the stores and binds the address.
    ///
    /// # Errors
    /// A [`StartError`] naming what is wrong: an invalid definition, a plugin whose pin does
    /// not match, an auth file that cannot be used, a store that cannot be opened, an address
    /// in use.
    pub async fn start(self) -> Result<Server, StartError> {
        let listen = self.listen;
        let tick = self.tick;
        let state = tokio::task::spawn_blocking(move || self.load())
            .await
            .map_err(|e| StartError::Internal(e.to_string()))??;
        let listener =
            tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| StartError::Listen {
                    addr: listen,
                    reason: e.to_string(),
                })?;
        let addr = listener.local_addr().map_err(|e| StartError::Listen {
            addr: listen,
            reason: e.to_string(),
        })?;
        Ok(Server {
            state,
            listener,
            addr,
            tick,
        })
    }

    fn load(self) -> Result<AppState, StartError> {
        let file = AuthFile::load(&self.auth).map_err(StartError::Auth)?;
        let auth = Authenticator::new(&self.auth, &file).map_err(|reason| {
            StartError::Auth(crate::auth::AuthFileError::Invalid {
                path: self.auth.clone(),
                reason,
            })
        })?;
        let mut host = PluginHostBuilder::new();
        if let Some(dir) = &self.plugin_cache {
            host = host.cache_dir(dir);
        }
        let host = host.build().map_err(|e| StartError::Plugin {
            plugin: "(host)".into(),
            reason: format!("the plugin host cannot start: {e}"),
        })?;
        let catalogue = Catalogue::load(&self.workflows, self.plugins.as_deref(), &host)?;
        let base = self.auth.parent().unwrap_or(Path::new(".")).to_owned();
        let mut provinces = BTreeMap::new();
        for p in &file.provinces {
            let store = match self.stores.get(&p.id) {
                Some(s) => Arc::clone(s),
                None => open_store(&self.store, p, &base, file.provinces.len())?,
            };
            // Lists, reports and deadlines read the projections: a database written before
            // them must be brought up to date first.
            let behind = store.unprojected().map_err(|e| StartError::Province {
                province: p.id.clone(),
                reason: format!("its store cannot be read: {e}"),
            })?;
            if let Some(first) = behind.first() {
                return Err(StartError::Province {
                    province: p.id.clone(),
                    reason: format!(
                        "its database was written by an older ocop ({} cases without a \
                         projection, e.g. `{first}`): run `ocop upgrade` on it first",
                        behind.len()
                    ),
                });
            }
            let mut engines = BTreeMap::new();
            for (id, d) in &catalogue.definitions {
                let engine = catalogue
                    .engine_builder(&d.cycle, Arc::clone(&self.clock))
                    .build()
                    .map_err(|e| StartError::Definitions {
                        path: d.file.clone(),
                        reason: e.to_string(),
                    })?;
                engines.insert(id.clone(), engine);
            }
            provinces.insert(
                p.id.clone(),
                Arc::new(Province::new(p.clone(), store, engines)),
            );
        }
        Ok(AppState(Arc::new(Shared {
            catalogue,
            provinces,
            auth,
            limiter: RateLimiter::new(self.rate, self.burst),
            metrics: Metrics::default(),
            clock: self.clock,
            max_body: self.max_body,
            timeout: self.timeout,
            web: crate::web::Web::new(self.dev_login, self.public_url.clone())
                .map_err(StartError::Internal)?,
        })))
    }
}

fn open_store(
    config: &StoreConfig,
    p: &crate::auth::ProvinceConfig,
    base: &Path,
    count: usize,
) -> Result<Arc<dyn Store>, StartError> {
    let fail = |reason: String| StartError::Province {
        province: p.id.clone(),
        reason,
    };
    match config {
        StoreConfig::Postgres {
            url,
            max_connections,
        } => {
            let store = PostgresStore::builder(url.as_str())
                .schema(p.schema_name())
                .max_connections(*max_connections)
                .open()
                .map_err(|e| fail(format!("cannot open its PostgreSQL schema: {e}")))?;
            Ok(Arc::new(OffRuntime(Some(store))))
        }
        StoreConfig::Sqlite(path) => {
            let file = if let Some(db) = &p.db {
                base.join(db)
            } else if path.is_dir() || path.extension().is_none() {
                std::fs::create_dir_all(path)
                    .map_err(|e| fail(format!("cannot create `{}`: {e}", path.display())))?;
                path.join(format!("{}.sqlite", p.id))
            } else if count == 1 {
                path.clone()
            } else {
                return Err(fail(format!(
                    "`--db {}` is one file but the auth file declares {count} provinces: point `--db` at a folder (one `<province>.sqlite` each) or give each province its `db`",
                    path.display()
                )));
            };
            let store = SqliteStore::open(&file)
                .map_err(|e| fail(format!("cannot open `{}`: {e}", file.display())))?;
            Ok(Arc::new(store))
        }
    }
}

/// A store whose client must not be dropped on an async thread: the synchronous
/// PostgreSQL client shuts its connection down on a runtime of its own, which panics inside
/// another runtime. Dropped on an async thread, it is dropped on a plain thread instead.
struct OffRuntime<S: Store + 'static>(Option<S>);

impl<S: Store + 'static> OffRuntime<S> {
    fn inner(&self) -> Result<&S, ocop_engine::StoreError> {
        self.0
            .as_ref()
            .ok_or_else(|| ocop_engine::StoreError::Backend("the store was closed".into()))
    }
}

impl<S: Store + 'static> Drop for OffRuntime<S> {
    fn drop(&mut self) {
        if let Some(store) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::Builder::new()
                    .name("ocop-store-close".into())
                    .spawn(move || drop(store));
            } else {
                drop(store);
            }
        }
    }
}

impl<S: Store + 'static> Store for OffRuntime<S> {
    fn version(&self, case: &ocop_engine::CaseId) -> Result<u64, ocop_engine::StoreError> {
        self.inner()?.version(case)
    }

    fn load(
        &self,
        case: &ocop_engine::CaseId,
        after: u64,
    ) -> Result<Vec<ocop_engine::Event>, ocop_engine::StoreError> {
        self.inner()?.load(case, after)
    }

    fn append(
        &self,
        append: &ocop_engine::store::Append<'_>,
    ) -> Result<(), ocop_engine::StoreError> {
        self.inner()?.append(append)
    }

    fn recorded(
        &self,
        case: &ocop_engine::CaseId,
        key: &str,
    ) -> Result<Option<ocop_engine::Recorded>, ocop_engine::StoreError> {
        self.inner()?.recorded(case, key)
    }

    fn cases(&self) -> Result<Vec<ocop_engine::CaseId>, ocop_engine::StoreError> {
        self.inner()?.cases()
    }

    fn due(
        &self,
        definition: &ocop_core::ids::DefinitionId,
        before: ocop_core::Date,
    ) -> Result<Vec<ocop_engine::store::DueEntry>, ocop_engine::StoreError> {
        self.inner()?.due(definition, before)
    }

    fn summary(
        &self,
        case: &ocop_engine::CaseId,
    ) -> Result<Option<ocop_engine::CaseSummary>, ocop_engine::StoreError> {
        self.inner()?.summary(case)
    }

    fn summaries(&self) -> Result<Vec<ocop_engine::CaseSummary>, ocop_engine::StoreError> {
        self.inner()?.summaries()
    }

    fn list(
        &self,
        query: &ocop_engine::SummaryQuery,
    ) -> Result<Vec<ocop_engine::CaseSummary>, ocop_engine::StoreError> {
        self.inner()?.list(query)
    }

    fn reproject(&self, summary: &ocop_engine::CaseSummary) -> Result<(), ocop_engine::StoreError> {
        self.inner()?.reproject(summary)
    }

    fn unprojected(&self) -> Result<Vec<ocop_engine::CaseId>, ocop_engine::StoreError> {
        self.inner()?.unprojected()
    }

    fn snapshot(
        &self,
        case: &ocop_engine::CaseId,
    ) -> Result<Option<ocop_engine::store::Snapshot>, ocop_engine::StoreError> {
        self.inner()?.snapshot(case)
    }

    fn put_definition(
        &self,
        definition: &ocop_engine::store::StoredDefinition,
    ) -> Result<(), ocop_engine::StoreError> {
        self.inner()?.put_definition(definition)
    }

    fn has_definition(&self, sha256: &str) -> Result<bool, ocop_engine::StoreError> {
        self.inner()?.has_definition(sha256)
    }

    fn definition(
        &self,
        sha256: &str,
    ) -> Result<Option<ocop_engine::store::StoredDefinition>, ocop_engine::StoreError> {
        self.inner()?.definition(sha256)
    }

    fn definitions(
        &self,
    ) -> Result<Vec<ocop_engine::store::StoredDefinition>, ocop_engine::StoreError> {
        self.inner()?.definitions()
    }
}

/// A started server: stores open, definitions and plugins loaded, address bound.
pub struct Server {
    state: AppState,
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    tick: Option<Duration>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The provinces it serves.
    pub fn provinces(&self) -> Vec<String> {
        self.state.provinces.keys().cloned().collect()
    }

    /// The definitions it runs.
    pub fn definitions(&self) -> Vec<String> {
        self.state.catalogue.definitions.keys().cloned().collect()
    }

    /// Fires the due timeouts of every province now (what the ticker does every interval);
    /// returns how many fired.
    pub async fn tick_now(&self) -> usize {
        crate::ticker::tick_once(&self.state).await
    }

    /// Serves until `shutdown` completes, then stops taking connections, lets the requests
    /// in flight finish (a command is appended whole or not at all), stops the ticker after
    /// its current run, and returns.
    ///
    /// # Errors
    /// [`ServeError`] when the listener fails.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let ticker = self.tick.map(|every| {
            tokio::spawn(crate::ticker::run(
                self.state.clone(),
                every,
                stop_rx.clone(),
            ))
        });
        let watcher = tokio::spawn(watch_auth(self.state.clone(), stop_rx));
        let app = router(self.state.clone());
        let result = axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!(target: "ocop_server", "shutting down: finishing requests in flight");
            })
            .await
            .map_err(|e| ServeError(e.to_string()));
        let _ = stop_tx.send(true);
        if let Some(t) = ticker {
            let _ = t.await;
        }
        let _ = watcher.await;
        result
    }
}

/// Re-reads the auth file when it changes (revoked keys, rotated JWKS).
async fn watch_auth(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut timer = tokio::time::interval(Duration::from_secs(2));
    loop {
        tokio::select! {
            _ = timer.tick() => {}
            _ = stop.changed() => break,
        }
        match state.auth.reload_if_changed() {
            Ok(true) => tracing::info!(target: "ocop_server::auth", "auth file re-read"),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(target: "ocop_server::auth", error = %e, "the changed auth file cannot be used; the previous one stays in force")
            }
        }
    }
}

/// The whole router: the API, the pages, `/openapi.json`, `/docs`, `/health`, `/ready`, `/metrics`,
/// with the body cap, the timeout and the request log.
pub(crate) fn router(state: AppState) -> Router {
    let (api, openapi) = crate::api::routes(state.clone());
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(api)
        .merge(crate::api::docs::routes(openapi))
        .merge(crate::web::routes(state.clone()))
        .layer(axum::extract::DefaultBodyLimit::max(state.max_body))
        .layer(RequestBodyLimitLayer::new(state.max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::log::layer,
        ))
}

/// Completes on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
