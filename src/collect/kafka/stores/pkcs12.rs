//! PKCS#12 (RFC 7292) key and trust stores, as Java's `PKCS12KeyStore` reads them: the MAC
//! checked with the store password, certificate bags (encrypted with the store password or not),
//! and shrouded key bags decrypted with the key password (`ssl.key.password`, which may differ
//! from the store password). Key entries are taken in file order.

use super::der::{Der, CONTEXT_0, OCTET_STRING, SET};
use super::pbe;
use super::{Entry, StoreError};
use anyhow::{bail, Result};

const DATA: &str = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const SAFE_CONTENTS_BAG: &str = "1.2.840.113549.1.12.10.1.6";
const X509_CERT: &str = "1.2.840.113549.1.9.22.1";
const FRIENDLY_NAME: &str = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID: &str = "1.2.840.113549.1.9.21";

/// One bag as found in the file.
enum Bag {
    /// (alias, local key id, encrypted key: AlgorithmIdentifier contents and ciphertext, or a
    /// plain PKCS#8 key)
    Key {
        alias: Option<String>,
        id: Option<Vec<u8>>,
        key: KeyData,
    },
    Cert {
        alias: Option<String>,
        id: Option<Vec<u8>>,
        der: Vec<u8>,
    },
}

enum KeyData {
    Plain(Vec<u8>),
    Shrouded { alg: Vec<u8>, data: Vec<u8> },
}

/// Whether `data` looks like a PKCS#12 file (a DER SEQUENCE starting with version 3).
pub fn looks_like(data: &[u8]) -> bool {
    let mut d = Der::new(data);
    d.sequence()
        .and_then(|mut s| s.uint())
        .is_ok_and(|v| v == 3)
}

/// Read the store: integrity checked with `store_password` (when given), entries in file order.
/// `key_password` decrypts key entries; `None` leaves them out (trust stores).
pub fn read(
    data: &[u8],
    store_password: Option<&str>,
    key_password: Option<&str>,
) -> Result<Vec<Entry>, StoreError> {
    let mut top = Der::new(data);
    let mut pfx = top.sequence().map_err(corrupt)?;
    let version = pfx.uint().map_err(corrupt)?;
    if version != 3 {
        return Err(StoreError::Corrupt(format!(
            "PKCS#12 version {version}, expected 3"
        )));
    }
    let mut auth_safe = pfx.sequence().map_err(corrupt)?;
    if auth_safe.oid().map_err(corrupt)? != DATA {
        return Err(StoreError::Unsupported(
            "PKCS#12 with public-key integrity mode".into(),
        ));
    }
    let content = Der::new(auth_safe.expect(CONTEXT_0).map_err(corrupt)?)
        .expect(OCTET_STRING)
        .map_err(corrupt)?;
    match (pfx.is_empty(), store_password) {
        (false, Some(pw)) => {
            let mac = pfx.expect(super::der::SEQUENCE).map_err(corrupt)?;
            match pbe::verify_pkcs12_mac(mac, pw, content) {
                Ok(true) => {}
                Ok(false) => return Err(StoreError::WrongPassword),
                Err(e) => return Err(StoreError::Unsupported(format!("{e:#}"))),
            }
        }
        // No password: Java loads the store without checking its integrity.
        (false, None) => {}
        (true, _) => {}
    }
    let mut bags = Vec::new();
    let mut safes = Der::new(content).sequence().map_err(corrupt)?;
    while !safes.is_empty() {
        let mut ci = safes.sequence().map_err(corrupt)?;
        let ty = ci.oid().map_err(corrupt)?;
        let inner = Der::new(ci.expect(CONTEXT_0).map_err(corrupt)?);
        let plain = match ty.as_str() {
            DATA => {
                let mut inner = inner;
                inner.expect(OCTET_STRING).map_err(corrupt)?.to_vec()
            }
            ENCRYPTED_DATA => {
                let Some(pw) = store_password else {
                    return Err(StoreError::NeedsPassword);
                };
                let (alg, enc) = encrypted_data(inner).map_err(corrupt)?;
                pbe::decrypt(alg, pw, &enc).map_err(|e| classify(e, StoreError::WrongPassword))?
            }
            other => {
                return Err(StoreError::Unsupported(format!(
                    "PKCS#12 content type {other}"
                )))
            }
        };
        safe_contents(&plain, &mut bags).map_err(corrupt)?;
    }
    assemble(bags, key_password)
}

/// EncryptedData → (AlgorithmIdentifier contents, ciphertext).
fn encrypted_data(mut inner: Der<'_>) -> Result<(&[u8], Vec<u8>)> {
    let mut ed = inner.sequence()?;
    ed.uint()?;
    let mut eci = ed.sequence()?;
    eci.oid()?;
    let alg = eci.expect(super::der::SEQUENCE)?;
    let t = eci.next()?;
    let enc = match t.tag {
        // [0] IMPLICIT OCTET STRING, primitive
        0x80 => t.value.to_vec(),
        // constructed: a series of OCTET STRINGs
        0xA0 => {
            let mut parts = Der::new(t.value);
            let mut v = Vec::new();
            while !parts.is_empty() {
                v.extend_from_slice(parts.expect(OCTET_STRING)?);
            }
            v
        }
        other => bail!("unexpected encrypted content tag 0x{other:02x}"),
    };
    Ok((alg, enc))
}

