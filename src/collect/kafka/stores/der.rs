//! A minimal DER reader: enough of X.690 to walk PKCS#12, PKCS#8 and X.509 structures.
//! Definite lengths only (DER), as Java's keytool and OpenSSL write them.

use anyhow::{bail, Result};

pub const INTEGER: u8 = 0x02;
pub const OCTET_STRING: u8 = 0x04;
pub const OID: u8 = 0x06;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
/// `[0]` constructed (EXPLICIT context tag 0).
pub const CONTEXT_0: u8 = 0xA0;

/// One tag-length-value element.
#[derive(Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    /// The whole element, header included.
    pub raw: &'a [u8],
}

/// A cursor over consecutive DER elements.
#[derive(Clone, Copy)]
pub struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Der { rest: data }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    pub fn next(&mut self) -> Result<Tlv<'a>> {
        let d = self.rest;
        if d.len() < 2 {
            bail!("truncated DER");
        }
        let tag = d[0];
        if tag & 0x1f == 0x1f {
            bail!("multi-byte DER tags are not used here");
        }
        let (len, hdr) = match d[1] {
            l if l < 0x80 => (l as usize, 2),
            0x80 => bail!("indefinite length (BER) is not DER"),
            l => {
                let n = (l & 0x7f) as usize;
                if n > 4 || d.len() < 2 + n {
                    bail!("bad DER length");
                }
                let len = d[2..2 + n]
                    .iter()
                    .fold(0usize, |a, &b| (a << 8) | b as usize);
                (len, 2 + n)
            }
        };
        if d.len() - hdr < len {
            bail!("truncated DER");
        }
        let raw = &d[..hdr + len];
        self.rest = &d[hdr + len..];
        Ok(Tlv {
            tag,
            value: &raw[hdr..],
            raw,
        })
    }

    /// The next element, which must carry `tag`; its contents.
    pub fn expect(&mut self, tag: u8) -> Result<&'a [u8]> {
        let t = self.next()?;
        if t.tag != tag {
            bail!("unexpected DER tag 0x{:02x} (expected 0x{tag:02x})", t.tag);
        }
        Ok(t.value)
    }

    /// The next element if it carries `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A SEQUENCE's contents as a new cursor.
    pub fn sequence(&mut self) -> Result<Der<'a>> {
        self.expect(SEQUENCE).map(Der::new)
    }

    pub fn oid(&mut self) -> Result<String> {
        oid_string(self.expect(OID)?)
    }

    /// A non-negative INTEGER that fits in a u64.
    pub fn uint(&mut self) -> Result<u64> {
        let v = self.expect(INTEGER)?;
        if v.is_empty() || v[0] & 0x80 != 0 || v.len() > 9 || (v.len() == 9 && v[0] != 0) {
            bail!("DER integer out of range");
        }
        Ok(v.iter().fold(0u64, |a, &b| (a << 8) | b as u64))
    }
}

/// Dotted form of an OBJECT IDENTIFIER's contents.
pub fn oid_string(v: &[u8]) -> Result<String> {
    if v.is_empty() {
        bail!("empty OID");
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut cur: u64 = 0;
    for &b in v {
        if cur > (u64::MAX >> 7) {
            bail!("OID arc too large");
        }
        cur = (cur << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (cur / 40).min(2);
                arcs.push(first);
                arcs.push(cur - first * 40);
            } else {
                arcs.push(cur);
            }
            cur = 0;
        }
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_oids() {
        // SEQUENCE { OID 1.2.840.113549.1.1.1, INTEGER 300 }
        let data = [
            0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x02,
            0x02, 0x01, 0x2c,
        ];
        let mut d = Der::new(&data);
        let mut s = d.sequence().unwrap();
        assert!(d.is_empty());
        assert_eq!(s.oid().unwrap(), "1.2.840.113549.1.1.1");
        assert_eq!(s.uint().unwrap(), 300);
        assert!(s.is_empty());
        assert!(Der::new(&[0x30, 0x05, 0x01]).next().is_err(), "truncated");
        assert!(Der::new(&[0x30, 0x80, 0, 0]).next().is_err(), "BER");
    }
}
