//! Bad input and attacks: a clear answer, nothing lost. After every test, `verify` holds on
//! every case of every province.

use base64::Engine as _;
use jsonwebtoken::Algorithm;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// The definitions, asked for with only the given headers as credentials.
async fn definitions_with(s: &TestServer, headers: &[(&str, &str)]) -> Reply {
    s.call(Method::GET, "/api/v1/definitions", None, None, headers)
        .await
}

async fn bearer(s: &TestServer, token: &str) -> Reply {
    definitions_with(s, &[("Authorization", &format!("Bearer {token}"))]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_bad_and_good() {
    let s = TestServer::start(Options::default()).await;
    ok(&s.open("CT-AUTH").await);

    // Missing.
    let r = definitions_with(&s, &[]).await;
    problem(&r, 401, "missing-credential");
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"ocop\"")
    );
    // Malformed: not a JWT, garbage segments, wrong scheme.
    problem(&bearer(&s, "abc").await, 401, "invalid-credential");
    problem(&bearer(&s, "a.b.c").await, 401, "invalid-credential");
    let basic = definitions_with(&s, &[("Authorization", "Basic dXNlcjpwYXNz")]).await;
    problem(&basic, 401, "invalid-credential");

    // Valid RS256 and ES256 tokens.
    let good = s.token(Algorithm::RS256, "rsa-1", "rs256.pem", claims());
    ok(&bearer(&s, &good).await);
    let good_ec = s.token(Algorithm::ES256, "ec-1", "es256.pem", claims());
    ok(&bearer(&s, &good_ec).await);
    // Without a kid the key is found by algorithm.
    let mut h = jsonwebtoken::Header::new(Algorithm::ES256);
    h.kid = None;
    let key = jsonwebtoken::EncodingKey::from_ec_pem(
        &std::fs::read(fixtures().join("es256.pem")).unwrap(),
    )
    .unwrap();
    ok(&bearer(&s, &jsonwebtoken::encode(&h, &claims(), &key).unwrap()).await);

    // Expired, not yet valid, wrong issuer, wrong audience, missing exp: 401 saying why.
    let now = now_secs();
    let cases: [(&str, Value, Algorithm, &str); 5] = [
        ("exp", json!(now - 120), Algorithm::RS256, "expired"),
        ("nbf", json!(now + 3600), Algorithm::RS256, "not valid yet"),
        (
            "iss",
            json!("https://evil.example/realms/ocop"),
            Algorithm::RS256,
            "issuer",
        ),
        ("aud", json!("another-api"), Algorithm::ES256, "audience"),
        ("exp", Value::Null, Algorithm::RS256, "`exp`"),
    ];
    for (claim, value, alg, says) in cases {
        let mut c = claims();
        if value.is_null() {
            c.as_object_mut().unwrap().remove(claim);
        } else {
            c[claim] = value;
        }
        let (kid, pem) = match alg {
            Algorithm::ES256 => ("ec-1", "es256.pem"),
            _ => ("rsa-1", "rs256.pem"),
        };
        let r = bearer(&s, &s.token(alg, kid, pem, c)).await;
        problem(&r, 401, "invalid-credential");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{claim}: {}", r.text);
    }

    // `alg: none`, unsigned.
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims())
    );
    problem(&bearer(&s, &none).await, 401, "invalid-credential");
    // Signed by a key no issuer trusts, under a trusted kid.
    let forged = s.token(Algorithm::RS256, "rsa-1", "intruder.pem", claims());
    let r = bearer(&s, &forged).await;
    problem(&r, 401, "invalid-credential");
    assert!(
        r.body["detail"].as_str().unwrap().contains("signature"),
        "{}",
        r.text
    );
    // HS256 keyed with the public JWKS (the classic algorithm confusion).
    let jwks = std::fs::read(fixtures().join("jwks.json")).unwrap();
    let mut h = jsonwebtoken::Header::new(Algorithm::HS256);
    h.kid = Some("rsa-1".into());
    let hs = jsonwebtoken::encode(
        &h,
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(&jwks).unwrap(),
    )
    .unwrap();
    problem(&bearer(&s, &hs).await, 401, "invalid-credential");
    // A valid signature with its payload changed.
    let parts: Vec<&str> = good.split('.').collect();
    let mut c = claims();
    c["realm_access"]["roles"] = json!(["province_chair"]);
    let tampered = format!("{}.{}.{}", parts[0], b64(&c), parts[2]);
    problem(&bearer(&s, &tampered).await, 401, "invalid-credential");

    // API keys: a wrong secret, an unknown id, a revoked key.
    let office = s.key("office");
    let last = if office.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &office[..office.len() - 1]);
    let r = definitions_with(&s, &[("X-Api-Key", &wrong)]).await;
    problem(&r, 401, "invalid-credential");
    let r = definitions_with(&s, &[("X-Api-Key", "ocop_nobody.00")]).await;
    problem(&r, 401, "invalid-credential");
    problem(
        &s.get("/api/v1/definitions", "revoked").await,
        401,
        "invalid-credential",
    );
    // An API key also works as a bearer token.
    let r = bearer(&s, &s.key("office")).await;
    ok(&r);

    // Revoking a key in the auth file takes effect without a restart.
    let auth = s.dir.join("auth.toml");
    let text = std::fs::read_to_string(&auth).unwrap();
    let revoked = text.replacen("actor = \"hd-m4\"", "actor = \"hd-m4\"\nrevoked = true", 1);
    assert_ne!(text, revoked);
    ok(&s.get("/api/v1/definitions", "m4").await);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    std::fs::write(&auth, revoked).unwrap();
    let mut refused = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        if s.get("/api/v1/definitions", "m4").await.status == StatusCode::UNAUTHORIZED {
            refused = true;
            break;
        }
    }
    assert!(refused, "the revoked key was still accepted after 10 s");
    ok(&s.get("/api/v1/definitions", "m3").await);

    // The token's actor acts: a JWT commune officer proposes the case.
    ok(&s.take("CT-AUTH", "producer", "file_dossier").await);
    let r = s
        .take_with(
            "CT-AUTH",
            None,
            "commune_propose",
            &[("Authorization", &format!("Bearer {good}"))],
        )
        .await;
    ok(&r);
    assert_eq!(r.body["events"][0]["actor"]["id"], "can-bo-xa-01");
    assert_eq!(r.body["events"][0]["actor"]["role"], "commune_officer");

    // No secret reaches the log.
    let logs = String::from_utf8(logs().lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("\"credential\":\"key:office\""),
        "no request line was logged"
    );
    for key in s.keys.values() {
        let secret = key.rsplit('.').next().unwrap();
        assert!(!logs.contains(secret), "a key's secret is in the log");
    }
    for t in [&good, &good_ec] {
        assert!(
            !logs.contains(t.split('.').nth(2).unwrap()),
            "a token is in the log"
        );
    }
    s.assert_all_verify().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_provinces() {
    let s = TestServer::start(Options::default()).await;
    ok(&s.open("CT-ROLE").await);
    ok(&s.take("CT-ROLE", "producer", "file_dossier").await);

    // A valid credential without the role: 403, and nothing recorded.
    let r = s.take("CT-ROLE", "producer", "commune_propose").await;
    problem(&r, 403, "role-not-allowed");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("commune_officer"),
        "{}",
        r.text
    );
    // Asking for a role the credential does not hold.
    let r = s
        .post("/api/v1/cases/CT-ROLE/commands", "producer", json!({"role": "commune_officer", "action": {"type": "take", "transition": "commune_propose"}}))
        .await;
    problem(&r, 403, "role-not-allowed");
    let version = s.get("/api/v1/cases/CT-ROLE", "producer").await.body["version"].clone();
    assert_eq!(version, 2);

    // Another province's credential: 404 on every route of the case, and not in its list.
    for path in [
        "/api/v1/cases/CT-ROLE",
        "/api/v1/cases/CT-ROLE/events",
        "/api/v1/cases/CT-ROLE/verify",
        "/api/v1/cases/CT-ROLE/council/province_council",
    ] {
        problem(&s.get(path, "hanoi").await, 404, "not-found");
    }
    problem(
        &s.take("CT-ROLE", "hanoi", "commune_propose").await,
        404,
        "not-found",
    );
    let r = s
        .post(
            "/api/v1/cases/CT-ROLE/council/province_council/members",
            "hanoi",
            json!({"members": [{"id": "x", "chair": true}]}),
        )
        .await;
    problem(&r, 404, "not-found");
    let list = s.get("/api/v1/cases", "hanoi").await;
    assert_eq!(list.body["items"], json!([]));
    // The same id opened in Hà Nội is another case, in another store.
    let r = s.post("/api/v1/cases", "hanoi", open_body("CT-ROLE")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        s.get("/api/v1/cases/CT-ROLE", "hanoi").await.body["version"],
        1
    );
    assert_eq!(
        s.get("/api/v1/cases/CT-ROLE", "producer").await.body["version"],
        2
    );

    // Separation of duties, unchanged: the chair who constitutes may not also decide.
    s.assert_all_verify().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_actors_and_transitions() {
    let s = TestServer::start(Options::default()).await;
    ok(&s.open("CT-BODY").await);

    // An actor in the body is refused, at the top and inside the action.
    let r = s
        .post("/api/v1/cases/CT-BODY/commands", "producer", json!({"actor": {"id": "chu-tich-ubnd", "role": "province_chair"}, "action": {"type": "take", "transition": "file_dossier"}}))
        .await;
    problem(&r, 400, "actor-in-body");
    let r = s
        .post("/api/v1/cases/CT-BODY/commands", "producer", json!({"action": {"type": "take", "transition": "file_dossier", "actor": {"id": "x", "role": "province_chair"}}}))
        .await;
    problem(&r, 400, "actor-in-body");
    let mut body = open_body("CT-BODY-2");
    body["actor"] = json!({"id": "chu-tich-ubnd", "role": "province_chair"});
    problem(
        &s.post("/api/v1/cases", "producer", body).await,
        400,
        "actor-in-body",
    );

    // Malformed JSON names the line and column.
    let r = s
        .http
        .post(format!("{}/api/v1/cases/CT-BODY/commands", s.base))
        .header("X-Api-Key", s.key("producer"))
        .header("Content-Type", "application/json")
        .body("{\n  \"action\": {\"type\": \"take\",\n    \"transition\": file_dossier}\n}")
        .send()
        .await
        .unwrap();
    let r = crate::support::Reply::from_response(r).await;
    problem(&r, 400, "malformed-body");
    assert_eq!(
        (r.body["line"].as_u64(), r.body["column"].as_u64()),
        (Some(3), Some(20)),
        "{}",
        r.text
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("line 3, column 20")
    );
    // Well-formed JSON of the wrong shape: also the line and column.
    let r = s
        .post(
            "/api/v1/cases/CT-BODY/commands",
            "producer",
            json!({"action": {"type": "fly"}}),
        )
        .await;
    problem(&r, 400, "malformed-body");
    let r = s
        .post(
            "/api/v1/cases/CT-BODY/commands",
            "producer",
            json!({"action": {"type": "take", "transition": "x"}, "extra": 1}),
        )
        .await;
    problem(&r, 400, "malformed-body");
    // Not JSON at all.
    let r = s
        .http
        .post(format!("{}/api/v1/cases/CT-BODY/commands", s.base))
        .header("X-Api-Key", s.key("producer"))
        .header("Content-Type", "text/plain")
        .body("take file_dossier")
        .send()
        .await
        .unwrap();
    problem(
        &crate::support::Reply::from_response(r).await,
        415,
        "unsupported-media-type",
    );

    // Oversized bodies (the test server takes 64 KiB), with and without a length.
    let mut big = open_body("CT-BIG");
    big["product"]["name"] = json!("x".repeat(100 * 1024));
    problem(
        &s.post("/api/v1/cases", "producer", big.clone()).await,
        413,
        "body-too-large",
    );
    let chunks = vec![Ok::<_, std::io::Error>(serde_json::to_vec(&big).unwrap())];
    let r = s
        .http
        .post(format!("{}/api/v1/cases", s.base))
        .header("X-Api-Key", s.key("producer"))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_stream(chunks)))
        .send()
        .await
        .unwrap();
    problem(
        &crate::support::Reply::from_response(r).await,
        413,
        "body-too-large",
    );

    // Unknown transition: 422 with "did you mean".
    let r = s.take("CT-BODY", "producer", "file_dosier").await;
    problem(&r, 422, "unknown-transition");
    assert!(
        r.body["hint"].as_str().unwrap().contains("file_dossier"),
        "{}",
        r.text
    );
    // A failing guard lists every finding: no form 01, no form 02.
    let mut bare = open_body("CT-BARE");
    bare["documents"] = json!([]);
    ok(&s.post("/api/v1/cases", "producer", bare).await);
    let r = s.take("CT-BARE", "producer", "file_dossier").await;
    problem(&r, 422, "guard-failed");
    let findings = r.body["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{}", r.text);
    assert!(findings.iter().all(|f| f["guard"] == "has_document"));
    // Not from this state; an open sent as a command; a terminal case.
    problem(
        &s.take("CT-BODY", "producer", "province_certify").await,
        409,
        "not-from-state",
    );
    let r = s.post("/api/v1/cases/CT-BODY/commands", "producer", json!({"action": {"type": "open", "product": open_body("x")["product"], "registration": "first"}})).await;
    problem(&r, 422, "invalid-input");
    ok(&s.take("CT-BODY", "producer", "file_dossier").await);
    ok(&s.take("CT-BODY", "producer", "withdraw").await);
    problem(
        &s.take("CT-BODY", "commune", "commune_propose").await,
        409,
        "case-terminal",
    );
    // Opening twice; an unknown case; an unknown definition; unknown routes and methods.
    problem(&s.open("CT-BODY").await, 409, "case-exists");
    problem(
        &s.take("CT-NONE", "producer", "file_dossier").await,
        404,
        "not-found",
    );
    let mut other = open_body("CT-X");
    other["definition"] = json!("national-2062");
    problem(
        &s.post("/api/v1/cases", "producer", other).await,
        404,
        "not-found",
    );
    problem(
        &s.get("/api/v1/nothing", "producer").await,
        404,
        "not-found",
    );
    let r = s
        .call(
            Method::DELETE,
            "/api/v1/cases/CT-BODY",
            Some("producer"),
            None,
            &[],
        )
        .await;
    problem(&r, 405, "method-not-allowed");
    // Problems speak the caller's language.
    let r = s
        .call(
            Method::GET,
            "/api/v1/cases/CT-NONE",
            Some("producer"),
            None,
            &[("Accept-Language", "vi")],
        )
        .await;
    assert_eq!(r.body["title"], "Không tìm thấy");

    s.assert_all_verify().await;
    s.stop().await;
}

