//! Bundler: `Gemfile` and `Gemfile.lock` (with its dependency graph).

use super::*;

pub(super) fn parse_gemfile(text: &str) -> Vec<Decl> {
    static GEM: OnceLock<Regex> = OnceLock::new();
    let gem = re(
        &GEM,
        r#"^\s*gem\s+['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?"#,
    );
    static GROUP: OnceLock<Regex> = OnceLock::new();
    let group = re(&GROUP, r"^\s*group\s+(.*?)\s+do\b");
    let mut out = Vec::new();
    // `group :test, :development do … end` blocks (one level; `end` at the block's indent)
    let mut test_block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(c) = group.captures(line) {
            let names = c[1].to_ascii_lowercase();
            if test_block.is_none()
                && names
                    .split(',')
                    .map(|n| n.trim().trim_start_matches(':').trim_matches(['\'', '"']))
                    .all(|n| matches!(n, "test" | "development" | "dev" | "ci"))
            {
                test_block = Some(indent);
            }
            continue;
        }
        if line.trim() == "end" && test_block == Some(indent) {
            test_block = None;
            continue;
        }
        if let Some(c) = gem.captures(line) {
            let v = c.get(2).map(|m| m.as_str()).unwrap_or("");
            let mut d = decl("rubygems", &c[1], v, i as u32 + 1, false);
            d.test = test_block.is_some()
                || line.contains("group: :test")
                || line.contains("group: [:test")
                || line.contains("group: :development");
            out.push(d);
        }
    }
    out
}

pub(super) fn parse_gemfile_lock(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    let mut in_specs = false;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') {
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        // top-level specs have 4 spaces; their dependencies 6
        if in_specs && line.starts_with("      ") && !line.starts_with("       ") {
            if let (Some(last), Some(dep)) = (out.last_mut(), line.split_whitespace().next()) {
                let last: &mut Decl = last;
                last.needs.push(dep.to_string());
            }
        } else if in_specs && line.starts_with("    ") && !line.starts_with("      ") {
            let t = line.trim();
            if let Some((name, rest)) = t.split_once(" (") {
                let ver = rest.trim_end_matches(')');
                // platform gems: 1.2.3-x86_64-linux
                let ver = ver.split('-').next().unwrap_or(ver);
                out.push(decl("rubygems", name, ver, i as u32 + 1, true));
            }
        }
    }
    out
}
