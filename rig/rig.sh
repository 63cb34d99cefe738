#!/usr/bin/env bash
# kraftcheck test rig: real Apache Kafka brokers assembled from Maven Central jars (no Docker).
#
#   rig/rig.sh up    zk39|kraft39|kraft4|recreate39|all  build classpath (once), start, wait for readiness
#   rig/rig.sh down  [zk39|kraft39|kraft4|all]   stop exactly the PIDs started, remove run dirs (default: all)
#   rig/rig.sh env   [name]                      print `export KRAFTCHECK_RIG_...` lines (rigs that are up)
#   rig/rig.sh seed  zk39 [--reset]              seed objects through the Admin API -> run/zk39/seeded.json
#                                                (again: no-op; --reset: fresh cluster, then seed)
#   rig/rig.sh tool  name kafka-topics|kafka-configs|kafka-acls|... ARGS...
#   rig/rig.sh stop-broker  zk39 ID              SIGTERM one broker (under-replicated partitions)
#   rig/rig.sh start-broker zk39 ID              start it again and wait until it is back
#   rig/rig.sh status                            what is up
#   rig/rig.sh build [39|4|mm2|all]              only resolve classpaths and compile the seeder
#   rig/rig.sh try-start 39|4 CONFIG [SECONDS]   start one node with CONFIG; exit 1 when Kafka refuses it
#
# Migration rigs (not part of `up all`; `down all`, `env` and `status` include them):
#   rig/rig.sh up mig39 && rig/rig.sh seed mig39 a ZooKeeper-mode 3.9 cluster that can be migrated
#   rig/rig.sh migrate mig39 controller|brokers-migration|brokers-kraft|finalize|all
#                                                KIP-866, one phase at a time (or all remaining phases)
#   rig/rig.sh up mm2target                      an empty 2-node KRaft 3.9 cluster
#   (recreate39, started by `up all`: another empty 2-node KRaft 3.9 cluster, ports 189xx, the target
#    tests/plan_live.rs applies `kraftcheck plan -o` scripts to; rig/recreate.sh)
#   rig/rig.sh mirror mig39 mm2target            MirrorMaker 2 (dedicated mode) until in sync, then stop it
#
# Enterprise-login rig (not part of `up all`; tests/auth_live.rs, rig/auth.sh):
#   rig/rig.sh up kdc                            MIT Kerberos KDC on loopback (rig/auth.sh); kraft39 started after
#                                                it gets GSSAPI listeners; `up auth39` starts it; `down all` stops it
#   rig/rig.sh up auth39 && rig/rig.sh seed auth39   ZooKeeper + 1 broker (3.9) with TLS/mTLS/GSSAPI listeners and
#                                                JKS / PKCS12 / encrypted-PEM client stores made with keytool
#
# Fault rig (not part of `up all`; tests/faults.rs starts and stops it): ZooKeeper + 3 brokers (3.9,
# ZooKeeper mode) on 192xx, whose brokers and ZooKeeper the tests stop, kill and pause.
#   rig/rig.sh up fault39
#   rig/rig.sh start-broker fault39 ID
# Benchmark rig (not part of `up all`; benches/collect.sh):
#   rig/rig.sh up bench39                        ZooKeeper + 2 brokers (3.9, ZooKeeper mode), JMX exporter
#   rig/rig.sh seed-large bench39 [--topics N]   N topics x 10 partitions (default 2000), 2,000 ACLs,
#                                                200 groups, 100 SCRAM users, 100 quotas; more topics later
#                                                only adds topics; already that size: no-op
#   rig/rig.sh up benchkraft39                   the same in KRaft mode (3.9): a controller + 2 brokers
#   rig/rig.sh seed-large benchkraft39 [--topics N]   (rig/benchkraft.sh; benches/collect.sh --kraft)
#
# Everything listens on 127.0.0.1 only. See rig/README.md.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=$RIG_DIR/.cache
RUN_ROOT=$RIG_DIR/run
JAVA=${JAVA:-java}
JAVAC=${JAVAC:-javac}
MVN=${MVN:-mvn}
TIMEOUT=${KRAFTCHECK_RIG_TIMEOUT:-180}
BROKER_HEAP=${KRAFTCHECK_RIG_BROKER_HEAP:-384m}
ZK_HEAP=${KRAFTCHECK_RIG_ZK_HEAP:-96m}
# bench39 holds 20,000+ partitions
BENCH_HEAP=${KRAFTCHECK_RIG_BENCH_HEAP:-1g}
BENCH_ZK_HEAP=256m
# bench39's log dirs: Kafka fsyncs a few files for every partition it creates, which makes 20,000
# partitions take minutes on a disk; on tmpfs they take seconds (`down` removes them)
BENCH_DATA=${KRAFTCHECK_RIG_BENCH_DATA:-/dev/shm/kraftcheck-rig-bench39}
# small, quick-to-start JVMs: 2 cores shared by up to 6 JVMs
JVM_OPTS=${KRAFTCHECK_RIG_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true}
# bench39 is measured: its brokers and ZooKeeper run as production clusters do, with the JVM
# options of Kafka's own kafka-run-class.sh (G1, the full JIT) rather than the quick-start ones
BENCH_JVM_OPTS=${KRAFTCHECK_RIG_BENCH_JVM_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true}
jvm_opts() {
  case "$1" in
    bench39 | benchkraft39) echo "$BENCH_JVM_OPTS" ;;
    # Kafka 3.9.1+ only fetches OAuth URLs that this system property allows
    auth39) echo "$JVM_OPTS -Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=$AUTH_ISSUER/jwks,$AUTH_ISSUER/token $(krb_jvm_opt)" ;;
    kraft39) echo "$JVM_OPTS $(krb_jvm_opt)" ;;
    *) echo "$JVM_OPTS" ;;
  esac
}
ALL_RIGS=(zk39 kraft39 kraft4 recreate39)
# rigs that `up all` leaves alone (started by the tests that need them); `down all` stops them too
EXTRA_RIGS=(mig39 mm2target bench39 benchkraft39 auth39 fault39)
PW=rigpass

die() { echo "rig: $*" >&2; exit 1; }
say() { echo "rig: $*" >&2; }

# ------------------------------------------------------------------------------------------------
# rig definitions
rig_ver() {
  case "$1" in
    zk39 | kraft39 | mig39 | mm2target | bench39 | benchkraft39 | auth39 | recreate39 | fault39 | 39 | 3.9) echo 39 ;;
    kraft4 | 4) echo 4 ;;
    *) die "unknown rig '$1' (zk39, kraft39, kraft4, mig39, mm2target, bench39, benchkraft39, auth39, recreate39, fault39)" ;;
  esac
}
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$RIG_DIR/pom-kafka$1.xml"; }
upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }
broker_heap() { if [ "$1" = bench39 ] || [ "$1" = benchkraft39 ]; then echo "$BENCH_HEAP"; else echo "$BROKER_HEAP"; fi; }
zk_heap() { if [ "$1" = bench39 ]; then echo "$BENCH_ZK_HEAP"; else echo "$ZK_HEAP"; fi; }

# ports: zk39 191xx, fault39 192xx, kraft39 193xx, kraft4 194xx, auth39 195xx, mig39 196xx, mm2target 197xx,
# bench39 198xx, recreate39 189xx, benchkraft39 188xx
zk_port() { case "${1:-zk39}" in fault39) echo 19281 ;; mig39) echo 19681 ;; bench39) echo 19881 ;; auth39) echo 19581 ;; *) echo 19181 ;; esac; }
# broker_port RIG ID KIND  (KIND: plain|sasl|ssl|ctl)
broker_port() {
  local base off
  case "$1" in
    zk39) base=$((19100 + 10 * $2)) ;;
    fault39) base=$((19200 + 10 * $2)) ;;
    kraft39) base=19310 ;;
    kraft4) base=19410 ;;
    mig39) base=$((19600 + 10 * $2)) ;;
    mm2target) base=$((19700 + 10 * $2)) ;;
    bench39) base=$((19800 + 10 * $2)) ;;
    auth39) base=$((19500 + 10 * $2)) ;;
    recreate39) base=$((18900 + 10 * $2)) ;;
    benchkraft39) base=$((18800 + 10 * $2)) ;;
  esac
  case "$3" in plain) off=1 ;; sasl) off=2 ;; ssl) off=3 ;; ctl) off=4 ;; esac
  if [ "$3" = ctl ] && [ "$1" = mig39 ]; then echo $MIG_CTRL_PORT; return; fi
  if [ "$3" = ctl ] && [ "$1" != zk39 ]; then off=9; fi
  echo $((base + off))
}
broker_ids() { case "$1" in fault39) echo "1 2 3" ;; zk39 | mig39 | mm2target | bench39 | benchkraft39 | recreate39) echo "1 2" ;; *) echo 1 ;; esac; }
bootstrap_of() { # RIG KIND -> comma-separated list
  local out="" id
  for id in $(broker_ids "$1"); do out="$out${out:+,}127.0.0.1:$(broker_port "$1" "$id" "$2")"; done
  echo "$out"
}
oauth_port() { echo 19414; } # kraft4 only

