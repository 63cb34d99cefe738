//! Every fuzz target of `kraftcheck::fuzzing` (issue 15), briefly and bounded, in the normal test
//! build: the seeds (tests/fixtures, examples, the rule pack) and every saved finding under
//! `fuzz/regressions/TARGET/` are replayed, then each target gets a short mutation run
//! (`KRAFTCHECK_FUZZ_EXECS` mutated inputs per target, default 200, or `KRAFTCHECK_FUZZ_SECS`
//! seconds per target; deterministic per target unless
//! `KRAFTCHECK_FUZZ_SEED` is set; `KRAFTCHECK_FUZZ_TARGET` runs one target). The long,
//! coverage-guided runs are AFL++'s (`scripts/fuzz`).
//!
//! Findings: a panic, one input taking longer than `MAX_INPUT_MS`, or one input's peak heap
//! (counted by the allocator below) above `MAX_HEAP`. A failing input is written under
//! `target/fuzz-findings/TARGET/` so that it can be added to `fuzz/regressions/` once fixed.

use kraftcheck::fuzzing::{self, Target};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Heap held at once while one input runs. The largest seed (a 1 MiB fixture) stays far below.
const MAX_HEAP: usize = 256 << 20;
/// Wall time of one input in this debug build on a loaded machine.
const MAX_INPUT_MS: u128 = 5_000;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// xorshift64*: deterministic mutations without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that reach deeper than random bytes in these formats.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\u0000",
    b"\\",
    b"=",
    b":",
    b"\n",
    b"\r\n",
    b"#",
    b"-1",
    b"4294967295",
    b"9223372036854775808",
    b"1e999",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x00\x00\x00\x00",
    b"${",
    b"}}",
    b"{{",
    b"[[",
    b"]]",
    b"<",
    b"/>",
    b"<!--",
    b"&amp;",
    b"'",
    b"null",
    b"true",
    b"0",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
    b"\"\"\"",
    b"'''",
    b"size(",
    b".all(x, ",
    b".exists(x, ",
    b"kafka",
    b"zookeeper",
];

fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            3 => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(i..i, t.iter().copied());
            }
            4 if len > 0 => {
                // Duplicate a chunk (deep nesting, long repeats).
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk: Vec<u8> = v[i..i + n].to_vec();
                for _ in 0..1 + rng.below(16) {
                    v.splice(i..i, chunk.iter().copied());
                }
            }
            5 if !other.is_empty() => {
                // Splice the tail of another seed.
                let i = rng.below(len + 1);
                let j = rng.below(other.len());
                v.truncate(i);
                v.extend_from_slice(&other[j..]);
            }
            6 if len > 0 => v.truncate(rng.below(len)),
            _ => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(i..i, t.iter().copied());
            }
        }
    }
    v.truncate(1 << 20);
    v
}

/// The input running now, for the watchdog: (start, target name, bytes).
static CURRENT: Mutex<Option<(Instant, String, Vec<u8>)>> = Mutex::new(None);

/// A hang cannot be caught after the fact: a thread saves the running input and ends the
/// process once it has run for twice `MAX_INPUT_MS`.
fn watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_millis(200));
            let cur = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((start, name, data)) = cur.as_ref() {
                if start.elapsed().as_millis() > 2 * MAX_INPUT_MS {
                    let file = save(name, data);
                    // Past the test harness's capture: the process ends here.
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "fuzz finding: {name}: an input still runs after {} ms (hang; input saved as {})",
                        start.elapsed().as_millis(),
                        file.display()
                    );
                    std::process::exit(101);
                }
            }
        });
    });
}

fn save(target: &str, data: &[u8]) -> PathBuf {
    let dir = root().join("target/fuzz-findings").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("finding-{:016x}", fnv(data)));
    std::fs::write(&file, data).unwrap();
    file
}

