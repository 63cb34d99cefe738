# shellcheck shell=bash
# Sourced by rig.sh: the migration rigs (issue 6).
#
#   mig39      ZooKeeper 3.8.4 + brokers 1 and 2 in ZooKeeper mode (Kafka 3.9.2, IBP 3.9, no baits
#              that block a migration), seeded like zk39, then migrated in place (KIP-866) one phase at
#              a time by `rig.sh migrate mig39 STEP`:
#                controller          provision KRaft controller 3000 with zookeeper.metadata.migration.enable
#                                    (formatted with the ZooKeeper cluster id)          -> phase pre-migration
#                brokers-migration   roll brokers 1, 2 with the migration configs; wait for the controller's
#                                    "Completed migration of metadata from ZooKeeper"   -> phase dual-write
#                brokers-kraft       roll brokers 1, 2 to process.roles=broker          -> phase kraft-brokers
#                finalize            restart the controller without the migration configs, stop ZooKeeper
#                                                                                       -> phase finalized
#   mm2target  an empty KRaft 3.9 cluster: node 1 broker+controller, node 2 broker.
#              `rig.sh mirror mig39 mm2target` runs MirrorMaker 2 (connect-mirror 3.9.2 from Maven Central,
#              dedicated mode, org.apache.kafka.connect.mirror.MirrorMaker) until the target stops changing,
#              then stops it.
#
# Ports (127.0.0.1): mig39 ZooKeeper 19681, broker N 196N1 PLAINTEXT / 196N2 SASL_PLAINTEXT / 196N3 SSL,
# controller 19690; mm2target node N 197N1 / 197N2 / 197N3, controller listener 19719.

MIG_CTRL_ID=3000
MIG_CTRL_PORT=19690
MIG_STEPS="controller brokers-migration brokers-kraft finalize"

mig_phase() { cat "$(rundir mig39)/phase" 2>/dev/null || echo zookeeper; }

# ---- configuration ------------------------------------------------------------------------------
mig39_listeners() { # ID
  echo "PLAINTEXT://127.0.0.1:$(broker_port mig39 "$1" plain),SASL_PLAINTEXT://127.0.0.1:$(broker_port mig39 "$1" sasl),SSL://127.0.0.1:$(broker_port mig39 "$1" ssl)"
}

# a broker of mig39 in one of three modes: zk (before), migration (ZooKeeper mode, migrating), kraft (after)
write_mig39_broker() { # ID zk|migration|kraft
  local id=$1 mode=$2 rd
  rd=$(rundir mig39)
  {
    if [ "$mode" = kraft ]; then
      cat <<EOF
process.roles=broker
node.id=$id
EOF
    else
      cat <<EOF
broker.id=$id
zookeeper.connect=127.0.0.1:$(zk_port mig39)
zookeeper.connection.timeout.ms=18000
zookeeper.session.timeout.ms=18000
inter.broker.protocol.version=3.9
EOF
    fi
    cat <<EOF
broker.rack=rack-$id
listeners=$(mig39_listeners "$id")
advertised.listeners=$(mig39_listeners "$id")
inter.broker.listener.name=PLAINTEXT
log.dirs=$rd/broker$id/data
offsets.topic.replication.factor=2
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=2
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
controlled.shutdown.max.retries=1
controlled.shutdown.retry.backoff.ms=1000
EOF
    common_broker_props mig39
    case "$mode" in
      zk)
        echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL"
        echo "authorizer.class.name=kafka.security.authorizer.AclAuthorizer"
        ;;
      migration)
        cat <<EOF
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
# ---- KIP-866 migration mode ----
zookeeper.metadata.migration.enable=true
controller.quorum.voters=$MIG_CTRL_ID@127.0.0.1:$MIG_CTRL_PORT
controller.listener.names=CONTROLLER
EOF
        ;;
      kraft)
        cat <<EOF
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
controller.quorum.voters=$MIG_CTRL_ID@127.0.0.1:$MIG_CTRL_PORT
controller.listener.names=CONTROLLER
EOF
        ;;
    esac
  } >"$rd/conf/broker$id.properties"
  write_log_config mig39 "broker$id"
}

