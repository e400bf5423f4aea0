//! Reading the connection string: what `tokio-postgres` understands is passed on to it; the
//! TLS settings (`sslmode`, `sslrootcert`) and the store's own settings (pool size and
//! timeouts) are taken out and read here.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ocop_engine::StoreError;
use postgres::config::Host;

/// How TLS is negotiated, as libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plaintext.
    Disable,
    /// TLS if the server offers it (plaintext otherwise, on a loopback host only).
    Prefer,
    /// TLS; the certificate is checked against `sslrootcert` when one is given.
    Require,
    /// TLS; the certificate chain must lead to the root, whatever name it carries.
    VerifyCa,
    /// TLS; the chain must lead to the root and the certificate must name the host.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the trusted root certificates come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Roots {
    /// A PEM file of one or more certificates.
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`).
    System,
}

/// The settings found in a connection string.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// What `tokio-postgres` reads (hosts, user, database, `connect_timeout`, keepalives, ...).
    pub(crate) pg: postgres::Config,
    /// The effective TLS mode (after the defaults for loopback and remote hosts).
    pub(crate) ssl: SslMode,
    /// Whether the string named `sslmode` itself.
    pub(crate) ssl_explicit: bool,
    /// The trusted roots, when TLS certificates are verified.
    pub(crate) roots: Option<Roots>,
    /// Whether every host is this machine (loopback address, `localhost`, Unix socket).
    pub(crate) loopback: bool,
    /// `pool_max_size`.
    pub(crate) pool_max_size: Option<u32>,
    /// `pool_timeout`: the longest a command waits for a connection.
    pub(crate) pool_timeout: Option<Duration>,
    /// `pool_max_lifetime`: a connection older than this is closed and replaced.
    pub(crate) pool_max_lifetime: Option<Duration>,
    /// `statement_timeout`: the longest one statement may run.
    pub(crate) statement_timeout: Option<Duration>,
    /// `host:port` list and database, for messages (never the password).
    pub(crate) target: String,
}

/// The keys this crate reads itself; `tokio-postgres` would refuse them.
const OURS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "pool_max_size",
    "pool_timeout",
    "pool_max_lifetime",
    "statement_timeout",
];

fn bad(msg: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("the PostgreSQL connection string: {msg}"))
}

/// Reads `url` (`postgres://user@host:port/db?key=value&...` or `host=... key=value ...`).
pub(crate) fn parse(url: &str) -> Result<Settings, StoreError> {
    let (rest, ours) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        split_url(url)?
    } else {
        split_key_values(url)?
    };
    let pg: postgres::Config = rest.parse().map_err(|e| bad(format!("{e}")))?;
    if pg.get_hosts().is_empty() && pg.get_hostaddrs().is_empty() {
        return Err(bad("it names no host"));
    }
    let loopback = is_loopback(&pg);
    let mut s = Settings {
        target: target(&pg),
        pg,
        ssl: if loopback {
            SslMode::Prefer
        } else {
            SslMode::VerifyFull
        },
        ssl_explicit: false,
        roots: None,
        loopback,
        pool_max_size: None,
        pool_timeout: None,
        pool_max_lifetime: None,
        statement_timeout: None,
    };
    for (key, value) in ours {
        match key.as_str() {
            "sslmode" => {
                s.ssl = SslMode::parse(&value).ok_or_else(|| {
                    bad(format!(
                        "sslmode `{value}` is not one of disable, prefer, require, verify-ca, verify-full"
                    ))
                })?;
                s.ssl_explicit = true;
            }
            "sslrootcert" => {
                s.roots = Some(if value == "system" {
                    Roots::System
                } else {
                    Roots::File(PathBuf::from(value))
                });
            }
            "pool_max_size" => {
                s.pool_max_size = Some(value.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(
                    || bad(format!("pool_max_size `{value}` is not a positive number")),
                )?);
            }
            "pool_timeout" => s.pool_timeout = Some(duration(&key, &value)?),
            "pool_max_lifetime" => s.pool_max_lifetime = Some(duration(&key, &value)?),
            "statement_timeout" => s.statement_timeout = Some(duration(&key, &value)?),
            other => {
                return Err(bad(format!(
                    "`{other}` (client certificates, key passwords, revocation lists) is not supported; authenticate with a password over TLS"
                )));
            }
        }
    }
    Ok(s)
}

/// `500ms`, `5s`, `2min`, `1h`. A bare number is refused: PostgreSQL reads it as
/// milliseconds, libpq's `connect_timeout` as seconds, and a guess would be wrong half the time.
fn duration(key: &str, value: &str) -> Result<Duration, StoreError> {
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = value.get(digits.len()..).unwrap_or_default();
    let n: u64 = digits.parse().map_err(|_| {
        bad(format!(
            "{key} `{value}` is not a duration such as 500ms, 5s, 2min or 1h"
        ))
    })?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "min" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        "" => {
            return Err(bad(format!(
                "{key} `{value}` needs a unit: ms, s, min or h (for example {value}s)"
            )));
        }
        other => {
            return Err(bad(format!(
                "{key} `{value}`: unknown unit `{other}` (use ms, s, min or h)"
            )));
        }
    })
}

fn is_loopback(pg: &postgres::Config) -> bool {
    let addrs = pg.get_hostaddrs();
    if !addrs.is_empty() {
        return addrs.iter().all(IpAddr::is_loopback);
    }
    pg.get_hosts().iter().all(|h| match h {
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Host::Unix(_) => true,
    })
}

