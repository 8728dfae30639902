#!/bin/sh
# N hosts on one node (issue 19): the server started by the launcher as packaged (H2) on a lab of
# N hosts; per start, the time until it answers and until state_files written after that are
# ingested for hosts spread over the lab, its RSS and inotify watches a minute after the launch,
# and the host list API's first page; find(1) walking the same drop in the same run, rounds
# alternating. Usage: bench/scale-bench.sh [HOSTS] [ROUNDS]   (default 50000 3)
set -eu
cd "$(dirname "$0")/.."
hosts=${1:-50000}
rounds=${2:-3}
work=$(mktemp -d /var/tmp/labdrop-scale-bench.XXXXXX)
trap '[ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.ScaleBench "$work" "$hosts" "$rounds" \
    2>"$work/bench.log" || { tail -n 40 "$work/bench.log" "$work/server.log" >&2; exit 1; }