fn safe_contents(data: &[u8], bags: &mut Vec<Bag>) -> Result<()> {
    let mut seq = Der::new(data).sequence()?;
    while !seq.is_empty() {
        let mut bag = seq.sequence()?;
        let id = bag.oid()?;
        let value = bag.expect(CONTEXT_0)?;
        let (alias, key_id) = match bag.optional(SET)? {
            Some(attrs) => attributes(attrs)?,
            None => (None, None),
        };
        match id.as_str() {
            KEY_BAG => bags.push(Bag::Key {
                alias,
                id: key_id,
                key: KeyData::Plain(Der::new(value).next()?.raw.to_vec()),
            }),
            SHROUDED_KEY_BAG => {
                let mut epki = Der::new(value).sequence()?;
                let alg = epki.expect(super::der::SEQUENCE)?.to_vec();
                let data = epki.expect(OCTET_STRING)?.to_vec();
                bags.push(Bag::Key {
                    alias,
                    id: key_id,
                    key: KeyData::Shrouded { alg, data },
                })
            }
            CERT_BAG => {
                let mut cb = Der::new(value).sequence()?;
                let ty = cb.oid()?;
                if ty != X509_CERT {
                    continue; // SDSI certificates: Java skips them as well
                }
                let der = Der::new(cb.expect(CONTEXT_0)?)
                    .expect(OCTET_STRING)?
                    .to_vec();
                bags.push(Bag::Cert {
                    alias,
                    id: key_id,
                    der,
                })
            }
            SAFE_CONTENTS_BAG => safe_contents(Der::new(value).next()?.raw, bags)?,
            // CRL and secret bags do not matter for TLS.
            _ => {}
        }
    }
    Ok(())
}

fn attributes(set: &[u8]) -> Result<(Option<String>, Option<Vec<u8>>)> {
    let (mut alias, mut id) = (None, None);
    let mut d = Der::new(set);
    while !d.is_empty() {
        let mut attr = d.sequence()?;
        let oid = attr.oid()?;
        let mut values = Der::new(attr.expect(SET)?);
        if values.is_empty() {
            continue;
        }
        let v = values.next()?;
        match oid.as_str() {
            FRIENDLY_NAME => {
                let units: Vec<u16> = v
                    .value
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                alias = Some(String::from_utf16_lossy(&units));
            }
            LOCAL_KEY_ID => id = Some(v.value.to_vec()),
            _ => {}
        }
    }
    Ok((alias, id))
}

fn assemble(bags: Vec<Bag>, key_password: Option<&str>) -> Result<Vec<Entry>, StoreError> {
    let mut entries = Vec::new();
    // (alias, local key id, DER) of every certificate bag
    type CertRef<'a> = (&'a Option<String>, &'a Option<Vec<u8>>, &'a Vec<u8>);
    let certs: Vec<CertRef<'_>> = bags
        .iter()
        .filter_map(|b| match b {
            Bag::Cert { alias, id, der } => Some((alias, id, der)),
            _ => None,
        })
        .collect();
    for b in &bags {
        match b {
            Bag::Key { alias, id, key } => {
                let Some(pw) = key_password else { continue };
                let pkcs8 = match key {
                    KeyData::Plain(k) => k.clone(),
                    KeyData::Shrouded { alg, data } => pbe::decrypt(alg, pw, data)
                        .map_err(|e| classify(e, StoreError::WrongKeyPassword))?,
                };
                // A wrong password can still leave valid padding (1 in 256): the plain text
                // must be a PKCS#8 PrivateKeyInfo.
                if !super::is_pkcs8(&pkcs8) {
                    return Err(StoreError::WrongKeyPassword);
                }
                let leaf = certs
                    .iter()
                    .find(|(_, cid, _)| cid.is_some() && cid == &id)
                    .map(|(_, _, der)| (*der).clone());
                let alias = alias.clone().unwrap_or_else(|| "(no alias)".into());
                let Some(leaf) = leaf else {
                    return Err(StoreError::Corrupt(format!(
                        "key entry '{alias}' has no certificate"
                    )));
                };
                let others: Vec<Vec<u8>> = certs
                    .iter()
                    .filter(|(_, cid, _)| cid.is_none())
                    .map(|(_, _, d)| (*d).clone())
                    .collect();
                let chain = super::chain_from(leaf, &others);
                entries.push(Entry::Key {
                    alias,
                    pkcs8,
                    chain,
                });
            }
            Bag::Cert {
                alias,
                id: None,
                der,
            } => entries.push(Entry::Trusted {
                alias: alias.clone().unwrap_or_default(),
                der: der.clone(),
            }),
            Bag::Cert { .. } => {}
        }
    }
    // A key entry's own certificate counts as trusted too (Java's TrustStoreUtil).
    if key_password.is_none() {
        for (alias, id, der) in &certs {
            if id.is_some() {
                entries.push(Entry::Trusted {
                    alias: (*alias).clone().unwrap_or_default(),
                    der: (*der).clone(),
                });
            }
        }
    }
    Ok(entries)
}

fn corrupt(e: anyhow::Error) -> StoreError {
    StoreError::Corrupt(format!("{e:#}"))
}

/// A decryption failure is a wrong password; an unknown algorithm is unsupported.
fn classify(e: anyhow::Error, wrong: StoreError) -> StoreError {
    let m = format!("{e:#}");
    if m.contains("unsupported") {
        StoreError::Unsupported(m)
    } else {
        wrong
    }
}
