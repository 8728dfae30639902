#!/bin/sh
# Lab gateway (issue 20): what it costs the server to tell a lab of N hosts whether anything
# changed: N SUTs polling their own doorbells over HTTP (304, a new connection each) against the
# lab's gateway asking once, over the SSH connection it keeps (labdrop-doorbell) and over HTTP with
# the lab token (GET /api/v1/labs/LAB/generation, a new connection each). The server is a
# child JVM started by the launcher as packaged (H2); rounds alternate; medians and ratio.
# Usage: bench/gateway-bench.sh [HOSTS] [ROUNDS]   (default 100 hosts, 5 rounds)
set -eu
cd "$(dirname "$0")/.."
hosts=${1:-100}
rounds=${2:-5}
work=$(mktemp -d /var/tmp/labdrop-gateway-bench.XXXXXX)
trap '[ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.LabDoorbellBench "$work" "$hosts" "$rounds" \
    2>"$work/bench.log" || { tail -40 "$work/bench.log" >&2; exit 1; }
