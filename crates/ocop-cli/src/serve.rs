//! `ocop serve` and `ocop key new`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use ocop_server::{OffsetClock, ServerBuilder, StoreConfig};

/// What `ocop serve` was asked.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// SQLite: a database file (one province) or a folder of `<province>.sqlite` files.
    #[arg(long, conflicts_with = "store")]
    pub(crate) db: Option<PathBuf>,
    /// PostgreSQL: `postgres://user@host:port/db`; each province gets its own schema.
    #[arg(long)]
    pub(crate) store: Option<String>,
    /// Connections per province to PostgreSQL.
    #[arg(long, default_value_t = 8)]
    pub(crate) max_connections: usize,
    /// The folder of the cycle definitions.
    #[arg(long, default_value = "workflows")]
    pub(crate) workflows: PathBuf,
    /// The folder of the plugin components (default: the paths the definitions declare).
    #[arg(long)]
    pub(crate) plugins: Option<PathBuf>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,
    /// The auth file: provinces, identity providers (JWKS), API keys (argon2 hashes).
    #[arg(long)]
    pub(crate) auth: PathBuf,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = ocop_server::DEFAULT_MAX_BODY)]
    pub(crate) max_body: usize,
    /// The longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    pub(crate) timeout: u64,
    /// Requests per second per credential.
    #[arg(long, default_value_t = 50.0)]
    pub(crate) rate: f64,
    /// Requests a credential may send in a burst.
    #[arg(long, default_value_t = 100)]
    pub(crate) burst: u32,
    /// Seconds between ticks that fire due timeouts (0: this node does not tick).
    #[arg(long, default_value_t = 60)]
    pub(crate) tick: u64,
    /// Start the engines' clock on this day (demos and acceptance tests); it then runs in
    /// real time. Default: the system clock.
    #[arg(long)]
    pub(crate) clock_start: Option<ocop_core::Date>,
    /// Turn on the pages' development sign-in: anyone picks an identity and roles (for demos
    /// and tests; never in production). Its tokens are signed with a key made at start.
    #[arg(long)]
    pub(crate) dev_login: bool,
    /// The server's public origin behind a proxy (`https://ocop.example.gov.vn`): the OIDC
    /// redirect URI is `<public-url>/login/callback`, and page forms must come from it.
    #[arg(long)]
    pub(crate) public_url: Option<String>,
    /// Log lines as JSON (default) or text.
    #[arg(long, default_value = "json")]
    pub(crate) log: String,
}

pub(crate) fn serve(args: ServeArgs) -> Result<ExitCode> {
    ocop_server::init_logging(args.log != "text");
    let store = match (&args.db, &args.store) {
        (_, Some(url)) => StoreConfig::Postgres {
            url: url.clone(),
            max_connections: args.max_connections,
        },
        (Some(path), None) => StoreConfig::Sqlite(path.clone()),
        (None, None) => {
            bail!("say where the cases are: `--db PATH` (SQLite) or `--store postgres://…`")
        }
    };
    let mut builder = ServerBuilder::new(&args.workflows, store, &args.auth)
        .listen(args.listen)
        .max_body(args.max_body)
        .request_timeout(Duration::from_secs(args.timeout.max(1)))
        .rate_limit(args.rate, args.burst)
        .tick_every((args.tick > 0).then(|| Duration::from_secs(args.tick)))
        .plugin_cache(std::env::temp_dir().join("ocop-plugin-cache"));
    if let Some(dir) = &args.plugins {
        builder = builder.plugins(dir);
    }
    if args.dev_login {
        eprintln!("ocop serve: --dev-login is on: anyone can sign in to the pages as anyone");
        builder = builder.dev_login(true);
    }
    if let Some(url) = &args.public_url {
        builder = builder.public_url(url);
    }
    if let Some(day) = args.clock_start {
        builder = builder.clock(Arc::new(OffsetClock::starting(day)));
    }
    builder.run_until_signal(|addr| {
        // The one line a script waits for before it sends requests.
        eprintln!(
            "ocop serve: listening on http://{addr} (pages: http://{addr}/work, docs: http://{addr}/docs)"
        );
    })?;
    eprintln!("ocop serve: stopped");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn key_new(id: &str, actor: &str, roles: &[String], province: &str) -> Result<ExitCode> {
    let made = ocop_server::new_api_key(id).map_err(anyhow::Error::msg)?;
    let entry = ocop_server::ApiKeyConfig {
        id: id.to_owned(),
        hash: made.hash.clone(),
        actor: actor.to_owned(),
        roles: roles.to_vec(),
        province: province.to_owned(),
        revoked: false,
    };
    #[derive(serde::Serialize)]
    struct Entry {
        api_keys: Vec<ocop_server::ApiKeyConfig>,
    }
    let toml = toml::to_string(&Entry {
        api_keys: vec![entry],
    })?;
    eprintln!("The key, shown once; give it to the client and keep it secret:");
    outln!("{}", made.key)?;
    eprintln!(
        "\nAdd this to the auth file (only the hash is kept; the server re-reads the file):\n"
    );
    eprint!("{toml}");
    Ok(ExitCode::SUCCESS)
}
