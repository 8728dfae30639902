#!/bin/sh
# Cluster (issue 16): filing throughput, placement latency and statements per filing with 1, 2 and
# 3 nodes on one PostgreSQL, against pgbench running the queue's bare SQL; failover through HAProxy
# (a node SIGKILLed) against three nginx behind the same HAProxy; the doorbell's server CPU per idle
# poll through HAProxy with 1 node and with 3, against nginx. Starts its own PostgreSQL (Debian's,
# with pg_stat_statements; durable defaults) and HAProxy from conf/haproxy.cfg; root for runuser.
# Usage: bench/cluster-bench.sh [ROUNDS] [FAILOVER_ROUNDS] [PARTS]   (default 3 10 filing,failover,doorbell)
# Nodes run as the package runs them (appliance/labdrop, the packaged jar, its JVM options);
# LABDROP_BENCH_NODE_JVM adds options after those (NODE is replaced by the node's id), e.g. a JFR recording.
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
failovers=${2:-10}
parts=${3:-filing,failover,doorbell}
work=$(mktemp -d /var/tmp/labdrop-cluster-bench.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
chown postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c shared_preload_libraries=pg_stat_statements -c max_connections=200" \
    start >/dev/null
trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1; [ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -Dlabdrop.bench.node-jvm="${LABDROP_BENCH_NODE_JVM:-}" -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.ClusterBench "$work" \
    "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres" "$rounds" "$failovers" "$parts" \
    2>"$work/bench.log" || { tail -n 40 "$work/bench.log" >&2; exit 1; }
