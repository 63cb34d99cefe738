//! `KRAFTCHECK_DEBUG=1`: what kraftcheck did and how long it took, on stderr.

use std::time::Instant;

/// Whether debug output is on (`KRAFTCHECK_DEBUG` set).
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("KRAFTCHECK_DEBUG").is_some())
}

/// A debug line, when debug output is on.
pub fn note(msg: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("kraftcheck: debug: {}", msg());
    }
}

/// Times a stage: prints `stage NAME: N ms` when dropped, if debug output is on.
pub struct Stage {
    name: std::borrow::Cow<'static, str>,
    start: Instant,
}

impl Stage {
    pub fn start(name: impl Into<std::borrow::Cow<'static, str>>) -> Stage {
        Stage {
            name: name.into(),
            start: Instant::now(),
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        note(|| format!("stage {}: {ms:.0} ms{}", self.name, memory()));
    }
}

/// `, RSS N MB (peak M MB)` from /proc/self/status, where there is one.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(", RSS {} MB (peak {} MB)", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}
