//! The connection layer against a live server (`OCOP_TEST_POSTGRES`): TLS with a CA made
//! here, the pool under load, a server that goes away or hangs, and the statement timeout.
//!
//! A TCP proxy in this process stands between the store and the server. It can relay bytes
//! (the server's own TLS, if any, passes through), terminate TLS itself with a certificate
//! from a CA made by the test (so wrong CAs and wrong host names need nothing from the
//! server), or refuse TLS like a server without it; and it can cut every connection, or hang
//! them, and be restored. So a server "stopped mid-run" is hermetic: the shared cluster is
//! never stopped.
#![cfg(test)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ocop_engine::store::{IdempotencyRecord, conformance};
use ocop_engine::{CaseId, Store, StoreError};
use ocop_store_postgres::PostgresStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

mod common;
use common::{fresh_schema, server};

/// The parts of a `postgres://user@host:port/db?...` URL the tests rebuild URLs from.
struct Url {
    user: String,
    addr: SocketAddr,
    db: String,
    query: String,
}

fn parse_url(url: &str) -> Url {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .expect("OCOP_TEST_POSTGRES must be a postgres:// URL for these tests");
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (user, rest) = rest.rsplit_once('@').expect("the URL names a user");
    let (hostport, db) = rest.split_once('/').unwrap_or((rest, "postgres"));
    let hostport = if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:5432")
    };
    let hostport = hostport.replace("localhost", "127.0.0.1");
    Url {
        user: user.to_owned(),
        addr: hostport
            .parse()
            .expect("the tests need a numeric loopback host"),
        db: db.to_owned(),
        query: query.to_owned(),
    }
}

impl Url {
    /// The same user and database at `host:port`, with `query`.
    fn at(&self, host: &str, port: u16, query: &str) -> String {
        format!("postgres://{}@{host}:{port}/{}?{query}", self.user, self.db)
    }

    /// The server's own TLS settings, if the URL has them.
    fn server_tls(&self) -> Option<(String, String)> {
        let mut mode = None;
        let mut root = None;
        for kv in self.query.split('&') {
            match kv.split_once('=') {
                Some(("sslmode", v)) => mode = Some(v.to_owned()),
                Some(("sslrootcert", v)) => root = Some(v.to_owned()),
                _ => {}
            }
        }
        root.map(|r| (mode.unwrap_or_else(|| "verify-full".into()), r))
    }

    /// A plain client straight to the server (no TLS, no pool), for what the store does not
    /// offer: holding a row lock, counting connections.
    fn raw(&self) -> postgres::Client {
        postgres::Config::new()
            .host(&self.addr.ip().to_string())
            .port(self.addr.port())
            .user(&self.user)
            .dbname(&self.db)
            .connect(postgres::NoTls)
            .unwrap()
    }
}

fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}

fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ocop-pg-tls-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A certificate authority made by the test, and server certificates it signs.
struct Pki {
    ca: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    ca_file: PathBuf,
}

impl Pki {
    fn new(name: &str, dir: &Path) -> Pki {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap())
            .unwrap();
        let ca_file = dir.join(format!("{name}.pem"));
        std::fs::write(&ca_file, ca.pem()).unwrap();
        Pki { ca, ca_file }
    }

    /// A rustls server configuration with a certificate for `names`, signed by this CA.
    fn server(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert.der().clone()], key_der)
                .unwrap(),
        )
    }
}

/// A proxy terminating TLS with a certificate for `names` from a CA made for the test, in
/// front of the server; the CA's file is removed with it.
struct TlsFixture {
    url: Url,
    pki: Pki,
    proxy: Proxy,
    dir: PathBuf,
}

impl TlsFixture {
    fn new(ca: &str, names: &[&str]) -> Option<TlsFixture> {
        let url = parse_url(&server()?);
        let dir = temp_dir();
        let pki = Pki::new(ca, &dir);
        let proxy = Proxy::start(url.addr, Tls::Terminate(pki.server(names)));
        Some(TlsFixture {
            url,
            pki,
            proxy,
            dir,
        })
    }

    /// The proxy's URL with `sslmode=mode` and this CA as `sslrootcert`.
    fn with_ca(&self, mode: &str) -> String {
        self.url.at(
            "127.0.0.1",
            self.proxy.port,
            &format!("sslmode={mode}&sslrootcert={}", self.pki.ca_file.display()),
        )
    }

    fn sessions(&self) -> usize {
        self.proxy.tls_sessions.load(Ordering::Relaxed)
    }
}