rig_ports() {
  local id k
  [ "$1" = kraft4 ] && oauth_port
  [ "$1" = zk39 ] && zk_port
  [ "$1" = mig39 ] && zk_port mig39
  [ "$1" = fault39 ] && zk_port fault39
  [ "$1" = auth39 ] && printf '%s\n' "$(zk_port auth39)" "$AUTH_TLS_PORT" "$AUTH_OAUTH_PORT" "$AUTH_WRONGNAME_PORT" "$AUTH_OAUTH_SERVER_PORT" "$AUTH_OAUTH_HTTPS_PORT" "$AUTH_GSSAPI_PORT" "$AUTH_GSSAPI_SSL_PORT" "$AUTH_ZK_TLS_PORT"
  [ "$1" = kraft39 ] && printf '%s\n' "$KRAFT39_GSSAPI_PORT" "$KRAFT39_GSSAPI_SSL_PORT" "$KRAFT39_GSSAPI_CONTROLLER_PORT"
  [ "$1" = bench39 ] && printf '%s\n' "$(zk_port bench39)" "$(exporter_port bench39 1)" "$(exporter_port bench39 2)"
  [ "$1" = benchkraft39 ] && printf '%s\n' "$BENCHKRAFT_CTRL_PORT" "$(exporter_port benchkraft39 1)" "$(exporter_port benchkraft39 2)"
  for id in $(broker_ids "$1"); do for k in plain sasl ssl ctl; do broker_port "$1" "$id" $k; done; done | sort -u
}

# ------------------------------------------------------------------------------------------------
# classpath (Maven) and seeder (javac)
with_lock() { # FILE CMD... ; the lock fd is never inherited by the processes we start (9>&-)
  local f=$1; shift
  mkdir -p "$(dirname "$f")"
  (
    exec 9>"$f"
    flock -w 900 9 || die "could not lock $f"
    "$@"
  )
}

cp_key() { cat "$RIG_DIR/pom-kafka$1.xml" | sha256sum | cut -c1-12; }
cp_file() { echo "$CACHE/kafka$1-$(cp_key "$1").classpath"; }
seeder_dir() { echo "$CACHE/seeder$1-$(cat "$RIG_DIR/pom-kafka$1.xml" "$RIG_DIR/seeder/RigAdmin.java" | sha256sum | cut -c1-12)"; }

cp_valid() {
  local f=$1 j
  [ -s "$f" ] || return 1
  local IFS=:
  for j in $(cat "$f"); do [ -f "$j" ] || return 1; done
}

list_jar() { if command -v unzip >/dev/null 2>&1; then unzip -Z1 "$1" 2>/dev/null; else jar tf "$1" 2>/dev/null; fi; }

build_unlocked() {
  local v=$1 f t0 kv
  f=$(cp_file "$v")
  kv=$(kafka_version "$v")
  if ! cp_valid "$f"; then
    t0=$SECONDS
    say "resolving Kafka $kv classpath with Maven (first time: downloads to ~/.m2)"
    rm -f "$f" "$f".*
    mkdir -p "$CACHE"
    "$MVN" -B -Dstyle.color=never -f "$RIG_DIR/pom-kafka$v.xml" dependency:build-classpath \
      -Dmdep.outputFile="$f.tmp" -Dmdep.includeScope=runtime >"$CACHE/mvn-$v.log" 2>&1 9>&- ||
      { tail -n 40 "$CACHE/mvn-$v.log" >&2; die "maven failed to resolve $RIG_DIR/pom-kafka$v.xml (log: $CACHE/mvn-$v.log)"; }
    cp_valid "$f.tmp" || die "maven produced an unusable classpath for Kafka $kv"
    # index of the CLI/server main classes present in this Kafka version (they move between versions)
    local IFS=: j
    for j in $(cat "$f.tmp"); do
      case "$j" in *kafka*|*zookeeper*) list_jar "$j" | grep -E '^(kafka|org/apache/kafka/(tools|shell)|org/apache/zookeeper)/[A-Za-z0-9/]*\.class$' || true ;; esac
    done | sed -e 's/\.class$//' -e 's:/:.:g' | sort -u >"$f.classes"
    mv "$f.tmp" "$f"
    say "classpath for Kafka $kv ready ($((SECONDS - t0)) s)"
  fi
  local sd
  sd=$(seeder_dir "$v")
  if [ ! -f "$sd/RigAdmin.class" ]; then
    rm -rf "$sd"
    mkdir -p "$sd"
    "$JAVAC" -nowarn -d "$sd" -cp "$(cat "$f")" "$RIG_DIR/seeder/RigAdmin.java" 9>&- >&2 ||
      { rm -rf "$sd"; die "javac failed for seeder/RigAdmin.java against Kafka $kv"; }
  fi
  # logging configs for the CLI tools (warnings to stderr only, as Kafka's tools-log4j.properties)
  if [ ! -f "$CACHE/tools-log4j.properties" ]; then
    printf '%s\n' 'log4j.rootLogger=WARN, stderr' 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
      'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
      'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' 'log4j.appender.stderr.Target=System.err' \
      >"$CACHE/tools-log4j.properties"
    printf '%s\n' 'status = error' 'appender.stderr.type = Console' 'appender.stderr.name = STDERR' \
      'appender.stderr.target = SYSTEM_ERR' 'appender.stderr.layout.type = PatternLayout' \
      'appender.stderr.layout.pattern = [%d] %p %m (%c)%n' 'rootLogger.level = WARN' \
      'rootLogger.appenderRef.stderr.ref = STDERR' >"$CACHE/tools-log4j2.properties"
  fi
}
build() { with_lock "$CACHE/build.lock" build_unlocked "$1"; }

# the classpath of an extra pom (MirrorMaker 2, the OAuth server), cached by the pom's hash
extra_cp_file() { echo "$CACHE/$1-$(sha256sum <"$RIG_DIR/pom-$1.xml" | cut -c1-12).classpath"; }
build_extra_unlocked() { # NAME LABEL: resolve rig/pom-NAME.xml once
  local name=$1 label=$2 f t0
  f=$(extra_cp_file "$name")
  cp_valid "$f" && return 0
  t0=$SECONDS
  say "resolving $label classpath with Maven"
  mkdir -p "$CACHE"
  "$MVN" -B -Dstyle.color=never -f "$RIG_DIR/pom-$name.xml" dependency:build-classpath \
    -Dmdep.outputFile="$f.tmp" -Dmdep.includeScope=runtime >"$CACHE/mvn-$name.log" 2>&1 9>&- ||
    { tail -n 40 "$CACHE/mvn-$name.log" >&2; die "maven failed to resolve $RIG_DIR/pom-$name.xml (log: $CACHE/mvn-$name.log)"; }
  cp_valid "$f.tmp" || die "maven produced an unusable $label classpath"
  mv "$f.tmp" "$f"
  say "$label classpath ready ($((SECONDS - t0)) s)"
}

write_zookeeper_config() { # RIG: standalone ZooKeeper on the rig's port, data in the run dir
  local rd
  rd=$(rundir "$1")
  mkdir -p "$rd/conf" "$rd/zookeeper"
  cat >"$rd/conf/zookeeper.properties" <<EOF
dataDir=$rd/zookeeper
clientPort=$(zk_port "$1")
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr
tickTime=2000
EOF
  # ZooKeeper's audit log (3.6+) records every write with its session: the ZooKeeper tests prove
  # from it that kraftcheck's sessions wrote nothing (logs/zookeeper-audit.log, see write_log_config)
  [ "$1" = bench39 ] || echo "audit.enable=true" >>"$rd/conf/zookeeper.properties"
}

