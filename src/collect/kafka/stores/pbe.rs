//! Password-based decryption and integrity as Java's key stores use them:
//! the PKCS#12 key derivation (RFC 7292 appendix B) for the store MAC and the legacy PBES1
//! ciphers (`pbeWithSHAAnd3-KeyTripleDES-CBC`, `pbeWithSHAAnd40BitRC2-CBC`, …), and PBES2
//! (PBKDF2 with HMAC-SHA-1/2, AES-CBC or 3DES-CBC; RFC 8018), which keytool uses since Java 12
//! and `openssl pkcs8 -topk8` by default.

use super::der::{Der, OCTET_STRING};
use anyhow::{anyhow, bail, Result};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

/// Java's own bound on PBE/MAC iteration counts (`PKCS12KeyStore.MAX_ITERATION_COUNT`): a
/// hostile file cannot make the load take minutes.
const MAX_ITERATIONS: u64 = 5_000_000;

/// A password as PKCS#12 hashes it: BMPString (UTF-16BE) with two trailing zero bytes.
pub fn bmp_password(password: &str) -> Vec<u8> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend_from_slice(&[0, 0]);
    out
}

/// RFC 7292 B.2 with hash `D` (block size `v` bytes); `id` 1 = key, 2 = IV, 3 = MAC key.
fn kdf<D: Digest>(
    v: usize,
    pass: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u64,
    n: usize,
) -> Vec<u8> {
    let fill = |s: &[u8]| -> Vec<u8> {
        if s.is_empty() {
            return Vec::new();
        }
        let len = v * s.len().div_ceil(v);
        s.iter().copied().cycle().take(len).collect()
    };
    let mut i: Vec<u8> = fill(salt);
    i.extend(fill(pass));
    let d = vec![id; v];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut a = D::new()
            .chain_update(&d)
            .chain_update(&i)
            .finalize()
            .to_vec();
        for _ in 1..iterations {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            // block = (block + b + 1) mod 2^(8v)
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let s = block[k] as u16 + b[k] as u16 + carry;
                block[k] = s as u8;
                carry = s >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

fn check_iterations(n: u64) -> Result<u64> {
    match n {
        1..=MAX_ITERATIONS => Ok(n),
        _ => bail!("iteration count {n} is out of range (1 to {MAX_ITERATIONS})"),
    }
}

/// Verify a PKCS#12 `MacData` over `data` (the authenticated safe's contents).
pub fn verify_pkcs12_mac(mac_data: &[u8], password: &str, data: &[u8]) -> Result<bool> {
    let mut d = Der::new(mac_data);
    let mut digest_info = d.sequence()?;
    let mut alg = digest_info.sequence()?;
    let oid = alg.oid()?;
    let expected = digest_info.expect(OCTET_STRING)?;
    let salt = d.expect(OCTET_STRING)?;
    let iterations = if d.is_empty() { 1 } else { d.uint()? };
    let iterations = check_iterations(iterations)?;
    let pass = bmp_password(password);
    macro_rules! mac {
        ($h:ty, $v:expr) => {{
            let key = kdf::<$h>($v, &pass, salt, 3, iterations, <$h>::output_size());
            let mut m = <Hmac<$h> as Mac>::new_from_slice(&key).expect("any key length");
            m.update(data);
            m.verify_slice(expected).is_ok()
        }};
    }
    Ok(match oid.as_str() {
        "1.3.14.3.2.26" => mac!(Sha1, 64),
        "2.16.840.1.101.3.4.2.4" => mac!(Sha224, 64),
        "2.16.840.1.101.3.4.2.1" => mac!(Sha256, 64),
        "2.16.840.1.101.3.4.2.2" => mac!(Sha384, 128),
        "2.16.840.1.101.3.4.2.3" => mac!(Sha512, 128),
        other => bail!("unsupported integrity algorithm (MAC digest {other})"),
    })
}

fn cbc_decrypt<C>(cipher: C, iv: &[u8], data: &[u8]) -> Result<Vec<u8>>
where
    C: cbc::cipher::BlockDecrypt + cbc::cipher::BlockCipher,
{
    let dec = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv)
        .map_err(|_| anyhow!("bad IV length"))?;
    let mut buf = data.to_vec();
    let n = dec
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| anyhow!("decryption failed (wrong password)"))?
        .len();
    buf.truncate(n);
    Ok(buf)
}

fn block_cipher_decrypt(oid: &str, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let bad = |_| anyhow!("bad key length for {oid}");
    match oid {
        "2.16.840.1.101.3.4.1.2" => {
            cbc_decrypt(aes::Aes128::new_from_slice(key).map_err(bad)?, iv, data)
        }
        "2.16.840.1.101.3.4.1.22" => {
            cbc_decrypt(aes::Aes192::new_from_slice(key).map_err(bad)?, iv, data)
        }
        "2.16.840.1.101.3.4.1.42" => {
            cbc_decrypt(aes::Aes256::new_from_slice(key).map_err(bad)?, iv, data)
        }
        "1.2.840.113549.3.7" => {
            cbc_decrypt(des::TdesEde3::new_from_slice(key).map_err(bad)?, iv, data)
        }
        _ => bail!("unsupported cipher {oid}"),
    }
}

