#!/usr/bin/env bash
# Benchmark of `kraftcheck collect` against a real ZooKeeper-mode Kafka 3.9.2 cluster (issue 7, "collect").
#
#   benches/collect.sh [RUNS] [--kraft] [--topics N] [--small N] [--down]
#
#   RUNS        measured rounds (default 5); each round runs, in rotating order:
#                 (a) kraftcheck collect --bootstrap-server B -o FILE
#                 (b) the Kafka CLI sequence that gathers the same facts, one JVM per command, in turn:
#                     kafka-topics --describe; kafka-configs --describe --all for the brokers, the
#                     brokers' cluster default and the topics; kafka-acls --list;
#                     kafka-consumer-groups --describe --all-groups; kafka-configs --describe for users
#                     (quotas and SCRAM), clients, and users + clients (quotas)
#                 (c) kcat -L -b B: metadata only, the floor
#   --topics N  size of the cluster (default 2000 topics x 10 partitions = 20,000 partitions)
#   --small N   size for the first request count (default 200; 0: skip)
#   --down      stop the rig at the end (default: leave bench39 up for another run)
#   --kraft     the same on the KRaft-mode twin benchkraft39 (Kafka 3.9.2, a controller-only node + 2
#               brokers, ports 188xx, rig/benchkraft.sh) instead of bench39; the report then also has
#               the controller's CPU per command; report target/bench/collect-kraft.md
#
# What it does: `cargo build --release`; `rig/rig.sh up bench39` (ZooKeeper + 2 brokers, Kafka 3.9.2,
# JMX exporter on 127.0.0.1:19815/19825); `rig/rig.sh seed-large bench39 --topics SMALL`; counts the
# requests of one `KRAFTCHECK_DEBUG=1 kraftcheck collect` and the brokers' RequestMetrics delta around
# it; grows the cluster to N topics and counts again; runs each tool 3 times to warm up (not counted;
# KRAFTCHECK_BENCH_WARMUP); then RUNS rounds. Every output is checked against the seeded counts (a benchmark of a failing or
# incomplete command means nothing): the script exits non-zero when a command fails or an output
# lacks them. Report: stdout and target/bench/collect.md; the outputs of the last round are in
# target/bench/collect/. The CLI commands are the java command lines `rig/rig.sh tool` would exec,
# run directly. A second run on the still-running rig skips the small count (the cluster cannot
# shrink): `rig/rig.sh down bench39` first for it.
#
# Environment: KRAFTCHECK_BENCH_BIN benchmarks that kraftcheck binary instead of building
# target/release/kraftcheck; KRAFTCHECK_BENCH_CLI_JVM_OPTS replaces the JVM options of the CLI tools
# (default: the rig's, see rig/README.md). A machine that is busy with something else makes the
# numbers noisy: the report shows the load average before the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

RUNS=5 TOPICS=2000 SMALL=200 DOWN=0 KRAFT=0
WARMUP=${KRAFTCHECK_BENCH_WARMUP:-3}
while [ $# -gt 0 ]; do
  case "$1" in
    --topics) TOPICS=${2:?--topics N}; shift 2 ;;
    --small) SMALL=${2:?--small N}; shift 2 ;;
    --down) DOWN=1; shift ;;
    --kraft) KRAFT=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) [[ "$1" =~ ^[1-9][0-9]*$ ]] || { echo "usage: benches/collect.sh [RUNS] [--kraft] [--topics N] [--small N] [--down]" >&2; exit 2; }
       RUNS=$1; shift ;;
  esac
done
if ! [[ "$TOPICS" =~ ^[1-9][0-9]*$ ]] || ! [[ "$SMALL" =~ ^[0-9]+$ ]]; then echo "collect.sh: --topics and --small take numbers" >&2; exit 2; fi
[ "$SMALL" -lt "$TOPICS" ] || SMALL=0