fn target(pg: &postgres::Config) -> String {
    let ports = pg.get_ports();
    let hosts: Vec<String> = pg
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = ports
                .get(i)
                .or_else(|| ports.first())
                .copied()
                .unwrap_or(5432);
            match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(path) => format!("{}", path.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() {
        pg.get_hostaddrs()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    } else {
        hosts.join(",")
    };
    match pg.get_dbname() {
        Some(db) => format!("{hosts}/{db}"),
        None => hosts,
    }
}

/// Splits a URL's query into what is ours (decoded) and the URL without it.
fn split_url(url: &str) -> Result<(String, Vec<(String, String)>), StoreError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), Vec::new()));
    };
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k)?;
        if OURS.contains(&key.as_str()) {
            ours.push((key, percent_decode(v)?));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, ours))
}

fn percent_decode(s: &str) -> Result<String, StoreError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad(format!("bad percent-encoding in `{s}`")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad(format!("`{s}` is not UTF-8 once decoded")))
}

/// Splits a `key=value key='quoted value'` string (libpq's other syntax) into what is ours
/// and the rest, each pair kept as written.
fn split_key_values(s: &str) -> Result<(String, Vec<(String, String)>), StoreError> {
    let mut kept: Vec<&str> = Vec::new();
    let mut ours = Vec::new();
    let mut chars = s.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut key = String::new();
        while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            return Err(bad(format!("`{key}` has no `=value`")));
        }
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if(|(_, c)| *c == '\'').is_some() {
            loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some((_, '\\')) => {
                        if let Some((_, c)) = chars.next() {
                            value.push(c);
                        }
                    }
                    Some((_, c)) => value.push(c),
                    None => return Err(bad(format!("the value of `{key}` has no closing quote"))),
                }
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
                if c == '\\' {
                    if let Some((_, c)) = chars.next() {
                        value.push(c);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        let end = chars.peek().map_or(s.len(), |(i, _)| *i);
        if OURS.contains(&key.as_str()) {
            ours.push((key, value));
        } else {
            kept.push(s.get(start..end).unwrap_or_default().trim_end());
        }
    }
    Ok((kept.join(" "), ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_settings_are_taken_out_and_the_rest_passed_on() {
        let s = parse(
            "postgres://ocop:secret@db.example:6432/ocop?application_name=x&sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem&pool_max_size=3&pool_timeout=250ms&pool_max_lifetime=10min&statement_timeout=5s&connect_timeout=2",
        )
        .unwrap();
        assert_eq!(s.ssl, SslMode::VerifyCa);
        assert!(s.ssl_explicit);
        assert_eq!(s.roots, Some(Roots::File("/etc/ca.pem".into())));
        assert_eq!(s.pool_max_size, Some(3));
        assert_eq!(s.pool_timeout, Some(Duration::from_millis(250)));
        assert_eq!(s.pool_max_lifetime, Some(Duration::from_secs(600)));
        assert_eq!(s.statement_timeout, Some(Duration::from_secs(5)));
        assert_eq!(s.pg.get_connect_timeout(), Some(&Duration::from_secs(2)));
        assert_eq!(s.pg.get_application_name(), Some("x"));
        assert!(!s.loopback);
        assert_eq!(s.target, "db.example:6432/ocop");
    }

    #[test]
    fn key_value_settings_are_taken_out_too() {
        let s = parse(
            "host=127.0.0.1 port=5433 user=ocop sslmode = require sslrootcert='/tmp/my ca.pem' dbname=x",
        )
        .unwrap();
        assert_eq!(s.ssl, SslMode::Require);
        assert_eq!(s.roots, Some(Roots::File("/tmp/my ca.pem".into())));
        assert_eq!(s.pg.get_dbname(), Some("x"));
        assert_eq!(s.pg.get_ports(), &[5433]);
        assert!(s.loopback);
    }

    #[test]
    fn defaults_prefer_on_loopback_and_verify_full_elsewhere() {
        for local in [
            "postgres://u@127.0.0.1/x",
            "postgres://u@localhost/x",
            "postgres://u@[::1]:5432/x",
            "host=/var/run/postgresql user=u",
        ] {
            let s = parse(local).unwrap();
            assert!(s.loopback, "{local}");
            assert_eq!(s.ssl, SslMode::Prefer, "{local}");
            assert!(!s.ssl_explicit);
        }
        let s = parse("postgres://u@10.0.0.5/x").unwrap();
        assert!(!s.loopback);
        assert_eq!(s.ssl, SslMode::VerifyFull);
        let s = parse("postgres://u@127.0.0.1,db.example/x").unwrap();
        assert!(!s.loopback, "one remote host makes the set remote");
    }

    #[test]
    fn bad_settings_are_named() {
        for (url, says) in [
            ("postgres://u@h/x?sslmode=allow", "sslmode `allow`"),
            ("postgres://u@h/x?statement_timeout=5000", "needs a unit"),
            ("postgres://u@h/x?pool_timeout=5days", "unknown unit"),
            ("postgres://u@h/x?pool_max_size=0", "pool_max_size `0`"),
            ("postgres://u@h/x?sslcert=/c.pem", "not supported"),
            ("host=h sslrootcert='/unterminated", "closing quote"),
            ("postgres:///x", "no host"),
        ] {
            let e = parse(url).unwrap_err().to_string();
            assert!(e.contains(says), "{url}: {e}");
        }
    }
}
