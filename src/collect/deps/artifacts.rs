//! Built artifacts, which give exact versions: jars (`META-INF/maven/**/pom.properties`, shaded
//! jars with several of them, Spring Boot fat jars with `BOOT-INF/lib/*.jar` and wars with
//! `WEB-INF/lib/*.jar`, one level deep), installed npm packages (`node_modules/*/package.json`),
//! installed Python distributions (`*.dist-info/METADATA`) and Go binaries' embedded build info.
//! Sizes are capped: a jar entry is read only up to [`MAX_ENTRY`], a nested jar up to
//! [`MAX_NESTED`], at most [`MAX_ENTRIES`] entries per archive.

use super::*;
use std::io::Read;

const MAX_ARCHIVE: u64 = 1024 * 1024 * 1024;
const MAX_ENTRIES: usize = 200_000;
const MAX_ENTRY: u64 = 256 * 1024;
const MAX_NESTED: u64 = 128 * 1024 * 1024;
const MAX_BINARY: u64 = 512 * 1024 * 1024;

pub(super) fn is_archive(ext: &str) -> bool {
    matches!(ext, "jar" | "war" | "ear")
}

/// `kafka-clients-2.0.1.jar` → (`kafka-clients`, `2.0.1`).
fn name_version_of_jar(file: &str) -> Option<(String, String)> {
    let stem = file.rsplit('/').next()?.strip_suffix(".jar")?;
    let cut = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?
        .0;
    Some((stem[..cut].to_string(), stem[cut + 1..].to_string()))
}

fn read_capped(r: &mut impl Read, cap: u64) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(cap + 1).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= cap).then_some(buf)
}

fn pom_properties(text: &str) -> Option<(String, String, String)> {
    let mut g = None;
    let mut a = None;
    let mut v = None;
    for l in text.lines() {
        let l = l.trim();
        if let Some((k, val)) = l.split_once('=') {
            let val = val.trim().to_string();
            match k.trim() {
                "groupId" => g = Some(val),
                "artifactId" => a = Some(val),
                "version" => v = Some(val),
                _ => {}
            }
        }
    }
    Some((g?, a?, v?))
}

/// The Maven artifacts inside one archive (and its nested jars when `nested`).
fn archive_decls<R: Read + std::io::Seek>(
    reader: R,
    prefix: &str,
    nested: bool,
    out: &mut Vec<Decl>,
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a readable jar: {e}"))?;
    if zip.len() > MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} entries, not read"));
    }
    let mut nested_jars = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut e) = zip.by_index(i) else {
            continue;
        };
        let Ok(name) = e.name().map(|n| n.to_string()) else {
            continue;
        };
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if e.size() > MAX_ENTRY {
                continue;
            }
            let Some(bytes) = read_capped(&mut e, MAX_ENTRY) else {
                continue;
            };
            if let Some((g, a, v)) = pom_properties(&String::from_utf8_lossy(&bytes)) {
                let mut d = decl("maven", &format!("{g}:{a}"), &v, 1, true);
                d.source = format!("{prefix}{name}");
                out.push(d);
            }
        } else if nested
            && name.ends_with(".jar")
            && (name.starts_with("BOOT-INF/lib/")
                || name.starts_with("WEB-INF/lib/")
                || name.starts_with("lib/")
                || name.starts_with("APP-INF/lib/"))
        {
            nested_jars.push(i);
        }
    }
    for i in nested_jars {
        let Ok(mut e) = zip.by_index(i) else {
            continue;
        };
        let Ok(name) = e.name().map(|n| n.to_string()) else {
            continue;
        };
        if e.size() > MAX_NESTED {
            continue;
        }
        let Some(bytes) = read_capped(&mut e, MAX_NESTED) else {
            continue;
        };
        let before = out.len();
        let inner = format!("{prefix}{name}!/");
        if archive_decls(std::io::Cursor::new(bytes), &inner, false, out).is_err()
            || out.len() == before
        {
            // no pom.properties (built without Maven): the file name tells
            if let Some((a, v)) = name_version_of_jar(&name) {
                for (eco, pkg) in crate::compat::packages_named(&a) {
                    let mut d = decl(eco, &pkg, &v, 1, true);
                    d.source = format!("{prefix}{name} (file name)");
                    out.push(d);
                }
            }
        }
    }
    Ok(())
}

/// The Maven artifacts a jar, war or ear contains.
pub(super) fn read_archive(path: &Path) -> Result<Vec<Decl>, String> {
    let size = path.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_ARCHIVE {
        return Err(format!(
            "larger than {} MiB, skipped",
            MAX_ARCHIVE / 1024 / 1024
        ));
    }
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    archive_decls(std::io::BufReader::new(f), "", true, &mut out)?;
    if out.is_empty() {
        // a jar built without Maven metadata (Kafka's own jars are built with Gradle)
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((a, v)) = name_version_of_jar(&file) {
            for (eco, pkg) in crate::compat::packages_named(&a) {
                let mut d = decl(eco, &pkg, &v, 1, true);
                d.source = format!("{file} (file name)");
                out.push(d);
            }
        }
    }
    // one archive may hold the same artifact twice (a shaded copy): keep one
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|d| seen.insert((d.package.clone(), d.version.clone())));
    Ok(out)
}

