//! Java `.properties` syntax, as `java.util.Properties.load` reads it: `=`, `:` or white space
//! between key and value, `\` line continuations, `\t \n \r \f \uXXXX` escapes (any other
//! escaped character stands for itself), `#` and `!` comments. The line of each key is kept.

use anyhow::{bail, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub key: String,
    pub value: String,
    /// 1-based line where the entry starts.
    pub line: u32,
}

/// Parse properties text. `name` is used in error messages. Later keys override earlier ones,
/// as in Java, but every entry is returned in file order.
pub fn parse(text: &str, name: &str) -> Result<Vec<Property>> {
    if text.contains('\0') {
        bail!("{name}: contains NUL bytes; not a Java properties file");
    }
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start_line = i as u32 + 1;
        let first = lines[i].trim_start_matches([' ', '\t', '\x0c']);
        i += 1;
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        // Join continuation lines: a line ending in an odd number of backslashes continues.
        let mut logical = String::from(first);
        while ends_with_continuation(&logical) {
            logical.pop();
            if i >= lines.len() {
                break;
            }
            logical.push_str(lines[i].trim_start_matches([' ', '\t', '\x0c']));
            i += 1;
        }
        let (raw_key, raw_value) = split_key_value(&logical);
        let key = unescape(raw_key).map_err(|e| anyhow::anyhow!("{name}:{start_line}: {e}"))?;
        let value = unescape(raw_value).map_err(|e| anyhow::anyhow!("{name}:{start_line}: {e}"))?;
        out.push(Property {
            key,
            value,
            line: start_line,
        });
    }
    Ok(out)
}

fn ends_with_continuation(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Split at the first unescaped `=`, `:` or white space; white space around the separator
/// is dropped.
fn split_key_value(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' => {
                return (
                    &line[..i],
                    line[i + 1..].trim_start_matches([' ', '\t', '\x0c']),
                )
            }
            b' ' | b'\t' | b'\x0c' => {
                let rest = line[i..].trim_start_matches([' ', '\t', '\x0c']);
                let rest = rest
                    .strip_prefix(['=', ':'])
                    .map(|r| r.trim_start_matches([' ', '\t', '\x0c']))
                    .unwrap_or(rest);
                return (&line[..i], rest);
            }
            _ => i += 1,
        }
    }
    (line, "")
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err(format!("malformed \\uxxxx escape '\\u{hex}'"));
                }
                let code = u32::from_str_radix(&hex, 16).expect("checked hex");
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String, u32)> {
        parse(text, "t")
            .unwrap()
            .into_iter()
            .map(|p| (p.key, p.value, p.line))
            .collect()
    }

    #[test]
    fn separators_and_comments() {
        let got = kv("# c\n! c\na=1\nb : 2\nc 3\n  d\t=\t4\ne\n\nf=\n");
        let want = [
            ("a", "1", 3),
            ("b", "2", 4),
            ("c", "3", 5),
            ("d", "4", 6),
            ("e", "", 7),
            ("f", "", 9),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1.as_str(), g.2), w);
        }
    }

    #[test]
    fn continuations_and_escapes() {
        let got = kv("listeners=PLAINTEXT://a:9092,\\\n    SSL://b:9093\nkey\\ with\\=sep=v\\\\\nu=\\u0041\\tB\nx=y\\\\\\\n  z\r\n");
        assert_eq!(
            got[0],
            (
                "listeners".into(),
                "PLAINTEXT://a:9092,SSL://b:9093".into(),
                1
            )
        );
        assert_eq!(got[1], ("key with=sep".into(), "v\\".into(), 3));
        assert_eq!(got[2], ("u".into(), "A\tB".into(), 4));
        assert_eq!(got[3], ("x".into(), "y\\z".into(), 5));
    }

    #[test]
    fn value_keeps_later_separators() {
        assert_eq!(kv("a=b=c:d")[0].1, "b=c:d");
        assert_eq!(kv("a:b=c")[0].1, "b=c");
    }

    #[test]
    fn malformed_unicode_escape_is_an_error() {
        let e = parse("a=1\nb=\\u12G4\n", "server.properties")
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.properties:2"), "{e}");
    }

    #[test]
    fn continuation_at_end_of_file() {
        assert_eq!(kv("a=1\\")[0].1, "1");
    }
}