RIG=rig/rig.sh
KC=${KRAFTCHECK_BENCH_BIN:-target/release/kraftcheck}
OUT=target/bench
# the rig: bench39 (ZooKeeper mode) or, with --kraft, benchkraft39; its `rig.sh env` variables' prefix
if [ "$KRAFT" = 1 ]; then BRIG=benchkraft39 W=$OUT/collect-kraft REPORT=$OUT/collect-kraft.md
else BRIG=bench39 W=$OUT/collect REPORT=$OUT/collect.md; fi
P=KRAFTCHECK_RIG_$(echo "$BRIG" | tr '[:lower:]' '[:upper:]')
rv() { local n=${P}_$1; echo "${!n:-}"; } # rv NAME: the rig's $KRAFTCHECK_RIG_<RIG>_NAME

die() { echo "collect.sh: $*" >&2; exit 1; }
say() { echo "collect.sh: $*" >&2; }

if [ "$DOWN" = 1 ]; then trap '"$RIG" down "$BRIG" >&2 || true' EXIT; fi

# ---- tools --------------------------------------------------------------------------------------
need_apt=()
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -z "${KRAFTCHECK_BENCH_BIN:-}" ]; then
  say "cargo build --release"
  cargo build --release --quiet || die "cargo build --release failed"
fi
[ -x "$KC" ] || die "$KC is not an executable"
KC_VERSION=$("$KC" --version 2>/dev/null || echo "$KC")
rm -rf "$W"
mkdir -p "$W"

# ---- the cluster --------------------------------------------------------------------------------
t0=$SECONDS
was_up=$("$RIG" status | grep -c "^$BRIG: up" || true)
"$RIG" up "$BRIG"
UP_S="$((SECONDS - t0)) s$([ "$was_up" = 0 ] || echo " (was up)")"
eval "$("$RIG" env "$BRIG")"
BS=$(rv BOOTSTRAP)
METRICS=$(rv METRICS_URLS)
SEEDED=$(rv SEEDED_LARGE_JSON)
RUN_DIR=$(rv RUN_DIR)
[ -n "$METRICS" ] || die "the $BRIG brokers run without the JMX exporter"
seeded_topics() { if [ -s "$SEEDED" ]; then jq -r .topics "$SEEDED"; else echo 0; fi; }

seed() { # N -> prints the seconds it took
  local t=$SECONDS
  "$RIG" seed-large "$BRIG" --topics "$1" >&2
  echo $((SECONDS - t))
}

