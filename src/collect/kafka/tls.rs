//! TLS for broker connections (rustls): CA from PEM (or the bundled public roots), optional
//! client certificate for mutual TLS, and Kafka's `ssl.endpoint.identification.algorithm=`
//! (empty) meaning "verify the chain but not the host name".

use super::config::Tls;
use anyhow::{anyhow, bail, Context, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

fn certs_from(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{what}: {e}"))?;
    if certs.is_empty() {
        bail!("{what}: no PEM certificate found");
    }
    Ok(certs)
}

fn read(path: &std::path::Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

pub fn client_config(t: &Tls) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let mut any_ca = false;
    if let Some(p) = &t.ca_file {
        for c in certs_from(&read(p, "CA file")?, &format!("CA file {}", p.display()))? {
            roots
                .add(c)
                .map_err(|e| anyhow!("CA file {}: {e}", p.display()))?;
        }
        any_ca = true;
    }
    if let Some(pem) = &t.ca_pem {
        for c in certs_from(pem.as_bytes(), "ssl.truststore.certificates")? {
            roots.add(c)?;
        }
        any_ca = true;
    }
    if !any_ca {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?;
    let verifier: Arc<dyn ServerCertVerifier> = Arc::new(Verifier {
        inner: webpki,
        hostname: t.verify_hostname,
        chain: t.verify_certificate,
    });
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let chain = match (&t.cert_file, &t.cert_pem) {
        (Some(p), _) => Some(certs_from(
            &read(p, "client certificate")?,
            &format!("client certificate {}", p.display()),
        )?),
        (None, Some(pem)) => Some(certs_from(
            pem.as_bytes(),
            "ssl.keystore.certificate.chain",
        )?),
        _ => None,
    };
    let key = match (&t.key_file, &t.key_pem) {
        (Some(p), _) => Some(
            PrivateKeyDer::from_pem_slice(&read(p, "client key")?).map_err(|e| {
                anyhow!(
                    "client key {}: {e} (encrypted keys are not supported)",
                    p.display()
                )
            })?,
        ),
        (None, Some(pem)) => Some(
            PrivateKeyDer::from_pem_slice(pem.as_bytes())
                .map_err(|e| anyhow!("ssl.keystore.key: {e}"))?,
        ),
        _ => None,
    };
    Ok(match (chain, key) {
        (Some(chain), Some(key)) => builder
            .with_client_auth_cert(chain, key)
            .context("client certificate and key do not match")?,
        (None, None) => builder.with_no_client_auth(),
        _ => bail!("mutual TLS needs both a client certificate and its key"),
    })
}

pub async fn connect(tcp: TcpStream, host: &str, t: &Tls) -> Result<TlsStream<TcpStream>> {
    let cfg = client_config(t)?;
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| anyhow!("'{host}' is not a valid TLS server name"))?;
    Ok(TlsConnector::from(Arc::new(cfg)).connect(name, tcp).await?)
}

#[derive(Debug)]
struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
    hostname: bool,
    chain: bool,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !self.chain {
            return Ok(ServerCertVerified::assertion());
        }
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) if !self.hostname => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
