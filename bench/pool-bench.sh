#!/bin/sh
# Pool benchmark (issue 14): pool requests over many hosts of several host types on the real server
# (H2), agents simulated by writing state and result files into the drop (temp name, rename) as an
# agent does. Filing rate, the placement decision at two queue lengths, the drain, Available → next
# placement and the predicted start's accuracy; next to the native floor for the same syscalls
# (bench/floor.c: a durable atomic write; inotify noticing a rename), same machine, same run.
# Usage: bench/pool-bench.sh [HOSTS] [TYPES] [REQUESTS]   (defaults 1000, 10 and 10000)
set -eu
cd "$(dirname "$0")/.."
hosts=${1:-1000}
types=${2:-10}
requests=${3:-10000}
work=$(mktemp -d /var/tmp/labdrop-pool-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
cc -O2 -o "$work/floor" bench/floor.c

stats() { sort -n | awk '{v[NR]=$1} END {p50=v[int(NR*0.5+0.5)]; p99=v[int(NR*0.99+0.5)]; printf "%.2f ms | %.2f ms", p50/1000, p99/1000}'; }

echo "| what | throughput / size | p50 | p99 |"
echo "|---|---|---|---|"
mkdir -p "$work/floor-write" "$work/floor-notify"
echo "| native floor: durable atomic write (C: write, fsync, rename, fsync dir), 1000 files | | $("$work/floor" write 1000 "$work/floor-write" | stats) |"
echo "| native floor: inotify notices a rename (C), 300 renames | | $("$work/floor" notify 300 "$work/floor-notify" | stats) |"
java -Xmx4g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.PoolBench "$work" "$hosts" "$types" "$requests" \
    2>"$work/server.log" || { tail -40 "$work/server.log" >&2; exit 1; }