classpath() { cat "$(cp_file "$1")"; }
log_opts() { # VER CONFIG_FILE
  if [ "$1" = 39 ]; then echo "-Dlog4j.configuration=file:$2"; else echo "-Dlog4j2.configurationFile=$2"; fi
}
tools_log_opts() {
  if [ "$1" = 39 ]; then log_opts 39 "$CACHE/tools-log4j.properties"; else log_opts 4 "$CACHE/tools-log4j2.properties"; fi
}

# tool name -> main class candidates, newest location first
tool_candidates() {
  case "$1" in
    kafka-topics) echo org.apache.kafka.tools.TopicCommand ;;
    kafka-configs) echo org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand ;;
    kafka-acls) echo org.apache.kafka.tools.AclCommand kafka.admin.AclCommand ;;
    kafka-consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    kafka-broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand kafka.admin.BrokerApiVersionsCommand ;;
    kafka-features) echo org.apache.kafka.tools.FeatureCommand kafka.admin.FeatureCommand ;;
    kafka-metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    kafka-transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    kafka-reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand kafka.admin.ReassignPartitionsCommand ;;
    kafka-log-dirs) echo org.apache.kafka.tools.LogDirsCommand kafka.admin.LogDirsCommand ;;
    kafka-delegation-tokens) echo org.apache.kafka.tools.DelegationTokenCommand kafka.admin.DelegationTokenCommand ;;
    kafka-client-metrics) echo org.apache.kafka.tools.ClientMetricsCommand ;;
    kafka-get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    kafka-groups) echo org.apache.kafka.tools.GroupsCommand ;;
    kafka-console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer kafka.tools.ConsoleConsumer ;;
    kafka-console-producer) echo org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer ;;
    kafka-storage) echo kafka.tools.StorageTool ;;
    kafka-cluster) echo org.apache.kafka.tools.ClusterTool kafka.tools.ClusterTool ;;
    zookeeper-shell) echo org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka org.apache.zookeeper.ZooKeeperMain ;;
    *) return 1 ;;
  esac
}
TOOLS="kafka-topics kafka-configs kafka-acls kafka-consumer-groups kafka-broker-api-versions kafka-features
kafka-metadata-quorum kafka-transactions kafka-reassign-partitions kafka-log-dirs kafka-delegation-tokens
kafka-client-metrics kafka-get-offsets kafka-groups kafka-console-consumer kafka-console-producer kafka-storage
kafka-cluster zookeeper-shell"
main_class() { # VER TOOL
  local c
  for c in $(tool_candidates "$2" || die "unknown tool '$2'; known: $(echo $TOOLS)"); do
    if grep -qxF "$c" "$(cp_file "$1").classes"; then echo "$c"; return 0; fi
  done
  die "tool '$2' does not exist in Kafka $(kafka_version "$1")"
}

# ------------------------------------------------------------------------------------------------
# process bookkeeping: run/<rig>/pids holds "NAME PID" lines; every JVM carries -Dkraftcheck.rig=<rig>
rundir() { echo "$RUN_ROOT/$1"; }
pid_alive() { # PID RIG -> alive and really ours
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dkraftcheck.rig=$2 "
}
pid_of() { awk -v n="$2" '$1 == n { p = $2 } END { print p }' "$(rundir "$1")/pids" 2>/dev/null; }
proc_names() { awk '{ print $1 }' "$(rundir "$1")/pids" 2>/dev/null | awk '!seen[$0]++'; }

# --- issue 5 (client audit): Prometheus JMX exporter on the zk39 brokers --------------------------
# Only when `rig/clients/clients.sh prepare` has put the agent jar into rig/.cache (scripts/test-all
# runs it before `up`): broker N then serves rig/clients/exporter.yaml's metrics on 127.0.0.1:191N5,
# and `env zk39` exports KRAFTCHECK_RIG_ZK39_METRICS_URLS. Without the jar nothing changes.
# bench39 (issue 7) always has it (`up bench39` runs `clients.sh prepare` when the jar is missing),
# with rig/clients/exporter-bench39.yaml: 127.0.0.1:198N5, KRAFTCHECK_RIG_BENCH39_METRICS_URLS.
exporter_port() { case "$1" in zk39) echo $((19105 + 10 * $2)) ;; bench39) echo $((19805 + 10 * $2)) ;; benchkraft39) echo $((18805 + 10 * $2)) ;; esac; }
exporter_opt() { # RIG NAME -> the -javaagent option, or nothing
  local jar=$CACHE/jmx_prometheus_javaagent.jar
  case "$1:$2" in
    zk39:broker[12]) [ ! -f "$jar" ] || echo "-javaagent:$jar=127.0.0.1:$(exporter_port "$1" "${2#broker}"):$RIG_DIR/clients/exporter.yaml" ;;
    bench39:broker[12] | benchkraft39:broker[12]) [ ! -f "$jar" ] || echo "-javaagent:$jar=127.0.0.1:$(exporter_port "$1" "${2#broker}"):$RIG_DIR/clients/exporter-bench39.yaml" ;;
  esac
}
metrics_env() { # RIG U: the URLs, if the running brokers carry the agent
  tr '\0' ' ' <"/proc/$(pid_of "$1" broker1)/cmdline" 2>/dev/null | grep -q -- '-javaagent:' &&
    echo "export ${2}_METRICS_URLS=http://127.0.0.1:$(exporter_port "$1" 1)/metrics,http://127.0.0.1:$(exporter_port "$1" 2)/metrics" || true
}

start_java() { # RIG NAME HEAP MAIN ARGS... (cwd = run dir; stdout+stderr -> logs/NAME.out)
  local rig=$1 name=$2 heap=$3 main=$4; shift 4
  local rd v
  rd=$(rundir "$rig")
  v=$(rig_ver "$rig")
  mkdir -p "$rd/logs"
  # shellcheck disable=SC2086
  (cd "$rd" && exec nohup "$JAVA" -Xms32m "-Xmx$heap" $(jvm_opts "$rig") ${EXTRA_JVM_OPTS:-} $(exporter_opt "$rig" "$name") "-Dkraftcheck.rig=$rig" "-Dkraftcheck.proc=$name" \
    "-Dkafka.logs.dir=$rd/logs" "$(log_opts "$v" "$rd/conf/$name.log.properties")" \
    -cp "${START_CP:-$(classpath "$v"):$(seeder_dir "$v")}" "$main" "$@" </dev/null >"$rd/logs/$name.out" 2>&1 9>&-) &
  local pid=$! i
  echo "$name $pid" >>"$rd/pids"
  # the subshell becomes java by exec: wait until the PID carries our marker
  for ((i = 0; i < 100; i++)); do pid_alive "$pid" "$rig" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  echo "$pid"
}

stop_pid() { # RIG PID [SECONDS]
  local rig=$1 pid=$2 t=${3:-60} i
  pid_alive "$pid" "$rig" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 5; i++)); do pid_alive "$pid" "$rig" || return 0; sleep 0.2; done
  say "pid $pid did not stop after ${t}s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do pid_alive "$pid" "$rig" || return 0; sleep 0.1; done
}

stop_all_of() { # RIG: holder first, then brokers one by one (parallel controlled shutdowns of both
  # ZooKeeper-mode brokers fight each other for ~10 s), ZooKeeper last
  local rig=$1 n
  [ -f "$(rundir "$rig")/pids" ] || return 0
  local first
  for first in holder mirrormaker; do
    n=$(pid_of "$rig" "$first")
    [ -n "$n" ] && stop_pid "$rig" "$n" 20
  done
  for n in $(proc_names "$rig" | sort -r); do
    case "$n" in holder | mirrormaker | zookeeper | controller*) ;; *) stop_pid "$rig" "$(pid_of "$rig" "$n")" 60 ;; esac
  done
  # KRaft controllers (mig39) after the brokers, which need them for a controlled shutdown
  for n in $(proc_names "$rig" | grep '^controller' || true); do stop_pid "$rig" "$(pid_of "$rig" "$n")" 60; done
  n=$(pid_of "$rig" zookeeper)
  [ -n "$n" ] && stop_pid "$rig" "$n" 20
  return 0
}