# ---- request counts -----------------------------------------------------------------------------
# -> "API COUNT MS" lines, summed over the brokers: COUNT is kafka_network_RequestMetrics_Count{name=
# "RequestsPerSec"} summed over request versions; MS is the brokers' total time on that request type,
# Count × Mean of TotalTimeMs (Yammer's mean is over every request, not over a sample)
scrape() {
  local u
  for u in ${METRICS//,/ }; do
    curl -sf --max-time 10 "$u" | awk '
      function req() { match($0, /request="[^"]*"/); return substr($0, RSTART + 9, RLENGTH - 10) }
      /^kafka_network_RequestMetrics_Count\{/ && /name="RequestsPerSec"/ { n[req()] += $NF }
      /^kafka_network_RequestMetrics_Count\{/ && /name="TotalTimeMs"/ { tc[req()] = $NF }
      /^kafka_network_RequestMetrics_Mean\{/ && /name="TotalTimeMs"/ { tm[req()] = $NF }
      END { for (r in n) printf "%s %d %.3f\n", r, n[r], tc[r] * tm[r] }' || die "cannot scrape $u"
  done | awk '{ n[$1] += $2; t[$1] += $3 } END { for (r in n) printf "%s %d %.3f\n", r, n[r], t[r] }' | sort
}

count_requests() { # LABEL: one KRAFTCHECK_DEBUG=1 collect, nothing else talking to the cluster
  local l=$1
  sleep 2 # responses of earlier clients are counted when they complete
  scrape >"$W/req-$l.before"
  local t0
  t0=$(date +%s%N)
  KRAFTCHECK_DEBUG=1 "$KC" collect --bootstrap-server "$BS" -o "$W/req-$l.json" 2>"$W/req-$l.debug" ||
    { tail -n 20 "$W/req-$l.debug" >&2; die "kraftcheck collect failed (request count, $l)"; }
  echo $((($(date +%s%N) - t0) / 1000000)) >"$W/req-$l.ms"
  sleep 1
  scrape >"$W/req-$l.after"
  join -a 2 -e 0 -o 0,1.2,1.3,2.2,2.3 "$W/req-$l.before" "$W/req-$l.after" |
    awk '$4 - $2 > 0 { printf "%s %d %.0f\n", $1, $4 - $2, $5 - $3 }' >"$W/req-$l.brokers"
  # "kraftcheck: debug: sent N Api request(s)" (older kafka-protocol names end in Key)
  sed -n 's/^kraftcheck: debug: sent \([0-9]*\) \([A-Za-z]*\) request(s)$/\2 \1/p' "$W/req-$l.debug" |
    sed 's/Key / /' | sort >"$W/req-$l.kraftcheck"
  [ -s "$W/req-$l.kraftcheck" ] || die "KRAFTCHECK_DEBUG=1 printed no request counts ($W/req-$l.debug)"
}

# ---- checks: every measured output must hold the seeded facts -----------------------------------
expect() { # WHAT HAVE WANT: HAVE >= WANT
  [ "$2" -ge "$3" ] || die "$1: $2, expected at least $3 (outputs in $W)"
}

E_TOPICS=0 E_PARTS=0 E_ACLS=0 E_GROUPS=0 E_SCRAM=0 E_QUOTAS=0 E_RETENTION=0
expectations() {
  E_TOPICS=$(jq -r .topics "$SEEDED")
  E_PARTS=$(jq -r .partitions "$SEEDED")
  E_ACLS=$(jq -r .acls "$SEEDED")
  E_GROUPS=$(jq -r .groups "$SEEDED")
  E_SCRAM=$(jq -r .scram_users "$SEEDED")
  E_QUOTAS=$(jq -r .quotas "$SEEDED")
  E_RETENTION=$(jq -r .topics_with_retention_ms "$SEEDED")
}

check_kraftcheck() { # INVENTORY.json
  local f=$1 c t p a g gl s q r b gaps
  c=$(jq -r '[(.topics | length), ([.topics[].partitions | length] | add // 0), (.acls | length), (.groups | length),
              ([.groups[] | select((.offsets | length) > 0 and ([.offsets[].lag // 0] | add) > 0)] | length),
              (.scram_users | length), (.quotas | length),
              ([.topics[] | select(.configs["retention.ms"].source == "DYNAMIC_TOPIC_CONFIG")] | length),
              (.brokers | length),
              ([.gaps[] | select(.part | test("^(topics|partitions|configs|brokers|acls|groups|quotas|scram)"))] | length)] | @tsv' "$f")
  read -r t p a g gl s q r b gaps <<<"$c"
  expect "kraftcheck: topics" "$t" "$E_TOPICS"
  expect "kraftcheck: partitions" "$p" "$E_PARTS"
  expect "kraftcheck: ACLs" "$a" "$E_ACLS"
  expect "kraftcheck: consumer groups" "$g" "$E_GROUPS"
  expect "kraftcheck: groups with committed offsets and lag" "$gl" "$E_GROUPS"
  expect "kraftcheck: SCRAM users" "$s" "$E_SCRAM"
  expect "kraftcheck: quotas" "$q" "$E_QUOTAS"
  expect "kraftcheck: topics with a retention.ms override" "$r" "$E_RETENTION"
  expect "kraftcheck: brokers" "$b" 2
  [ "$gaps" = 0 ] || die "kraftcheck reports gaps in what the benchmark compares: $(jq -c '.gaps' "$f")"
  KC_FACTS="$t topics, $p partitions, $a ACLs, $g groups ($gl with lag), $s SCRAM users, $q quotas"
}

# The CLI sequence: NAME|ARGS (one JVM per command, as an operator would run them)
CLI=(
  "topics|kafka-topics --describe"
  "broker-configs|kafka-configs --describe --all --entity-type brokers"
  "broker-defaults|kafka-configs --describe --entity-type brokers --entity-default"
  "topic-configs|kafka-configs --describe --all --entity-type topics"
  "acls|kafka-acls --list"
  "groups|kafka-consumer-groups --describe --all-groups"
  "users|kafka-configs --describe --entity-type users"
  "clients|kafka-configs --describe --entity-type clients"
  "user-clients|kafka-configs --describe --entity-type users --entity-type clients"
)

check_cli() { # DIR: the outputs of one sequence
  local d=$1 n
  expect "kafka-topics --describe: topics" "$(grep -c '^Topic:' "$d/topics.out")" "$E_TOPICS"
  expect "kafka-topics --describe: partitions" "$(grep -c 'Partition: ' "$d/topics.out")" "$E_PARTS"
  expect "kafka-configs brokers: brokers" "$(grep -c '^All configs for broker ' "$d/broker-configs.out")" 2
  expect "kafka-configs brokers --entity-default" "$(grep -c '^Default configs for brokers' "$d/broker-defaults.out")" 1
  expect "kafka-configs topics: topics" "$(grep -c '^All configs for topic ' "$d/topic-configs.out")" "$E_TOPICS"
  expect "kafka-configs topics: retention.ms overrides" "$(grep -c '^  retention.ms=.*DYNAMIC_TOPIC_CONFIG:' "$d/topic-configs.out")" "$E_RETENTION"
  expect "kafka-acls --list: ACLs" "$(grep -c '(principal=' "$d/acls.out")" "$E_ACLS"
  n=$(awk 'NF >= 6 && $1 != "GROUP" && $4 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ && $6 > 0 { print $1 }' "$d/groups.out" | sort -u | wc -l)
  expect "kafka-consumer-groups: groups with lag" "$n" "$E_GROUPS"
  expect "kafka-configs users: SCRAM users" "$(grep -c '^SCRAM credential configs for user-principal' "$d/users.out")" "$E_SCRAM"
  n=$(cat "$d/users.out" "$d/clients.out" "$d/user-clients.out" | grep -c '^Quota configs for ' || true)
  expect "kafka-configs users/clients/users+clients: quotas" "$n" "$E_QUOTAS"
}

check_kcat() { # FILE
  expect "kcat -L: topics" "$(grep -c '^  topic "' "$1")" "$E_TOPICS"
  expect "kcat -L: partitions" "$(grep -c '^    partition ' "$1")" "$E_PARTS"
}

# ---- measurements -------------------------------------------------------------------------------
T_MS=0 T_KB=0 T_BCPU=0 T_CPU=0 T_CCPU=0
CLK_TCK=$(getconf CLK_TCK)
# User + system CPU the rig's JVMs named like ERE (default: the brokers) have used so far, in ms
# (/proc/PID/stat fields 14, 15). benchkraft39's controller: cpu_ms '^controller$'.
cpu_ms() {
  local pid t=0 n
  for pid in $(awk -v re="${1:-^broker[0-9]+\$}" '$1 ~ re { print $2 }' "$RUN_DIR/pids"); do
    n=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    t=$((t + n))
  done
  echo $((t * 1000 / CLK_TCK))
}
timed() { # OUT ERR CMD...: T_MS (wall), T_KB (max RSS), T_BCPU (brokers' CPU ms), T_CPU (its own user + system CPU ms),
  # T_CCPU (benchkraft39's controller's CPU ms; 0 on bench39); a failing command ends the benchmark
  local out=$1 err=$2 t0 t1 c0 cc0 rc=0
  shift 2
  cc0=$(cpu_ms '^controller$')
  c0=$(cpu_ms)
  t0=$(date +%s%N)
  /usr/bin/time -f "%M %U %S" -o "$W/time.txt" "$@" >"$out" 2>"$err" || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" != 0 ]; then
    tail -n 20 "$err" >&2
    die "failed with exit code $rc: ${*:1:3} … (stdout: $out, stderr: $err)"
  fi
  T_MS=$(((t1 - t0) / 1000000))
  read -r T_KB T_CPU < <(tail -n 1 "$W/time.txt" | awk '{ printf "%d %d\n", $1, ($2 + $3) * 1000 }')
  T_BCPU=$(($(cpu_ms) - c0))
  T_CCPU=$(($(cpu_ms '^controller$') - cc0))
}

run_a() { # DIR
  timed "$1/kraftcheck.out" "$1/kraftcheck.err" "$KC" collect --bootstrap-server "$BS" -o "$1/kraftcheck.json"
  echo "$T_MS $T_KB $T_BCPU $T_CPU $T_CCPU" >>"$W/a.times"
  check_kraftcheck "$1/kraftcheck.json"
}

# The java command line `rig/rig.sh tool bench39 …` would exec (main class, classpath, logging, JVM
# options), captured once with a stand-in for java: the rounds then run java directly, without the
# ~0.2 s of rig.sh's own checks before every command.
capture_cli() {
  local e name args fake=$W/print-args
  printf '#!/bin/sh\nprintf "%%s\\0" "$@"\n' >"$fake"
  chmod +x "$fake"
  for e in "${CLI[@]}"; do
    name=${e%%|*}
    args=${e#*|}
    # shellcheck disable=SC2086
    JAVA=$fake KRAFTCHECK_RIG_JVM_OPTS=${KRAFTCHECK_BENCH_CLI_JVM_OPTS:-${KRAFTCHECK_RIG_JVM_OPTS:-}} \
      "$RIG" tool "$BRIG" $args --bootstrap-server "$BS" >"$W/cmd-$name" ||
      die "rig/rig.sh tool $BRIG $args failed"
  done
}
if [ -z "${KRAFTCHECK_BENCH_CLI_JVM_OPTS:-}${KRAFTCHECK_RIG_JVM_OPTS:-}" ]; then unset KRAFTCHECK_RIG_JVM_OPTS; fi

run_b() { # DIR
  local d=$1 e name total=0 peak=0 cpu=0 own=0 ctl=0 argv
  for e in "${CLI[@]}"; do
    name=${e%%|*}
    mapfile -d '' -t argv <"$W/cmd-$name"
    timed "$d/$name.out" "$d/$name.err" "${JAVA:-java}" "${argv[@]}"
    echo "$T_MS $T_KB $(wc -l <"$d/$name.out")" >>"$W/b-$name.times"
    total=$((total + T_MS)) cpu=$((cpu + T_BCPU)) own=$((own + T_CPU)) ctl=$((ctl + T_CCPU))
    if ((T_KB > peak)); then peak=$T_KB; fi
  done
  echo "$total $peak $cpu $own $ctl" >>"$W/b.times"
  check_cli "$d"
}

run_c() { # DIR
  timed "$1/kcat.out" "$1/kcat.err" kcat -L -b "$BS"
  echo "$T_MS $T_KB $T_BCPU $T_CPU $T_CCPU" >>"$W/c.times"
  check_kcat "$1/kcat.out"
}

# ---- run ----------------------------------------------------------------------------------------
have=$(seeded_topics)
SEED_SMALL_S=- SEED_FULL_S=- SMALL_NOTE="" SMALL_ASKED=$SMALL
if [ "$SMALL" -gt 0 ]; then
  if [ "$have" -lt "$SMALL" ]; then SEED_SMALL_S=$(seed "$SMALL"); have=$SMALL; fi
  if [ "$have" = "$SMALL" ]; then
    say "counting requests at $SMALL topics"
    count_requests small
  else
    SMALL_NOTE="($BRIG already holds $have topics: no count at $SMALL topics; 'rig/rig.sh down $BRIG' first for it)"
    SMALL=0
  fi
fi
if [ "$have" -lt "$TOPICS" ]; then SEED_FULL_S=$(seed "$TOPICS"); fi
expectations
say "cluster: $E_TOPICS topics, $E_PARTS partitions, $E_ACLS ACLs, $E_GROUPS groups, $E_SCRAM SCRAM users, $E_QUOTAS quotas"

capture_cli
say "warm-up (not counted)"
mkdir -p "$W/warmup"
rm -f "$W"/*.times
# The brokers run with the full JIT (rig/README.md): the request paths get compiled over the
# first rounds, so several rounds of every tool go first (KRAFTCHECK_BENCH_WARMUP, default 3).
for ((i = 0; i < WARMUP; i++)); do
  run_a "$W/warmup"
  run_b "$W/warmup"
  run_c "$W/warmup"
done
rm -f "$W"/*.times

say "counting requests at $E_TOPICS topics"
count_requests full

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= RUNS; round++)); do
  say "round $round of $RUNS"
  rm -rf "$W/round"
  mkdir -p "$W/round"
  case $((round % 3)) in
    1) run_a "$W/round"; run_b "$W/round"; run_c "$W/round" ;;
    2) run_b "$W/round"; run_c "$W/round"; run_a "$W/round" ;;
    0) run_c "$W/round"; run_a "$W/round"; run_b "$W/round" ;;
  esac
done

# ---- report -------------------------------------------------------------------------------------
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stats() { # FILE COL -> "median min max" of that column
  local m
  m=$(awk -v c="$2" '{ print $c }' "$1" | med)
  awk -v c="$2" -v m="$m" 'NR == 1 || $c < lo { lo = $c } NR == 1 || $c > hi { hi = $c } END { printf "%s %s %s", m, lo, hi }' "$1"
}
secs() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
peak() { awk -v c="$2" '$c > p { p = $c } END { print p }' "$1"; }

req_table() { # the request counts at both sizes
  local apis
  apis=$(cat "$W"/req-*.kraftcheck | awk '{ print $1 }' | sort -u)
  get() { awk -v a="$2" -v c="${3:-2}" '$1 == a { print $c; f = 1 } END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0; }
  if [ "$SMALL" -gt 0 ]; then
    echo "| API | kraftcheck, $SMALL topics | brokers, $SMALL topics | kraftcheck, $E_TOPICS topics | brokers, $E_TOPICS topics | broker time, $E_TOPICS topics (ms) | |"
    echo "|---|---:|---:|---:|---:|---:|---|"
  else
    echo "| API | kraftcheck, $E_TOPICS topics | brokers, $E_TOPICS topics | broker time (ms) | |"
    echo "|---|---:|---:|---:|---|"
  fi
  local a ks bs kf bf ms ok tks=0 tbs=0 tkf=0 tbf=0 tms=0
  for a in $apis; do
    kf=$(get "$W/req-full.kraftcheck" "$a")
    bf=$(get "$W/req-full.brokers" "$a")
    ms=$(get "$W/req-full.brokers" "$a" 3)
    ok=$([ "$kf" = "$bf" ] && echo "=" || echo "**differs**")
    tkf=$((tkf + kf)) tbf=$((tbf + bf)) tms=$((tms + ms))
    if [ "$SMALL" -gt 0 ]; then
      ks=$(get "$W/req-small.kraftcheck" "$a")
      bs=$(get "$W/req-small.brokers" "$a")
      [ "$ks" = "$bs" ] || ok="**differs**"
      tks=$((tks + ks)) tbs=$((tbs + bs))
      echo "| $a | $ks | $bs | $kf | $bf | $ms | $ok |"
    else
      echo "| $a | $kf | $bf | $ms | $ok |"
    fi
  done
  if [ "$SMALL" -gt 0 ]; then echo "| **total** | **$tks** | **$tbs** | **$tkf** | **$tbf** | **$tms** | |"
  else echo "| **total** | **$tkf** | **$tbf** | **$tms** | |"; fi
  echo
  local top
  top=$(join "$W/req-full.brokers" "$W/req-full.kraftcheck" | sort -k3,3nr | head -n 3 |
    awk -v t="$tms" '{ printf "%s%s %d ms (%.0f%%)", (NR > 1 ? ", " : ""), $1, $3, t ? 100 * $3 / t : 0 }')
  local stages
  stages=$(sed -n 's/^kraftcheck: debug: stage \(.*\): \([0-9]*\) ms.*$/\1 \2 ms/p' "$W/req-full.debug" | paste -sd ';' | sed 's/;/; /g')
  echo "- Broker time: Count × Mean of \`TotalTimeMs\` (queue, processing and send time of each request), summed over both"
  echo "  brokers, which work in parallel. The \`KRAFTCHECK_DEBUG=1\` run took $(secs "$(cat "$W/req-full.ms")") s wall clock; most broker time went to: $top."
  echo "- kraftcheck's stages in that run (\`KRAFTCHECK_DEBUG=1\`, \`$W/req-full.debug\`): ${stages:-none printed}."
  local l others
  for l in small full; do
    [ -s "$W/req-$l.brokers" ] || continue
    others=$(join -v 1 "$W/req-$l.brokers" "$W/req-$l.kraftcheck" | awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $1, $2 }')
    echo "- Not sent by kraftcheck, counted by the brokers during the $l run: ${others:-none} (requests)."
  done
}

report() {
  local a b c ma mb mc
  read -r ma _ _ <<<"$(stats "$W/a.times" 1)"
  read -r mb _ _ <<<"$(stats "$W/b.times" 1)"
  read -r mc _ _ <<<"$(stats "$W/c.times" 1)"
  echo "## kraftcheck collect vs the Kafka CLI vs kcat ($([ "$KRAFT" = 1 ] && echo KRaft || echo ZooKeeper)-mode Kafka $(rv KAFKA_VERSION), rig $BRIG)"
  echo
  if [ -n "${KRAFTCHECK_BENCH_BIN:-}" ]; then
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $KC_VERSION (\`$KC\`), $(nproc) cores, load average before the rounds $LOAD."
  else
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $KC_VERSION at $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ' + uncommitted changes'), $(nproc) cores, load average before the rounds $LOAD."
  fi
  echo "Cluster: 2 brokers$([ "$KRAFT" = 0 ] || echo " and a controller-only node"), $E_TOPICS topics, $E_PARTS partitions (10 per topic, RF 2 on a third of the topics, RF 1 on the rest), $E_RETENTION topics with retention.ms,"
  echo "$E_ACLS ACLs (+3 of the rig), $E_GROUPS consumer groups with committed offsets and lag, $E_SCRAM SCRAM users (+2), $E_QUOTAS quotas. Bootstrap \`$BS\` (PLAINTEXT)."
  echo "Setup: \`rig/rig.sh up $BRIG\` $UP_S; \`rig/rig.sh seed-large $BRIG\` to $SMALL_ASKED topics ${SEED_SMALL_S} s, then to $E_TOPICS topics ${SEED_FULL_S} s (\`-\`: already seeded)."
  echo
  echo "Median of $RUNS rounds after $WARMUP warm-up rounds; wall clock. Peak RSS: the largest max RSS (\`/usr/bin/time -f %M\`) over the rounds; for the CLI, over its commands."
  echo
  local f m lo hi bc oc cc chead="" crule=""
  if [ "$KRAFT" = 1 ]; then chead=" Controller's CPU, median (s) |" crule="---:|"; fi
  echo "| | Command | Median (s) | Min (s) | Max (s) | Peak RSS (MiB) | Brokers' CPU, median (s) |$chead Own CPU, median (s) |"
  echo "|---|---|---:|---:|---:|---:|---:|$crule---:|"
  for f in a b c; do
    read -r m lo hi <<<"$(stats "$W/$f.times" 1)"
    read -r bc _ _ <<<"$(stats "$W/$f.times" 3)"
    read -r oc _ _ <<<"$(stats "$W/$f.times" 4)"
    read -r cc _ _ <<<"$(stats "$W/$f.times" 5)"
    if [ "$KRAFT" = 1 ]; then cc=" $(secs "$cc") |"; else cc=""; fi
    case $f in
      a) echo "| (a) | \`kraftcheck collect\` | $(secs "$m") | $(secs "$lo") | $(secs "$hi") | $(mib "$(peak "$W/a.times" 2)") | $(secs "$bc") |$cc $(secs "$oc") |" ;;
      b) echo "| (b) | Kafka CLI, ${#CLI[@]} commands in turn | $(secs "$m") | $(secs "$lo") | $(secs "$hi") | $(mib "$(peak "$W/b.times" 2)") | $(secs "$bc") |$cc $(secs "$oc") |" ;;
      c) echo "| (c) | \`kcat -L\` (metadata only) | $(secs "$m") | $(secs "$lo") | $(secs "$hi") | $(mib "$(peak "$W/c.times" 2)") | $(secs "$bc") |$cc $(secs "$oc") |" ;;
    esac
  done
  echo
  echo "Brokers' CPU: user + system CPU time of both broker JVMs (\`/proc/PID/stat\`) from the start to the end of each command, summed over the CLI's commands."
  [ "$KRAFT" = 0 ] || echo "Controller's CPU: the same for the controller-only node's JVM."
  echo "Own CPU: user + system CPU time of the command itself (\`/usr/bin/time\` %U + %S), summed over the CLI's commands."
  echo
  echo "Every round (s): (a) $(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 / 1000 }' "$W/a.times"); (b) $(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 / 1000 }' "$W/b.times"); (c) $(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 / 1000 }' "$W/c.times")."
  echo
  echo "**(b)/(a) = $(ratio "$mb" "$ma")×** (the CLI sequence takes that many times as long as kraftcheck); **(a)/(c) = $(ratio "$ma" "$mc")×** (kraftcheck against the metadata-only floor)."
  echo
  echo "kraftcheck's inventory: $KC_FACTS. It also holds what the CLI sequence does not fetch (log dirs, transactions,"
  echo "reassignments, delegation tokens, log end offsets of every partition)."
  echo
  echo "The CLI sequence: the java command lines that \`rig/rig.sh tool $BRIG … --bootstrap-server $BS\` runs (one JVM each, -Xmx256m,"
  echo "JVM options \`$(tr '\0' ' ' <"$W/cmd-acls" | grep -o -- '-XX:[^ ]*' | paste -sd' ')\`):"
  echo
  echo "| Command | Median (s) | Peak RSS (MiB) | Output lines |"
  echo "|---|---:|---:|---:|"
  local e name
  for e in "${CLI[@]}"; do
    name=${e%%|*}
    read -r m _ _ <<<"$(stats "$W/b-$name.times" 1)"
    echo "| \`${e#*|}\` | $(secs "$m") | $(mib "$(peak "$W/b-$name.times" 2)") | $(tail -n 1 "$W/b-$name.times" | awk '{ print $3 }') |"
  done
  echo
  echo "### Requests per API: kraftcheck (\`KRAFTCHECK_DEBUG=1\`) and the brokers (RequestMetrics)"
  echo
  echo "Brokers: \`kafka_network_RequestMetrics_Count{name=\"RequestsPerSec\"}\` from the JMX exporter, summed over request versions"
  echo "and both brokers, scraped before and after one \`kraftcheck collect\` with no other client connected.${SMALL_NOTE:+ $SMALL_NOTE}"
  echo
  req_table
  if [ "$KRAFT" = 1 ]; then
    echo "- The replica fetchers (Fetch and FetchFollower count the same requests) talk to the brokers all the time;"
    echo "  kraftcheck never sends those APIs, so they are left out of the table."
  else
    echo "- The replica fetchers (Fetch and FetchFollower count the same requests) and the controller (LeaderAndIsr, UpdateMetadata, …)"
    echo "  talk to the brokers all the time; kraftcheck never sends those APIs, so they are left out of the table."
  fi
  if [ "$SMALL" -gt 0 ]; then
    local grew
    grew=$(join "$W/req-small.kraftcheck" "$W/req-full.kraftcheck" | awk '$2 != $3 { printf "%s%s %d → %d", (n++ ? ", " : ""), $1, $2, $3 }')
    echo "- From $SMALL to $E_TOPICS topics (×$(ratio "$E_TOPICS" "$SMALL")), kraftcheck's counts changed for: ${grew:-no API}; the other"
    echo "  $(join "$W/req-small.kraftcheck" "$W/req-full.kraftcheck" | awk '$2 == $3' | wc -l) APIs were sent as often at both sizes."
  fi
  echo
}

report | tee "$REPORT"
say "report written to $REPORT; outputs of the last round in $W/round"
if [ "$DOWN" = 0 ]; then say "$BRIG is still up ('rig/rig.sh down $BRIG' stops it; --down does it at the end)"; fi
