//! TLS to the server through rustls (ring as the crypto provider): the `sslmode` of the
//! connection string turned into a rustls client configuration, and rustls' verdicts on a
//! certificate turned into a sentence naming the host and the reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ocop_engine::StoreError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::config::{Roots, Settings, SslMode};

/// Sets the TLS mode `tokio-postgres` negotiates and returns the connector for it.
///
/// `prefer` falls back to plaintext only for a loopback host: for any other host it insists on
/// TLS, so that plaintext across a network happens only when `sslmode=disable` says so.
pub(crate) fn configure(s: &mut Settings) -> Result<MakeRustlsConnect, StoreError> {
    use postgres::config::SslMode as Pg;
    if s.ssl == SslMode::Prefer && !s.loopback {
        s.ssl = SslMode::Require;
    }
    s.pg.ssl_mode(match s.ssl {
        SslMode::Disable => Pg::Disable,
        SslMode::Prefer => Pg::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Pg::Require,
    });
    if matches!(s.ssl, SslMode::VerifyCa | SslMode::VerifyFull) && s.roots.is_none() {
        s.roots = Some(Roots::File(default_root_file().ok_or_else(|| {
            let default = if s.ssl_explicit {
                ""
            } else {
                " (the default for a host that is not this machine)"
            };
            StoreError::Backend(format!(
                "sslmode={}{default} needs the certificate authority that signed the certificate of {}: add sslrootcert=/path/to/ca.pem (or sslrootcert=system) to the connection string; sslmode=require encrypts without checking who answers, sslmode=disable sends everything in clear",
                s.ssl.name(),
                s.target
            ))
        })?));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = match (&s.roots, s.ssl) {
        (_, SslMode::Disable) | (None, _) => None,
        (Some(roots), _) => Some(
            WebPkiServerVerifier::builder_with_provider(
                Arc::new(load_roots(roots)?),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|e| StoreError::Backend(format!("TLS roots: {e}")))?,
        ),
    };
    let verifier: Arc<dyn ServerCertVerifier> = match chain {
        Some(webpki) if s.ssl == SslMode::VerifyFull => webpki,
        chain => Arc::new(Lenient {
            provider: Arc::clone(&provider),
            chain,
        }),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Backend(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// libpq's default root file, `~/.postgresql/root.crt`, when it exists.
fn default_root_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let path = Path::new(&home).join(".postgresql").join("root.crt");
    path.is_file().then_some(path)
}

fn load_roots(roots: &Roots) -> Result<RootCertStore, StoreError> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    StoreError::Backend(format!(
                        "cannot read sslrootcert `{}`: {e}",
                        path.display()
                    ))
                })?;
            if certs.is_empty() {
                return Err(StoreError::Backend(format!(
                    "sslrootcert `{}` holds no PEM certificate",
                    path.display()
                )));
            }
            for cert in certs {
                store.add(cert).map_err(|e| {
                    StoreError::Backend(format!(
                        "sslrootcert `{}` holds a certificate that cannot serve as a root: {e}",
                        path.display()
                    ))
                })?;
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(StoreError::Backend(format!(
                    "sslrootcert=system: no certificate authority found in the system's store{}",
                    found
                        .errors
                        .first()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                )));
            }
        }
    }
    Ok(store)
}

/// The verifier for every mode but `verify-full` (which is webpki's own).
///
/// Without roots (`prefer`/`require` without `sslrootcert`) the traffic is encrypted and the
/// server proves it holds the key of the certificate it shows, but nobody vouches for that
/// certificate. With roots (`verify-ca`, and `prefer`/`require` with `sslrootcert`) the chain
/// must lead to a trusted root, whatever host name the certificate carries: webpki checks
/// the chain before the name, so a name mismatch means the chain was good.
#[derive(Debug)]
struct Lenient {
    provider: Arc<CryptoProvider>,
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The rustls error somewhere in `e`'s chain (tokio-rustls wraps it in an `io::Error`, whose
/// `source` skips it, so each `io::Error` is opened as well).
pub(crate) fn rustls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && let Some(r) = rustls_error(inner)
        {
            return Some(r);
        }
        next = err.source();
    }
    None
}

/// Why a certificate was refused, in words an operator can act on.
pub(crate) fn explain(e: &rustls::Error, s: &Settings) -> String {
    let roots = match &s.roots {
        Some(Roots::File(p)) => format!("sslrootcert `{}`", p.display()),
        Some(Roots::System) => "the system's certificate store".to_owned(),
        None => "the trusted roots".to_owned(),
    };
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "its certificate is not issued by a certificate authority in {roots} (sslmode={})",
            s.ssl.name()
        ),
        rustls::Error::InvalidCertificate(
            c @ (CertificateError::NotValidForName
            | CertificateError::NotValidForNameContext { .. }),
        ) => format!(
            "{c} (sslmode=verify-full); connect by a name the certificate carries, or use sslmode=verify-ca to check the issuer only"
        ),
        rustls::Error::InvalidCertificate(c) => {
            format!("its certificate is refused: {c} (sslmode={})", s.ssl.name())
        }
        other => format!("the TLS handshake failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    #[test]
    fn prefer_insists_on_tls_for_a_remote_host_only() {
        use postgres::config::SslMode as Pg;
        let mut remote = parse("postgres://u@db.cantho.example/x?sslmode=prefer").unwrap();
        configure(&mut remote).unwrap();
        assert_eq!(remote.ssl, SslMode::Require);
        assert_eq!(remote.pg.get_ssl_mode(), Pg::Require);
        let mut local = parse("postgres://u@127.0.0.1/x").unwrap();
        configure(&mut local).unwrap();
        assert_eq!(local.pg.get_ssl_mode(), Pg::Prefer);
        let mut plain = parse("postgres://u@db.cantho.example/x?sslmode=disable").unwrap();
        configure(&mut plain).unwrap();
        assert_eq!(
            plain.pg.get_ssl_mode(),
            Pg::Disable,
            "explicit plaintext is allowed"
        );
    }

    #[test]
    fn verifying_needs_a_root_and_a_readable_one() {
        let mut s = parse("postgres://u@127.0.0.1/x?sslmode=verify-ca").unwrap();
        if default_root_file().is_none() {
            let e = configure(&mut s).err().unwrap().to_string();
            assert!(
                e.contains("sslmode=verify-ca needs") && e.contains("sslrootcert="),
                "{e}"
            );
        }
        let mut s =
            parse("postgres://u@127.0.0.1/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
                .unwrap();
        let e = configure(&mut s).err().unwrap().to_string();
        assert!(
            e.contains("cannot read sslrootcert `/nonexistent/ca.pem`"),
            "{e}"
        );
    }
}