fail_start() { # RIG NAME MESSAGE: print the log tail, stop what we started, keep the logs
  local rig=$1 name=$2 msg=$3 rd
  rd=$(rundir "$rig")
  {
    echo "rig: $rig: $msg"
    echo "---- tail of $rd/logs/$name.out ----"
    tail -n 60 "$rd/logs/$name.out" 2>/dev/null || true
    echo "---- (logs kept in $rd/logs; 'rig/rig.sh down $rig' removes them) ----"
  } >&2
  stop_all_of "$rig"
  echo failed >"$rd/state"
  exit 1
}

wait_log() { # RIG NAME ERE TIMEOUT
  local rig=$1 name=$2 re=$3 t=$4 rd pid end
  rd=$(rundir "$rig")
  pid=$(pid_of "$rig" "$name")
  end=$((SECONDS + t))
  until grep -Eq "$re" "$rd/logs/$name.out" 2>/dev/null; do
    pid_alive "$pid" "$rig" || fail_start "$rig" "$name" "$name (pid $pid) exited during start-up"
    ((SECONDS < end)) || fail_start "$rig" "$name" "$name not ready after ${t}s (waiting for /$re/)"
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_zk() { # RIG TIMEOUT
  local rig=$1 end=$((SECONDS + $2)) pid r
  pid=$(pid_of "$rig" zookeeper)
  while :; do
    r=$( (exec 3<>"/dev/tcp/127.0.0.1/$(zk_port "$rig")" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null || true)
    [ "$r" = imok ] && return 0
    pid_alive "$pid" "$rig" || fail_start "$rig" zookeeper "ZooKeeper (pid $pid) exited during start-up"
    ((SECONDS < end)) || fail_start "$rig" zookeeper "ZooKeeper not answering ruok after $2 s"
    sleep 0.3
  done
}

# ------------------------------------------------------------------------------------------------
# certificates (per rig, generated at `up`, never committed)
gen_certs() { # DIR
  local d=$1
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=kraftcheck-rig-ca" 2>/dev/null
    for who in broker client restricted-client; do
      case $who in
        broker) subj="/CN=127.0.0.1" ; ext="subjectAltName=IP:127.0.0.1,DNS:localhost" ;;
        client) subj="/CN=kraftcheck-admin" ; ext="extendedKeyUsage=clientAuth" ;;
        restricted-client) subj="/CN=kraftcheck-restricted" ; ext="extendedKeyUsage=clientAuth" ;;
      esac
      openssl req -newkey rsa:2048 -nodes -keyout "$who-key.pem" -out "$who.csr" -subj "$subj" 2>/dev/null
      printf '%s\n' "$ext" >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$who-cert.pem" -days 30 \
        -extfile "$who.ext" 2>/dev/null
      openssl pkcs12 -export -in "$who-cert.pem" -inkey "$who-key.pem" -certfile ca.pem -name "$who" \
        -out "$who.p12" -passout "pass:$PW"
      cat "$who-key.pem" "$who-cert.pem" >"$who-bundle.pem"
      rm -f "$who.csr" "$who.ext"
    done
    keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 \
      -storepass "$PW" >/dev/null 2>&1
    rm -f ca.srl
  ) || die "certificate generation failed in $d"
}

# ------------------------------------------------------------------------------------------------
# configuration files
write_log_config() { # RIG NAME
  local rig=$1 name=$2 rd v f
  rd=$(rundir "$rig")
  v=$(rig_ver "$rig")
  f="$rd/conf/$name.log.properties"
  if [ "$name" = zookeeper ]; then
    cat >"$f" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.zookeeper.audit.Slf4jAuditLogger=INFO, audit
log4j.additivity.org.apache.zookeeper.audit.Slf4jAuditLogger=false
log4j.appender.audit=org.apache.log4j.FileAppender
log4j.appender.audit.File=$rd/logs/zookeeper-audit.log
log4j.appender.audit.layout=org.apache.log4j.PatternLayout
log4j.appender.audit.layout.ConversionPattern=%d %p %m%n
EOF
  elif [ "$rig" = bench39 ] || [ "$rig" = benchkraft39 ]; then
    # no request log: logging every request and response of a 20,000-partition cluster at DEBUG
    # would be what the benchmark measures; no per-partition INFO lines (20,000 per broker)
    cat >"$f" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log=WARN
log4j.logger.kafka.cluster=WARN
log4j.logger.kafka.server.ReplicaFetcherManager=WARN
log4j.logger.kafka.server.ReplicaFetcherThread=WARN
log4j.logger.kafka.server.ReplicaAlterLogDirsManager=WARN
EOF
  elif [ "$v" = 39 ]; then
    cat >"$f" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.requestAppender=org.apache.log4j.FileAppender
log4j.appender.requestAppender.File=$rd/logs/$name-request.log
log4j.appender.requestAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.requestAppender.layout.ConversionPattern=[%d] %m%n
# replica fetches (every 500 ms per follower) would drown the log: leave them out
log4j.appender.requestAppender.filter.1=org.apache.log4j.varia.StringMatchFilter
log4j.appender.requestAppender.filter.1.StringToMatch="clientId":"broker-
log4j.appender.requestAppender.filter.1.AcceptOnMatch=false
log4j.logger.kafka.request.logger=DEBUG, requestAppender
log4j.additivity.kafka.request.logger=false
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.kafka.authorizer.logger=INFO
EOF
  else
    cat >"$f" <<EOF
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
appender.req.type = File
appender.req.name = REQ
appender.req.fileName = $rd/logs/$name-request.log
appender.req.layout.type = PatternLayout
appender.req.layout.pattern = [%d] %m%n
appender.req.filter.fetch.type = RegexFilter
appender.req.filter.fetch.regex = .*"clientId":"broker-.*
appender.req.filter.fetch.onMatch = DENY
appender.req.filter.fetch.onMismatch = NEUTRAL
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.req.name = kafka.request.logger
logger.req.level = DEBUG
logger.req.additivity = false
logger.req.appenderRef.req.ref = REQ
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
  fi
}

listeners_of() { # RIG ID -> PLAINTEXT://...,SASL_PLAINTEXT://...,SSL://...[,CONTROL_PLANE|CONTROLLER://...]
  local r=$1 id=$2 l
  l="PLAINTEXT://127.0.0.1:$(broker_port "$r" "$id" plain),SASL_PLAINTEXT://127.0.0.1:$(broker_port "$r" "$id" sasl),SSL://127.0.0.1:$(broker_port "$r" "$id" ssl)"
  if [ "$r" = zk39 ]; then echo "$l,CONTROL_PLANE://127.0.0.1:$(broker_port "$r" "$id" ctl)"; else echo "$l"; fi
}

common_broker_props() { # RIG
  local c; c="$(rundir "$1")/certs"
  cat <<EOF
num.partitions=1
num.network.threads=2
num.io.threads=2
background.threads=2
num.replica.fetchers=1
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
transaction.max.timeout.ms=7200000
# a throttled reassignment must stay in progress for the whole test run: the replication quota is
# measured over 2 windows of 1 hour, so after the first fetch a 1 B/s throttle holds for hours
replication.quota.window.num=2
replication.quota.window.size.seconds=3600
# SCRAM on the SASL_PLAINTEXT listener
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
# TLS with client certificates (mTLS) on the SSL listener; principal = certificate DN
ssl.keystore.type=PKCS12
ssl.keystore.location=$c/broker.p12
ssl.keystore.password=$PW
ssl.key.password=$PW
ssl.truststore.type=PKCS12
ssl.truststore.location=$c/truststore.p12
ssl.truststore.password=$PW
listener.name.ssl.ssl.client.auth=required
allow.everyone.if.no.acl.found=false
# PLAINTEXT is the administration listener (principal ANONYMOUS); admin (SCRAM) and the admin
# client certificate are super users as well; 'restricted' is not
super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin
EOF
}

