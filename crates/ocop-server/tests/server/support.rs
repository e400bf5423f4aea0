//! A server on a temporary folder (or a PostgreSQL schema), with two provinces, API keys
//! for every role of a national-2026 case, a JWT issuer, a manual clock, and an HTTP client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ocop_core::{Date, plugin::CriteriaSheet};
use ocop_engine::ManualClock;
use ocop_server::{ServerBuilder, StoreConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The plugin components, built once per test run.
pub(crate) fn plugins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut dir = None;
        for p in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
            let built = ocop_plugin_host::build_plugin(&root().join(p)).unwrap();
            dir = built.path.parent().map(Path::to_path_buf);
        }
        dir.unwrap()
    })
}

/// Log lines written by the servers of this test binary.
pub(crate) fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Arc::clone(&buf);
        let _ = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_writer(move || Capture(Arc::clone(&writer)))
            .try_init();
        buf
    }))
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Who holds a key: name → (actor, roles, province).
pub(crate) const PEOPLE: &[(&str, &str, &[&str], &str)] = &[
    ("producer", "htx-binh-minh", &["producer"], "can-tho"),
    (
        "commune",
        "ubnd-xa-thoi-lai",
        &["commune_officer"],
        "can-tho",
    ),
    ("office", "so-nn-ct", &["province_office"], "can-tho"),
    ("advisory", "to-tu-van", &["advisory_group"], "can-tho"),
    (
        "chair",
        "hd-chu-tich",
        &["province_council_chair", "province_council_member"],
        "can-tho",
    ),
    ("m1", "hd-m1", &["province_council_member"], "can-tho"),
    ("m2", "hd-m2", &["province_council_member"], "can-tho"),
    ("m3", "hd-m3", &["province_council_member"], "can-tho"),
    ("m4", "hd-m4", &["province_council_member"], "can-tho"),
    ("decider", "chu-tich-ubnd", &["province_chair"], "can-tho"),
    (
        "hanoi",
        "so-nn-hn",
        &["producer", "province_office", "commune_officer"],
        "ha-noi",
    ),
];

pub(crate) const ISSUER: &str = "https://id.cantho.gov.vn/realms/ocop";
pub(crate) const AUDIENCE: &str = "ocop-api";

/// How a test server is set up.
pub(crate) struct Options {
    pub(crate) postgres: Option<(String, String)>,
    pub(crate) rate: (f64, u32),
    pub(crate) timeout: Duration,
    pub(crate) max_body: usize,
    pub(crate) tick: Option<Duration>,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) clock: Option<ManualClock>,
    /// The pages' development sign-in (`ocop serve --dev-login`).
    pub(crate) dev_login: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            postgres: None,
            rate: (10_000.0, 10_000),
            timeout: Duration::from_secs(30),
            max_body: 64 * 1024,
            tick: None,
            dir: None,
            clock: None,
            dev_login: false,
        }
    }
}

/// A running server and what a test needs to talk to it.
pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) keys: BTreeMap<String, String>,
    pub(crate) clock: ManualClock,
    pub(crate) dir: PathBuf,
    pub(crate) http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Makes the auth file (keys with cheap argon2 parameters) in `dir`; returns the keys.
pub(crate) fn write_auth(dir: &Path, schema_prefix: &str) -> BTreeMap<String, String> {
    std::fs::copy(fixtures().join("jwks.json"), dir.join("jwks.json")).unwrap();
    let mut keys = BTreeMap::new();
    let mut text = format!(
        r#"format = 1

[[provinces]]
id = "can-tho"
name = "Cần Thơ"
schema = "{schema_prefix}can_tho"

[[provinces]]
id = "ha-noi"
name = "Hà Nội"
schema = "{schema_prefix}ha_noi"

[[issuers]]
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
jwks = "jwks.json"
algorithms = ["RS256", "ES256"]
roles_claim = "realm_access.roles"
province = "can-tho"
leeway_seconds = 5
"#
    );
    for (name, actor, roles, province) in PEOPLE {
        let made = ocop_server::new_api_key_with(&name.replace('_', "-"), 256, 1).unwrap();
        keys.insert((*name).to_owned(), made.key);
        text.push_str(&format!(
            "\n[[api_keys]]\nid = \"{}\"\nhash = \"{}\"\nactor = \"{actor}\"\nroles = {:?}\nprovince = \"{province}\"\n",
            name.replace('_', "-"),
            made.hash,
            roles
        ));
    }
    let revoked = ocop_server::new_api_key_with("revoked", 256, 1).unwrap();
    keys.insert("revoked".into(), revoked.key);
    text.push_str(&format!(
        "\n[[api_keys]]\nid = \"revoked\"\nhash = \"{}\"\nactor = \"former-clerk\"\nroles = [\"province_office\"]\nprovince = \"can-tho\"\nrevoked = true\n",
        revoked.hash
    ));
    std::fs::write(dir.join("auth.toml"), text).unwrap();
    keys
}

