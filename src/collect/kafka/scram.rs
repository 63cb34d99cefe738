//! SCRAM-SHA-256/512 client (RFC 5802 / RFC 7677), as Kafka uses it over SaslAuthenticate.

use anyhow::{anyhow, bail, Result};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

pub struct Scram {
    sha512: bool,
    username: String,
    password: String,
    nonce: String,
    client_first_bare: String,
    server_signature: Vec<u8>,
}

fn escape_name(u: &str) -> String {
    u.replace('=', "=3D").replace(',', "=2C")
}

impl Scram {
    pub fn new(sha512: bool, username: &str, password: &str) -> Result<Self> {
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw).map_err(|e| anyhow!("no randomness for the SCRAM nonce: {e}"))?;
        Ok(Self::with_nonce(
            sha512,
            username,
            password,
            &B64.encode(raw),
        ))
    }

    fn with_nonce(sha512: bool, username: &str, password: &str, nonce: &str) -> Self {
        Scram {
            sha512,
            username: username.to_string(),
            password: password.to_string(),
            nonce: nonce.to_string(),
            client_first_bare: String::new(),
            server_signature: Vec::new(),
        }
    }

    pub fn client_first(&mut self) -> Vec<u8> {
        self.client_first_bare = format!("n={},r={}", escape_name(&self.username), self.nonce);
        format!("n,,{}", self.client_first_bare).into_bytes()
    }

    fn hmac(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
        if self.sha512 {
            let mut m = Hmac::<Sha512>::new_from_slice(key).expect("any key length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        } else {
            let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
    }

    fn hash(&self, data: &[u8]) -> Vec<u8> {
        if self.sha512 {
            Sha512::digest(data).to_vec()
        } else {
            Sha256::digest(data).to_vec()
        }
    }

    /// Given the server-first message, produce the client-final message.
    pub fn client_final(&mut self, server_first: &[u8]) -> Result<Vec<u8>> {
        let sf = std::str::from_utf8(server_first)
            .map_err(|_| anyhow!("SCRAM: server-first message is not UTF-8"))?;
        let attr = |k: &str| {
            sf.split(',')
                .find_map(|p| p.strip_prefix(&format!("{k}=")).map(str::to_string))
        };
        if let Some(e) = attr("e") {
            bail!("SCRAM: server refused: {e}");
        }
        let nonce = attr("r").ok_or_else(|| anyhow!("SCRAM: server-first message has no nonce"))?;
        if !nonce.starts_with(&self.nonce) {
            bail!("SCRAM: server nonce does not extend the client nonce");
        }
        let salt = B64
            .decode(attr("s").ok_or_else(|| anyhow!("SCRAM: no salt"))?)
            .map_err(|_| anyhow!("SCRAM: bad salt"))?;
        let iterations: u32 = attr("i")
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| anyhow!("SCRAM: bad iteration count"))?;
        if !(1..=100_000_000).contains(&iterations) {
            bail!("SCRAM: iteration count {iterations} out of range");
        }
        let mut salted = vec![0u8; if self.sha512 { 64 } else { 32 }];
        if self.sha512 {
            pbkdf2::pbkdf2_hmac::<Sha512>(self.password.as_bytes(), &salt, iterations, &mut salted);
        } else {
            pbkdf2::pbkdf2_hmac::<Sha256>(self.password.as_bytes(), &salt, iterations, &mut salted);
        }
        let client_key = self.hmac(&salted, b"Client Key");
        let stored_key = self.hash(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{sf},{without_proof}", self.client_first_bare);
        let client_signature = self.hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = self.hmac(&salted, b"Server Key");
        self.server_signature = self.hmac(&server_key, auth_message.as_bytes());
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Check the server-final message (proves the server knows the credential).
    pub fn verify_server_final(&self, server_final: &[u8]) -> Result<()> {
        let s = std::str::from_utf8(server_final)
            .map_err(|_| anyhow!("SCRAM: server-final message is not UTF-8"))?;
        if let Some(e) = s.strip_prefix("e=") {
            bail!("SCRAM: authentication failed: {e}");
        }
        let v = s
            .strip_prefix("v=")
            .ok_or_else(|| anyhow!("SCRAM: unexpected server-final message"))?;
        let v = B64
            .decode(v.split(',').next().unwrap_or_default())
            .map_err(|_| anyhow!("SCRAM: bad server signature"))?;
        if v != self.server_signature {
            bail!("SCRAM: server signature does not match (not the expected server)");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 §3 test vector (SCRAM-SHA-256).
    #[test]
    fn rfc7677_vector() {
        let mut s = Scram::with_nonce(false, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(s.client_first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let fin = s
            .client_final(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            String::from_utf8(fin).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        s.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap();
        assert!(s.verify_server_final(b"v=AAAA").is_err());
    }
}
