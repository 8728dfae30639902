#!/bin/sh
# Per-case results benchmark (issue 15): the real server (H2), the SUT simulated by writing
# cases.xml and result.xml into the drop as the agent does. A 10,000-case result from rename to
# the API, in rounds alternating with the native peer (xmllint --stream on the same file); then a
# 1,000-case result compared with 0, 10,000 and 100,000 earlier runs of its test (it must not read
# them all), next to one full count of that history. Needs xmllint (Debian: libxml2-utils).
# Usage: bench/results-bench.sh
set -eu
cd "$(dirname "$0")/.."
command -v xmllint >/dev/null || { echo "xmllint is missing: apt-get install libxml2-utils" >&2; exit 1; }
work=$(mktemp -d /var/tmp/labdrop-results-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx4g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.ResultsBench "$work" \
    2>"$work/server.log" || { tail -40 "$work/server.log" >&2; exit 1; }
