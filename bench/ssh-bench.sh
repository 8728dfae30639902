#!/bin/sh
# Embedded SSH server: the highest idle-poll rate (new SFTP login per poll) with its p50/p99 and
# the server's CPU, at 1 to 32 concurrent pollers, with curve25519 (the default) and with the
# post-quantum hybrid key exchanges. Per-poll comparisons with OpenSSH are in bench/agent-bench.sh.
# Usage: bench/ssh-bench.sh
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d /var/tmp/labdrop-ssh-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
for pq in false true; do
    java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.SshRateBench "$work" "$pq" \
        2>"$work/bench-$pq.log" || { tail -40 "$work/bench-$pq.log" >&2; exit 1; }
done
