//! Kafka's config providers (KIP-297, KIP-421): `config.providers=NAME,…` with
//! `config.providers.NAME.class` one of Kafka's own
//! `org.apache.kafka.common.config.provider.FileConfigProvider` (`${NAME:path:key}`, a key of a
//! properties file), `DirectoryConfigProvider` (`${NAME:dir:file}`, a file's content) and
//! `EnvVarConfigProvider` (`${NAME:VAR}`), with their `allowed.paths` (KIP-993) and
//! `allowlist.pattern` (KIP-887) parameters.
//!
//! Used for `--command-config` / `-X` (an unresolvable reference is an error there) and for
//! `--broker-config` files (a gap there). Resolved values are returned to the caller only;
//! messages name the reference (provider, path, key), never a value.

use crate::collect::properties;
use anyhow::{anyhow, bail, Result};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FILE: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
const DIRECTORY: &str = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
const ENV: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

#[derive(Debug, Clone)]
enum Kind {
    File,
    Directory,
    Env,
    /// A provider class kraftcheck does not have (Vault, AWS Secrets Manager, …).
    Other(String),
}

#[derive(Debug, Clone)]
struct Provider {
    kind: Kind,
    /// `allowed.paths`: files/directories outside these may not be read.
    allowed_paths: Option<Vec<PathBuf>>,
    /// `allowlist.pattern`: environment variables that may be read.
    allowlist: Option<Regex>,
}

/// The providers a properties file defines.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    by_name: BTreeMap<String, Provider>,
}

/// Kafka's reference syntax (`ConfigTransformer.DEFAULT_PATTERN`): `${provider:[path:]key}`.
fn pattern() -> &'static Regex {
    static P: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    P.get_or_init(|| Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").expect("valid regex"))
}

/// Whether a value holds a provider reference.
pub fn has_reference(value: &str) -> bool {
    pattern().is_match(value)
}

/// Whether a key configures the providers themselves.
pub fn is_provider_key(key: &str) -> bool {
    key == "config.providers" || key.starts_with("config.providers.")
}