impl Drop for TlsFixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Relay.
    Pass,
    /// Close every connection and each new one at once, as a stopped server would.
    Cut,
    /// Keep every connection open and relay nothing, as a hung server would.
    Hang,
}

/// What the proxy does with the client's TLS request.
#[derive(Clone)]
enum Tls {
    /// Relay it to the server, which answers for itself.
    Relay,
    /// Answer it with this certificate and relay the decrypted stream in clear.
    Terminate(Arc<rustls::ServerConfig>),
    /// Answer "no TLS here", as a server without TLS.
    Refuse,
}

/// A TCP proxy in front of the server, on its own runtime; stops when dropped.
struct Proxy {
    port: u16,
    /// TLS sessions the proxy terminated.
    tls_sessions: Arc<AtomicUsize>,
    mode: watch::Sender<Mode>,
    runtime: Option<tokio::runtime::Runtime>,
}

const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

impl Proxy {
    fn start(upstream: SocketAddr, tls: Tls) -> Proxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (mode, _) = watch::channel(Mode::Pass);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let modes = mode.clone();
        let tls_sessions = Arc::new(AtomicUsize::new(0));
        let sessions = Arc::clone(&tls_sessions);
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut rx = modes.subscribe();
                let tls = tls.clone();
                let sessions = Arc::clone(&sessions);
                tokio::spawn(async move {
                    let now = *rx.borrow_and_update();
                    match now {
                        Mode::Cut => return,
                        Mode::Hang => {
                            let _held = client;
                            let _ = rx.wait_for(|m| *m != Mode::Hang).await;
                            return;
                        }
                        Mode::Pass => {}
                    }
                    relay(client, upstream, tls, rx, sessions).await;
                });
            }
        });
        Proxy {
            port,
            tls_sessions,
            mode,
            runtime: Some(runtime),
        }
    }

    fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn relay(
    mut client: tokio::net::TcpStream,
    upstream: SocketAddr,
    tls: Tls,
    mut rx: watch::Receiver<Mode>,
    sessions: Arc<AtomicUsize>,
) {
    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
        return;
    };
    let mut client: Box<dyn Stream> = match tls {
        Tls::Relay => Box::new(client),
        Tls::Refuse | Tls::Terminate(_) => {
            let mut first = [0u8; 8];
            if client.read_exact(&mut first).await.is_err() {
                return;
            }
            if first != SSL_REQUEST {
                // A client that does not ask for TLS: pass its first bytes on.
                if server.write_all(&first).await.is_err() {
                    return;
                }
                Box::new(client)
            } else if let Tls::Terminate(config) = tls {
                if client.write_all(b"S").await.is_err() {
                    return;
                }
                match tokio_rustls::TlsAcceptor::from(config).accept(client).await {
                    Ok(s) => {
                        sessions.fetch_add(1, Ordering::Relaxed);
                        Box::new(s)
                    }
                    Err(_) => return,
                }
            } else {
                if client.write_all(b"N").await.is_err() {
                    return;
                }
                Box::new(client)
            }
        }
    };
    let changed = tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => None,
        m = rx.wait_for(|m| *m != Mode::Pass) => m.ok().map(|m| *m),
    };
    if changed == Some(Mode::Hang) {
        // Hold both ends, relay nothing, until the proxy is restored; then drop them.
        let _ = rx.wait_for(|m| *m != Mode::Hang).await;
    }
}

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

