//! Writes a synthetic inventory of any size (see `kraftcheck::inventory::synth`), for the
//! scale benchmark (benches/scale.sh).
//! Usage: cargo bench --bench synth -- PARTITIONS OUT.json

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // Under `cargo test` (no arguments) there is nothing to write.
    let Some(partitions) = args.first().and_then(|a| a.parse::<usize>().ok()) else {
        return;
    };
    let out = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| format!("target/synth-{partitions}.json"));
    let inv = kraftcheck::inventory::synth::synthetic(partitions);
    std::fs::write(&out, inv.to_json()).expect("write");
    eprintln!(
        "synth: {} topics, {partitions} partitions → {out}",
        inv.topics.len()
    );
}
