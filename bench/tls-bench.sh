#!/bin/sh
# Trust-boundary benchmark (issue 17): the doorbell's server CPU per idle poll on a kept-alive
# connection over HTTP and HTTPS (labdrop serving TLS itself), next to curl doing the same polls
# on one connection; then the server CPU of a refused login on a baseline build (a git ref, built
# in a temporary worktree) and on this tree. Rounds alternate; medians are reported.
# Usage: bench/tls-bench.sh [POLLS] [ROUNDS] [BASELINE_REF]   (defaults 3000, 3, 86e276b)
set -eu
cd "$(dirname "$0")/.."
polls=${1:-3000}
rounds=${2:-3}
baseline=${3:-86e276b}
work=$(mktemp -d /var/tmp/labdrop-tls-bench.XXXXXX)
trap 'git worktree remove --force "$work/baseline" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
git worktree add -q --detach "$work/baseline" "$baseline"
(cd "$work/baseline" && mvn -B -q package -DskipTests >/dev/null)
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.TlsBench "$work" "$polls" "$rounds" \
    "$work/baseline/target/labdrop.jar:$work/baseline/target/lib/*" "$work/baseline/routes" 2>"$work/bench.log" \
    || { tail -40 "$work/bench.log" >&2; exit 1; }