/// Appends one event to `case` at its current version with key `key`, as a node would:
/// on a conflict, or a duplicate key after a lost reply, re-read and go on.
fn append_next(store: &PostgresStore, case: &CaseId, key: &str) -> Result<(), StoreError> {
    loop {
        let version = store.version(case)?;
        if store.recorded(case, key)?.is_some() {
            return Ok(());
        }
        let prev = store
            .load(case, version.saturating_sub(1))?
            .last()
            .map_or(ocop_engine::GENESIS_HASH.to_owned(), |e| e.hash.clone());
        let events = conformance::sample_events(case, version, &prev, 1);
        let record = IdempotencyRecord {
            key: key.to_owned(),
            fingerprint: key.to_owned(),
        };
        match conformance::append_sample(store, case, version, &events, Some(&record)) {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict { .. } | StoreError::DuplicateKey { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Every case's chain verifies and its events are numbered 1..=n without a gap.
fn assert_verifies(store: &PostgresStore) -> usize {
    let mut events = 0;
    for case in store.cases().unwrap() {
        let history = store.load(&case, 0).unwrap();
        ocop_engine::verify(&history).unwrap();
        let seqs: Vec<u64> = history.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=history.len() as u64).collect::<Vec<_>>());
        events += history.len();
    }
    events
}

#[test]
fn verify_full_succeeds_with_the_right_ca() {
    let Some(f) = TlsFixture::new("right-ca", &["localhost", "127.0.0.1"]) else {
        return;
    };
    for url in [
        f.with_ca("verify-full"),
        f.with_ca("verify-full").replace("127.0.0.1", "localhost"),
    ] {
        let store = PostgresStore::builder(url)
            .schema(fresh_schema("tlsok"))
            .open()
            .unwrap();
        append_next(&store, &CaseId::new("c-1"), "k1").unwrap();
        assert_eq!(store.version(&CaseId::new("c-1")).unwrap(), 1);
        assert_eq!(assert_verifies(&store), 1);
    }
    assert!(f.sessions() >= 2);
}

#[test]
fn verify_full_fails_with_a_wrong_ca() {
    let Some(f) = TlsFixture::new("right-ca", &["127.0.0.1"]) else {
        return;
    };
    let wrong = Pki::new("wrong-ca", &f.dir);
    let mut targets = vec![(f.proxy.port, "the test's proxy")];
    if f.url.server_tls().is_some() {
        targets.push((f.url.addr.port(), "the server's own TLS"));
    }
    for (port, what) in targets {
        for mode in ["verify-full", "verify-ca", "require"] {
            let started = Instant::now();
            let err = PostgresStore::builder(f.url.at(
                "127.0.0.1",
                port,
                &format!("sslmode={mode}&sslrootcert={}", wrong.ca_file.display()),
            ))
            .open()
            .unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, StoreError::Backend(_)), "{what}: {err:?}");
            assert!(
                text.contains(&format!("127.0.0.1:{port}")),
                "{what}: names the host: {text}"
            );
            assert!(
                text.contains("not issued by a certificate authority in sslrootcert")
                    && text.contains("wrong-ca.pem"),
                "{what}: says why: {text}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "fails at once, not after a pool timeout"
            );
        }
    }
}

#[test]
fn verify_full_fails_with_a_wrong_host_name_and_verify_ca_does_not_care() {
    let Some(f) = TlsFixture::new("right-ca", &["db.cantho.example"]) else {
        return;
    };
    let text = PostgresStore::builder(f.with_ca("verify-full"))
        .open()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{}", f.proxy.port)),
        "names the host: {text}"
    );
    assert!(
        text.contains("not valid for name") && text.contains("db.cantho.example"),
        "says why: {text}"
    );
    // The chain is good: verify-ca and require (with the root) accept it, and require
    // without a root encrypts without checking. (The server sees the proxy in clear, so the
    // proxy counts the TLS sessions it terminated.)
    for url in [
        f.with_ca("verify-ca"),
        f.with_ca("require"),
        f.url.at("127.0.0.1", f.proxy.port, "sslmode=require"),
    ] {
        let before = f.sessions();
        let store = PostgresStore::builder(&url)
            .schema(fresh_schema("tlsca"))
            .open()
            .unwrap();
        append_next(&store, &CaseId::new("c-1"), "k").unwrap();
        assert!(f.sessions() > before, "{url}: over TLS");
    }
}

#[test]
fn passes_the_conformance_suite_over_tls() {
    let Some(f) = TlsFixture::new("conformance-ca", &["127.0.0.1"]) else {
        return;
    };
    let failures = conformance::run_all(|| {
        PostgresStore::builder(f.with_ca("verify-full"))
            .schema(fresh_schema("tlsconf"))
            .max_connections(8)
            .open()
            .unwrap()
    });
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(f.sessions() >= 10);
}

