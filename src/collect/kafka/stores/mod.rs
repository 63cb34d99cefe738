//! Key and trust stores as Kafka's Java client reads them (`ssl.truststore.*`,
//! `ssl.keystore.*`, `ssl.key.password`): JKS, PKCS#12 and PEM files, and inline PEM.
//!
//! - The store's integrity is checked with its password (JKS digest, PKCS#12 MAC); without a
//!   password, as in Java, a trust store is read unchecked.
//! - Java reads either file format whatever the configured type says (`keystore.type.compat`,
//!   default since Java 9), so the format is taken from the file's content.
//! - The key entry is the first one in the file, decrypted with `ssl.key.password` (default: the
//!   key store password, as Kafka's `DefaultSslEngineFactory` does). Kafka has no alias setting.
//! - Private keys in PEM may be PKCS#8 encrypted (`ENCRYPTED PRIVATE KEY`) with `ssl.key.password`.
//!
//! Passwords are only used here and never appear in a message.

mod der;
mod jks;
mod pbe;
mod pkcs12;

use anyhow::{anyhow, bail, Result};
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;

/// `ssl.truststore.type` / `ssl.keystore.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreType {
    Jks,
    Pkcs12,
    Pem,
}

impl StoreType {
    pub fn parse(v: &str) -> Result<Self> {
        Ok(match v.to_ascii_uppercase().as_str() {
            "JKS" => StoreType::Jks,
            "PKCS12" | "PFX" | "P12" => StoreType::Pkcs12,
            "PEM" => StoreType::Pem,
            other => bail!("{other} is not supported (JKS, PKCS12 or PEM)"),
        })
    }
}

impl std::fmt::Display for StoreType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreType::Jks => "JKS",
            StoreType::Pkcs12 => "PKCS12",
            StoreType::Pem => "PEM",
        })
    }
}

/// One entry of a JKS or PKCS#12 store.
pub enum Entry {
    Key {
        alias: String,
        pkcs8: Vec<u8>,
        /// DER certificates, leaf first.
        chain: Vec<Vec<u8>>,
    },
    Trusted {
        #[allow(dead_code)]
        alias: String,
        der: Vec<u8>,
    },
}

/// Why a store could not be read (no secret in any variant).
#[derive(Debug)]
pub enum StoreError {
    WrongPassword,
    WrongKeyPassword,
    NeedsPassword,
    Corrupt(String),
    Unsupported(String),
}

/// A client certificate chain and its private key, for mutual TLS.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Identity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow!("cannot read it: {e}"))
}

/// Read a JKS or PKCS#12 file, whichever it is.
fn binary_store(
    data: &[u8],
    store_password: Option<&str>,
    key_password: Option<&str>,
) -> Result<Vec<Entry>, StoreError> {
    if data.starts_with(&jks::MAGIC) {
        jks::read(data, store_password, key_password)
    } else if data.starts_with(&jks::JCEKS_MAGIC) {
        Err(StoreError::Unsupported(
            "JCEKS stores; convert it with `keytool -importkeystore -deststoretype PKCS12`".into(),
        ))
    } else if pkcs12::looks_like(data) {
        pkcs12::read(data, store_password, key_password)
    } else if data.starts_with(b"-----BEGIN") {
        Err(StoreError::Corrupt(
            "it is a PEM file: set the type to PEM".into(),
        ))
    } else {
        Err(StoreError::Corrupt(
            "neither a JKS nor a PKCS#12 file".into(),
        ))
    }
}

/// The message for a store error; `prop` is `ssl.truststore` or `ssl.keystore`.
fn explain(e: StoreError, prop: &str, key_password_set: bool) -> anyhow::Error {
    match e {
        StoreError::WrongPassword => anyhow!(
            "integrity check failed: {prop}.password is wrong, or the file was altered"
        ),
        StoreError::WrongKeyPassword if key_password_set => {
            anyhow!("cannot decrypt the private key: ssl.key.password is wrong")
        }
        StoreError::WrongKeyPassword => anyhow!(
            "cannot decrypt the private key with {prop}.password (set ssl.key.password if the key has its own password)"
        ),
        StoreError::NeedsPassword => anyhow!("{prop}.password is needed to read it"),
        StoreError::Corrupt(m) => anyhow!("not a valid key store ({m})"),
        StoreError::Unsupported(m) => anyhow!("unsupported: {m}"),
    }
}

