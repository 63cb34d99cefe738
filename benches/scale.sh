#!/usr/bin/env bash
# Scale benchmark: the full audit (load the inventory, evaluate every rule of every profile,
# render JSON and HTML, write them) on synthetic inventories of 100k and 1M partitions.
#
# Usage: benches/scale.sh [RUNS] [SIZES...]      (default: 5 runs, sizes 100000 1000000)
#
# Prints a Markdown table (also written to target/bench/scale.md), per size, once with the
# profiles kraftcheck infers and once with all four: median wall time, the median "load
# inventory" stage (parsing alone, the floor of an offline audit) and the audit's ratio to it,
# peak RSS, the HTML report's size; the growth between the smallest and the largest size; the
# KRAFTCHECK_DEBUG stage timings of the last run; and whether headless Chromium opens the
# largest HTML report (and how many rule groups it shows).
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
# Two runs per size: the profiles kraftcheck infers for the cluster (what a plain `audit` runs)
# and every profile (the whole rule pack).
all_profiles=(--profile inplace --profile kafka4 --profile new-cluster --profile msk-inplace)
kinds=(default all)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A secs rss parse html_mb findings
for n in "${sizes[@]}"; do
  inv="$out/synth-$n.json"
  if [ ! -s "$inv" ]; then
    echo "scale: generating $inv" >&2
    cargo bench --quiet --bench synth -- "$n" "$inv" >&2
  fi
  for kind in "${kinds[@]}"; do
    profiles=()
    [ "$kind" = all ] && profiles=("${all_profiles[@]}")
    key="$n-$kind"
    : >"$out/times-$key"
    : >"$out/parse-$key"
    for ((i = 1; i <= runs; i++)); do
      rm -rf "$out/report-$key"
      # exit 1 = blocking findings (expected); anything else is a failure. KRAFTCHECK_DEBUG prints
      # the stage timings: "load inventory" (read + parse + check the JSON) is the floor of an
      # offline audit, against which the whole audit is compared.
      rc=0
      KRAFTCHECK_DEBUG=1 /usr/bin/time -f "%e %M" -o "$out/time-$key" \
        "$bin" audit --inventory "$inv" "${profiles[@]}" --format json --format html -o "$out/report-$key" \
        2>"$out/stderr-$key" || rc=$?
      if [ "$rc" -gt 1 ]; then
        cat "$out/stderr-$key" >&2
        echo "scale: audit of $inv ($kind profiles) failed (exit $rc)" >&2
        exit 1
      fi
      cat "$out/time-$key" >>"$out/times-$key"
      sed -n 's/^kraftcheck: debug: stage load inventory: \([0-9]*\) ms.*/\1/p' "$out/stderr-$key" >>"$out/parse-$key"
      sed -n 's/^kraftcheck: debug: //p' "$out/stderr-$key" >"$out/stages-$key"
    done
    secs[$key]=$(grep -E '^[0-9]' "$out/times-$key" | awk '{ print $1 }' | median)
    rss[$key]=$(grep -E '^[0-9]' "$out/times-$key" | awk '{ print $2 }' | sort -n | tail -1)
    parse[$key]=$(median <"$out/parse-$key" | awk '{ printf "%.2f", $1 / 1000 }')
    html_mb[$key]=$(awk -v b="$(stat -c %s "$out/report-$key/kraftcheck.html")" 'BEGIN { printf "%.2f", b / 1048576 }')
    findings[$key]=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"]; print(sum(1 for x in f if x["status"]=="fail"), len({x["rule_id"] for x in f if x["status"]=="fail"}), "+".join(p["name"] for p in d.get("profiles") or []))' "$out/report-$key/kraftcheck.json")
  done
done

first=${sizes[0]}
last=${sizes[${#sizes[@]} - 1]}
# Headless Chromium opens the largest HTML report: time to the parsed DOM, and the rule groups in it.
chromium_line="not checked (chromium not installed)"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
  html="$PWD/$out/report-$last-all/kraftcheck.html"
  start=$(date +%s.%N)
  if dom=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom "file://$html" 2>/dev/null); then
    took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    groups=$(grep -o '<details class="rule ' <<<"$dom" | wc -l)
    chromium_line="opens in ${took} s (browser start included); ${groups} rule groups, the ${findings[$last-all]%% *} failing resources inside them"
  else
    chromium_line="FAILED to open"
  fi
fi

{
  echo "## Scale benchmark (\`benches/scale.sh $runs ${sizes[*]}\`, $(nproc) cores, $(date -u +%Y-%m-%d))"
  echo
  echo "Full audit: load the inventory, evaluate the rules of the profiles, render JSON + HTML, write."
  echo "Profiles: inferred (what a plain \`audit\` runs) or all four. Parse: the \"load inventory\""
  echo "stage alone (read, parse and check the JSON: the floor of an offline audit)."
  echo
  echo "| Partitions | Inventory | Profiles | Median time ($runs runs) | Parse (median) | Audit ÷ parse | Peak RSS | HTML report | Failing findings (rules) |"
  echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
  for n in "${sizes[@]}"; do
    inv_mb=$(awk -v b="$(stat -c %s "$out/synth-$n.json")" 'BEGIN { printf "%.0f MB", b / 1048576 }')
    for kind in "${kinds[@]}"; do
      key="$n-$kind"
      read -r nf nr names <<<"${findings[$key]}"
      label="all four"
      [ "$kind" = all ] || label="inferred ($names)"
      ratio=$(awk -v a="${secs[$key]}" -v p="${parse[$key]}" 'BEGIN { if (p > 0) printf "%.1f×", a / p; else print "–" }')
      printf '| %s | %s | %s | %s s | %s s | %s | %s MB | %s MB | %s (%s) |\n' "$n" "$inv_mb" "$label" "${secs[$key]}" "${parse[$key]}" "$ratio" "$((rss[$key] / 1024))" "${html_mb[$key]}" "$nf" "$nr"
    done
  done
  echo
  if [ "$first" != "$last" ]; then
    awk -v a="${secs[$first-all]}" -v b="${secs[$last-all]}" -v x="$first" -v y="$last" \
      'BEGIN { printf "Growth %s → %s partitions (%.0f×), all four profiles: time %.1f×\n", x, y, y / x, b / a }'
    echo
  fi
  for kind in "${kinds[@]}"; do
    echo "Stages of the last run at $last partitions, $kind profiles (KRAFTCHECK_DEBUG=1):"
    echo
    sed 's/^/    /' "$out/stages-$last-$kind"
    echo
  done
  echo "HTML report at $last partitions (all four profiles) in headless Chromium: $chromium_line"
} | tee "$out/scale.md"
