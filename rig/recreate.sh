# shellcheck shell=bash
# Sourced by rig.sh. recreate39 (issue 13): an empty KRaft 3.9 cluster, node 1 broker+controller,
# node 2 broker (the same layout as mm2target, on ports 189xx: node N 189N1 / 189N2 / 189N3,
# controller listener 18919). tests/plan_live.rs applies the scripts `kraftcheck plan -o DIR`
# writes from the seeded zk39 inventory to it with Kafka's own tools, then diffs the two.

start_recreate39_nodes() { start_mm2target_nodes recreate39; }

recreate39_env() { # ENV_PREFIX (inside write_env)
  local U=$1
  echo "export ${U}_MODE=kraft"
  echo "export ${U}_CONTROLLER_BOOTSTRAP=127.0.0.1:$(broker_port recreate39 1 ctl)"
  echo "export ${U}_BROKER_IDS=1,2"
}
