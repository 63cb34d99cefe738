# shellcheck shell=bash
# Sourced by rig.sh. benchkraft39 (issue 15, `benches/collect.sh --kraft`): bench39's KRaft twin, a
# cluster of the same size in KRaft mode, for the comparison with `kcat -L` that bench39's
# ZooKeeper-mode DescribeConfigs made unfair. Kafka 3.9.2: one controller-only node (node.id 3,
# 127.0.0.1:18809) and 2 brokers (node.id 1 and 2: 188N1 PLAINTEXT, 188N2 SASL_PLAINTEXT, 188N3 SSL,
# JMX exporter 188N5), with bench39's JVM options, heap and tmpfs log dirs; seeded by the same
# `seed-large`. Not part of `up all`.

BENCHKRAFT_CTRL_PORT=18809
BENCHKRAFT_CTRL_ID=3
BENCHKRAFT_CTRL_HEAP=${KRAFTCHECK_RIG_BENCHKRAFT_CTRL_HEAP:-512m}
BENCHKRAFT_DATA=${KRAFTCHECK_RIG_BENCHKRAFT_DATA:-/dev/shm/kraftcheck-rig-benchkraft39}

start_benchkraft39_nodes() { # called by up_unlocked
  local rig=benchkraft39 rd id v n
  rd=$(rundir $rig)
  v=$(rig_ver $rig)
  mkdir -p "$rd/conf"
  rm -rf "$BENCHKRAFT_DATA"
  mkdir -p "$BENCHKRAFT_DATA"
  # the brokers' principal towards the controller is ANONYMOUS (PLAINTEXT), a super user
  printf '%s\n' process.roles=controller "node.id=$BENCHKRAFT_CTRL_ID" \
    "controller.quorum.voters=$BENCHKRAFT_CTRL_ID@127.0.0.1:$BENCHKRAFT_CTRL_PORT" \
    controller.listener.names=CONTROLLER "listeners=CONTROLLER://127.0.0.1:$BENCHKRAFT_CTRL_PORT" \
    listener.security.protocol.map=CONTROLLER:PLAINTEXT "log.dirs=$BENCHKRAFT_DATA/controller/data" \
    num.io.threads=2 num.network.threads=2 background.threads=2 \
    authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer \
    allow.everyone.if.no.acl.found=false "super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin" \
    >"$rd/conf/controller.properties"
  write_log_config $rig controller
  for id in $(broker_ids $rig); do
    {
      printf '%s\n' process.roles=broker "node.id=$id" \
        "controller.quorum.voters=$BENCHKRAFT_CTRL_ID@127.0.0.1:$BENCHKRAFT_CTRL_PORT" \
        controller.listener.names=CONTROLLER "listeners=$(listeners_of $rig "$id")" \
        "advertised.listeners=$(listeners_of $rig "$id")" \
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT \
        inter.broker.listener.name=PLAINTEXT "broker.rack=rack-$id" "log.dirs=$BENCHKRAFT_DATA/broker$id/data" \
        offsets.topic.replication.factor=2 offsets.topic.num.partitions=10 \
        transaction.state.log.replication.factor=2 transaction.state.log.min.isr=1 \
        transaction.state.log.num.partitions=5 \
        authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
      common_broker_props $rig
    } >"$rd/conf/broker$id.properties"
    write_log_config $rig "broker$id"
  done
  new_cluster_id >"$rd/cluster.id"
  for n in controller broker1 broker2; do
    (cd "$rd" && "$JAVA" -Xmx128m $JVM_OPTS "$(tools_log_opts "$v")" -cp "$(classpath "$v")" kafka.tools.StorageTool \
      format -t "$(cat "$rd/cluster.id")" -c "$rd/conf/$n.properties" >>"$rd/logs/format.out" 2>&1 9>&-) ||
      { cat "$rd/logs/format.out" >&2; echo failed >"$rd/state"; die "$rig: kafka-storage format failed"; }
  done
  start_java $rig controller "$BENCHKRAFT_CTRL_HEAP" kafka.Kafka "$rd/conf/controller.properties" >/dev/null
  for id in $(broker_ids $rig); do start_java $rig "broker$id" "$BENCH_HEAP" kafka.Kafka "$rd/conf/broker$id.properties" >/dev/null; done
  wait_log $rig controller "Kafka Server started" "$TIMEOUT"
  for id in $(broker_ids $rig); do wait_log $rig "broker$id" "Kafka Server started" "$TIMEOUT"; done
}

benchkraft39_env() { # ENV_PREFIX (inside write_env)
  local U=$1
  echo "export ${U}_MODE=kraft"
  echo "export ${U}_CONTROLLER_BOOTSTRAP=127.0.0.1:$BENCHKRAFT_CTRL_PORT"
  echo "export ${U}_BROKER_IDS=1,2"
  metrics_env benchkraft39 "$U"
  echo "export ${U}_SEEDED_LARGE_JSON=$(rundir benchkraft39)/seeded-large.json"
}
