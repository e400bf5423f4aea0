//! The pages' walls, over HTTP: a form posted from another site is refused (whatever header
//! gives it away), a form without its token is refused, pages refuse to be framed, and the
//! session cookie is host-only, HttpOnly, Secure and SameSite. The browser suite of
//! `tests/web/` walks the same walls in Chromium; these cover every header case quickly.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::support::*;

/// A client that does not follow redirects (the sign-in answers with them).
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A test server with the development sign-in, and a client that does not follow redirects.
async fn dev_login_server() -> (TestServer, reqwest::Client) {
    let s = TestServer::start(Options {
        dev_login: true,
        ..Options::default()
    })
    .await;
    (s, client())
}

/// A refused post: what gives it away, its headers, whether it carries a token, the words.
type Refused<'a> = (&'a str, &'a [(&'a str, &'a str)], bool, &'a str);

fn session_cookie(h: &HeaderMap) -> Option<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-ocop_session="))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_refuse_frames_and_the_session_cookie_is_locked_down() {
    let (s, http) = dev_login_server().await;
    for path in [
        "/login",
        "/work",
        "/cases/CT-NONE",
        "/dashboard",
        "/assets/app.css",
    ] {
        let r = http.get(format!("{}{path}", s.base)).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP: {h:?}"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    // Starting a sign-in makes the session cookie: `__Host-` (no Domain, Path=/), HttpOnly,
    // Secure, SameSite=Lax, a long random id.
    let r = http
        .get(format!("{}/login/start/dev?next=/work", s.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(
        r.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login/dev?")
    );
    let cookie = session_cookie(r.headers()).expect("a session cookie");
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    let id = attrs[0].trim_start_matches("__Host-ocop_session=");
    assert!(id.len() >= 40, "{cookie}");
    for a in ["Path=/", "HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(attrs.contains(&a), "{a} missing: {cookie}");
    }
    assert!(
        !attrs
            .iter()
            .any(|a| a.to_ascii_lowercase().starts_with("domain")),
        "{cookie}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_from_another_site_or_without_its_token_is_refused_in_words() {
    let (s, http) = dev_login_server().await;
    // A browser with a sign-in under way: it has a session and its form's token.
    let r = http
        .get(format!("{}/login/start/dev?next=/work", s.base))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(r.headers()).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let form = http
        .get(format!(
            "{}{}",
            s.base,
            r.headers()[LOCATION].to_str().unwrap()
        ))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = form
        .find("name=\"csrf\" value=\"")
        .expect("the form's token")
        + 19;
    let token = &form[at..at + form[at..].find('"').unwrap()];
    let host = s.base.trim_start_matches("http://").to_owned();
    let own = format!("http://{host}");

    let other_site = "không được gửi từ trang của hệ thống này";
    let no_token = "thiếu mã xác nhận của biểu mẫu";
    let cases: &[Refused] = &[
        // What gives another site away: its Origin, Sec-Fetch-Site, or its Referer.
        (
            "Origin",
            &[("Origin", "http://evil.example")],
            true,
            other_site,
        ),
        (
            "Origin with our port on another host",
            &[(
                "Origin",
                &format!("http://evil.example:{}", host.rsplit(':').next().unwrap()),
            )],
            true,
            other_site,
        ),
        (
            "Sec-Fetch-Site",
            &[("Sec-Fetch-Site", "cross-site"), ("Origin", &own)],
            true,
            other_site,
        ),
        (
            "Sec-Fetch-Site same-site",
            &[("Sec-Fetch-Site", "same-site")],
            true,
            other_site,
        ),
        (
            "Referer",
            &[("Referer", "http://evil.example/page")],
            true,
            other_site,
        ),
        ("the string null", &[("Origin", "null")], true, other_site),
        // From our own pages, but without the token, or with another one.
        ("no token", &[("Origin", &own)], false, no_token),
        ("a wrong token", &[("Origin", &own)], true, no_token),
    ];
    for (what, headers, with_token, says) in cases {
        let mut req = http
            .post(format!("{}/logout", s.base))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded");
        for (k, v) in *headers {
            req = req.header(*k, *v);
        }
        let body = match (with_token, *what) {
            (true, "a wrong token") => format!("csrf={}x", token),
            (true, _) => format!("csrf={token}"),
            (false, _) => String::new(),
        };
        let r = req.body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{what}"
        );
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{what}: {text}");
    }
    // The same form from our own page, with its token, goes through.
    let r = http
        .post(format!("{}/logout", s.base))
        .header("Cookie", &cookie)
        .header("Origin", &own)
        .header("Sec-Fetch-Site", "same-origin")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    s.stop().await;
}
