//! Reading a saved inventory, and finding where a value stands in its text.

use super::{Inventory, SCHEMA_VERSION};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Load and check a saved inventory, with the line index of its text (where findings
/// point). Every failure names the file and what is wrong.
pub fn load_inventory(path: &Path) -> Result<(Inventory, LineIndex)> {
    let _t = crate::debug::Stage::start("load inventory");
    let t = crate::debug::Stage::start("load inventory: read");
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read inventory {}", path.display()))?;
    drop(t);
    // On a parse error, the schema version alone is read again so that an inventory of
    // another version gets its own message rather than a field error.
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: serde_json::Value,
    }
    // The line index (where findings point) is built on a second core while serde parses.
    let (parsed, index) = std::thread::scope(|s| {
        let index = s.spawn(|| {
            let _t = crate::debug::Stage::start("load inventory: line index");
            LineIndex::build(&text)
        });
        let t = crate::debug::Stage::start("load inventory: parse");
        let parsed = serde_json::from_str::<Inventory>(&text);
        drop(t);
        (parsed, index.join().expect("the line index does not panic"))
    });
    let mut inv: Inventory = match parsed {
        Ok(inv) => inv,
        Err(e) => {
            if e.is_syntax() || e.is_eof() {
                bail!(
                    "inventory {} is not valid JSON: line {}, column {}: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                );
            }
            let v = serde_json::from_str::<Version>(&text)
                .ok()
                .and_then(|v| v.schema_version.as_u64());
            match v {
                Some(v) if v == SCHEMA_VERSION as u64 => {}
                Some(v) => bail!(
                    "inventory {}: schema_version {v} is not supported (this kraftcheck reads version {SCHEMA_VERSION}); collect it again with this version",
                    path.display()
                ),
                None => bail!(
                    "inventory {}: no numeric \"schema_version\" field; is this a kraftcheck inventory?",
                    path.display()
                ),
            }
            bail!(
                "inventory {}: line {}, column {}: {}",
                path.display(),
                e.line(),
                e.column(),
                e
            )
        }
    };
    if inv.schema_version != SCHEMA_VERSION {
        bail!(
            "inventory {}: schema_version {} is not supported (this kraftcheck reads version {SCHEMA_VERSION}); collect it again with this version",
            path.display(),
            inv.schema_version
        );
    }
    let _t = crate::debug::Stage::start("load inventory: normalize");
    inv.normalize();
    Ok((inv, index))
}

/// The 1-based line on which the value at JSON `pointer` (RFC 6901) starts in `text`,
/// or `None` when the pointer does not resolve. Works on any valid JSON text.
pub fn pointer_line(text: &str, pointer: &str) -> Option<u32> {
    let tokens: Vec<String> = if pointer.is_empty() {
        vec![]
    } else {
        pointer
            .strip_prefix('/')?
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        line: 1,
    };
    for tok in &tokens {
        s.ws();
        match s.peek()? {
            b'{' => {
                s.bump();
                loop {
                    s.ws();
                    if s.peek()? == b'}' {
                        return None;
                    }
                    let key = s.string()?;
                    s.ws();
                    if s.peek()? != b':' {
                        return None;
                    }
                    s.bump();
                    s.ws();
                    if key == *tok {
                        break;
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.bump();
                    }
                }
            }
            b'[' => {
                let want: usize = tok.parse().ok()?;
                s.bump();
                let mut idx = 0;
                loop {
                    s.ws();
                    if s.peek()? == b']' {
                        return None;
                    }
                    if idx == want {
                        break;
                    }
                    s.skip_value()?;
                    idx += 1;
                    s.ws();
                    if s.peek()? == b',' {
                        s.bump();
                    }
                }
            }
            _ => return None,
        }
    }
    s.ws();
    Some(s.line)
}

/// Lines of the JSON values that findings point at, found in one pass over the text:
/// every value down to depth 2 (`/topics/17`), and down to depth 4 under `/brokers`
/// (`/brokers/0/configs/log.dirs`). Deeper values are skipped without being indexed.
#[derive(Debug, Clone)]
pub struct LineIndex {
    lines: std::collections::HashMap<String, u32>,
}

impl LineIndex {
    pub fn build(text: &str) -> Self {
        let mut idx = LineIndex {
            lines: Default::default(),
        };
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            line: 1,
        };
        let mut path = String::new();
        idx.walk(&mut s, &mut path, 0);
        idx
    }

    pub fn get(&self, pointer: &str) -> Option<u32> {
        self.lines.get(pointer).copied()
    }

    fn walk(&mut self, s: &mut Scanner, path: &mut String, depth: usize) -> Option<()> {
        s.ws();
        self.lines.insert(path.clone(), s.line);
        let limit = if path.starts_with("/brokers") { 4 } else { 2 };
        if depth >= limit {
            return s.skip_value();
        }
        let close = match s.peek()? {
            b'{' => b'}',
            b'[' => b']',
            _ => return s.skip_value(),
        };
        s.bump();
        // Each element of the object or array, under its key or its index.
        let mut i = 0usize;
        loop {
            s.ws();
            // A malformed value the scanner cannot step over (`[}]`) looped forever
            // (found by fuzzing, issue 15): stop where an element consumed nothing.
            let at = s.i;
            if s.peek()? == close {
                s.bump();
                return Some(());
            }
            let len = path.len();
            path.push('/');
            if close == b'}' {
                let key = s.string()?;
                s.ws();
                s.bump(); // ':'
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
            } else {
                path.push_str(&i.to_string());
            }
            self.walk(s, path, depth + 1)?;
            path.truncate(len);
            i += 1;
            s.ws();
            if s.peek()? == b',' {
                s.bump();
            }
            if s.i == at {
                return None;
            }
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn bump(&mut self) {
        if self.b.get(self.i) == Some(&b'\n') {
            self.line += 1;
        }
        self.i += 1;
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.bump();
        }
    }
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i;
        self.bump();
        loop {
            match self.peek()? {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    break;
                }
                _ => self.bump(),
            }
        }
        serde_json::from_slice(&self.b[start..self.i]).ok()
    }
    /// Steps over the string at the cursor without decoding it (the values the index skips
    /// are most of the text: decoding each of their strings into a `String` made the index
    /// cost as much as parsing the inventory). Counts lines as `bump` does.
    fn skip_string(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        let (b, mut i, mut line) = (self.b, self.i + 1, self.line);
        loop {
            match *b.get(i)? {
                b'\\' => {
                    if b.get(i + 1) == Some(&b'\n') {
                        line += 1;
                    }
                    i += 2;
                }
                b'"' => {
                    i += 1;
                    break;
                }
                c => {
                    line += u32::from(c == b'\n');
                    i += 1;
                }
            }
        }
        self.i = i;
        self.line = line;
        Some(())
    }
    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.skip_string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.bump();
                                break;
                            }
                        }
                        _ => {
                            // Numbers, literals, separators and white space, in one go.
                            let (b, mut i, mut line) = (self.b, self.i, self.line);
                            while let Some(&c) = b.get(i) {
                                if matches!(c, b'"' | b'{' | b'[' | b'}' | b']') {
                                    break;
                                }
                                line += u32::from(c == b'\n');
                                i += 1;
                            }
                            self.i = i;
                            self.line = line;
                            continue;
                        }
                    }
                    self.bump();
                }
            }
            _ => {
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']')) {
                    self.bump();
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::pointer_line;

    #[test]
    fn finds_lines_of_pointers() {
        let text = "{\n  \"a\": 1,\n  \"b\": [\n    {\"x\": \"}\"},\n    {\n      \"y/z\": true\n    }\n  ]\n}\n";
        assert_eq!(pointer_line(text, ""), Some(1));
        assert_eq!(pointer_line(text, "/a"), Some(2));
        assert_eq!(pointer_line(text, "/b"), Some(3));
        assert_eq!(pointer_line(text, "/b/0"), Some(4));
        assert_eq!(pointer_line(text, "/b/1"), Some(5));
        assert_eq!(pointer_line(text, "/b/1/y~1z"), Some(6));
        assert_eq!(pointer_line(text, "/b/2"), None);
        assert_eq!(pointer_line(text, "/c"), None);
    }

    #[test]
    fn line_index_agrees_with_pointer_line() {
        let inv = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/zk-cluster/inventory.json"
        ))
        .unwrap();
        let idx = super::LineIndex::build(&inv);
        for p in [
            "",
            "/topics",
            "/topics/3",
            "/acls/0",
            "/brokers/1",
            "/brokers/0/configs/broker.id",
            "/groups/2",
            "/gaps",
        ] {
            assert_eq!(idx.get(p), pointer_line(&inv, p), "{p}");
            assert!(idx.get(p).is_some(), "{p}");
        }
        assert_eq!(
            idx.get("/topics/0/partitions/3"),
            None,
            "deep values are not indexed"
        );
    }
}