#[test]
fn the_transport_is_what_sslmode_says() {
    let Some(url) = server() else { return };
    let url = parse_url(&url);
    let plain = PostgresStore::builder(url.at("127.0.0.1", url.addr.port(), "sslmode=disable"))
        .schema(fresh_schema("plain"))
        .open()
        .unwrap();
    assert_eq!(plain.transport().unwrap().tls_version, None);
    assert_eq!(plain.transport().unwrap().to_string(), "plaintext");
    if let Some((mode, root)) = url.server_tls() {
        let tls = PostgresStore::builder(url.at(
            "127.0.0.1",
            url.addr.port(),
            &format!("sslmode={mode}&sslrootcert={root}"),
        ))
        .schema(fresh_schema("tls"))
        .open()
        .unwrap();
        let t = tls.transport().unwrap();
        assert!(t.tls_version.is_some(), "{t}");
        eprintln!("the server's own TLS: {t}");
    }
    // A server without TLS: prefer (the loopback default) goes on in clear; require refuses.
    let proxy = Proxy::start(url.addr, Tls::Refuse);
    let store = PostgresStore::builder(url.at("127.0.0.1", proxy.port, ""))
        .schema(fresh_schema("prefer"))
        .open()
        .unwrap();
    assert_eq!(store.transport().unwrap().tls_version, None);
    let text = PostgresStore::builder(url.at("127.0.0.1", proxy.port, "sslmode=require"))
        .open()
        .unwrap_err()
        .to_string();
    assert!(text.contains("does not support TLS"), "{text}");
}

#[test]
fn a_remote_host_is_never_spoken_to_in_clear_by_default() {
    // No connection is attempted: the missing root is caught first.
    let text = PostgresStore::open("postgres://ocop:secret@db.cantho.example/ocop")
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("sslmode=verify-full (the default for a host that is not this machine)")
            && text.contains("sslrootcert=")
            && text.contains("db.cantho.example:5432"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn a_pool_of_two_serves_eight_threads_without_waiting_past_its_timeout() {
    let Some(url) = server() else { return };
    let app = format!("ocop-pool-{}", std::process::id());
    let checkout = Duration::from_secs(5);
    let store = Arc::new(
        PostgresStore::builder(with_param(&url, "application_name", &app))
            .schema(fresh_schema("pool"))
            .max_connections(2)
            .checkout_timeout(checkout)
            .open()
            .unwrap(),
    );
    let parsed = parse_url(&url);
    let mut raw = parsed.raw();
    let peak = Arc::new(Mutex::new(0i64));
    let slowest = Arc::new(Mutex::new(Duration::ZERO));
    const THREADS: usize = 8;
    const COMMANDS: usize = 25;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = Arc::clone(&store);
            let slowest = Arc::clone(&slowest);
            std::thread::spawn(move || {
                for i in 0..COMMANDS {
                    // Two threads per case, so appends also conflict and retry.
                    let case = CaseId::from(format!("case-{}", t / 2));
                    let started = Instant::now();
                    append_next(&store, &case, &format!("t{t}-{i}")).unwrap();
                    let took = started.elapsed();
                    let mut s = slowest.lock().unwrap();
                    *s = (*s).max(took);
                }
            })
        })
        .collect();
    while !threads.iter().all(std::thread::JoinHandle::is_finished) {
        let n: i64 = raw
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .unwrap()
            .get(0);
        let mut p = peak.lock().unwrap();
        *p = (*p).max(n);
        drop(p);
        std::thread::sleep(Duration::from_millis(5));
    }
    for t in threads {
        t.join().unwrap();
    }
    let slowest = *slowest.lock().unwrap();
    let peak = *peak.lock().unwrap();
    eprintln!(
        "{THREADS} threads x {COMMANDS} commands on 2 connections: slowest command {slowest:?}, at most {peak} connections seen by the server"
    );
    assert!(peak <= 2, "the pool opened {peak} connections");
    assert!(
        slowest < checkout,
        "a command waited {slowest:?}, past the checkout timeout"
    );
    assert_eq!(assert_verifies(&store), THREADS * COMMANDS);
}

/// A store of 2 connections with 1 s checkout and connect timeouts, behind a proxy that
/// relays bytes (the server's own TLS, if any, passes through it).
fn behind_a_relay(tag: &str) -> Option<(Proxy, PostgresStore)> {
    let url = parse_url(&server()?);
    let proxy = Proxy::start(url.addr, Tls::Relay);
    let store = PostgresStore::builder(url.at("127.0.0.1", proxy.port, &url.query))
        .schema(fresh_schema(tag))
        .max_connections(2)
        .checkout_timeout(CHECKOUT)
        .connect_timeout(Duration::from_secs(1))
        .open()
        .unwrap();
    Some((proxy, store))
}

const CHECKOUT: Duration = Duration::from_secs(1);

