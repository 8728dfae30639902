#!/bin/sh
# Notifications benchmark (issue 15): the real server (H2) with the default notify.* settings.
# (1) A burst of 1,000 host events until a loopback receiver has every signed webhook POST, in
# rounds alternating with the native peer (one curl POSTing the same bodies and headers on one
# kept-alive connection to the same receiver). (2) What a dead receiver (accepts, never answers)
# costs everyone else: filing → placement, result.xml → API, result.xml → a live webhook's
# request.finished, in rounds alternating with and without it. Needs curl.
# Usage: bench/notify-bench.sh
set -eu
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
work=$(mktemp -d /var/tmp/labdrop-notify-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx2g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.NotifyBench "$work" \
    2>"$work/server.log" || { tail -40 "$work/server.log" >&2; exit 1; }