/// CA certificates from `ssl.truststore.location`.
pub fn trust_store(
    path: &Path,
    ty: StoreType,
    password: Option<&str>,
) -> Result<Vec<CertificateDer<'static>>> {
    let data = read_file(path)?;
    if ty == StoreType::Pem {
        return pem_certs(&data);
    }
    let entries =
        binary_store(&data, password, None).map_err(|e| explain(e, "ssl.truststore", false))?;
    let certs: Vec<CertificateDer<'static>> = entries
        .into_iter()
        .filter_map(|e| match e {
            Entry::Trusted { der, .. } => Some(CertificateDer::from(der)),
            Entry::Key { .. } => None,
        })
        .collect();
    if certs.is_empty() {
        bail!("the trust store holds no certificate");
    }
    Ok(certs)
}

/// The client identity from `ssl.keystore.location`.
pub fn key_store(
    path: &Path,
    ty: StoreType,
    store_password: Option<&str>,
    key_password: Option<&str>,
) -> Result<Identity> {
    let data = read_file(path)?;
    if ty == StoreType::Pem {
        return pem_identity(&data, &data, key_password);
    }
    if store_password.is_none() {
        bail!("ssl.keystore.password is needed to read it");
    }
    let kp = key_password.or(store_password);
    let entries = binary_store(&data, store_password, kp)
        .map_err(|e| explain(e, "ssl.keystore", key_password.is_some()))?;
    let Some((alias, pkcs8, chain)) = entries.into_iter().find_map(|e| match e {
        Entry::Key {
            alias,
            pkcs8,
            chain,
        } => Some((alias, pkcs8, chain)),
        Entry::Trusted { .. } => None,
    }) else {
        bail!("the key store has no private key entry (only trusted certificates)");
    };
    let pkcs8 = chain
        .first()
        .and_then(|leaf| with_ec_public_key(&pkcs8, leaf))
        .unwrap_or(pkcs8);
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8));
    check_key(&key).map_err(|e| anyhow!("key entry '{alias}': {e}"))?;
    Ok(Identity {
        chain: chain.into_iter().map(CertificateDer::from).collect(),
        key,
    })
}

/// The client identity from PEM: certificates from `certs`, the (maybe encrypted) key from `key`.
pub fn pem_identity(certs: &[u8], key: &[u8], key_password: Option<&str>) -> Result<Identity> {
    let chain = pem_certs(certs)?;
    let key = pem_key(key, key_password)?;
    check_key(&key)?;
    Ok(Identity { chain, key })
}

pub fn pem_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    if certs.is_empty() {
        bail!("no PEM certificate found");
    }
    Ok(certs)
}

const ENC_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const ENC_END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// A PEM private key: PKCS#8, PKCS#1 or SEC1 in the clear, or PKCS#8 encrypted
/// (`ENCRYPTED PRIVATE KEY`, PBES2 or PKCS#12 PBE) with `key_password`.
pub fn pem_key(pem: &[u8], key_password: Option<&str>) -> Result<PrivateKeyDer<'static>> {
    let text = String::from_utf8_lossy(pem);
    if let Some(start) = text.find(ENC_BEGIN) {
        let body = &text[start + ENC_BEGIN.len()..];
        let end = body
            .find(ENC_END)
            .ok_or_else(|| anyhow!("unterminated ENCRYPTED PRIVATE KEY block"))?;
        let b64: String = body[..end].split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| anyhow!("ENCRYPTED PRIVATE KEY block is not valid base64"))?;
        let Some(pw) = key_password else {
            bail!("the private key is encrypted: ssl.key.password is needed");
        };
        let mut epki = der::Der::new(&der)
            .sequence()
            .map_err(|e| anyhow!("malformed ENCRYPTED PRIVATE KEY: {e}"))?;
        let alg = epki.expect(der::SEQUENCE)?;
        let data = epki.expect(der::OCTET_STRING)?;
        let plain = pbe::decrypt(alg, pw, data).map_err(|e| {
            let m = format!("{e:#}");
            if m.contains("unsupported") {
                anyhow!("{m}")
            } else {
                anyhow!("cannot decrypt the private key: ssl.key.password is wrong")
            }
        })?;
        if !is_pkcs8(&plain) {
            bail!("cannot decrypt the private key: ssl.key.password is wrong");
        }
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(plain)));
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        bail!("the private key uses OpenSSL's legacy PEM encryption, which Kafka does not read either; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`");
    }
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| anyhow!("no usable PEM private key ({e})"))
}

