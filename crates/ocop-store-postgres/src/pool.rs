//! The connection pool (r2d2) and what each connection is made of: the TLS connector, the
//! session settings (statement timeout), the health check on checkout, and how PostgreSQL's
//! failures become [`StoreError`]s.

use std::sync::mpsc;
use std::time::Duration;

use crate::config::Settings;
use crate::tls;
use crate::watchdog::Connector;
use ocop_engine::StoreError;
use postgres::Client;
use postgres::error::SqlState;

/// The pool's timeouts and size, as the builder and the connection string settle them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_size: u32,
    pub(crate) checkout_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_lifetime: Duration,
    pub(crate) statement_timeout: Option<Duration>,
}

/// Opens connections for r2d2 and checks them on checkout.
#[derive(Clone)]
pub(crate) struct Manager {
    settings: Settings,
    tls: Connector,
    session: String,
    health_timeout: Duration,
}

/// A connection that could not be opened, described for the operator.
#[derive(Debug)]
pub(crate) struct ConnectError {
    message: String,
    /// The server could not be reached or went away (retry later), as opposed to a refusal
    /// that will not change by itself (password, certificate, database name).
    transient: bool,
}

impl ConnectError {
    fn new(message: String, transient: bool) -> ConnectError {
        ConnectError { message, transient }
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

impl Manager {
    pub(crate) fn new(mut settings: Settings, limits: &Limits) -> Result<Manager, StoreError> {
        let tls = Connector {
            rustls: tls::configure(&mut settings)?,
            limit: limits
                .statement_timeout
                .map(|d| d.saturating_add(limits.connect_timeout)),
        };
        settings.pg.connect_timeout(limits.connect_timeout);
        // A peer that vanished (machine down, network cut) is noticed by TCP within about a
        // minute instead of the kernel's two hours.
        if settings.pg.get_keepalives_idle() >= Duration::from_secs(7200) {
            settings.pg.keepalives_idle(Duration::from_secs(30));
        }
        if settings.pg.get_keepalives_interval().is_none() {
            settings.pg.keepalives_interval(Duration::from_secs(10));
        }
        if settings.pg.get_keepalives_retries().is_none() {
            settings.pg.keepalives_retries(3);
        }
        if settings.pg.get_tcp_user_timeout().is_none() {
            settings.pg.tcp_user_timeout(Duration::from_secs(60));
        }
        // The statement timeout bounds every statement of every transaction on the
        // connection (a row lock held by a stuck node included); the idle-in-transaction
        // timeout makes the server release the locks of a node that vanished mid-transaction.
        let ms = limits.statement_timeout.map_or(0, |d| d.as_millis());
        let session =
            format!("SET statement_timeout = {ms}; SET idle_in_transaction_session_timeout = {ms}");
        Ok(Manager {
            settings,
            tls,
            session,
            health_timeout: limits.connect_timeout,
        })
    }

    pub(crate) fn target(&self) -> &str {
        &self.settings.target
    }

    /// Opens a connection in this thread.
    fn open(&self) -> Result<Client, ConnectError> {
        let mut client = self
            .settings
            .pg
            .connect(self.tls.clone())
            .map_err(|e| self.describe(&e))?;
        client
            .batch_execute(&self.session)
            .map_err(|e| self.describe(&e))?;
        Ok(client)
    }

    /// Opens a connection, giving up after `limit` even if the server accepts the TCP
    /// connection and then never answers (the attempt is left to finish on its own thread).
    pub(crate) fn open_within(&self, limit: Duration) -> Result<Client, StoreError> {
        let (tx, rx) = mpsc::channel();
        let me = self.clone();
        std::thread::Builder::new()
            .name("ocop-pg-connect".into())
            .spawn(move || {
                let _ = tx.send(me.open());
            })
            .map_err(|e| StoreError::Backend(format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(limit) {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(e)) if e.transient => Err(StoreError::Unavailable(e.message)),
            Ok(Err(e)) => Err(StoreError::Backend(e.message)),
            Err(_) => Err(StoreError::Unavailable(format!(
                "PostgreSQL at {} did not complete a connection within {limit:?}",
                self.target()
            ))),
        }
    }

    /// A connection failure in words: the host, the TLS mode and what went wrong.
    fn describe(&self, e: &postgres::Error) -> ConnectError {
        let s = &self.settings;
        if let Some(r) = tls::rustls_error(e) {
            return ConnectError::new(
                format!(
                    "cannot connect to PostgreSQL at {} over TLS: {}",
                    s.target,
                    tls::explain(r, s)
                ),
                false,
            );
        }
        let (hint, transient) = match e.code() {
            Some(_) => ("", matches!(backend_of(e), StoreError::Unavailable(_))),
            None if is_io(e) => (
                "; is the server running and the connection string right?",
                true,
            ),
            None => ("", false),
        };
        ConnectError::new(
            format!(
                "cannot connect to PostgreSQL at {} (sslmode={}): {}{hint}",
                s.target,
                s.ssl.name(),
                message(e)
            ),
            transient,
        )
    }
}

/// A pooled connection.
///
/// Dropping a `postgres::Client` waits until the server has answered every request sent on
/// it; after a health check that timed out, a hung server never will. Such a connection is
/// dropped on a thread of its own, which ends when the server answers or the socket dies,
/// so that the command that found it hung does not hang too.
pub(crate) struct Session {
    client: Option<Client>,
    suspect: bool,
}

impl Session {
    pub(crate) fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("the connection was closed".into()))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && self.suspect
            && !client.is_closed()
        {
            let _ = std::thread::Builder::new()
                .name("ocop-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = ConnectError;

    fn connect(&self) -> Result<Session, ConnectError> {
        Ok(Session {
            client: Some(self.open()?),
            suspect: false,
        })
    }

    fn is_valid(&self, session: &mut Session) -> Result<(), ConnectError> {
        let Some(client) = session.client.as_mut() else {
            return Err(ConnectError::new("the connection was closed".into(), true));
        };
        client.is_valid(self.health_timeout).map_err(|e| {
            session.suspect = true;
            ConnectError::new(format!("health check failed: {e}"), true)
        })
    }

    fn has_broken(&self, session: &mut Session) -> bool {
        session.client.as_ref().is_none_or(Client::is_closed)
    }
}

/// The pool, and the numbers its errors quote.
pub(crate) struct Pool {
    inner: r2d2::Pool<Manager>,
    limits: Limits,
    target: String,
}

impl Pool {
    pub(crate) fn new(manager: Manager, limits: Limits) -> Pool {
        let target = manager.target().to_owned();
        let inner = r2d2::Pool::builder()
            .max_size(limits.max_size)
            .min_idle(Some(0))
            .connection_timeout(limits.checkout_timeout)
            .max_lifetime(Some(limits.max_lifetime))
            .test_on_check_out(true)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        Pool {
            inner,
            limits,
            target,
        }
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A connection, or [`StoreError::Unavailable`] after the checkout timeout.
    pub(crate) fn get(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        self.inner.get().map_err(|e| {
            let text = e.to_string();
            let why = match text.strip_prefix("timed out waiting for connection: ") {
                Some(last) => format!("the last attempt said: {last}"),
                None if self.inner.state().idle_connections == 0
                    && self.inner.state().connections >= self.limits.max_size =>
                {
                    format!(
                        "all {} connections stayed busy (raise pool_max_size?)",
                        self.limits.max_size
                    )
                }
                None => "the server did not answer in time".to_owned(),
            };
            StoreError::Unavailable(format!(
                "no connection to PostgreSQL at {} within {:?} (pool_timeout); {why}",
                self.target, self.limits.checkout_timeout
            ))
        })
    }
}

/// `e`'s message, with the server's own words when it sent some.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("PostgreSQL: {} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// Whether an I/O error (refused, reset, timed out) lies in `e`'s chain.
fn is_io(e: &postgres::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.is::<std::io::Error>() {
            return true;
        }
        next = err.source();
    }
    false
}

/// A failed statement as a [`StoreError`]: the server or the connection going away, and a
/// statement cut short by the statement timeout, are [`StoreError::Unavailable`] (try again
/// later); anything else is [`StoreError::Backend`].
pub(crate) fn backend(e: postgres::Error) -> StoreError {
    backend_of(&e)
}

fn backend_of(e: &postgres::Error) -> StoreError {
    let unavailable = |why: &str| StoreError::Unavailable(format!("{why} ({})", message(e)));
    if let Some(code) = e.code() {
        return if *code == SqlState::QUERY_CANCELED {
            unavailable(
                "a statement ran past the statement timeout (another node may hold the case's lock)",
            )
        } else if *code == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::TOO_MANY_CONNECTIONS
        {
            unavailable("the PostgreSQL server is shutting down or refusing work")
        } else {
            StoreError::Backend(message(e))
        };
    }
    if e.is_closed() || is_io(e) {
        unavailable("the connection to PostgreSQL was lost")
    } else {
        StoreError::Backend(message(e))
    }
}
