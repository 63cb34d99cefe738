#!/usr/bin/env bash
# Scale benchmark: the full audit (load the inventory, evaluate every rule of every profile,
# render JSON and HTML, write them) on synthetic inventories of 100k and 1M partitions.
#
# Usage: benches/scale.sh [RUNS] [SIZES...]      (default: 5 runs, sizes 100000 1000000)
#
# Prints a Markdown table (also written to target/bench/scale.md): median wall time and peak
# RSS per size, the growth ratio between the smallest and the largest size, where the time
# goes (KRAFTCHECK_DEBUG stage timings of one extra run), the HTML report's size, and whether
# headless Chromium opens the largest HTML report (and how many rule groups it shows).
# The inventories come from benches/synth.rs (cached in target/bench/synth-N.json).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
case "$runs" in '' | *[!0-9]* | 0) echo "scale: RUNS must be a positive number, got '$runs'" >&2; exit 2 ;; esac

out=target/bench
mkdir -p "$out"
bin=target/release/kraftcheck
echo "scale: building (release)" >&2
cargo build --release --quiet
# Every profile, so the whole rule pack runs (not just the profiles inferred for the cluster).
profiles=(--profile inplace --profile kafka4 --profile new-cluster --profile msk-inplace)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A secs rss html_mb findings
for n in "${sizes[@]}"; do
  inv="$out/synth-$n.json"
  if [ ! -s "$inv" ]; then
    echo "scale: generating $inv" >&2
    cargo bench --quiet --bench synth -- "$n" "$inv" >&2
  fi
  : >"$out/times-$n"
  for ((i = 1; i <= runs; i++)); do
    rm -rf "$out/report-$n"
    # exit 1 = blocking findings (expected); anything else is a failure
    rc=0
    /usr/bin/time -f "%e %M" -o "$out/time-$n" \
      "$bin" audit --inventory "$inv" "${profiles[@]}" --format json --format html -o "$out/report-$n" || rc=$?
    if [ "$rc" -gt 1 ]; then
      echo "scale: audit of $inv failed (exit $rc)" >&2
      exit 1
    fi
    cat "$out/time-$n" >>"$out/times-$n"
  done
  secs[$n]=$(grep -E '^[0-9]' "$out/times-$n" | awk '{ print $1 }' | median)
  rss[$n]=$(grep -E '^[0-9]' "$out/times-$n" | awk '{ print $2 }' | sort -n | tail -1)
  html_mb[$n]=$(awk -v b="$(stat -c %s "$out/report-$n/kraftcheck.html")" 'BEGIN { printf "%.2f", b / 1048576 }')
  findings[$n]=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"]; print(sum(1 for x in f if x["status"]=="fail"), len({x["rule_id"] for x in f if x["status"]=="fail"}))' "$out/report-$n/kraftcheck.json")
  KRAFTCHECK_DEBUG=1 "$bin" audit --inventory "$inv" "${profiles[@]}" --format json --format html -o "$out/report-$n" \
    2>&1 >/dev/null | sed -n 's/^kraftcheck: debug: //p' >"$out/stages-$n" || true
done

first=${sizes[0]}
last=${sizes[${#sizes[@]} - 1]}
# Headless Chromium opens the largest HTML report: time to the parsed DOM, and the rule groups in it.
chromium_line="not checked (chromium not installed)"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
  html="$PWD/$out/report-$last/kraftcheck.html"
  start=$(date +%s.%N)
  if dom=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom "file://$html" 2>/dev/null); then
    took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    groups=$(grep -o '<details class="rule ' <<<"$dom" | wc -l)
    chromium_line="opens in ${took} s (browser start included); ${groups} rule groups, the ${findings[$last]%% *} failing resources inside them"
  else
    chromium_line="FAILED to open"
  fi
fi

{
  echo "## Scale benchmark (\`benches/scale.sh $runs ${sizes[*]}\`, $(nproc) cores, $(date -u +%Y-%m-%d))"
  echo
  echo "Full audit: load inventory, evaluate all rules of all four profiles, render JSON + HTML, write."
  echo
  echo "| Partitions | Inventory | Median time ($runs runs) | Peak RSS | HTML report | Failing findings (rules) |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for n in "${sizes[@]}"; do
    inv_mb=$(awk -v b="$(stat -c %s "$out/synth-$n.json")" 'BEGIN { printf "%.0f MB", b / 1048576 }')
    read -r nf nr <<<"${findings[$n]}"
    printf '| %s | %s | %s s | %s MB | %s MB | %s (%s) |\n' "$n" "$inv_mb" "${secs[$n]}" "$((rss[$n] / 1024))" "${html_mb[$n]}" "$nf" "$nr"
  done
  echo
  if [ "$first" != "$last" ]; then
    awk -v a="${secs[$first]}" -v b="${secs[$last]}" -v x="$first" -v y="$last" \
      'BEGIN { printf "Growth %s → %s partitions (%.0f×): time %.1f×\n", x, y, y / x, b / a }'
    echo
  fi
  echo "Stages of one run at $last partitions (KRAFTCHECK_DEBUG=1):"
  echo
  sed 's/^/    /' "$out/stages-$last"
  echo
  echo "HTML report at $last partitions in headless Chromium: $chromium_line"
} | tee "$out/scale.md"