/// Whether `d` is a PKCS#8 PrivateKeyInfo (version 0 or 1, then an AlgorithmIdentifier).
fn is_pkcs8(d: &[u8]) -> bool {
    let mut top = der::Der::new(d);
    let Ok(mut s) = top.sequence() else {
        return false;
    };
    top.is_empty()
        && s.uint().is_ok_and(|v| v <= 1)
        && s.sequence().is_ok_and(|mut a| a.oid().is_ok())
}

/// rustls (ring) must be able to sign with the key.
fn check_key(key: &PrivateKeyDer<'_>) -> Result<()> {
    if rustls::crypto::ring::sign::any_supported_type(key).is_ok() {
        return Ok(());
    }
    let alg = match key {
        PrivateKeyDer::Pkcs8(k) => key_algorithm(k.secret_pkcs8_der()),
        _ => "this key type".into(),
    };
    bail!("unsupported algorithm: {alg} (RSA, ECDSA P-256/P-384 and Ed25519 keys are supported)")
}

fn key_algorithm(pkcs8: &[u8]) -> String {
    let oid = der::Der::new(pkcs8)
        .sequence()
        .and_then(|mut s| {
            s.uint()?;
            s.sequence()?.oid()
        })
        .unwrap_or_default();
    match oid.as_str() {
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.10045.2.1" => "ECDSA on a curve rustls does not support".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.113549.1.1.10" => "RSASSA-PSS keys".into(),
        other => format!("key algorithm {other}"),
    }
}

/// (issuer, subject, subjectPublicKeyInfo) of a DER certificate, as raw encodings.
fn cert_fields(cert: &[u8]) -> Option<(&[u8], &[u8], der::Der<'_>)> {
    let mut c = der::Der::new(cert).sequence().ok()?;
    let mut tbs = c.sequence().ok()?;
    if tbs.peek_tag() == Some(der::CONTEXT_0) {
        tbs.next().ok()?;
    }
    tbs.next().ok()?; // serial
    tbs.next().ok()?; // signature algorithm
    let issuer = tbs.next().ok()?.raw;
    tbs.next().ok()?; // validity
    let subject = tbs.next().ok()?.raw;
    let spki = tbs.sequence().ok()?;
    Some((issuer, subject, spki))
}

fn names(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    cert_fields(cert).map(|(i, s, _)| (i, s))
}

/// A DER element.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Java writes EC private keys without the optional public key (RFC 5915 `publicKey [1]`),
/// which ring needs: put it back from the key's certificate. `None`: not such a key.
fn with_ec_public_key(pkcs8: &[u8], cert: &[u8]) -> Option<Vec<u8>> {
    let mut pki = der::Der::new(pkcs8).sequence().ok()?;
    let version = pki.next().ok()?.raw;
    let alg = pki.next().ok()?;
    if der::Der::new(alg.value).oid().ok()? != "1.2.840.10045.2.1" {
        return None;
    }
    let mut ec = der::Der::new(pki.expect(der::OCTET_STRING).ok()?)
        .sequence()
        .ok()?;
    let ec_version = ec.next().ok()?.raw;
    let private = ec.next().ok()?.raw;
    let params = ec.optional(der::CONTEXT_0).ok()?;
    if ec.peek_tag() == Some(0xA1) {
        return None; // the public key is there
    }
    let (_, _, mut spki) = cert_fields(cert)?;
    spki.next().ok()?; // algorithm
    let public = spki.next().ok()?;
    if public.tag != 0x03 {
        return None;
    }
    let mut inner = [ec_version, private].concat();
    if let Some(p) = params {
        inner.extend(tlv(der::CONTEXT_0, p));
    }
    inner.extend(tlv(0xA1, public.raw));
    let ec_key = tlv(der::SEQUENCE, &inner);
    let body = [version, alg.raw, &tlv(der::OCTET_STRING, &ec_key)].concat();
    Some(tlv(der::SEQUENCE, &body))
}

/// The chain from `leaf` up through the issuers found in `others`.
fn chain_from(leaf: Vec<u8>, others: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut chain = vec![leaf];
    while chain.len() < 10 {
        let Some((issuer, subject)) = names(chain.last().expect("non-empty")) else {
            break;
        };
        if issuer == subject {
            break;
        }
        let issuer = issuer.to_vec();
        match others
            .iter()
            .find(|c| names(c).is_some_and(|(_, s)| s == issuer.as_slice()) && !chain.contains(c))
        {
            Some(c) => chain.push(c.clone()),
            None => break,
        }
    }
    chain
}
