//! AFL++ persistent-mode driver: `KRAFTCHECK_FUZZ_TARGET=NAME` picks one target of
//! `kraftcheck::fuzzing::targets()`; each input arrives on stdin. `--list` prints the targets,
//! `--seeds DIR ROOT` writes NAME's seed inputs (from the repository at ROOT) into DIR.
//! A panic aborts, which AFL++ records as a crash.

use std::io::Read;

extern "C" {
    fn __afl_persistent_loop(max: u32) -> i32;
    fn __afl_manual_init();
}

// afl-fuzz looks for these markers to use persistent mode and the deferred fork server.
#[used]
static PERSIST_SIG: &[u8; 23] = b"##SIG_AFL_PERSISTENT##\0";
#[used]
static DEFER_SIG: &[u8; 26] = b"##SIG_AFL_DEFER_FORKSRV##\0";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--list") {
        for t in kraftcheck::fuzzing::targets() {
            println!("{}", t.name);
        }
        return;
    }
    let name = std::env::var("KRAFTCHECK_FUZZ_TARGET").unwrap_or_default();
    let Some(t) = kraftcheck::fuzzing::target(&name) else {
        eprintln!("kraftcheck-fuzz: set KRAFTCHECK_FUZZ_TARGET to one of `kraftcheck-fuzz --list`");
        std::process::exit(2);
    };
    if args.get(1).map(String::as_str) == Some("--seeds") {
        let (dir, root) = (&args[2], &args[3]);
        std::fs::create_dir_all(dir).expect("seed directory");
        for (i, (_, bytes)) in kraftcheck::fuzzing::seeds(root.as_ref(), &t)
            .into_iter()
            .enumerate()
        {
            std::fs::write(format!("{dir}/seed-{i:03}"), bytes).expect("seed file");
        }
        return;
    }
    // Touch the markers so that the linker keeps them.
    std::hint::black_box((PERSIST_SIG, DEFER_SIG));
    // Warm the one-time state (example inventory, regexes) before the fork server starts.
    kraftcheck::fuzzing::run(&t, b"");
    unsafe { __afl_manual_init() };
    let mut buf = Vec::new();
    while unsafe { __afl_persistent_loop(1000) } != 0 {
        buf.clear();
        if std::io::stdin().read_to_end(&mut buf).is_err() {
            continue;
        }
        kraftcheck::fuzzing::run(&t, &buf);
    }
    kraftcheck::fuzzing::cleanup();
}
