//! TLS for the mail probes: the OS trust store (plus an optional `ca_file`), a verifier that
//! remembers the presented certificate so even a rejected one reports its expiry, and failures
//! told apart: expired, not yet valid, wrong host name, unknown issuer, or no TLS at all.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use outage_core::model::Reason;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, ProtocolVersion, SignatureScheme};

use super::{Fail, Hint};

/// Loading the system's roots reads and parses a few hundred files: do it once per trust
/// configuration, and again after this long so that CA updates are picked up.
const VERIFIER_TTL: Duration = Duration::from_hours(1);

type Verifiers = Mutex<HashMap<Option<Vec<u8>>, (Instant, Arc<rustls_platform_verifier::Verifier>)>>;
static VERIFIERS: LazyLock<Verifiers> = LazyLock::new(Verifiers::default);

/// One provider for every probe: 200 dialogues at once need not hold 200 copies of its
/// tables (issue 14, `check`'s memory).
static PROVIDER: LazyLock<Arc<rustls::crypto::CryptoProvider>> =
    LazyLock::new(|| Arc::new(rustls::crypto::ring::default_provider()));

/// What the verifier saw: the server's leaf certificate, kept even when it was rejected.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Option<CertificateDer<'static>>>>);

impl Recorder {
    pub fn leaf(&self) -> Option<CertificateDer<'static>> {
        self.0.lock().ok().and_then(|leaf| leaf.clone())
    }

    /// The leaf's notAfter as a Unix timestamp.
    pub fn not_after(&self) -> Option<i64> {
        let leaf = self.leaf()?;
        let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).ok()?;
        Some(cert.validity().not_after.timestamp())
    }
}

/// Delegates every decision to the platform verifier and records the leaf it was shown.
#[derive(Debug)]
struct Recording {
    inner: Arc<rustls_platform_verifier::Verifier>,
    seen: Recorder,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.0.lock() {
            *seen = Some(end_entity.clone().into_owned());
        }
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A client config that verifies against the OS trust store plus `ca_file`.
pub fn client_config(ca_file: Option<&Path>) -> Result<(Arc<ClientConfig>, Recorder), Fail> {
    crate::http::install_crypto_provider();
    let provider = Arc::clone(&PROVIDER);
    let extra = match ca_file {
        None => None,
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            Fail::permanent(Reason::Certificate, format!("cannot read ca_file {}: {e}", path.display()))
        })?),
    };
    let verifier = verifier(extra, &provider, ca_file)?;
    let seen = Recorder::default();
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Fail::permanent(Reason::Tls, format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recording { inner: verifier, seen: seen.clone() }))
        .with_no_client_auth();
    // A config serves one connection, so a session could never be resumed — and a monitor
    // wants the full handshake with the certificate every time. The default cache allocates
    // room for 256 servers up front, per probe.
    config.resumption = rustls::client::Resumption::disabled();
    Ok((Arc::new(config), seen))
}

fn verifier(
    extra: Option<Vec<u8>>,
    provider: &Arc<rustls::crypto::CryptoProvider>,
    ca_file: Option<&Path>,
) -> Result<Arc<rustls_platform_verifier::Verifier>, Fail> {
    if let Ok(cache) = VERIFIERS.lock()
        && let Some((built, verifier)) = cache.get(&extra)
        && built.elapsed() < VERIFIER_TTL
    {
        return Ok(Arc::clone(verifier));
    }
    let built = match &extra {
        None => rustls_platform_verifier::Verifier::new(Arc::clone(provider)),
        Some(pem) => {
            let roots = pem_certificates(pem);
            if roots.is_empty() {
                let path = ca_file.map(|p| p.display().to_string()).unwrap_or_default();
                return Err(Fail::permanent(Reason::Certificate, format!("ca_file {path} holds no PEM certificate")));
            }
            rustls_platform_verifier::Verifier::new_with_extra_roots(roots, Arc::clone(provider))
        }
    }
    .map_err(|e| Fail::permanent(Reason::Certificate, format!("cannot load trusted certificates: {e}")))?;
    let built = Arc::new(built);
    if let Ok(mut cache) = VERIFIERS.lock() {
        cache.insert(extra, (Instant::now(), Arc::clone(&built)));
    }
    Ok(built)
}

/// The certificates of a PEM file (anything else in it is ignored).
fn pem_certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(pem).filter_map(Result::ok).collect()
}

pub fn version_name(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3",
        ProtocolVersion::TLSv1_2 => "TLSv1.2",
        _ => "TLS (old)",
    }
}