write_mig39_controller() { # migration|finalized
  local rd
  rd=$(rundir mig39)
  {
    cat <<EOF
process.roles=controller
node.id=$MIG_CTRL_ID
controller.quorum.voters=$MIG_CTRL_ID@127.0.0.1:$MIG_CTRL_PORT
listeners=CONTROLLER://127.0.0.1:$MIG_CTRL_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
inter.broker.listener.name=PLAINTEXT
log.dirs=$rd/controller/data
num.io.threads=2
num.network.threads=2
background.threads=2
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin
EOF
    if [ "$1" = migration ]; then
      cat <<EOF
# ---- KIP-866: the controller copies ZooKeeper's metadata and writes it back until finalized ----
zookeeper.metadata.migration.enable=true
zookeeper.connect=127.0.0.1:$(zk_port mig39)
zookeeper.connection.timeout.ms=18000
zookeeper.session.timeout.ms=18000
EOF
    fi
  } >"$rd/conf/controller.properties"
  write_log_config mig39 controller
}

start_mig39_nodes() { # called by up_unlocked
  local rig=mig39 rd id
  rd=$(rundir $rig)
  write_zookeeper_config $rig
  write_log_config $rig zookeeper
  for id in 1 2; do write_mig39_broker "$id" zk; done
  echo zookeeper >"$rd/phase"
  start_java $rig zookeeper "$ZK_HEAP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$rd/conf/zookeeper.properties" >/dev/null
  wait_zk $rig 60
  for id in 1 2; do start_java $rig "broker$id" "$BROKER_HEAP" kafka.Kafka "$rd/conf/broker$id.properties" >/dev/null; done
  for id in 1 2; do wait_log $rig "broker$id" "\[KafkaServer id=$id\] started" "$TIMEOUT"; done
}

start_mm2target_nodes() { # [RIG] called by up_unlocked: node 1 broker+controller, node 2 broker (also recreate39)
  local rig=${1:-mm2target} rd id v ctl
  rd=$(rundir $rig)
  v=$(rig_ver $rig)
  ctl=$(broker_port $rig 1 ctl)
  mkdir -p "$rd/conf"
  for id in 1 2; do
    {
      if [ "$id" = 1 ]; then
        echo "process.roles=broker,controller"
        echo "listeners=$(listeners_of $rig 1),CONTROLLER://127.0.0.1:$ctl"
      else
        echo "process.roles=broker"
        echo "listeners=$(listeners_of $rig "$id")"
      fi
      cat <<EOF
node.id=$id
controller.quorum.voters=1@127.0.0.1:$ctl
controller.listener.names=CONTROLLER
advertised.listeners=$(listeners_of $rig "$id")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
broker.rack=rack-$id
log.dirs=$rd/node$id/data
offsets.topic.replication.factor=2
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=2
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
controlled.shutdown.max.retries=1
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
EOF
      common_broker_props $rig
    } >"$rd/conf/node$id.properties"
    write_log_config $rig "node$id"
  done
  new_cluster_id >"$rd/cluster.id"
  for id in 1 2; do
    (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" kafka.tools.StorageTool \
      format -t "$(cat "$rd/cluster.id")" -c "$rd/conf/node$id.properties" >>"$rd/logs/format.out" 2>&1 9>&-) ||
      { cat "$rd/logs/format.out" >&2; echo failed >"$rd/state"; die "$rig: kafka-storage format failed"; }
  done
  for id in 1 2; do start_java $rig "node$id" "$BROKER_HEAP" kafka.Kafka "$rd/conf/node$id.properties" >/dev/null; done
  for id in 1 2; do wait_log $rig "node$id" "Kafka Server started" "$TIMEOUT"; done
}

mig39_env() { # ENV_PREFIX (inside write_env)
  local U=$1 rd phase
  rd=$(rundir mig39)
  phase=$(mig_phase)
  case "$phase" in
    zookeeper | pre-migration) echo "export ${U}_MODE=zookeeper" ;;
    dual-write) echo "export ${U}_MODE=migrating" ;;
    *) echo "export ${U}_MODE=kraft" ;;
  esac
  echo "export ${U}_PHASE=$phase"
  echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port mig39)"
  echo "export ${U}_BROKER_IDS=1,2"
  [ "$phase" = zookeeper ] || echo "export ${U}_CONTROLLER_BOOTSTRAP=127.0.0.1:$MIG_CTRL_PORT"
  echo "export ${U}_CONTROLLER_ID=$MIG_CTRL_ID"
  echo "export ${U}_PHASE_TIMINGS=$rd/phase-timings.txt"
}