/// `node_modules/<name>/package.json` of an installed package.
pub(super) fn installed_npm(text: &str) -> Result<Vec<Decl>, String> {
    let v = json_doc(text)?;
    let (Some(n), Some(ver)) = (
        v.get("name").and_then(|x| x.as_str()),
        v.get("version").and_then(|x| x.as_str()),
    ) else {
        return Ok(vec![]);
    };
    let mut d = decl("npm", n, ver, line_of(text, &["\"version\""]), true);
    d.source = "installed package (node_modules)".into();
    Ok(vec![d])
}

/// `*.dist-info/METADATA` of an installed Python distribution.
pub(super) fn installed_python(text: &str) -> Result<Vec<Decl>, String> {
    let mut name = None;
    let mut version = None;
    for (i, l) in text.lines().enumerate() {
        if l.is_empty() {
            break; // the headers end at the first empty line
        }
        if let Some(n) = l.strip_prefix("Name:") {
            name = Some((n.trim().to_string(), i as u32 + 1));
        } else if let Some(v) = l.strip_prefix("Version:") {
            version = Some(v.trim().to_string());
        }
    }
    match (name, version) {
        (Some((n, line)), Some(v)) => {
            let mut d = decl("pypi", &n, &v, line, true);
            d.source = "installed distribution (dist-info METADATA)".into();
            Ok(vec![d])
        }
        _ => Err("METADATA without Name and Version".into()),
    }
}

/// Whether a file starts like an executable (ELF, Mach-O, PE).
pub(super) fn is_executable(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
        || head.starts_with(b"MZ")
        || head.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
        || head.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || head.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
}

fn uvarint(b: &[u8]) -> Option<(usize, usize)> {
    let mut x: u64 = 0;
    for (i, byte) in b.iter().enumerate().take(10) {
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((x as usize, i + 1));
        }
    }
    None
}

/// The modules a Go binary was built with (`go version -m`): Go 1.18+ build info, found by its
/// `\xff Go buildinf:` header. `Ok(None)`: a binary that is not a Go binary.
pub(super) fn go_build_info(path: &Path) -> Result<Option<Vec<Decl>>, String> {
    let size = path.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_BINARY {
        return Err(format!(
            "larger than {} MiB, skipped",
            MAX_BINARY / 1024 / 1024
        ));
    }
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    const MAGIC: &[u8] = b"\xff Go buildinf:";
    let Some(at) = data.windows(MAGIC.len()).position(|w| w == MAGIC) else {
        return Ok(None);
    };
    let hdr = &data[at..];
    if hdr.len() < 32 {
        return Err("truncated Go build info".into());
    }
    let flags = hdr[15];
    if flags & 2 == 0 {
        return Err(
            "Go build info of a binary built before Go 1.18 (pointer format), not read".into(),
        );
    }
    let mut rest = &hdr[32..];
    let mut strings = Vec::new();
    for _ in 0..2 {
        let (n, used) = uvarint(rest).ok_or("bad Go build info")?;
        let s = rest.get(used..used + n).ok_or("truncated Go build info")?;
        strings.push(String::from_utf8_lossy(s).into_owned());
        rest = &rest[used + n..];
    }
    let modinfo = &strings[1];
    // 16-byte sentinels around the text
    let text = if modinfo.len() >= 33 {
        modinfo.get(16..modinfo.len() - 16).unwrap_or(modinfo)
    } else {
        modinfo.as_str()
    };
    let mut out: Vec<Decl> = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        match f.as_slice() {
            ["dep", m, v, ..] => {
                let mut d = decl("go", m, v, 1, true);
                d.source = format!("Go build info ({})", strings[0]);
                out.push(d);
            }
            ["=>", m, v, ..] => {
                if let Some(last) = out.last_mut() {
                    last.source = format!("{}; replaced by {m} {v}", last.source);
                }
            }
            _ => {}
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jar_file_names() {
        assert_eq!(
            name_version_of_jar("BOOT-INF/lib/kafka-clients-2.0.1.jar"),
            Some(("kafka-clients".into(), "2.0.1".into()))
        );
        assert_eq!(
            name_version_of_jar("lib/kafka_2.12-1.1.1.jar"),
            Some(("kafka_2.12".into(), "1.1.1".into()))
        );
        assert_eq!(name_version_of_jar("lib/app.jar"), None);
    }

    #[test]
    fn not_a_jar_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("broken.jar");
        std::fs::write(&p, b"PK\x03\x04 not really").unwrap();
        let e = read_archive(&p).unwrap_err();
        assert!(e.contains("not a readable jar"), "{e}");
    }

    #[test]
    fn python_metadata() {
        let d = installed_python(
            "Metadata-Version: 2.1\nName: confluent-kafka\nVersion: 1.7.0\n\nbody Version: 9\n",
        )
        .unwrap();
        assert_eq!(
            (d[0].package.as_str(), d[0].version.as_str()),
            ("confluent-kafka", "1.7.0")
        );
        assert!(installed_python("garbage").is_err());
    }
}
