#!/usr/bin/env bash
# Real Kafka Java clients for kraftcheck's client-audit test (issue 5), from Maven Central.
#
#   rig/clients/clients.sh prepare
#       resolve kafka-clients 0.11.0.3, 2.0.1 and 4.4.0 (with their dependencies) and the Prometheus
#       JMX exporter agent with Maven, and compile RigClient.java once. Run it BEFORE
#       `rig/rig.sh up zk39`: rig.sh attaches the exporter to the zk39 brokers when
#       rig/.cache/jmx_prometheus_javaagent.jar exists (and only then exports
#       KRAFTCHECK_RIG_ZK39_METRICS_URLS).
#   rig/clients/clients.sh run BOOTSTRAP CLIENT_CONFIG HOLD_SECONDS
#       create the topics rig-clients-<version> (1 partition, with the current client), then run
#       the three clients concurrently: each produces 20 records to its topic, consumes them in group rig-clients-<version> and commits,
#       prints "READY rig-client-<version>", stays connected for HOLD_SECONDS and exits.
#       CLIENT_CONFIG is a Java client .properties file (e.g. the rig's SCRAM config) or "-".
#   rig/clients/clients.sh versions
#       print the client versions, one a line.
#
# Client ids are rig-client-<version> (never kraftcheck*: scripts/test-all's read-only check
# selects kraftcheck's own requests by that prefix). Everything stays on 127.0.0.1.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_DIR=$(dirname "$HERE")
CACHE=$RIG_DIR/.cache
MVN=${MVN:-mvn}
JAVA=${JAVA:-java}
JAVAC=${JAVAC:-javac}
VERSIONS=(0.11.0.3 2.0.1 4.4.0)
EXPORTER_VERSION=$(sed -n 's:.*<jmx.exporter.version>\(.*\)</jmx.exporter.version>.*:\1:p' "$HERE/pom.xml")
KEY=$(cat "$HERE/pom.xml" "$HERE/RigClient.java" | sha256sum | cut -c1-12)
DIR=$CACHE/clients-$KEY

die() { echo "clients: $*" >&2; exit 1; }

prepare_unlocked() {
  mkdir -p "$DIR"
  local v
  for v in "${VERSIONS[@]}"; do
    [ -s "$DIR/cp-$v" ] && continue
    "$MVN" -B -q -f "$HERE/pom.xml" -Dclient.version="$v" dependency:build-classpath \
      -Dmdep.outputFile="$DIR/cp-$v.tmp" -Dmdep.includeScope=runtime >"$DIR/mvn-$v.log" 2>&1 ||
      { tail -n 30 "$DIR/mvn-$v.log" >&2; die "maven could not resolve kafka-clients $v"; }
    mv "$DIR/cp-$v.tmp" "$DIR/cp-$v"
  done
  if [ ! -f "$DIR/classes/RigClient.class" ]; then
    mkdir -p "$DIR/classes"
    # compiled against the oldest client: it only uses APIs all three have
    "$JAVAC" -nowarn -d "$DIR/classes" -cp "$(cat "$DIR/cp-${VERSIONS[0]}")" "$HERE/RigClient.java" 2>"$DIR/javac.log" ||
      { cat "$DIR/javac.log" >&2; die "javac failed"; }
  fi
  local jar=$HOME/.m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent/$EXPORTER_VERSION/jmx_prometheus_javaagent-$EXPORTER_VERSION.jar
  if [ ! -f "$jar" ]; then
    "$MVN" -B -q dependency:get -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$EXPORTER_VERSION" \
      -Dtransitive=false >"$DIR/mvn-exporter.log" 2>&1 ||
      { tail -n 30 "$DIR/mvn-exporter.log" >&2; die "maven could not resolve jmx_prometheus_javaagent $EXPORTER_VERSION"; }
  fi
  cp -f "$jar" "$CACHE/jmx_prometheus_javaagent.jar.tmp"
  mv -f "$CACHE/jmx_prometheus_javaagent.jar.tmp" "$CACHE/jmx_prometheus_javaagent.jar"
}

prepare() {
  mkdir -p "$CACHE"
  (
    exec 9>"$CACHE/clients.lock"
    flock -w 900 9 || die "could not lock $CACHE/clients.lock"
    prepare_unlocked
  )
}

run() {
  local bootstrap=$1 config=$2 hold=$3 v pids=() rc=0
  prepare
  local cur=${VERSIONS[${#VERSIONS[@]}-1]} topics=()
  for v in "${VERSIONS[@]}"; do topics+=("rig-clients-$v"); done
  "$JAVA" -Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
    -cp "$(cat "$DIR/cp-$cur"):$DIR/classes" RigClient create "$bootstrap" "$config" "${topics[@]}" ||
    die "could not create the topics ${topics[*]}"
  for v in "${VERSIONS[@]}"; do
    # shellcheck disable=SC2086
    "$JAVA" -Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
      -cp "$(cat "$DIR/cp-$v"):$DIR/classes" RigClient "$bootstrap" "$config" "rig-clients-$v" \
      "rig-clients-$v" "rig-client-$v" 20 "$hold" &
    pids+=($!)
  done
  for v in "${pids[@]}"; do wait "$v" || rc=1; done
  return $rc
}

case "${1:-}" in
  prepare) prepare ;;
  run) [ $# -eq 4 ] || die "usage: $0 run BOOTSTRAP CLIENT_CONFIG HOLD_SECONDS"; run "$2" "$3" "$4" ;;
  versions) printf '%s\n' "${VERSIONS[@]}" ;;
  *) die "usage: $0 prepare | run BOOTSTRAP CLIENT_CONFIG HOLD_SECONDS | versions" ;;
esac