mm2target_env() {
  local U=$1
  echo "export ${U}_MODE=kraft"
  echo "export ${U}_CONTROLLER_BOOTSTRAP=127.0.0.1:$(broker_port mm2target 1 ctl)"
  echo "export ${U}_BROKER_IDS=1,2"
  echo "export ${U}_MIRROR_CONFIG=$(rundir mm2target)/conf/mm2.properties"
}

# ---- KIP-866, one phase at a time ---------------------------------------------------------------
rig_admin() { # RIG ARGS...: RigAdmin in its own JVM, output appended to logs/rig-admin.out
  local rig=$1 rd v
  shift
  rd=$(rundir "$rig")
  v=$(rig_ver "$rig")
  # shellcheck disable=SC2086
  (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS -cp "$(classpath "$v"):$(seeder_dir "$v")" "$(tools_log_opts "$v")" \
    RigAdmin "$@" >>"$rd/logs/rig-admin.out" 2>&1 9>&-)
}

restart_node() { # RIG NAME READY_ERE: SIGTERM, keep the old log, start with conf/NAME.properties, wait
  local rig=$1 name=$2 re=$3 rd pid
  rd=$(rundir "$rig")
  pid=$(pid_of "$rig" "$name")
  [ -n "$pid" ] && stop_pid "$rig" "$pid" 90
  [ -f "$rd/logs/$name.out" ] && mv "$rd/logs/$name.out" "$rd/logs/$name.out.$(date +%s%N)"
  sed -i "/^$name /d" "$rd/pids"
  start_java "$rig" "$name" "$BROKER_HEAP" kafka.Kafka "$rd/conf/$name.properties" >/dev/null
  wait_log "$rig" "$name" "$re" "$TIMEOUT"
}

wait_in_sync() { # every partition back in sync before the next broker goes down
  rig_admin mig39 insync "$(bootstrap_of mig39 plain)" "$TIMEOUT" ||
    { tail -n 20 "$(rundir mig39)/logs/rig-admin.out" >&2; die "mig39: partitions did not get back in sync"; }
}

migrate_step() { # STEP
  local step=$1 rd v phase t0 id
  rd=$(rundir mig39)
  v=$(rig_ver mig39)
  phase=$(mig_phase)
  t0=$SECONDS
  case "$step:$phase" in
    controller:zookeeper)
      write_mig39_controller migration
      (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" kafka.tools.StorageTool \
        format -t "$(cat "$rd/cluster.id")" -c "$rd/conf/controller.properties" >"$rd/logs/format-controller.out" 2>&1 9>&-) ||
        { cat "$rd/logs/format-controller.out" >&2; die "mig39: kafka-storage format of the controller failed"; }
      start_java mig39 controller "$BROKER_HEAP" kafka.Kafka "$rd/conf/controller.properties" >/dev/null
      wait_log mig39 controller "Kafka Server started" "$TIMEOUT"
      echo pre-migration >"$rd/phase"
      ;;
    brokers-migration:pre-migration)
      for id in 1 2; do
        write_mig39_broker "$id" migration
        restart_node mig39 "broker$id" "\[KafkaServer id=$id\] started"
        wait_in_sync
      done
      wait_log mig39 controller "Completed migration of metadata from Zoo[Kk]eeper to KRaft" "$TIMEOUT"
      echo dual-write >"$rd/phase"
      ;;
    brokers-kraft:dual-write)
      for id in 1 2; do
        write_mig39_broker "$id" kraft
        restart_node mig39 "broker$id" "Kafka Server started"
        wait_in_sync
      done
      echo kraft-brokers >"$rd/phase"
      ;;
    finalize:kraft-brokers)
      write_mig39_controller finalized
      restart_node mig39 controller "Kafka Server started"
      rig_admin mig39 ready "$(bootstrap_of mig39 plain)" 2 "$TIMEOUT" || die "mig39: brokers did not come back after finalizing"
      # ZooKeeper is no longer needed: stop it as an operator would decommission it
      echo zookeeper >>"$rd/stopped"
      stop_pid mig39 "$(pid_of mig39 zookeeper)" 30
      echo finalized >"$rd/phase"
      ;;
    *:finalized | brokers-migration:dual-write | brokers-migration:kraft-brokers | brokers-kraft:kraft-brokers | controller:*)
      say "mig39: step $step is already done (phase $phase)"
      return 0
      ;;
    *) die "mig39: step $step cannot run in phase $phase (steps in order: $MIG_STEPS)" ;;
  esac
  echo "$step $((SECONDS - t0))" >>"$rd/phase-timings.txt"
  say "mig39: $step done in $((SECONDS - t0)) s; phase $(mig_phase)"
}

