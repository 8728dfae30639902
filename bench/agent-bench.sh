#!/bin/sh
# Agent benchmark: the cost of one idle poll per transport (the HTTP doorbell, file://, sftp://
# and rsync+ssh:// through Debian's OpenSSH sshd), on the SUT (wall, CPU) and on the server (CPU),
# next to native peers in the same run (curl for the doorbell, the rsync CLI for the ssh pull);
# then the agent's start time and memory. Usage: bench/agent-bench.sh [POLLS]   (default 300)
set -eu
cd "$(dirname "$0")/.."
polls=${1:-300}
work=$(mktemp -d /var/tmp/labdrop-agent-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
mkdir -p /run/sshd
# The drop account of the ssh rows: a system user whose login shell is /bin/sh (no rc files).
id labdrop-bench >/dev/null 2>&1 || useradd --system --shell /bin/sh --home-dir /nonexistent --no-create-home labdrop-bench
# "*" (no password) rather than "!" (locked): sshd without PAM refuses locked accounts even with a key.
usermod -p "*" labdrop-bench
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.AgentBench "$work" "$polls" 2>"$work/bench.log" \
    || { tail -40 "$work/bench.log" >&2; exit 1; }
