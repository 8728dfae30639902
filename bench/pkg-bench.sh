#!/bin/bash
# Package benchmark (issue 3), same machine, same run:
#  1. Jetty (labdrop's repository server) vs nginx serving the same folder to the same Java client.
#  2. Fetch + verify + install of a package set: labdrop (parallel bzip2 streams, packages
#     concurrently) vs Autotest's native pipeline (wget, md5sum -c, tar xjf, one package after
#     another) vs the same with lbzip2, into a RAM disk (/dev/shm) and onto disk (/var/tmp).
# Usage: bench/pkg-bench.sh [BIG_MB] [RUNS]   (defaults 200 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
big=${1:-200}
runs=${2:-3}
need=""
for tool in nginx lbzip2 wget; do command -v $tool >/dev/null || need="$need $tool"; done
if [ -n "$need" ]; then apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null; fi

work=$(mktemp -d /var/tmp/labdrop-pkgbench.XXXXXX)
nginx_pid=""
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work" /dev/shm/labdrop-pkgbench-*; }
trap cleanup EXIT
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
java_run() {
    java -Xmx3g -cp "target/classes:target/test-classes:$(cat "$work/cp")" labdrop.bench.PkgBench "$@" 2>>"$work/java.log" \
        || { echo "labdrop.bench.PkgBench $1 failed:" >&2; tail -30 "$work/java.log" >&2; return 1; }
}

repo="$work/repo"
chmod 755 "$work"
java_run build "$repo" "$big"
chmod -R a+rX "$repo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
daemon off; worker_processes auto; pid $work/nginx.pid; error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000; default_type application/octet-stream;
  server { listen 127.0.0.1:$port; root $repo; location / { autoindex on; } } }
CONF
nginx -c "$work/nginx.conf" & nginx_pid=$!
sleep 1

echo "## Serving (median of 5 rounds, alternating servers)"
java_run serve "$repo" "$port"

echo
echo "## Fetch + verify + install ($(ls "$repo"/*.tar.bz2 | wc -l) packages, $(du -cb "$repo"/*.tar.bz2 | tail -1 | cut -f1) bytes), median of $runs runs"
url="http://127.0.0.1:$port/"
native() { # $1 = tar decompressor option, $2 = target
    local dst=$2; rm -rf "$dst"; mkdir -p "$dst/dl"; cd "$dst/dl"
    wget -q "${url}packages.checksum"
    for f in $(awk '{print $2}' packages.checksum); do
        wget -q "$url$f"; grep " $f\$" packages.checksum | md5sum -c --quiet
        name=${f%.tar.bz2}; mkdir -p "$dst/tests/${name#test-}"; tar $1 -xf "$f" -C "$dst/tests/${name#test-}"
    done
    cd - >/dev/null
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "| target | labdrop cold (fresh JVM) | labdrop warm (daemon) | Autotest native (wget, md5sum, tar xjf) | native with lbzip2 | Autotest / labdrop cold | Autotest / labdrop warm | lbzip2 / labdrop warm |"
echo "|---|---|---|---|---|---|---|---|"
for where in /dev/shm /var/tmp; do
    t=$(mktemp -d "$where/labdrop-pkgbench-XXXXXX")
    for i in $(seq "$runs"); do rm -rf "$t/l"; java_run pipeline "$url" "$t/l/cache" "$t/l/root"; done > "$t/ours"
    cold=$(cut -d' ' -f1 "$t/ours" | median)
    warm=$(cut -d' ' -f2 "$t/ours" | median)
    autotest=$(for i in $(seq "$runs"); do s=$(date +%s.%N); native -j "$t/a"; e=$(date +%s.%N); echo "$e - $s" | bc; done | median)
    lbz=$(for i in $(seq "$runs"); do s=$(date +%s.%N); native "-I lbzip2" "$t/b"; e=$(date +%s.%N); echo "$e - $s" | bc; done | median)
    diff -r -x .checksum "$t/l/root/warm/tests" "$t/a/tests" >/dev/null || { echo "installed trees differ" >&2; exit 1; }
    printf "| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2fx | %.2fx | %.2fx |\n" "$where" "$cold" "$warm" "$autotest" "$lbz" \
        "$(echo "$autotest / $cold" | bc -l)" "$(echo "$autotest / $warm" | bc -l)" "$(echo "$lbz / $warm" | bc -l)"
    rm -rf "$t"
done
