//! TLS for broker connections (rustls): trusted CAs from the trust store (or the bundled public
//! roots), an optional client certificate for mutual TLS (both read by [`super::stores`] when the
//! settings are built), and Kafka's `ssl.endpoint.identification.algorithm=` (empty) meaning
//! "verify the chain but not the host name".

use super::config::Tls;
use anyhow::{anyhow, Context, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

pub fn client_config(t: &Tls) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    match &t.roots {
        Some(certs) => {
            for c in certs {
                roots.add(c.clone()).map_err(|e| {
                    anyhow!(
                        "trusted certificate from {}: {e}",
                        t.roots_from.as_deref().unwrap_or("the trust store")
                    )
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
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
    Ok(match &t.identity {
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
            .with_context(|| {
                format!(
                    "client certificate and key from {} do not match",
                    t.identity_from.as_deref().unwrap_or("the key store")
                )
            })?,
        None => builder.with_no_client_auth(),
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