write_zk39_configs() { # [RIG]: zk39, or bench39 (the same listeners and security, no baits)
  local rig=${1:-zk39} rd id
  rd=$(rundir "$rig")
  write_zookeeper_config "$rig"
  # bench39 creates ~40,000 znodes when seeded; a test rig needs no fsync per ZooKeeper write
  if [ "$rig" = bench39 ]; then
    echo "forceSync=no" >>"$rd/conf/zookeeper.properties"
    rm -rf "$BENCH_DATA"
    mkdir -p "$BENCH_DATA"
  fi
  write_log_config "$rig" zookeeper
  for id in $(broker_ids "$rig"); do
    local dirs="$rd/broker$id/data" map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
    [ "$rig" = bench39 ] && dirs="$BENCH_DATA/broker$id/data"
    if [ "$rig" = zk39 ]; then
      # bait: broker 2 is JBOD (two log dirs); ZK->KRaft migration with JBOD needs IBP >= 3.7-IV2
      [ "$id" = 2 ] && dirs="$rd/broker$id/data-a,$rd/broker$id/data-b"
      map=$map,CONTROL_PLANE:PLAINTEXT
    fi
    {
      cat <<EOF
broker.id=$id
broker.rack=rack-$id
listeners=$(listeners_of "$rig" $id)
advertised.listeners=$(listeners_of "$rig" $id)
listener.security.protocol.map=$map
inter.broker.listener.name=PLAINTEXT
zookeeper.connect=127.0.0.1:$(zk_port "$rig")
zookeeper.connection.timeout.ms=18000
zookeeper.session.timeout.ms=18000
log.dirs=$dirs
offsets.topic.replication.factor=2
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=2
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
# the last broker of a 2-broker cluster cannot hand off leadership: do not retry for 3 x 5 s on 'down'
controlled.shutdown.max.retries=1
controlled.shutdown.retry.backoff.ms=1000
EOF
      common_broker_props "$rig"
      if [ "$rig" = zk39 ]; then
        cat <<EOF
# ---- audit bait (see rig/README.md) ----
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
control.plane.listener.name=CONTROL_PLANE
inter.broker.protocol.version=3.3
log.message.format.version=0.10.2
EOF
      else
        echo "authorizer.class.name=kafka.security.authorizer.AclAuthorizer"
      fi
    } >"$rd/conf/broker$id.properties"
    write_log_config "$rig" "broker$id"
  done
}

new_cluster_id() { # Kafka Uuid: 16 random bytes, URL-safe base64 without padding, never starting with '-'
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    case "$id" in -*) ;; *) echo "$id"; return ;; esac
  done
}

write_kraft_configs() { # RIG
  local rig=$1 rd ctl
  rd=$(rundir "$rig")
  ctl=$(broker_port "$rig" 1 ctl)
  mkdir -p "$rd/conf"
  {
    cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
controller.listener.names=CONTROLLER
listeners=$(listeners_of "$rig" 1),CONTROLLER://127.0.0.1:$ctl
advertised.listeners=$(listeners_of "$rig" 1)
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
broker.rack=rack-1
log.dirs=$rd/node1/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
EOF
    [ "$(rig_ver "$rig")" = 4 ] && printf '%s\n' share.coordinator.state.topic.replication.factor=1 share.coordinator.state.topic.min.isr=1
    common_broker_props "$rig"
    if [ "$rig" = kraft4 ]; then
      # An OAUTHBEARER listener with Kafka's default (unsecured JWT) validator, for the client's
      # OAUTHBEARER / MSK IAM token path (tests/oauth_live.rs). Later keys override earlier ones.
      cat <<EOF
listeners=$(listeners_of "$rig" 1),CONTROLLER://127.0.0.1:$ctl,OAUTH://127.0.0.1:$(oauth_port "$rig")
advertised.listeners=$(listeners_of "$rig" 1),OAUTH://127.0.0.1:$(oauth_port "$rig")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT,OAUTH:SASL_PLAINTEXT
listener.name.oauth.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oauth.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";
EOF
    fi
    # Kerberos (rig/auth.sh) when the KDC is up: GSSAPI listeners, the Kerberos client a super user
    if [ "$rig" = kraft39 ] && kdc_is_up; then
      gssapi_broker_props "$rig" $KRAFT39_GSSAPI_PORT $KRAFT39_GSSAPI_SSL_PORT \
        "$(listeners_of "$rig" 1),CONTROLLER://127.0.0.1:$ctl,CONTROLLER_KRB://127.0.0.1:$KRAFT39_GSSAPI_CONTROLLER_PORT" \
        "$(listeners_of "$rig" 1)" PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT,CONTROLLER_KRB:SASL_PLAINTEXT
      echo "super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin;User:$KRB_CLIENT"
      # a second controller listener with Kerberos (the first, CONTROLLER, stays the quorum's)
      echo "controller.listener.names=CONTROLLER,CONTROLLER_KRB"
      echo "listener.name.controller_krb.sasl.enabled.mechanisms=GSSAPI"
      echo "listener.name.controller_krb.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$(rundir kdc)/broker.keytab\" principal=\"kafka/127.0.0.1@$KRB_REALM\";"
      write_gssapi_client_configs "$rig"
    fi
  } >"$rd/conf/node1.properties"
  write_log_config "$rig" node1
}

write_client_configs() { # RIG
  local rd c
  rd=$(rundir "$1")
  c="$rd/certs"
  cat >"$rd/client-scram512.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";
EOF
  cat >"$rd/client-scram256.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-256
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";
EOF
  cat >"$rd/client-restricted.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="restricted" password="restricted-secret";
EOF
  cat >"$rd/client-ssl.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PKCS12
ssl.truststore.location=$c/truststore.p12
ssl.truststore.password=$PW
ssl.keystore.type=PKCS12
ssl.keystore.location=$c/client.p12
ssl.keystore.password=$PW
ssl.key.password=$PW
EOF
  cat >"$rd/client-ssl-pem.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$c/ca.pem
ssl.keystore.type=PEM
ssl.keystore.location=$c/client-bundle.pem
EOF
  cat >"$rd/client-ssl-restricted.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$c/ca.pem
ssl.keystore.type=PEM
ssl.keystore.location=$c/restricted-client-bundle.pem
EOF
}

write_baits() { # RIG: the static server.properties lines planted for the audit (see README)
  local rd
  rd=$(rundir "$1")
  if [ "$1" = zk39 ]; then
    cat >"$rd/baits.json" <<EOF
{
  "rig": "zk39",
  "static_broker_configs": {
    "1": {"authorizer.class.name": "kafka.security.authorizer.AclAuthorizer", "control.plane.listener.name": "CONTROL_PLANE",
          "inter.broker.protocol.version": "3.3", "log.message.format.version": "0.10.2",
          "log.dirs": "$rd/broker1/data"},
    "2": {"authorizer.class.name": "kafka.security.authorizer.AclAuthorizer", "control.plane.listener.name": "CONTROL_PLANE",
          "inter.broker.protocol.version": "3.3", "log.message.format.version": "0.10.2",
          "log.dirs": "$rd/broker2/data-a,$rd/broker2/data-b"}
  },
  "notes": {
    "authorizer.class.name": "AclAuthorizer (ZooKeeper-based) has no KRaft equivalent; StandardAuthorizer replaces it",
    "control.plane.listener.name": "not supported in KRaft mode",
    "inter.broker.protocol.version": "3.3 < software 3.9 and < 3.4 (ZK->KRaft migration needs IBP >= 3.4, all brokers equal)",
    "log.message.format.version": "deprecated, ignored since IBP 3.0, removed in Kafka 4.0",
    "log.dirs": "broker 2 is JBOD (2 dirs): migration with JBOD needs IBP >= 3.7-IV2",
    "allow.everyone.if.no.acl.found": "false (not a bait: the ACLs are enforced)"
  }
}
EOF
  else
    printf '{\n  "rig": "%s",\n  "static_broker_configs": {},\n  "notes": {}\n}\n' "$1" >"$rd/baits.json"
  fi
}

