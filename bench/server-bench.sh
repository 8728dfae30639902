#!/bin/sh
# Server benchmark: labdrop's filing and state ingest, next to the native floor for the same
# syscalls (bench/floor.c: durable atomic write; inotify notice of a rename), same machine, same
# run. Usage: bench/server-bench.sh [FILINGS] [SAMPLES]   (defaults 500 and 300)
set -eu
cd "$(dirname "$0")/.."
filings=${1:-500}
samples=${2:-300}
work=$(mktemp -d /var/tmp/labdrop-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
cc -O2 -o "$work/floor" bench/floor.c

stats() { sort -n | awk '{v[NR]=$1} END {p50=v[int(NR*0.5+0.5)]; p99=v[int(NR*0.99+0.5)]; printf "%.2f ms | %.2f ms", p50/1000, p99/1000}'; }

echo "| what | throughput / size | p50 | p99 |"
echo "|---|---|---|---|"
mkdir -p "$work/floor-write" "$work/floor-notify"
echo "| native floor: durable atomic write (C: write, fsync, rename, fsync dir), $filings files | | $("$work/floor" write "$filings" "$work/floor-write" | stats) |"
echo "| native floor: inotify notices a rename (C), $samples renames | | $("$work/floor" notify "$samples" "$work/floor-notify" | stats) |"
java -Xmx2g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.ServerBench "$work" "$filings" "$samples" 2>"$work/server.log"