fn temp_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("ocop-server-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl TestServer {
    pub(crate) async fn start(o: Options) -> TestServer {
        let _ = logs();
        let plugins = tokio::task::spawn_blocking(|| plugins().to_owned())
            .await
            .unwrap();
        let (dir, keys) = match &o.dir {
            Some(d) => {
                let text = std::fs::read_to_string(d.join("keys.json")).unwrap();
                (d.clone(), serde_json::from_str(&text).unwrap())
            }
            None => {
                let d = temp_dir();
                let prefix = o
                    .postgres
                    .as_ref()
                    .map_or(String::new(), |(_, p)| p.clone());
                let keys = write_auth(&d, &prefix);
                std::fs::write(d.join("keys.json"), serde_json::to_string(&keys).unwrap()).unwrap();
                (d, keys)
            }
        };
        let clock = o
            .clock
            .clone()
            .unwrap_or_else(|| ManualClock::new(ocop_engine::Timestamp::vn(d("2026-06-01"), 9, 0)));
        let store = match &o.postgres {
            Some((url, _)) => StoreConfig::Postgres {
                url: url.clone(),
                max_connections: 4,
            },
            None => StoreConfig::Sqlite(dir.join("db")),
        };
        let server = ServerBuilder::new(root().join("workflows"), store, dir.join("auth.toml"))
            .plugins(plugins)
            .listen("127.0.0.1:0".parse().unwrap())
            .rate_limit(o.rate.0, o.rate.1)
            .request_timeout(o.timeout)
            .max_body(o.max_body)
            .tick_every(o.tick)
            .clock(Arc::new(clock.clone()))
            .dev_login(o.dev_login)
            .start()
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .serve(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        TestServer {
            base,
            keys,
            clock,
            dir,
            http: reqwest::Client::new(),
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server and waits until it has finished.
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
    }

    pub(crate) fn key(&self, who: &str) -> String {
        self.keys[who].clone()
    }

    /// A request with an API key (or none), a JSON body, and extra headers.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(w) = who {
            req = req.header("X-Api-Key", self.key(w));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::from_response(req.send().await.unwrap()).await
    }

    pub(crate) async fn get(&self, path: &str, who: &str) -> Reply {
        self.call(Method::GET, path, Some(who), None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, who: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(who), Some(body), &[])
            .await
    }

    /// Opens a national-2026 case as the producer.
    pub(crate) async fn open(&self, id: &str) -> Reply {
        self.post("/api/v1/cases", "producer", open_body(id)).await
    }

    /// Takes a transition as `who`.
    pub(crate) async fn take(&self, id: &str, who: &str, transition: &str) -> Reply {
        self.take_with(id, Some(who), transition, &[]).await
    }

    /// Takes a transition with an API key (or none) and extra headers.
    pub(crate) async fn take_with(
        &self,
        id: &str,
        who: Option<&str>,
        transition: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.call(
            Method::POST,
            &format!("/api/v1/cases/{}/commands", enc(id)),
            who,
            Some(json!({"action": {"type": "take", "transition": transition}})),
            headers,
        )
        .await
    }

    /// Signs a JWT with a fixture key.
    pub(crate) fn token(&self, alg: Algorithm, kid: &str, pem: &str, claims: Value) -> String {
        token(alg, kid, pem, claims)
    }

    /// Every case of every province verifies.
    pub(crate) async fn assert_all_verify(&self) {
        for who in ["producer", "hanoi"] {
            let mut cursor: Option<String> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/api/v1/cases?limit=500&cursor={c}"),
                    None => "/api/v1/cases?limit=500".into(),
                };
                let page = self.get(&path, who).await;
                assert_eq!(page.status, StatusCode::OK, "{}", page.body);
                for item in page.body["items"].as_array().unwrap() {
                    let id = item["case"].as_str().unwrap();
                    let v = self
                        .get(&format!("/api/v1/cases/{}/verify", enc(id)), who)
                        .await;
                    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
                    assert_eq!(v.body["valid"], true, "case {id}: {}", v.body);
                }
                match page.body["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
        }
    }

    /// Walks a new case to a 4-star certificate, as each official in turn.
    pub(crate) async fn walk_to_four_stars(&self, id: &str) {
        ok(&self.open(id).await);
        ok(&self.take(id, "producer", "file_dossier").await);
        ok(&self.take(id, "commune", "commune_propose").await);
        ok(&self.take(id, "office", "province_accept").await);
        ok(&self.take(id, "advisory", "advisory_report").await);
        let view = self
            .get(&format!("/api/v1/cases/{}", enc(id)), "chair")
            .await;
        assert_eq!(
            view.body["actions"][0]["action"], "constitute_council",
            "{}",
            view.body
        );
        let members = json!({"members": [
            {"id": "hd-chu-tich", "chair": true}, {"id": "hd-m1"}, {"id": "hd-m2"},
            {"id": "hd-m3"}, {"id": "hd-m4"}
        ]});
        ok(&self
            .post(
                &format!("/api/v1/cases/{}/council/province_council/members", enc(id)),
                "chair",
                members,
            )
            .await);
        let view = self.get(&format!("/api/v1/cases/{}", enc(id)), "m1").await;
        assert_eq!(
            view.body["actions"][0]["action"], "submit_sheet",
            "{}",
            view.body
        );
        assert_eq!(view.body["actions"][0]["role"], "province_council_member");
        let criteria = self
            .get("/api/v1/plugins/criteria-26-2026/criteria/1", "m1")
            .await;
        ok(&criteria);
        let criteria: CriteriaSheet = serde_json::from_value(criteria.body).unwrap();
        for (who, target) in [
            ("chair", 80.0),
            ("m1", 81.0),
            ("m2", 82.0),
            ("m3", 81.0),
            ("m4", 80.0),
        ] {
            let sheet = ocop_testkit::transitions::scoring_sheet(&criteria, target, 4);
            ok(&self
                .post(
                    &format!("/api/v1/cases/{}/council/province_council/sheets", enc(id)),
                    who,
                    json!({"sheet": sheet}),
                )
                .await);
        }
        ok(&self.take(id, "chair", "province_close").await);
        let done = self.take(id, "decider", "province_certify").await;
        ok(&done);
        assert_eq!(
            done.body["case"]["certificate"]["stars"], 4,
            "{}",
            done.body
        );
    }
}

/// An answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
    pub(crate) text: String,
}