impl Providers {
    /// From `(key, value, where)` settings; `where` locates errors (`file:line`).
    pub fn from_settings<'a>(
        settings: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Providers> {
        let settings: Vec<(&str, &str, &str)> = settings.into_iter().collect();
        let get = |k: &str| settings.iter().rev().find(|(key, _, _)| *key == k);
        let Some((_, names, _)) = get("config.providers") else {
            return Ok(Providers::default());
        };
        let mut by_name = BTreeMap::new();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let class_key = format!("config.providers.{name}.class");
            let Some((_, class, _)) = get(&class_key) else {
                let (_, _, at) = get("config.providers").expect("present");
                bail!("{at}: config.providers names '{name}' but {class_key} is not set");
            };
            let kind = match class.trim() {
                FILE => Kind::File,
                DIRECTORY => Kind::Directory,
                ENV => Kind::Env,
                other => Kind::Other(other.to_string()),
            };
            let param = |p: &str| get(&format!("config.providers.{name}.param.{p}"));
            let allowed_paths = param("allowed.paths").map(|(_, v, _)| {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
                    .collect()
            });
            let allowlist = match param("allowlist.pattern") {
                Some((_, v, at)) => Some(Regex::new(&format!("^(?:{v})$")).map_err(|e| {
                    anyhow!("{at}: config.providers.{name}.param.allowlist.pattern: {e}")
                })?),
                None => None,
            };
            by_name.insert(
                name.to_string(),
                Provider {
                    kind,
                    allowed_paths,
                    allowlist,
                },
            );
        }
        Ok(Providers { by_name })
    }

    /// `value` with every reference replaced; `Ok(None)` when it holds none. The error names
    /// the reference and why it cannot be resolved, never a resolved value.
    pub fn resolve(&self, value: &str) -> Result<Option<String>> {
        if !has_reference(value) {
            return Ok(None);
        }
        let mut out = String::with_capacity(value.len());
        let mut last = 0;
        for c in pattern().captures_iter(value) {
            let whole = c.get(0).expect("match");
            out.push_str(&value[last..whole.start()]);
            let name = &c[1];
            let path = c.get(3).map(|m| m.as_str());
            let key = &c[4];
            out.push_str(&self.lookup(whole.as_str(), name, path, key)?);
            last = whole.end();
        }
        out.push_str(&value[last..]);
        Ok(Some(out))
    }

    fn lookup(&self, reference: &str, name: &str, path: Option<&str>, key: &str) -> Result<String> {
        let Some(p) = self.by_name.get(name) else {
            if self.by_name.is_empty() {
                bail!("{reference}: no config provider '{name}': config.providers is not set");
            }
            bail!(
                "{reference}: no config provider '{name}' (config.providers defines {})",
                self.by_name.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        };
        let allowed = |file: &Path| -> Result<()> {
            if let Some(paths) = &p.allowed_paths {
                let norm = normalize(file);
                if !paths.iter().any(|a| norm.starts_with(normalize(a))) {
                    bail!(
                        "{reference}: {} is not under the provider's allowed.paths",
                        file.display()
                    );
                }
            }
            Ok(())
        };
        match &p.kind {
            Kind::File => {
                let path = path.ok_or_else(|| anyhow!("{reference}: FileConfigProvider needs ${{{name}:PATH:KEY}}"))?;
                let file = Path::new(path);
                allowed(file)?;
                let text = std::fs::read_to_string(file)
                    .map_err(|e| anyhow!("{reference}: cannot read {path}: {e}"))?;
                let props = properties::parse(&text, path).map_err(|_| {
                    anyhow!("{reference}: {path} is not a valid properties file")
                })?;
                props
                    .into_iter()
                    .rev()
                    .find(|pr| pr.key == key)
                    .map(|pr| pr.value)
                    .ok_or_else(|| anyhow!("{reference}: {path} has no key '{key}'"))
            }
            Kind::Directory => {
                let dir = path.ok_or_else(|| anyhow!("{reference}: DirectoryConfigProvider needs ${{{name}:DIR:FILE}}"))?;
                if key.contains('/') || key == ".." {
                    bail!("{reference}: '{key}' is not a file name in {dir}");
                }
                let file = Path::new(dir).join(key);
                allowed(&file)?;
                std::fs::read_to_string(&file)
                    .map_err(|e| anyhow!("{reference}: cannot read {}: {e}", file.display()))
            }
            Kind::Env => {
                if path.is_some_and(|p| !p.is_empty()) {
                    bail!("{reference}: EnvVarConfigProvider takes no path (${{{name}:VAR}})");
                }
                if let Some(re) = &p.allowlist {
                    if !re.is_match(key) {
                        bail!("{reference}: {key} does not match the provider's allowlist.pattern");
                    }
                }
                std::env::var(key)
                    .map_err(|_| anyhow!("{reference}: environment variable {key} is not set"))
            }
            Kind::Other(class) => bail!(
                "{reference}: config provider '{name}' is {class}, which kraftcheck cannot run (it has Kafka's FileConfigProvider, DirectoryConfigProvider and EnvVarConfigProvider)"
            ),
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (as Java's `Path.normalize`).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn providers(text: &str) -> Result<Providers> {
        let props = properties::parse(text, "t.properties").unwrap();
        let v: Vec<(String, String, String)> = props
            .into_iter()
            .map(|p| (p.key, p.value, format!("t.properties:{}", p.line)))
            .collect();
        Providers::from_settings(
            v.iter()
                .map(|(k, v, a)| (k.as_str(), v.as_str(), a.as_str())),
        )
    }

    #[test]
    fn file_directory_and_env_references_resolve() {
        let d = tempfile::TempDir::new().unwrap();
        std::fs::write(d.path().join("secrets.properties"), "jaas=Sekret-Value-1\n").unwrap();
        std::fs::write(d.path().join("password"), "Dir-Secret-2").unwrap();
        let p = providers(&format!(
            "config.providers=file,dir,env\nconfig.providers.file.class={FILE}\nconfig.providers.dir.class={DIRECTORY}\nconfig.providers.env.class={ENV}\nconfig.providers.file.param.allowed.paths={0}\n",
            d.path().display()
        ))
        .unwrap();
        let f = format!("${{file:{}/secrets.properties:jaas}}", d.path().display());
        assert_eq!(p.resolve(&f).unwrap().as_deref(), Some("Sekret-Value-1"));
        let dir = format!("x-${{dir:{}:password}}-y", d.path().display());
        assert_eq!(
            p.resolve(&dir).unwrap().as_deref(),
            Some("x-Dir-Secret-2-y")
        );
        assert_eq!(
            p.resolve("${env:PATH}").unwrap(),
            std::env::var("PATH").ok()
        );
        assert_eq!(p.resolve("plain").unwrap(), None);
        // Errors name the reference, not a value.
        let e = p
            .resolve(&format!(
                "${{file:{}/secrets.properties:nokey}}",
                d.path().display()
            ))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("has no key 'nokey'") && !e.contains("Sekret"),
            "{e}"
        );
        let e = p
            .resolve("${file:/etc/passwd:root}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("allowed.paths"), "{e}");
        let e = p
            .resolve("${vault:secret/kafka:pw}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no config provider 'vault'"), "{e}");
        let e = p
            .resolve("${env:KRAFTCHECK_SURELY_UNSET_VAR}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not set"), "{e}");
    }

    #[test]
    fn unknown_provider_class_and_missing_class() {
        let p = providers(
            "config.providers=vault\nconfig.providers.vault.class=io.example.VaultConfigProvider\n",
        )
        .unwrap();
        let e = p
            .resolve("${vault:kv/kafka:password}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("io.example.VaultConfigProvider"), "{e}");
        let e = providers("config.providers=file\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.properties:1") && e.contains("config.providers.file.class"),
            "{e}"
        );
    }
}