#[test]
fn a_server_stopped_mid_run_fails_commands_fast_and_they_succeed_once_it_is_back() {
    let Some((proxy, store)) = behind_a_relay("stop") else {
        return;
    };
    let store = Arc::new(store);
    // Four nodes' threads keep appending; each failure must come quickly and be typed.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<(Duration, StoreError)>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let (store, stop, failures, done) = (
                Arc::clone(&store),
                Arc::clone(&stop),
                Arc::clone(&failures),
                Arc::clone(&done),
            );
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let case = CaseId::from(format!("case-{t}"));
                    let started = Instant::now();
                    match append_next(&store, &case, &format!("t{t}-{i}")) {
                        Ok(()) => {
                            i += 1;
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failures.lock().unwrap().push((started.elapsed(), e));
                            std::thread::sleep(Duration::from_millis(50));
                        }
                    }
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        let until = Instant::now() + Duration::from_secs(60);
        while done.load(Ordering::Relaxed) < n {
            assert!(Instant::now() < until, "commands stopped succeeding");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(20);
    proxy.set(Mode::Cut);
    std::thread::sleep(Duration::from_secs(3));
    let during = done.load(Ordering::Relaxed);
    let failed_while_down = failures.lock().unwrap().len();
    proxy.set(Mode::Pass);
    wait_for(during + 20);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    eprintln!(
        "{} commands succeeded, {} failed while the server was away; slowest failure {:?}",
        done.load(Ordering::Relaxed),
        failures.len(),
        failures.iter().map(|f| f.0).max()
    );
    assert!(
        failed_while_down >= 4,
        "every node noticed the server was gone"
    );
    for (took, e) in failures.iter() {
        assert!(
            matches!(e, StoreError::Unavailable(_)),
            "a typed error, not {e:?}"
        );
        // One checkout timeout, plus a health check, plus slack for a loaded machine.
        assert!(
            *took < CHECKOUT * 3 + Duration::from_secs(2),
            "failed only after {took:?}: {e}"
        );
    }
    assert!(assert_verifies(&store) >= 40);
}

#[test]
fn a_hung_server_fails_commands_at_checkout_and_they_succeed_once_it_answers() {
    let Some((proxy, store)) = behind_a_relay("hang") else {
        return;
    };
    let case = CaseId::new("c-1");
    append_next(&store, &case, "before").unwrap();
    proxy.set(Mode::Hang);
    // The relay's tasks see the new mode on their runtime's threads; let them, so that the
    // hang starts before the health check rather than between it and the query (a server
    // that hangs there is bounded by the statement deadline instead, 31 s; seen once in a
    // loaded CI run).
    std::thread::sleep(Duration::from_millis(500));
    for attempt in 0..3 {
        let started = Instant::now();
        let err = store.version(&case).unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        // The idle connection's health check (connect timeout), then the checkout timeout.
        assert!(
            took < Duration::from_secs(5),
            "attempt {attempt} took {took:?}: {err}"
        );
        eprintln!("hung server, attempt {attempt}: {took:?}: {err}");
    }
    proxy.set(Mode::Pass);
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        match append_next(&store, &case, "after") {
            Ok(()) => break,
            Err(StoreError::Unavailable(_)) if Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(assert_verifies(&store), 2);
}

#[test]
fn a_server_that_never_answers_fails_open_in_time() {
    // A listener that completes the TCP handshake and then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let err = PostgresStore::builder(format!("postgres://ocop@127.0.0.1:{port}/ocop"))
        .checkout_timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(500))
        .open()
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    drop(listener);
}

#[test]
fn the_statement_timeout_ends_a_wait_on_a_stuck_lock() {
    let Some(url) = server() else { return };
    let parsed = parse_url(&url);
    let schema = fresh_schema("stuck");
    let store = PostgresStore::builder(&url)
        .schema(&schema)
        .statement_timeout(Duration::from_millis(300))
        .open()
        .unwrap();
    let case = CaseId::new("c-1");
    append_next(&store, &case, "first").unwrap();
    let from_url = PostgresStore::builder(with_param(&url, "statement_timeout", "200ms"))
        .schema(&schema)
        .statement_timeout(Duration::from_secs(60))
        .open()
        .unwrap();
    let mut raw = parsed.raw();
    // The builder's timeout, then the URL's (which wins over the builder's 60 s).
    for (store, key) in [(&store, "second"), (&from_url, "third")] {
        // Another node takes the case's row lock and sits on it.
        let mut tx = raw.transaction().unwrap();
        tx.execute(
            &format!("SELECT version FROM {schema}.cases WHERE case_id = 'c-1' FOR UPDATE"),
            &[],
        )
        .unwrap();
        let started = Instant::now();
        let err = append_next(store, &case, key).unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        assert!(err.to_string().contains("statement timeout"), "{err}");
        assert!(took < Duration::from_secs(3), "took {took:?}");
        // Reads do not wait for the lock.
        assert_eq!(store.version(&case).unwrap(), 1);
        tx.rollback().unwrap();
    }
    append_next(&store, &case, "second").unwrap();
    assert_eq!(assert_verifies(&store), 2);
}