migrate_unlocked() { # RIG STEP
  local rig=$1 step=$2 s
  [ "$rig" = mig39 ] || die "migrate: only the mig39 rig is migrated (see rig/README.md)"
  rig_is_up mig39 || die "mig39 is not up ('rig/rig.sh up mig39 && rig/rig.sh seed mig39')"
  build 39
  if [ "$step" = all ]; then
    for s in $MIG_STEPS; do migrate_step "$s"; done
  else
    case " $MIG_STEPS " in *" $step "*) ;; *) die "migrate: unknown step '$step' ($MIG_STEPS, all)" ;; esac
    migrate_step "$step"
  fi
  write_env mig39
}

# ---- MirrorMaker 2 ------------------------------------------------------------------------------
mm2_cp_file() { extra_cp_file mm2; }

write_mm2_config() { # SRC TGT -> TGT run dir conf/mm2.properties
  local src=$1 tgt=$2 f
  f="$(rundir "$tgt")/conf/mm2.properties"
  cat >"$f" <<EOF
# MirrorMaker 2, dedicated mode: one flow, source -> target, as a migration to a new cluster uses it
clusters=source,target
source.bootstrap.servers=$(bootstrap_of "$src" plain)
target.bootstrap.servers=$(bootstrap_of "$tgt" plain)
source->target.enabled=true
target->source.enabled=false
# nothing is written back to the source cluster
target->source.emit.heartbeats.enabled=false
offset-syncs.topic.location=target
# same topic names on the target (MirrorMaker 2's default would prefix them with "source.")
replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy
sync.topic.configs.enabled=true
sync.topic.acls.enabled=true
emit.checkpoints.enabled=true
sync.group.offsets.enabled=true
groups=.*
tasks.max=1
# every upstream record gets an offset sync, so committed offsets translate exactly
offset.lag.max=0
refresh.topics.interval.seconds=2
refresh.groups.interval.seconds=2
sync.topic.configs.interval.seconds=2
sync.topic.acls.interval.seconds=2
emit.checkpoints.interval.seconds=1
sync.group.offsets.interval.seconds=1
emit.heartbeats.interval.seconds=1
# the target has 2 brokers: replication.factor keeps MirrorMaker 2's default (2)
offset-syncs.topic.replication.factor=2
checkpoints.topic.replication.factor=2
heartbeats.topic.replication.factor=2
config.storage.replication.factor=2
offset.storage.replication.factor=2
status.storage.replication.factor=2
EOF
  echo "$f"
}

mirror_unlocked() { # SRC TGT
  local src=$1 tgt=$2 rd f pid t0
  [ "$src" = mig39 ] && [ "$tgt" = mm2target ] || die "mirror: only 'mirror mig39 mm2target' is set up"
  rig_is_up "$src" || die "$src is not up"
  rig_is_up "$tgt" || die "$tgt is not up ('rig/rig.sh up $tgt')"
  [ -s "$(rundir "$src")/seeded.json" ] || die "$src is not seeded"
  with_lock "$CACHE/build.lock" build_extra_unlocked mm2 "MirrorMaker 2 (connect-mirror)"
  rd=$(rundir "$tgt")
  t0=$SECONDS
  f=$(write_mm2_config "$src" "$tgt")
  cat >"$rd/conf/mirrormaker.log.properties" <<EOF
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.connect.mirror=INFO
EOF
  pid=$(START_CP="$(cat "$(mm2_cp_file)")" start_java "$tgt" mirrormaker 256m org.apache.kafka.connect.mirror.MirrorMaker "$f")
  if ! rig_admin "$tgt" mirror-wait "$(bootstrap_of "$src" plain)" "$(bootstrap_of "$tgt" plain)" "$TIMEOUT"; then
    tail -n 40 "$rd/logs/mirrormaker.out" >&2
    stop_pid "$tgt" "$pid" 20
    sed -i "/^mirrormaker /d" "$rd/pids"
    die "mirror: the target did not catch up (logs: $rd/logs/mirrormaker.out, $rd/logs/rig-admin.out)"
  fi
  stop_pid "$tgt" "$pid" 30
  sed -i "/^mirrormaker /d" "$rd/pids"
  echo "mirror $((SECONDS - t0))" >>"$rd/mirror-timings.txt"
  say "mirror $src -> $tgt: in sync after $((SECONDS - t0)) s; MirrorMaker 2 stopped"
}
