//! Java's own JKS key store format (`sun.security.provider.JavaKeyStore`), which has no public
//! specification beyond the JDK's source: magic `FEEDFEED`, version 1 or 2, entries (private
//! key with its certificate chain, or trusted certificate), and a SHA-1 digest over the password
//! (UTF-16BE), the words "Mighty Aphrodite" and everything before it. Private keys are protected
//! with Sun's proprietary scheme (`KeyProtector`, OID 1.3.6.1.4.1.42.2.17.1.1): a SHA-1 key
//! stream XORed with the PKCS#8 key, followed by SHA-1(password ‖ key) as a check.

use super::der::{Der, OCTET_STRING, SEQUENCE};
use super::{Entry, StoreError};
use sha1::{Digest, Sha1};

pub const MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];
pub const JCEKS_MAGIC: [u8; 4] = [0xce, 0xce, 0xce, 0xce];
const SUN_KEY_PROTECTOR: &str = "1.3.6.1.4.1.42.2.17.1.1";

fn password_bytes(p: &str) -> Vec<u8> {
    p.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

struct Reader<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.d.len() - self.pos < n {
            return Err(StoreError::Corrupt("truncated JKS file".into()));
        }
        let s = &self.d[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn utf(&mut self) -> Result<String, StoreError> {
        let n = u16::from_be_bytes(self.take(2)?.try_into().expect("2 bytes")) as usize;
        // Java's modified UTF-8; aliases are ASCII in practice.
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

/// Read a JKS store. `store_password` checks integrity (skipped without one, as Java does);
/// `key_password` decrypts key entries (`None`: key entries are skipped, trust stores).
pub fn read(
    data: &[u8],
    store_password: Option<&str>,
    key_password: Option<&str>,
) -> Result<Vec<Entry>, StoreError> {
    if data.len() < 12 + 20 || data[..4] != MAGIC {
        return Err(StoreError::Corrupt("not a JKS file".into()));
    }
    let body_end = data.len() - 20;
    if let Some(pw) = store_password {
        let digest = Sha1::new()
            .chain_update(password_bytes(pw))
            .chain_update(b"Mighty Aphrodite")
            .chain_update(&data[..body_end])
            .finalize();
        if digest.as_slice() != &data[body_end..] {
            return Err(StoreError::WrongPassword);
        }
    }
    let mut r = Reader {
        d: &data[..body_end],
        pos: 4,
    };
    let version = r.u32()?;
    if version != 1 && version != 2 {
        return Err(StoreError::Corrupt(format!("JKS version {version}")));
    }
    let count = r.u32()?;
    let cert = |r: &mut Reader<'_>| -> Result<Vec<u8>, StoreError> {
        if version == 2 {
            let ty = r.utf()?;
            if ty != "X.509" {
                return Err(StoreError::Unsupported(format!("certificate type {ty}")));
            }
        }
        Ok(r.bytes()?.to_vec())
    };
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag = r.u32()?;
        let alias = r.utf()?;
        r.take(8)?; // creation date
        match tag {
            1 => {
                let protected = r.bytes()?;
                let n = r.u32()? as usize;
                if n > 100 {
                    return Err(StoreError::Corrupt(
                        "implausible certificate chain length".into(),
                    ));
                }
                let mut chain = Vec::with_capacity(n);
                for _ in 0..n {
                    chain.push(cert(&mut r)?);
                }
                if let Some(pw) = key_password {
                    let pkcs8 = recover_key(protected, pw)?;
                    if chain.is_empty() {
                        return Err(StoreError::Corrupt(format!(
                            "key entry '{alias}' has no certificate"
                        )));
                    }
                    entries.push(Entry::Key {
                        alias,
                        pkcs8,
                        chain,
                    });
                } else if let Some(leaf) = chain.into_iter().next() {
                    entries.push(Entry::Trusted { alias, der: leaf });
                }
            }
            2 => {
                let der = cert(&mut r)?;
                entries.push(Entry::Trusted { alias, der });
            }
            3 => {
                return Err(StoreError::Unsupported(
                    "secret-key entries (JCEKS) in a JKS file".into(),
                ))
            }
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown JKS entry tag {other}"
                )))
            }
        }
    }
    Ok(entries)
}

/// Sun's `KeyProtector.recover`.
fn recover_key(protected: &[u8], password: &str) -> Result<Vec<u8>, StoreError> {
    let corrupt = |e: anyhow::Error| StoreError::Corrupt(format!("key entry: {e:#}"));
    let mut epki = Der::new(protected).sequence().map_err(corrupt)?;
    let mut alg = Der::new(epki.expect(SEQUENCE).map_err(corrupt)?);
    let oid = alg.oid().map_err(corrupt)?;
    let enc = epki.expect(OCTET_STRING).map_err(corrupt)?;
    if oid != SUN_KEY_PROTECTOR {
        // keytool -importkeystore can leave PBES2/PKCS#12-protected keys in a JKS file.
        let alg_contents = Der::new(protected)
            .sequence()
            .and_then(|mut s| s.expect(SEQUENCE))
            .map_err(corrupt)?;
        let k = super::pbe::decrypt(alg_contents, password, enc).map_err(|e| {
            let m = format!("{e:#}");
            if m.contains("unsupported") {
                StoreError::Unsupported(m)
            } else {
                StoreError::WrongKeyPassword
            }
        })?;
        return if super::is_pkcs8(&k) {
            Ok(k)
        } else {
            Err(StoreError::WrongKeyPassword)
        };
    }
    if enc.len() < 40 {
        return Err(StoreError::Corrupt("key entry too short".into()));
    }
    let pw = password_bytes(password);
    let (salt, rest) = enc.split_at(20);
    let (cipher, check) = rest.split_at(rest.len() - 20);
    let mut digest = salt.to_vec();
    let mut plain = Vec::with_capacity(cipher.len());
    for block in cipher.chunks(20) {
        digest = Sha1::new()
            .chain_update(&pw)
            .chain_update(&digest)
            .finalize()
            .to_vec();
        plain.extend(block.iter().zip(&digest).map(|(c, k)| c ^ k));
    }
    let want = Sha1::new()
        .chain_update(&pw)
        .chain_update(&plain)
        .finalize();
    if want.as_slice() != check {
        return Err(StoreError::WrongKeyPassword);
    }
    Ok(plain)
}
