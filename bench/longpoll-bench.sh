#!/bin/sh
# Waiting agents (issue 19): what N agents long-polling the doorbell cost the server (a child JVM
# started by the launcher as packaged, H2), next to the same agents polling once a minute without it and
# to the idle server, from /proc over a 60 s window each. Needs a file-descriptor limit above N.
# Usage: bench/longpoll-bench.sh [AGENTS]   (default 10000)
set -eu
cd "$(dirname "$0")/.."
agents=${1:-10000}
work=$(mktemp -d /var/tmp/labdrop-longpoll-bench.XXXXXX)
trap '[ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx2g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.LongPollBench "$work" "$agents" \
    2>"$work/bench.log" || { tail -40 "$work/bench.log" >&2; exit 1; }
