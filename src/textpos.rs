//! Positions in text files, for error messages that name the exact place.

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// A TOML error as one line: `NAME:LINE:COL: message`.
pub fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            format!("{name}:{l}:{c}: {msg}")
        }
        None => format!("{name}: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn positions() {
        assert_eq!(super::line_col("ab\ncd", 4), (2, 2));
        assert_eq!(super::line_col("ab", 0), (1, 1));
        let text = "a = 1\nb = \"x\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let m = super::toml_error("f.toml", text, &e);
        assert!(m.starts_with("f.toml:2:"), "{m}");
        assert_eq!(m.lines().count(), 1);
    }
}
