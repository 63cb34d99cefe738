//! Go modules: `go.mod` `require` lines and blocks (`// indirect` marks transitive modules).

use super::*;

pub(super) fn parse_go_mod(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let body = if in_block {
            if t.starts_with(')') {
                in_block = false;
                continue;
            }
            t
        } else if let Some(r) = t.strip_prefix("require") {
            let r = r.trim();
            if r.starts_with('(') {
                in_block = true;
                continue;
            }
            r
        } else {
            continue;
        };
        let indirect = body.contains("// indirect");
        let body = body.split("//").next().unwrap_or("").trim();
        let mut parts = body.split_whitespace();
        if let (Some(m), Some(v)) = (parts.next(), parts.next()) {
            let mut d = decl("go", m, v, i as u32 + 1, false);
            d.indirect = indirect;
            out.push(d);
        }
    }
    out
}
