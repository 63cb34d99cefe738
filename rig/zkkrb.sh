#!/usr/bin/env bash
# Kerberos ZooKeeper rig (issue 12): a standalone ZooKeeper 3.8 (the one Kafka 3.9.2 ships) whose
# clients must log in with SASL GSSAPI against the rig's MIT KDC (rig/rig.sh up kdc).
#
#   rig/zkkrb.sh up      start the KDC if needed, the principals below, then ZooKeeper on 127.0.0.1:18781
#   rig/zkkrb.sh env     export KRAFTCHECK_RIG_ZKKRB_* lines
#   rig/zkkrb.sh down    stop the ZooKeeper this script started (never the KDC) and remove its run dir
#   rig/zkkrb.sh shell ARGS...  zookeeper-shell logged in as kafka@KRAFTCHECK.RIG (the planting tool)
#
# Server principal zookeeper/localhost@KRAFTCHECK.RIG (keytab rig/run/zkkrb/zookeeper.keytab);
# clients kafka@KRAFTCHECK.RIG (kafka.keytab) and the KDC's kraftcheck@ (client.keytab).
# SASL is required: zookeeper.authProvider.sasl, enforce.auth.enabled=true with
# enforce.auth.schemes=sasl (ZooKeeper 3.7+): a session without a SASL login is closed. Principals
# are shortened as Kafka's docs recommend (kerberos.removeHostFromPrincipal and
# kerberos.removeRealmFromPrincipal): kafka@REALM is the ACL id sasl:kafka. The audit log
# (audit.enable=true) is rig/run/zkkrb/logs/zookeeper-audit.log. Start-up takes a few seconds.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RD=$RIG_DIR/run/zkkrb
KDC_RD=$RIG_DIR/run/kdc
PORT=18781
REALM=KRAFTCHECK.RIG
JAVA=${JAVA:-java}

