#!/bin/sh
# Work start (issue 19): filing a request for an idle host → the server shows it picked up, with
# two real agent daemons on one server (H2, file:// drops): one as packaged (the default schedule
# and the doorbell's long-poll), one polling every 5 s without it (the demo's schedule; how agents
# waited before long-polling). Rounds alternate the hosts; min / median / max.
# Usage: bench/start-bench.sh
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d /var/tmp/labdrop-start-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.StartBench "$work" 2>"$work/bench.log" \
    || { tail -40 "$work/bench.log" >&2; exit 1; }