/// A stream of body chunks (no `Content-Length`).
fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl tokio_stream::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    tokio_stream::iter(chunks)
}

/// Strange ids and long strings are stored verbatim or refused, never executed; on SQLite
/// and, when configured, on PostgreSQL.
async fn strange_ids(s: &TestServer) {
    let ids = [
        "a'b\"c",
        "x/y/../z",
        "'; DROP TABLE events; --",
        "Robert'); DROP TABLE cases;--",
        "1 OR 1=1",
        "%2F..%2Fetc",
        "Bánh pía Sóc Trăng 🥮",
        "\\\\server\\share",
    ];
    for id in ids {
        let r = s.open(id).await;
        assert_eq!(r.status, StatusCode::CREATED, "{id}: {}", r.text);
        assert_eq!(r.body["case"]["case"], id);
        let back = s
            .get(&format!("/api/v1/cases/{}", enc(id)), "producer")
            .await;
        ok(&back);
        assert_eq!(back.body["case"], id);
        ok(&s.take(id, "producer", "file_dossier").await);
    }
    // A 10 kB product name is stored verbatim; a 10 kB id is refused.
    let long = "Đ'\"; DROP TABLE x; --".repeat(500);
    let mut body = open_body("CT-LONG");
    body["product"]["name"] = json!(long);
    ok(&s.post("/api/v1/cases", "producer", body).await);
    let back = s.get("/api/v1/cases/CT-LONG", "producer").await;
    assert_eq!(back.body["product"]["name"], json!(long));
    let r = s.open(&"x".repeat(10_000)).await;
    problem(&r, 422, "invalid-input");
    let r = s
        .get(&format!("/api/v1/cases/{}", "y".repeat(10_000)), "producer")
        .await;
    problem(&r, 422, "invalid-input");
    // A long idempotency key is refused, not truncated.
    let r = s
        .take_with(
            "CT-LONG",
            Some("producer"),
            "file_dossier",
            &[("Idempotency-Key", &"k".repeat(300))],
        )
        .await;
    problem(&r, 400, "bad-parameter");
    // Everything is still listed and every store table is intact.
    let list = s.get("/api/v1/cases?limit=500", "producer").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), ids.len() + 1);
    s.assert_all_verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strange_ids_on_sqlite() {
    let s = TestServer::start(Options::default()).await;
    strange_ids(&s).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strange_ids_on_postgres() {
    let Some(url) = postgres() else { return };
    let s = TestServer::start(Options {
        postgres: Some((url, unique_prefix("ids"))),
        ..Options::default()
    })
    .await;
    strange_ids(&s).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_idempotency_key_from_eight_clients_makes_one_set_of_events() {
    let s = TestServer::start(Options::default()).await;
    ok(&s.open("CT-IDEM").await);
    let before = s.get("/api/v1/cases/CT-IDEM", "producer").await.body["version"]
        .as_u64()
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = s.http.clone();
        let url = format!("{}/api/v1/cases/CT-IDEM/commands", s.base);
        let key = s.key("producer");
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .header("X-Api-Key", key)
                .header("Idempotency-Key", "file-CT-IDEM-1")
                .json(&json!({"action": {"type": "take", "transition": "file_dossier"}}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }));
    }
    let mut events = Vec::new();
    let mut replayed = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        events.push(body["events"].clone());
        replayed.push(body["replayed"].as_bool().unwrap());
    }
    assert!(events.windows(2).all(|w| w[0] == w[1]), "{events:?}");
    // One request appended; the seven others said they were answered from its record,
    // including twins that read the case before it appended.
    assert_eq!(replayed.iter().filter(|r| !**r).count(), 1, "{replayed:?}");
    let after = s.get("/api/v1/cases/CT-IDEM", "producer").await.body["version"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + events[0].as_array().unwrap().len() as u64);
    // A later retry replays; the same key for another command is refused.
    let retry = s
        .take_with(
            "CT-IDEM",
            Some("producer"),
            "file_dossier",
            &[("Idempotency-Key", "file-CT-IDEM-1")],
        )
        .await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.body["replayed"], true);
    assert_eq!(retry.body["events"], events[0]);
    let reuse = s
        .take_with(
            "CT-IDEM",
            Some("commune"),
            "commune_propose",
            &[("Idempotency-Key", "file-CT-IDEM-1")],
        )
        .await;
    problem(&reuse, 422, "idempotency-key-reused");
    // An open retried with its key opens once.
    let mut body = open_body("ignored");
    body.as_object_mut().unwrap().remove("id");
    let first = s
        .call(
            Method::POST,
            "/api/v1/cases",
            Some("producer"),
            Some(body.clone()),
            &[("Idempotency-Key", "open-42")],
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = s
        .call(
            Method::POST,
            "/api/v1/cases",
            Some("producer"),
            Some(body),
            &[("Idempotency-Key", "open-42")],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(first.body["case"]["case"], again.body["case"]["case"]);
    assert_eq!(again.body["replayed"], true);
    assert!(
        first
            .header("location")
            .unwrap()
            .starts_with("/api/v1/cases/can-tho-")
    );

    // If-Match: the current version works, a stale one gets 412 with the current version.
    let v = s.get("/api/v1/cases/CT-IDEM", "commune").await;
    let etag = v.header("etag").unwrap();
    let stale = s
        .take_with(
            "CT-IDEM",
            Some("commune"),
            "commune_propose",
            &[("If-Match", "\"1\"")],
        )
        .await;
    problem(&stale, 412, "version-mismatch");
    assert_eq!(stale.body["current_version"], v.body["version"]);
    assert_eq!(stale.header("etag"), Some(etag.clone()));
    let fresh = s
        .take_with(
            "CT-IDEM",
            Some("commune"),
            "commune_propose",
            &[("If-Match", &etag)],
        )
        .await;
    ok(&fresh);
    problem(
        &s.take_with("CT-IDEM", Some("commune"), "x", &[("If-Match", "three")])
            .await,
        400,
        "bad-parameter",
    );
    s.assert_all_verify().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_and_timeout() {
    let s = TestServer::start(Options {
        // One token per 100 s: a slow machine cannot refill the bucket during the test.
        rate: (0.01, 3),
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        ok(&s.get("/api/v1/definitions", "office").await);
    }
    let r = s.get("/api/v1/definitions", "office").await;
    problem(&r, 429, "rate-limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((90..=100).contains(&wait), "{wait}");
    // Another credential has its own budget.
    ok(&s.get("/api/v1/definitions", "m1").await);
    s.stop().await;

    let s = TestServer::start(Options {
        timeout: std::time::Duration::from_millis(1),
        ..Options::default()
    })
    .await;
    // Laying out a graph as SVG takes far longer than a millisecond.
    let r = s
        .get("/api/v1/definitions/national-2026/graph?format=svg", "m1")
        .await;
    problem(&r, 503, "timeout");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    s.stop().await;
}