impl Reply {
    pub(crate) async fn from_response(r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub(crate) fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Asserts a 2xx answer.
pub(crate) fn ok(r: &Reply) {
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
}

/// Asserts an error answer: its status, problem media type and code.
pub(crate) fn problem(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.text
    );
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(r.body["status"], status);
    assert!(
        !r.text.contains("panicked") && !r.text.contains("SQL"),
        "{}",
        r.text
    );
}

pub(crate) fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// Percent-encodes a path segment.
pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn open_body(id: &str) -> Value {
    json!({
        "id": id,
        "definition": "national-2026",
        "product": {
            "name": "Bánh pía Bình Minh",
            "product_set": 1,
            "producer": {
                "name": "HTX Bình Minh",
                "kind": "cooperative",
                "province": "92",
                "commune": "thoi-lai"
            }
        },
        "registration": "first",
        "documents": [
            {"kind": "form_01", "present": true},
            {"kind": "form_02", "present": true},
            {"kind": "food_safety_certificate", "present": true}
        ]
    })
}

pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub(crate) fn token(alg: Algorithm, kid: &str, pem: &str, claims: Value) -> String {
    let text = std::fs::read(fixtures().join(pem)).unwrap();
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&text).unwrap(),
        _ => EncodingKey::from_rsa_pem(&text).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// Claims of a valid token for the commune officer.
pub(crate) fn claims() -> Value {
    let now = now_secs();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "can-bo-xa-01",
        "iat": now,
        "nbf": now - 10,
        "exp": now + 600,
        "realm_access": {"roles": ["commune_officer"]}
    })
}

/// The PostgreSQL server of the tests, if one is configured.
pub(crate) fn postgres() -> Option<String> {
    match std::env::var("OCOP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: set OCOP_TEST_POSTGRES=postgres://… to run the PostgreSQL server tests (CI does)"
            );
            None
        }
    }
}

/// A schema prefix unique to this test run.
pub(crate) fn unique_prefix(name: &str) -> String {
    format!("t{}_{name}_", std::process::id())
}