die() { echo "zkkrb: $*" >&2; exit 1; }
say() { echo "zkkrb: $*" >&2; }
pid() { cat "$RD/zookeeper.pid" 2>/dev/null || true; }
alive() { local p; p=$(pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "-Dkraftcheck.rig=zkkrb "; }
ruok() { local r; r=$( (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null || true); [ "$r" = imok ]; }
classpath() { "$RIG_DIR/rig.sh" build 39 >/dev/null; cat "$RIG_DIR"/.cache/kafka39-*.classpath | head -n 1; }

up() {
  if alive && ruok; then say "already up"; return 0; fi
  "$RIG_DIR/rig.sh" up kdc >&2
  [ -d "$RD" ] && down
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "port $PORT on 127.0.0.1 already in use"
  mkdir -p "$RD/data" "$RD/logs"
  # principals in the KDC's database (kadmin.local works on it directly), fresh keys each time
  (
    export KRB5_CONFIG=$KDC_RD/krb5.conf KRB5_KDC_PROFILE=$KDC_RD/kdc.conf
    kadmin=$(command -v kadmin.local || echo /usr/sbin/kadmin.local)
    for p in zookeeper/localhost kafka; do
      "$kadmin" -r $REALM -q "getprinc $p" 2>/dev/null | grep -q "^Principal: $p@" ||
        "$kadmin" -r $REALM -q "addprinc -randkey $p" >>"$RD/logs/kadmin.out" 2>&1
    done
    "$kadmin" -r $REALM -q "ktadd -k $RD/zookeeper.keytab zookeeper/localhost" >>"$RD/logs/kadmin.out" 2>&1
    "$kadmin" -r $REALM -q "ktadd -k $RD/kafka.keytab kafka" >>"$RD/logs/kadmin.out" 2>&1
  ) || die "kadmin.local failed: $(cat "$RD/logs/kadmin.out")"
  [ -s "$RD/zookeeper.keytab" ] && [ -s "$RD/kafka.keytab" ] || die "keytabs not written: $(cat "$RD/logs/kadmin.out")"
  cat >"$RD/server.jaas" <<EOF
Server {
  com.sun.security.auth.module.Krb5LoginModule required
  useKeyTab=true storeKey=true keyTab="$RD/zookeeper.keytab" principal="zookeeper/localhost@$REALM";
};
EOF
  cat >"$RD/kafka-client.jaas" <<EOF
Client {
  com.sun.security.auth.module.Krb5LoginModule required
  useKeyTab=true storeKey=true keyTab="$RD/kafka.keytab" principal="kafka@$REALM";
};
EOF
  cat >"$RD/zoo.cfg" <<EOF
dataDir=$RD/data
clientPort=$PORT
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
tickTime=2000
audit.enable=true
authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
enforce.auth.enabled=true
enforce.auth.schemes=sasl
kerberos.removeHostFromPrincipal=true
kerberos.removeRealmFromPrincipal=true
EOF
  cat >"$RD/log4j.properties" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.zookeeper.audit.Slf4jAuditLogger=INFO, audit
log4j.additivity.org.apache.zookeeper.audit.Slf4jAuditLogger=false
log4j.appender.audit=org.apache.log4j.FileAppender
log4j.appender.audit.File=$RD/logs/zookeeper-audit.log
log4j.appender.audit.layout=org.apache.log4j.PatternLayout
log4j.appender.audit.layout.ConversionPattern=%d %p %m%n
EOF
  local cp t0=$SECONDS
  cp=$(classpath)
  (cd "$RD" && exec nohup "$JAVA" -Xms32m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
    -Dkraftcheck.rig=zkkrb "-Dlog4j.configuration=file:$RD/log4j.properties" \
    "-Djava.security.auth.login.config=$RD/server.jaas" "-Djava.security.krb5.conf=$KDC_RD/krb5.conf" \
    -cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$RD/zoo.cfg" </dev/null >"$RD/logs/zookeeper.out" 2>&1 9>&-) &
  echo $! >"$RD/zookeeper.pid"
  until ruok; do
    kill -0 "$(pid)" 2>/dev/null || { tail -n 40 "$RD/logs/zookeeper.out" >&2; die "ZooKeeper exited during start-up"; }
    ((SECONDS - t0 < 60)) || { tail -n 40 "$RD/logs/zookeeper.out" >&2; down; die "ZooKeeper not answering after 60 s"; }
    sleep 0.3
  done
  say "up in $((SECONDS - t0)) s on 127.0.0.1:$PORT (principal zookeeper/localhost@$REALM)"
}

down() {
  local p
  p=$(pid)
  if alive; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  fi
  rm -rf "$RD"
}

env_lines() {
  alive || die "not up (rig/zkkrb.sh up)"
  cat <<EOF
export KRAFTCHECK_RIG_ZKKRB_CONNECT=localhost:$PORT
export KRAFTCHECK_RIG_ZKKRB_KRB5_CONFIG=$KDC_RD/krb5.conf
export KRAFTCHECK_RIG_ZKKRB_KAFKA_KEYTAB=$RD/kafka.keytab
export KRAFTCHECK_RIG_ZKKRB_KAFKA_PRINCIPAL=kafka@$REALM
export KRAFTCHECK_RIG_ZKKRB_CLIENT_JAAS=$RD/kafka-client.jaas
export KRAFTCHECK_RIG_ZKKRB_AUDIT_LOG=$RD/logs/zookeeper-audit.log
EOF
}

shell() {
  alive || die "not up (rig/zkkrb.sh up)"
  KRAFTCHECK_RIG_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true -Djava.security.auth.login.config=$RD/kafka-client.jaas -Djava.security.krb5.conf=$KDC_RD/krb5.conf" \
    "$RIG_DIR/rig.sh" tool 39 zookeeper-shell -server "localhost:$PORT" "$@"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  shell) shift; shell "$@" ;;
  *) die "usage: rig/zkkrb.sh up|down|env|shell ARGS..." ;;
esac