/// Whole days from `now` until `not_after` (negative once expired).
pub fn days_left(not_after: i64, now: i64) -> i64 {
    (not_after - now).div_euclid(86_400)
}

fn date(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0).map_or_else(|| "?".to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

/// What a rejected certificate tells the verdict (mail and pages alike). `seen_not_after` is
/// the leaf's expiry where the caller recorded it; else the verifier's own context gives it.
pub fn certificate_hint(cert: &CertificateError, seen_not_after: Option<i64>) -> Option<Hint> {
    match cert {
        CertificateError::Expired => Some(Hint::CertExpired { not_after: seen_not_after }),
        CertificateError::ExpiredContext { not_after, .. } => {
            Some(Hint::CertExpired { not_after: seen_not_after.or_else(|| i64::try_from(not_after.as_secs()).ok()) })
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => Some(Hint::CertNotYetValid),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            Some(Hint::CertWrongHost)
        }
        CertificateError::UnknownIssuer => Some(Hint::CertUntrusted),
        // A self-signed certificate: webpki says its CA is used as the server's own. Its error
        // type is not ours to name, so its name is matched.
        CertificateError::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
            Some(Hint::CertUntrusted)
        }
        _ => None,
    }
}

/// Turns a failed handshake into a reason and a message a person can act on.
pub fn classify_handshake(e: &std::io::Error, host: &str, seen: &Recorder) -> Fail {
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else {
        return match e.kind() {
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
                Fail::transient(Reason::Tls, "the server closed the connection during the TLS handshake".to_owned())
            }
            _ => Fail::transient(Reason::Tls, format!("TLS handshake failed: {e}")),
        };
    };
    let not_after = seen.not_after();
    match tls {
        rustls::Error::InvalidCertificate(cert) => {
            let hint = certificate_hint(cert, not_after);
            let message = match cert {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => format!(
                    "the server's certificate expired{}",
                    not_after.map(|t| format!(" on {}", date(t))).unwrap_or_default()
                ),
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    "the server's certificate is not valid yet (or this computer's clock is wrong)".to_owned()
                }
                CertificateError::NotValidForName => format!("the server's certificate is not valid for {host}"),
                CertificateError::NotValidForNameContext { presented, .. } => format!(
                    "the server's certificate is for {}, not for {host}",
                    if presented.is_empty() { "other names".to_owned() } else { presented.join(", ") }
                ),
                CertificateError::UnknownIssuer => "the server's certificate was issued by an unknown authority \
                     (self-signed or a private CA: add it as ca_file if you trust it)"
                    .to_owned(),
                CertificateError::Revoked => "the server's certificate was revoked".to_owned(),
                CertificateError::BadSignature | CertificateError::BadEncoding => {
                    "the server's certificate is malformed or badly signed".to_owned()
                }
                other => format!("the server's certificate was rejected: {other:?}"),
            };
            // A bad certificate stays bad until someone replaces it.
            let fail = Fail::permanent(Reason::Certificate, message);
            Fail { hint, ..fail }
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => Fail::permanent(
            Reason::Tls,
            "the server does not speak TLS here (a plaintext port configured as implicit TLS?)".to_owned(),
        )
        .hinting(Hint::NotTls),
        rustls::Error::AlertReceived(alert) => {
            Fail::transient(Reason::Tls, format!("the server aborted the TLS handshake ({alert:?})"))
        }
        rustls::Error::PeerIncompatible(why) => {
            Fail::permanent(Reason::Tls, format!("no TLS version or cipher in common with the server ({why:?})"))
        }
        other => Fail::transient(Reason::Tls, format!("TLS handshake failed: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_rounds_down_and_goes_negative() {
        let now = 1_800_000_000;
        assert_eq!(days_left(now + 86_400 * 30, now), 30);
        assert_eq!(days_left(now + 86_400 * 30 - 1, now), 29);
        assert_eq!(days_left(now - 1, now), -1);
        assert_eq!(days_left(now - 86_400 * 3, now), -3);
    }

    #[test]
    fn unreadable_or_empty_ca_file_is_a_certificate_failure() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = client_config(Some(&missing)).err().unwrap();
        assert_eq!(e.reason, Reason::Certificate);
        assert!(e.message.contains("cannot read ca_file"), "{}", e.message);
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let e = client_config(Some(&empty)).err().unwrap();
        assert!(e.message.contains("no PEM certificate"), "{}", e.message);
    }
}