write_env() { # RIG
  local rig=$1 rd U v
  rd=$(rundir "$rig")
  U=KRAFTCHECK_RIG_$(upper "$rig")
  v=$(rig_ver "$rig")
  {
    echo "export ${U}_BOOTSTRAP=$(bootstrap_of "$rig" plain)"
    echo "export ${U}_SASL_BOOTSTRAP=$(bootstrap_of "$rig" sasl)"
    echo "export ${U}_SSL_BOOTSTRAP=$(bootstrap_of "$rig" ssl)"
    echo "export ${U}_SCRAM_CONFIG=$rd/client-scram512.properties"
    echo "export ${U}_SCRAM256_CONFIG=$rd/client-scram256.properties"
    echo "export ${U}_SSL_CONFIG=$rd/client-ssl.properties"
    echo "export ${U}_SSL_PEM_CONFIG=$rd/client-ssl-pem.properties"
    echo "export ${U}_RESTRICTED_CONFIG=$rd/client-restricted.properties"
    echo "export ${U}_RESTRICTED_SSL_CONFIG=$rd/client-ssl-restricted.properties"
    echo "export ${U}_SCRAM_USER=admin"
    echo "export ${U}_SCRAM_PASSWORD=admin-secret"
    echo "export ${U}_RESTRICTED_USER=restricted"
    echo "export ${U}_RESTRICTED_PASSWORD=restricted-secret"
    echo "export ${U}_SSL_CA_PEM=$rd/certs/ca.pem"
    echo "export ${U}_SSL_CERT_PEM=$rd/certs/client-cert.pem"
    echo "export ${U}_SSL_KEY_PEM=$rd/certs/client-key.pem"
    echo "export ${U}_RESTRICTED_SSL_CERT_PEM=$rd/certs/restricted-client-cert.pem"
    echo "export ${U}_RESTRICTED_SSL_KEY_PEM=$rd/certs/restricted-client-key.pem"
    echo "export ${U}_KAFKA_VERSION=$(kafka_version "$v")"
    if [ "$rig" = zk39 ]; then
      echo "export ${U}_MODE=zookeeper"
      echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port)"
      echo "export ${U}_ZK_AUDIT_LOG=$rd/logs/zookeeper-audit.log"
      echo "export ${U}_BROKER_IDS=1,2"
      echo "export ${U}_BROKER_CONFIGS=$rd/conf/broker1.properties,$rd/conf/broker2.properties"
      metrics_env zk39 "$U"
    elif [ "$rig" = fault39 ]; then
      echo "export ${U}_MODE=zookeeper"
      echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port fault39)"
      echo "export ${U}_BROKER_IDS=1,2,3"
      echo "export ${U}_PIDS=$rd/pids"
    elif [ "$rig" = bench39 ]; then
      echo "export ${U}_MODE=zookeeper"
      echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port bench39)"
      echo "export ${U}_BROKER_IDS=1,2"
      metrics_env bench39 "$U"
      echo "export ${U}_SEEDED_LARGE_JSON=$rd/seeded-large.json"
    elif [ "$rig" = mig39 ] || [ "$rig" = mm2target ] || [ "$rig" = auth39 ] || [ "$rig" = recreate39 ] || [ "$rig" = benchkraft39 ]; then
      ${rig}_env "$U"
    else
      echo "export ${U}_MODE=kraft"
      echo "export ${U}_CONTROLLER_BOOTSTRAP=127.0.0.1:$(broker_port "$rig" 1 ctl)"
      echo "export ${U}_BROKER_IDS=1"
    fi
    [ "$rig" = kraft4 ] && echo "export ${U}_OAUTH_BOOTSTRAP=127.0.0.1:$(oauth_port)"
    [ "$rig" = kraft39 ] && gssapi_env "$rig" "$U"
    echo "export ${U}_CLUSTER_ID=$(cat "$rd/cluster.id" 2>/dev/null)"
    echo "export ${U}_RUN_DIR=$rd"
    echo "export ${U}_LOG_DIR=$rd/logs"
    local f logs=""
    for f in "$rd"/logs/*-request.log; do [ -f "$f" ] && logs="$logs${logs:+:}$f"; done
    echo "export ${U}_REQUEST_LOGS=$logs"
    echo "export ${U}_SEEDED_JSON=$rd/seeded.json"
    echo "export ${U}_BAITS_JSON=$rd/baits.json"
  } >"$rd/env.sh"
}

# ------------------------------------------------------------------------------------------------
# up / down
rig_is_up() { # RIG: every recorded process that is not deliberately stopped is alive
  local rig=$1 rd n
  rd=$(rundir "$rig")
  [ "$(cat "$rd/state" 2>/dev/null)" = up ] || return 1
  for n in $(proc_names "$rig"); do
    grep -qxF "$n" "$rd/stopped" 2>/dev/null && continue
    pid_alive "$(pid_of "$rig" "$n")" "$rig" || return 1
  done
}

check_ports_free() {
  local p busy=""
  for p in $(rig_ports "$1"); do port_open "$p" && busy="$busy $p"; done
  [ -z "$busy" ] || die "$1: port(s)$busy on 127.0.0.1 already in use (another rig? 'rig/rig.sh down $1')"
}

up_unlocked() {
  local rig=$1 rd v t0 id
  rd=$(rundir "$rig")
  v=$(rig_ver "$rig")
  if rig_is_up "$rig"; then
    if [ -s "$rd/stopped" ]; then
      for id in $(sed -n 's/^broker//p' "$rd/stopped"); do start_broker_unlocked "$rig" "$id"; done
    fi
    say "$rig is already up"
    return 0
  fi
  if [ -d "$rd" ]; then
    say "$rig: cleaning up a previous run ($(cat "$rd/state" 2>/dev/null || echo unknown state))"
    stop_all_of "$rig"
    rm -rf "$rd"
  fi
  build "$v"
  # bench39 always carries the JMX exporter (its request metrics are part of the benchmark)
  if { [ "$rig" = bench39 ] || [ "$rig" = benchkraft39 ]; } && [ ! -f "$CACHE/jmx_prometheus_javaagent.jar" ]; then
    "$RIG_DIR/clients/clients.sh" prepare >&2 9>&- || die "$rig: rig/clients/clients.sh prepare failed (JMX exporter)"
  fi
  check_ports_free "$rig"
  t0=$SECONDS
  mkdir -p "$rd/logs" "$rd/conf"
  : >"$rd/pids"
  echo starting >"$rd/state"
  gen_certs "$rd/certs"
  write_client_configs "$rig"
  if [ "$rig" = zk39 ] || [ "$rig" = bench39 ] || [ "$rig" = fault39 ]; then
    write_zk39_configs "$rig"
    start_java "$rig" zookeeper "$(zk_heap "$rig")" org.apache.zookeeper.server.quorum.QuorumPeerMain \
      "$rd/conf/zookeeper.properties" >/dev/null
    wait_zk "$rig" 60
    for id in $(broker_ids "$rig"); do start_java "$rig" "broker$id" "$(broker_heap "$rig")" kafka.Kafka "$rd/conf/broker$id.properties" >/dev/null; done
    for id in $(broker_ids "$rig"); do wait_log "$rig" "broker$id" "\[KafkaServer id=$id\] started" "$TIMEOUT"; done
  elif [ "$rig" = mig39 ] || [ "$rig" = mm2target ] || [ "$rig" = auth39 ] || [ "$rig" = recreate39 ] || [ "$rig" = benchkraft39 ]; then
    start_${rig}_nodes
  else
    write_kraft_configs "$rig"
    new_cluster_id >"$rd/cluster.id"
    (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" kafka.tools.StorageTool \
      format -t "$(cat "$rd/cluster.id")" -c "$rd/conf/node1.properties" >"$rd/logs/format.out" 2>&1 9>&-) ||
      { cat "$rd/logs/format.out" >&2; echo failed >"$rd/state"; die "$rig: kafka-storage format failed"; }
    start_java "$rig" node1 "$BROKER_HEAP" kafka.Kafka "$rd/conf/node1.properties" >/dev/null
    wait_log "$rig" node1 "Kafka Server started" "$TIMEOUT"
  fi
  local n
  n=$(broker_ids "$rig" | wc -w)
  (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS -cp "$(classpath "$v"):$(seeder_dir "$v")" "$(tools_log_opts "$v")" \
    RigAdmin ready "$(bootstrap_of "$rig" plain)" "$n" "$TIMEOUT" >>"$rd/logs/rig-admin.out" 2>&1 9>&-) ||
    fail_start "$rig" rig-admin "brokers did not all register"
  (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS -cp "$(classpath "$v"):$(seeder_dir "$v")" "$(tools_log_opts "$v")" \
    RigAdmin bootstrap "$(bootstrap_of "$rig" plain)" "$rd" "$(bootstrap_of "$rig" sasl)" "$(bootstrap_of "$rig" ssl)" \
    >>"$rd/logs/rig-admin.out" 2>&1 9>&-) || fail_start "$rig" rig-admin "creating the SCRAM users / checking logins failed"
  if [ "$rig" = auth39 ]; then
    make_auth39_stores
    check_auth39_logins
  fi
  if [ "$rig" = zk39 ] || [ "$rig" = mig39 ] || [ "$rig" = bench39 ] || [ "$rig" = auth39 ] || [ "$rig" = fault39 ]; then
    # cluster id as ZooKeeper-mode brokers store it
    sed -n 's/^cluster.id=//p' "$(sed -n 's/^log.dirs=//p' "$rd/conf/broker1.properties")/meta.properties" >"$rd/cluster.id"
  fi
  echo up >"$rd/state"
  write_baits "$rig"
  write_env "$rig"
  say "$rig is up in $((SECONDS - t0)) s (Kafka $(kafka_version "$v")); 'rig/rig.sh env $rig' for the variables"
}

down_unlocked() {
  local rig=$1 rd
  rd=$(rundir "$rig")
  [ -d "$rd" ] || { say "$rig is not up"; return 0; }
  stop_all_of "$rig"
  if [ -n "${KRAFTCHECK_RIG_KEEP:-}" ]; then
    echo down >"$rd/state"
    say "$rig stopped (run dir kept: $rd$([ "$rig" != bench39 ] || echo ", data: $BENCH_DATA"))"
  else
    rm -rf "$rd"
    if [ "$rig" = bench39 ]; then rm -rf "$BENCH_DATA"; fi
    if [ "$rig" = benchkraft39 ]; then rm -rf "$BENCHKRAFT_DATA"; fi
    say "$rig stopped"
  fi
}

start_broker_unlocked() { # RIG ID
  local rig=$1 id=$2 rd
  rd=$(rundir "$rig")
  [ "$rig" = zk39 ] || [ "$rig" = fault39 ] || die "start-broker/stop-broker only on zk39 and fault39"
  if pid_alive "$(pid_of "$rig" "broker$id")" "$rig"; then say "broker $id is running"; return 0; fi
  [ -f "$rd/conf/broker$id.properties" ] || die "$rig has no broker $id (is it up?)"
  sed -i "/^broker$id /d" "$rd/pids"
  start_java "$rig" "broker$id" "$BROKER_HEAP" kafka.Kafka "$rd/conf/broker$id.properties" >/dev/null
  wait_log "$rig" "broker$id" "\[KafkaServer id=$id\] started" "$TIMEOUT"
  sed -i "/^broker$id\$/d" "$rd/stopped" 2>/dev/null || true
  say "broker $id of $rig is running again"
}

stop_broker_unlocked() { # RIG ID
  local rig=$1 id=$2 rd pid
  rd=$(rundir "$rig")
  [ "$rig" = zk39 ] || [ "$rig" = fault39 ] || die "start-broker/stop-broker only on zk39 and fault39"
  rig_is_up "$rig" || die "$rig is not up"
  pid=$(pid_of "$rig" "broker$id")
  [ -n "$pid" ] || die "$rig has no broker $id"
  echo "broker$id" >>"$rd/stopped"
  stop_pid "$rig" "$pid" 60
  # the next start appends to the same log; mark the restart point for wait_log
  mv "$rd/logs/broker$id.out" "$rd/logs/broker$id.out.$(date +%s)"
  say "broker $id of $rig stopped (partitions it hosted are now under-replicated or offline)"
}

seed_unlocked() { # RIG [--reset]
  local rig=$1 mode=${2:-} rd v pid end
  rd=$(rundir "$rig")
  v=$(rig_ver "$rig")
  if [ "$mode" = --reset ]; then down_unlocked "$rig"; up_unlocked "$rig"; fi
  rig_is_up "$rig" || die "$rig is not up ('rig/rig.sh up $rig')"
  build "$v"
  case "$mode" in "" | --reset) ;; *) die "usage: rig.sh seed RIG [--reset]" ;; esac
  if [ -s "$rd/seeded.json" ]; then
    say "$rig is already seeded ($rd/seeded.json); --reset starts from a fresh cluster"
    return 0
  fi
  [ -s "$rd/stopped" ] && die "$rig: start all brokers before seeding"
  local t0=$SECONDS
  (cd "$rd" && "$JAVA" -Xmx192m $JVM_OPTS -cp "$(classpath "$v"):$(seeder_dir "$v")" "$(tools_log_opts "$v")" \
    RigAdmin seed "$(bootstrap_of "$rig" plain)" "$rd" "$rig" "$(kafka_version "$v")" "$(broker_ids "$rig" | tr ' ' ,)" \
    "$(listeners_of "$rig" 1)" >"$rd/logs/seed.out" 2>&1 9>&-) || { tail -n 40 "$rd/logs/seed.out" >&2; die "$rig: seeding failed"; }
  [ -s "$rd/seeded.json" ] || { tail -n 40 "$rd/logs/seed.out" >&2; die "$rig: seeder wrote no seeded.json"; }
  # the holder keeps a transaction open and a consumer-group member alive
  if ! pid_alive "$(pid_of "$rig" holder)" "$rig"; then
    : >"$rd/conf/holder.log.properties"
    cp "$(if [ "$v" = 39 ]; then echo "$CACHE/tools-log4j.properties"; else echo "$CACHE/tools-log4j2.properties"; fi)" \
      "$rd/conf/holder.log.properties"
    pid=$(start_java "$rig" holder 96m RigAdmin hold "$(bootstrap_of "$rig" plain)")
    end=$((SECONDS + 90))
    until grep -q '^READY' "$rd/logs/holder.out" 2>/dev/null; do
      pid_alive "$pid" "$rig" || { tail -n 40 "$rd/logs/holder.out" >&2; die "$rig: holder exited"; }
      ((SECONDS < end)) || { tail -n 40 "$rd/logs/holder.out" >&2; die "$rig: holder not ready after 90 s"; }
      sleep 0.3
    done
  fi
  say "$rig seeded in $((SECONDS - t0)) s: $rd/seeded.json"
}

# bench39 (issue 7, benches/collect.sh): a cluster of production-like size, through batched Admin calls
large_topics() { sed -n 's/^ *"topics": *\([0-9]*\),*$/\1/p' "$(rundir "$1")/seeded-large.json" 2>/dev/null || true; }

seed_large_unlocked() { # RIG TOPICS
  local rig=$1 n=$2 rd prev t0 lim per rf2
  rd=$(rundir "$rig")
  [ "$rig" = bench39 ] || [ "$rig" = benchkraft39 ] || die "seed-large: only for the bench39 and benchkraft39 rigs ('rig/rig.sh up bench39')"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "seed-large: --topics takes a positive number, not '$n'"
  rig_is_up "$rig" || die "$rig is not up ('rig/rig.sh up $rig')"
  build 39
  prev=$(large_topics "$rig")
  prev=${prev:-0}
  if [ "$prev" -ge "$n" ]; then
    say "$rig is already seeded with $prev topics ($rd/seeded-large.json); 'rig/rig.sh down $rig' starts over"
    return 0
  fi
  # Every replica keeps its segment file open. 10 partitions a topic, RF 2 on every third topic and
  # RF 1 on the others: ~6.7 replicas a topic on each broker, which must stay below the open-files limit.
  lim=$(ulimit -n)
  rf2=$(((n + 1) / 3))
  per=$((rf2 * 10 + (n - rf2) * 5))
  if [ "$lim" != unlimited ] && ((per + 2000 > lim)); then
    die "seed-large: $n topics put ~$per replicas on each broker, too many for the open-files limit $lim ('ulimit -n')"
  fi
  t0=$SECONDS
  # shellcheck disable=SC2086
  (cd "$rd" && "$JAVA" -Xmx512m $JVM_OPTS -cp "$(classpath 39):$(seeder_dir 39)" "$(tools_log_opts 39)" \
    RigAdmin seed-large "$(bootstrap_of "$rig" plain)" "$rd" "$n" "$prev" >>"$rd/logs/seed-large.out" 2>&1 9>&-) ||
    { tail -n 40 "$rd/logs/seed-large.out" >&2; die "$rig: seed-large failed (log: $rd/logs/seed-large.out)"; }
  [ "$(large_topics "$rig")" = "$n" ] || { tail -n 40 "$rd/logs/seed-large.out" >&2; die "$rig: seeder wrote no seeded-large.json"; }
  echo "seed-large $prev->$n $((SECONDS - t0))" >>"$rd/seed-timings.txt"
  say "$rig seeded with $n topics (from $prev) in $((SECONDS - t0)) s: $rd/seeded-large.json"
}

# ------------------------------------------------------------------------------------------------
expand() { if [ "${1:-all}" = all ]; then echo "${ALL_RIGS[@]}"; else rig_ver "$1" >/dev/null; echo "$1"; fi; }
# the migration rigs mig39 and mm2target (issue 6): configs, `migrate`, `mirror`
# shellcheck source=migration.sh
. "$RIG_DIR/migration.sh"
# the enterprise-login rig auth39 (issue 11): key/trust stores made with keytool
# shellcheck source=auth.sh
. "$RIG_DIR/auth.sh"
# the re-creation target recreate39 (issue 13)
# shellcheck source=recreate.sh
. "$RIG_DIR/recreate.sh"
# the KRaft benchmark rig benchkraft39 (issue 15)
# shellcheck source=benchkraft.sh
. "$RIG_DIR/benchkraft.sh"

# every rig, including those `up all` does not start (for down, env, status)
expand_known() { if [ "${1:-all}" = all ]; then echo "${ALL_RIGS[@]}" "${EXTRA_RIGS[@]}"; else expand "$1"; fi; }
locked() { local rig=$1; shift; with_lock "$RUN_ROOT/.$rig.lock" "$@"; }

cmd=${1:-}
shift || true
case "$cmd" in
  up)
    [ $# -ge 1 ] || die "usage: rig.sh up zk39|kraft39|kraft4|all"
    if [ "$1" = kdc ]; then locked kdc kdc_up_unlocked; exit 0; fi
    for r in $(expand "$1"); do locked "$r" up_unlocked "$r"; done
    ;;
  down)
    if [ "${1:-}" = kdc ]; then locked kdc kdc_down_unlocked; exit 0; fi
    for r in $(expand_known "${1:-all}"); do
      # `down all`: the extra rigs only when they were started
      if [ "${1:-all}" = all ] && [[ " ${EXTRA_RIGS[*]} " == *" $r "* ]] && [ ! -d "$(rundir "$r")" ]; then continue; fi
      locked "$r" down_unlocked "$r"
    done
    # the KDC after the brokers that use it
    if [ "${1:-all}" = all ] && [ -d "$(rundir kdc)" ]; then locked kdc kdc_down_unlocked; fi
    ;;
  env)
    if [ "${1:-}" = kdc ]; then kdc_is_up || die "kdc is not up"; cat "$(rundir kdc)/env.sh"; exit 0; fi
    any=0
    if [ "${1:-all}" = all ] && kdc_is_up; then cat "$(rundir kdc)/env.sh"; any=1; fi
    for r in $(expand_known "${1:-all}"); do
      if rig_is_up "$r"; then cat "$(rundir "$r")/env.sh"; any=1; elif [ $# -ge 1 ] && [ "$1" != all ]; then die "$r is not up"; fi
    done
    [ $any = 1 ] || die "no rig is up"
    ;;
  seed)
    [ $# -ge 1 ] || die "usage: rig.sh seed zk39 [--reset]"
    locked "$1" seed_unlocked "$1" "${2:-}"
    locked "$1" write_env "$1"
    ;;
  seed-large)
    [ $# -eq 1 ] || { [ $# -eq 3 ] && [ "$2" = --topics ]; } || die "usage: rig.sh seed-large bench39|benchkraft39 [--topics N]"
    locked "$1" seed_large_unlocked "$1" "${3:-2000}"
    ;;
  migrate) [ $# -eq 2 ] || die "usage: rig.sh migrate mig39 controller|brokers-migration|brokers-kraft|finalize|all"; locked "$1" migrate_unlocked "$1" "$2" ;;
  mirror) [ $# -eq 2 ] || die "usage: rig.sh mirror mig39 mm2target"; locked "$2" mirror_unlocked "$1" "$2" ;;
  stop-broker) [ $# -eq 2 ] || die "usage: rig.sh stop-broker zk39 ID"; locked "$1" stop_broker_unlocked "$1" "$2" ;;
  start-broker) [ $# -eq 2 ] || die "usage: rig.sh start-broker zk39 ID"; locked "$1" start_broker_unlocked "$1" "$2" ;;
  tool)
    [ $# -ge 2 ] || die "usage: rig.sh tool zk39|kraft39|kraft4 TOOL ARGS... (tools: $(echo $TOOLS))"
    r=$1 t=$2
    shift 2
    v=$(rig_ver "$r")
    build "$v"
    main=$(main_class "$v" "$t")
    extra=()
    case " $* " in
      *" --bootstrap-server"* | *" --bootstrap-controller"* | *" --zookeeper"* | *" --authorizer-properties"* | *" -server "* | *" --help "* | *" --version "*) ;;
      *)
        if [ "$t" = zookeeper-shell ]; then case "$r" in zk39 | mig39 | bench39 | auth39 | fault39) extra=(-server "127.0.0.1:$(zk_port "$r")") ;; esac
        elif [ "$t" != kafka-storage ]; then case "$r" in zk39 | kraft39 | kraft4 | mig39 | mm2target | bench39 | benchkraft39 | auth39 | recreate39 | fault39) extra=(--bootstrap-server "$(bootstrap_of "$r" plain | cut -d, -f1)") ;; esac; fi
        if [ ${#extra[@]} -gt 0 ] && ! rig_is_up "$r"; then say "warning: $r is not up; ${extra[*]} will not answer"; fi
        ;;
    esac
    # shellcheck disable=SC2086
    exec "$JAVA" -Xmx256m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" "$main" "${extra[@]}" "$@"
    ;;
  try-start)
    # Start one Kafka node (3.9 or 4) with CONFIG in the foreground for at most SECONDS and say
    # whether Kafka itself refused it: exit 1 when the node stopped by itself (its output, with
    # the fatal error, is on stdout), 0 when it was still running at the deadline (then
    # stopped). For the blocking-rule reproductions (tests/repro.rs): nothing else is started.
    [ $# -ge 2 ] || die "usage: rig.sh try-start 39|4 CONFIG [SECONDS]"
    v=$(rig_ver "$1")
    build "$v"
    set +e
    # shellcheck disable=SC2086
    timeout "${3:-20}" "$JAVA" -Xmx256m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" kafka.Kafka "$2" 2>&1
    rc=$?
    set -e
    if [ $rc -eq 124 ]; then exit 0; else exit 1; fi
    ;;
  status)
    for r in "${ALL_RIGS[@]}" "${EXTRA_RIGS[@]}"; do
      if rig_is_up "$r"; then
        echo "$r: up ($(awk '{printf "%s%s=%s", (NR>1?" ":""), $1, $2}' "$(rundir "$r")/pids"))$([ -s "$(rundir "$r")/stopped" ] && echo "; stopped: $(paste -sd' ' "$(rundir "$r")/stopped")")$([ -s "$(rundir "$r")/seeded.json" ] && echo "; seeded")$([ -s "$(rundir "$r")/seeded-large.json" ] && echo "; seeded-large: $(large_topics "$r") topics")"
      elif [ -d "$(rundir "$r")" ]; then echo "$r: $(cat "$(rundir "$r")/state" 2>/dev/null || echo unknown) (run dir present)"
      else echo "$r: down"; fi
    done
    if kdc_is_up; then echo "kdc: up (krb5kdc=$(kdc_pid))"; elif [ -d "$(rundir kdc)" ]; then echo "kdc: $(cat "$(rundir kdc)/state" 2>/dev/null) (run dir present)"; else echo "kdc: down"; fi
    ;;
  build)
    case "${1:-all}" in all) build 39; build 4 ;; mm2) with_lock "$CACHE/build.lock" build_extra_unlocked mm2 "MirrorMaker 2 (connect-mirror)" ;; *) build "$(rig_ver "$1")" ;; esac
    ;;
  *)
    sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