/// Key length in bytes of a PBES2 cipher.
fn pbes2_key_len(oid: &str) -> Result<usize> {
    Ok(match oid {
        "2.16.840.1.101.3.4.1.2" => 16,
        "2.16.840.1.101.3.4.1.22" => 24,
        "2.16.840.1.101.3.4.1.42" => 32,
        "1.2.840.113549.3.7" => 24,
        other => bail!("unsupported cipher {other}"),
    })
}

/// Decrypt `data` protected with the algorithm in `alg` (an AlgorithmIdentifier's contents:
/// OID and parameters) and `password`.
pub fn decrypt(alg: &[u8], password: &str, data: &[u8]) -> Result<Vec<u8>> {
    let mut a = Der::new(alg);
    let oid = a.oid()?;
    match oid.as_str() {
        "1.2.840.113549.1.5.13" => pbes2(a.sequence()?, password, data),
        "1.2.840.113549.1.12.1.3"
        | "1.2.840.113549.1.12.1.4"
        | "1.2.840.113549.1.12.1.5"
        | "1.2.840.113549.1.12.1.6" => {
            let mut p = a.sequence()?;
            let salt = p.expect(OCTET_STRING)?;
            let iterations = check_iterations(p.uint()?)?;
            let pass = bmp_password(password);
            let (key_len, iv_len) = match oid.as_str() {
                "1.2.840.113549.1.12.1.3" => (24, 8),
                "1.2.840.113549.1.12.1.4" => (16, 8),
                "1.2.840.113549.1.12.1.5" => (16, 8),
                _ => (5, 8),
            };
            let key = kdf::<Sha1>(64, &pass, salt, 1, iterations, key_len);
            let iv = kdf::<Sha1>(64, &pass, salt, 2, iterations, iv_len);
            let bad = |_| anyhow!("bad key length");
            match oid.as_str() {
                "1.2.840.113549.1.12.1.3" => {
                    cbc_decrypt(des::TdesEde3::new_from_slice(&key).map_err(bad)?, &iv, data)
                }
                "1.2.840.113549.1.12.1.4" => {
                    cbc_decrypt(des::TdesEde2::new_from_slice(&key).map_err(bad)?, &iv, data)
                }
                _ => cbc_decrypt(rc2::Rc2::new_with_eff_key_len(&key, key_len * 8), &iv, data),
            }
        }
        "1.2.840.113549.1.12.1.1" | "1.2.840.113549.1.12.1.2" => {
            bail!("unsupported algorithm: PBE with RC4 ({oid}); re-create the store with keytool (PBES2/AES)")
        }
        other => bail!("unsupported protection algorithm {other}"),
    }
}

fn pbes2(mut p: Der<'_>, password: &str, data: &[u8]) -> Result<Vec<u8>> {
    let mut kdf_alg = p.sequence()?;
    let kdf_oid = kdf_alg.oid()?;
    if kdf_oid != "1.2.840.113549.1.5.12" {
        bail!("unsupported PBES2 key derivation {kdf_oid} (only PBKDF2)");
    }
    let mut params = kdf_alg.sequence()?;
    let salt = params.expect(OCTET_STRING)?;
    let iterations = check_iterations(params.uint()?)? as u32;
    let mut key_len = None;
    if params.peek_tag() == Some(super::der::INTEGER) {
        key_len = Some(params.uint()? as usize);
    }
    let prf = if params.is_empty() {
        "1.2.840.113549.2.7".to_string()
    } else {
        params.sequence()?.oid()?
    };
    let mut enc = p.sequence()?;
    let enc_oid = enc.oid()?;
    let iv = enc.expect(OCTET_STRING)?;
    let key_len = key_len.unwrap_or(pbes2_key_len(&enc_oid)?);
    if key_len > 64 {
        bail!("PBES2 key length {key_len} out of range");
    }
    let mut key = vec![0u8; key_len];
    let pw = password.as_bytes();
    match prf.as_str() {
        "1.2.840.113549.2.7" => pbkdf2::pbkdf2_hmac::<Sha1>(pw, salt, iterations, &mut key),
        "1.2.840.113549.2.8" => pbkdf2::pbkdf2_hmac::<Sha224>(pw, salt, iterations, &mut key),
        "1.2.840.113549.2.9" => pbkdf2::pbkdf2_hmac::<Sha256>(pw, salt, iterations, &mut key),
        "1.2.840.113549.2.10" => pbkdf2::pbkdf2_hmac::<Sha384>(pw, salt, iterations, &mut key),
        "1.2.840.113549.2.11" => pbkdf2::pbkdf2_hmac::<Sha512>(pw, salt, iterations, &mut key),
        other => bail!("unsupported PBKDF2 PRF {other}"),
    }
    block_cipher_decrypt(&enc_oid, &key, iv, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs12_kdf_matches_known_vectors() {
        // Test vectors used by Bouncy Castle's PKCS12Test / RFC 7292 implementations:
        // password "smeg", salt 0a58cf64530d823f, 1 iteration, SHA-1.
        let pass = bmp_password("smeg");
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let key = kdf::<Sha1>(64, &pass, &salt, 1, 1, 24);
        assert_eq!(
            key.iter().map(|b| format!("{b:02X}")).collect::<String>(),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
        let iv = kdf::<Sha1>(64, &pass, &salt, 2, 1, 8);
        assert_eq!(
            iv.iter().map(|b| format!("{b:02X}")).collect::<String>(),
            "79993DFE048D3B76"
        );
    }
}