/// Run one input; on a finding, save it and return the reason.
fn one(t: &Target, data: &[u8]) -> Option<String> {
    watchdog();
    *CURRENT.lock().unwrap() = Some((Instant::now(), t.name.clone(), data.to_vec()));
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let r = std::panic::catch_unwind(|| fuzzing::run(t, data));
    let ms = start.elapsed().as_millis();
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let why = match r {
        Err(e) => Some(format!(
            "panic: {}",
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
        Ok(()) if ms > MAX_INPUT_MS => Some(format!("took {ms} ms")),
        Ok(()) if peak > MAX_HEAP => Some(format!("peak heap {} MiB", peak >> 20)),
        Ok(()) => None,
    }?;
    let file = save(&t.name, data);
    Some(format!("{why} (input saved as {})", file.display()))
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn regressions(t: &Target) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/regressions").join(&t.name);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_target_replays_its_corpus_and_survives_mutation() {
    // On the stack the CLI parses its inputs with (the main thread's 8 MiB): a test thread's
    // 2 MiB overflowed on a deeply nested rule expression the CLI itself rejects cleanly
    // (exit 2, CEL syntax error) — CEL's parser recurses deeply in a debug build.
    let body = std::thread::Builder::new()
        .name("fuzz".into())
        .stack_size(8 << 20)
        .spawn(replay_and_mutate)
        .unwrap();
    if let Err(e) = body.join() {
        std::panic::resume_unwind(e);
    }
}

fn replay_and_mutate() {
    // Panics are caught and reported per input; keep their default messages off the output.
    std::panic::set_hook(Box::new(|_| {}));
    // A fixed number of mutated inputs per target by default, so that CI runs exactly the
    // inputs a local run does (a time budget reaches a different input on a slower machine);
    // KRAFTCHECK_FUZZ_SECS=S runs each target for S seconds instead.
    let secs: Option<f64> = std::env::var("KRAFTCHECK_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok());
    let budget: u64 = std::env::var("KRAFTCHECK_FUZZ_EXECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let only = std::env::var("KRAFTCHECK_FUZZ_TARGET").ok();
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let targets = fuzzing::targets();
    assert!(targets.len() >= 40, "a target per parser");
    for t in &targets {
        if only.as_deref().is_some_and(|o| o != t.name) {
            continue;
        }
        let seeds = fuzzing::seeds(Path::new(&root()), t);
        let regs = regressions(t);
        let mut execs = 0u64;
        for (name, data) in seeds.iter().chain(regs.iter()) {
            execs += 1;
            if let Some(why) = one(t, data) {
                failures.push(format!("{}: seed {name}: {why}", t.name));
            }
        }
        let corpus: Vec<&[u8]> = seeds
            .iter()
            .chain(regs.iter())
            .map(|(_, d)| d.as_slice())
            .chain(std::iter::once(&b""[..]))
            .collect();
        // Fixed per target (CI is reproducible); KRAFTCHECK_FUZZ_SEED=N explores other inputs.
        let seed: u64 = std::env::var("KRAFTCHECK_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut rng = Rng((fnv(t.name.as_bytes()) ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1);
        let until = secs.map(|s| Instant::now() + Duration::from_secs_f64(s));
        let mut mutated = 0u64;
        while match until {
            Some(u) => Instant::now() < u,
            None => mutated < budget,
        } {
            mutated += 1;
            let base = corpus[rng.below(corpus.len())];
            let other = corpus[rng.below(corpus.len())];
            let input = mutate(&mut rng, base, other);
            execs += 1;
            // Kept until the next input: what a stack overflow (an abort, not a panic) ran on.
            let last = Path::new(&root()).join("target/fuzz-findings");
            let _ = std::fs::create_dir_all(&last);
            let _ = std::fs::write(last.join(format!("last-{}", t.name)), &input);
            if let Some(why) = one(t, &input) {
                failures.push(format!("{}: mutated input: {why}", t.name));
                break;
            }
        }
        eprintln!("fuzz: {} done ({execs} executions)", t.name);
        summary.push(format!(
            "{:<32} seeds {:>3}  regressions {:>2}  executions {execs}",
            t.name,
            seeds.len(),
            regs.len()
        ));
    }
    fuzzing::cleanup();
    let _ = std::panic::take_hook();
    eprintln!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "fuzz findings:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_target_has_seeds() {
    let none: Vec<String> = fuzzing::targets()
        .iter()
        .filter(|t| fuzzing::seeds(Path::new(&root()), t).is_empty())
        .map(|t| t.name.clone())
        .collect();
    assert!(none.is_empty(), "targets without seed inputs: {none:?}");
}