#[test]
fn a_server_that_freezes_mid_command_fails_the_command_within_the_deadline() {
    let Some(f) = TlsFixture::new("freeze-ca", &["127.0.0.1"]) else {
        return;
    };
    // The deadline is the statement timeout plus the connect timeout: 1 s.
    let store = Arc::new(
        PostgresStore::builder(f.with_ca("verify-full"))
            .schema(fresh_schema("freeze"))
            .max_connections(2)
            .statement_timeout(Duration::from_millis(500))
            .connect_timeout(Duration::from_millis(500))
            .checkout_timeout(Duration::from_secs(1))
            .open()
            .unwrap(),
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<(Duration, Result<(), StoreError>)>::new()));
    let worker = {
        let (store, stop, outcomes) =
            (Arc::clone(&store), Arc::clone(&stop), Arc::clone(&outcomes));
        std::thread::spawn(move || {
            let case = CaseId::new("c-1");
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let r = append_next(&store, &case, &format!("k{i}"));
                if r.is_ok() {
                    i += 1;
                }
                outcomes.lock().unwrap().push((started.elapsed(), r));
            }
        })
    };
    // Freeze the server at moments when the worker is mid-command (it almost always is),
    // until one command has been caught in flight.
    let in_flight = |o: &[(Duration, Result<(), StoreError>)]| {
        o.iter().any(
            |(_, r)| matches!(r, Err(StoreError::Unavailable(m)) if m.contains("sent nothing")),
        )
    };
    for _ in 0..5 {
        let before = outcomes
            .lock()
            .unwrap()
            .iter()
            .filter(|o| o.1.is_ok())
            .count();
        let until = Instant::now() + Duration::from_secs(30);
        while outcomes
            .lock()
            .unwrap()
            .iter()
            .filter(|o| o.1.is_ok())
            .count()
            < before + 10
        {
            assert!(Instant::now() < until, "commands stopped succeeding");
            std::thread::sleep(Duration::from_millis(5));
        }
        f.proxy.set(Mode::Hang);
        std::thread::sleep(Duration::from_secs(2));
        f.proxy.set(Mode::Pass);
        if in_flight(&outcomes.lock().unwrap()) {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    let outcomes = outcomes.lock().unwrap();
    assert!(
        in_flight(&outcomes),
        "no command was caught in flight by a freeze: {:?}",
        outcomes.iter().filter(|o| o.1.is_err()).collect::<Vec<_>>()
    );
    for (took, r) in outcomes.iter() {
        if let Err(e) = r {
            assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        }
        // The deadline (1 s), a health check (0.5 s), a checkout (1 s), and slack.
        assert!(
            *took < Duration::from_secs(4),
            "a command took {took:?}: {r:?}"
        );
    }
    assert!(assert_verifies(&store) >= 10);
}

#[test]
fn a_server_that_is_down_is_unavailable_and_a_wrong_database_is_not() {
    // Nothing listens on port 1: retry later.
    let err = PostgresStore::open("postgres://ocop:secret@127.0.0.1:1/ocop").unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    // The server answers and refuses: retrying will not help.
    let Some(url) = server() else { return };
    let url = parse_url(&url);
    let (port, query) = (url.addr.port(), url.query.clone());
    let wrong = Url {
        db: "no_such_database".into(),
        ..url
    };
    let err = PostgresStore::open(wrong.at("127.0.0.1", port, &query)).unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_database"), "{err}");
}

/// A version the tables hold that ocop cannot have written (negative) is an error naming
/// it, not a case at version 0.
#[test]
fn a_negative_version_written_outside_ocop_is_refused_not_read_as_zero() {
    let Some(url) = server() else { return };
    let schema = fresh_schema("neg");
    let store = PostgresStore::builder(&url).schema(&schema).open().unwrap();
    let case = CaseId::new("c");
    let events = conformance::sample_events(&case, 0, ocop_engine::GENESIS_HASH, 1);
    conformance::append_sample(&store, &case, 0, &events, None).unwrap();
    let mut raw = parse_url(&url).raw();
    raw.execute(&format!("UPDATE {schema}.cases SET version = -1"), &[])
        .unwrap();
    let err = store.version(&case).unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(err.to_string().contains("version -1"), "{err}");
}
