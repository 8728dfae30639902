#!/bin/sh
# The agent's real install path (issue 19): one request for a test with a large package, run by
# the agent as packaged (agent --once in a cold JVM; the long-polling daemon) against wget +
# md5sum -c + tar of the same package from the same server, for a multi-stream bzip2 package, a
# single-stream one made by tar cjf and a zstd one; every run installs from scratch, rounds
# alternate. Needs wget and zstd; with lbzip2 installed (the agent then decodes with it) the native
# pipeline also runs as tar -I lbzip2. LABDROP_BENCH_AGENT_OPTS adds JVM options to the agent's runs.
# LABDROP_BENCH_PACKAGES=bigzst (or bigbz, onebz, comma-separated) runs only those packages.
# Usage: bench/install-bench.sh [MEGABYTES] [ROUNDS]   (default 100 MiB of text, 3 rounds)
set -eu
cd "$(dirname "$0")/.."
mb=${1:-100}
rounds=${2:-3}
for tool in wget zstd; do
    command -v $tool >/dev/null || { echo "$tool is missing: apt-get install $tool" >&2; exit 1; }
done
work=$(mktemp -d /var/tmp/labdrop-install-bench.XXXXXX)
trap '[ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
mvn -B -q package test-compile dependency:build-classpath -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true -Dmdep.outputFile="$work/cp" >/dev/null
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.InstallBench "$work" "$mb" "$rounds" \
    2>"$work/bench.log" || { tail -n 40 "$work/bench.log" >&2; exit 1; }
