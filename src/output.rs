//! Writing outputs: everything is rendered first, then written through temporary files and
//! renamed, so a failure never leaves a half-written report behind.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `contents` to `path` atomically (temporary file in the same directory, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kraftcheck-tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// `name` as a file name: anything but ASCII letters, digits and `-_.` becomes `_`.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where each rendered output goes. With one output and no `-o`, stdout (`None`).
/// With several, `-o` must name a directory (created if missing).
pub fn plan(
    outputs: Vec<(String, String)>,
    out: Option<&Path>,
) -> Result<Vec<(Option<PathBuf>, String)>> {
    match (outputs.len(), out) {
        (1, None) => Ok(outputs.into_iter().map(|(_, body)| (None, body)).collect()),
        (_, None) => Err(crate::settings::usage(
            "several {0} values need -o DIR to write them into",
            &[crate::settings::Input::Format],
        )),
        (1, Some(p)) if !p.is_dir() && !p.as_os_str().to_string_lossy().ends_with('/') => {
            Ok(outputs
                .into_iter()
                .map(|(_, body)| (Some(p.to_path_buf()), body))
                .collect())
        }
        (_, Some(dir)) => {
            if dir.exists() && !dir.is_dir() {
                bail!(
                    "-o {}: exists and is not a directory (needed for several formats)",
                    dir.display()
                );
            }
            Ok(outputs
                .into_iter()
                .map(|(name, body)| (Some(dir.join(name)), body))
                .collect())
        }
    }
}

/// Write `text` to stdout. A reader that stops early (`kraftcheck rules list | head -1`) closes
/// the pipe: the rest is dropped quietly, as ripgrep does, and the command keeps the exit code it
/// would have had. (Rust ignores SIGPIPE, so the write returns `BrokenPipe` instead of killing
/// the process.)
pub fn to_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to stdout"),
    }
}

/// Carry out a plan made by [`plan`].
pub fn write_all(planned: Vec<(Option<PathBuf>, String)>) -> Result<()> {
    for (path, _) in &planned {
        if let Some(p) = path {
            if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(d)
                    .with_context(|| format!("cannot create directory {}", d.display()))?;
            }
        }
    }
    for (path, body) in planned {
        match path {
            None => to_stdout(&body)?,
            Some(p) => write_atomic(&p, body.as_bytes())?,
        }
    }
    Ok(())
}
