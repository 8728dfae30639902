#!/bin/sh
# A dashboard of N hosts (issue 19): the first page and the live refresh a browser repeats every
# 3 s (quiet, and with 20 hosts of the page changed before each), server CPU per request from /proc
# and bytes, next to nginx serving the same first page as a static file; the server is started by
# the launcher as packaged (H2). Needs nginx (apt-get install nginx).
# Usage: bench/dashboard-bench.sh [HOSTS] [ROUNDS]   (default 10000 5)
set -eu
cd "$(dirname "$0")/.."
hosts=${1:-10000}
rounds=${2:-5}
[ -x /usr/sbin/nginx ] || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }
work=$(mktemp -d /var/tmp/labdrop-dashboard-bench.XXXXXX)
trap '[ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
chmod 755 "$work" # nginx's worker (www-data) reads the static copy under it
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.DashboardBench "$work" "$hosts" "$rounds" \
    2>"$work/bench.log" || { tail -40 "$work/bench.log" >&2; exit 1; }
