#!/bin/sh
# Package serving (issue 19): labdrop's server, started by the launcher as packaged, against nginx
# (worker_processes auto, sendfile, access log off) on the same package repository folder, same
# run, rounds alternating which goes first. wrk is the client: 2,000 small files (4 KiB) taken in
# turn with 1 and with 16 connections, and a 64 MiB package with 1 and with 16; medians of the
# rounds and the ratio labdrop / nginx. Needs wrk and nginx (apt-get install wrk nginx).
# Usage: bench/serve-bench.sh [ROUNDS] [SECONDS]   (default 5 rounds of 5 s per case)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-5}
for tool in wrk nginx; do
    command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "$tool is missing: apt-get install $tool" >&2; exit 1; }
done
work=$(mktemp -d /var/tmp/labdrop-serve-bench.XXXXXX)
server=""
nginx=""
cleanup() {
    set +e
    [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
    [ -n "$nginx" ] && kill "$nginx" 2>/dev/null
    [ -n "$server" ] && kill "$server" 2>/dev/null
    for pid in $server $nginx; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null
    done
    [ -n "${LABDROP_BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work" # nginx's workers read the repository
mvn -B -q package -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true >/dev/null
repo="$work/state/packages/builtin"
mkdir -p "$repo/small" "$work/nginx/logs"
i=0
while [ $i -lt 2000 ]; do
    head -c 4096 /dev/urandom > "$repo/small/s$i.txt"
    i=$((i + 1))
done
head -c 67108864 /dev/urandom > "$repo/big.tar.bz2"
chmod -R a+rX "$work/state"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
nport=$(free_port)
env -u LABDROP_JAVA_OPTS LABDROP_STATE_DIR="$work/state" LABDROP_HTTP_HOST=127.0.0.1 LABDROP_HTTP_PORT="$port" \
    LABDROP_SSH_ENABLED=false appliance/labdrop server > "$work/server.log" 2>&1 &
server=$!
cat > "$work/nginx/nginx.conf" <<CONF
user root; # the repository is under the server's private state folder
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  sendfile on;
  access_log off;
  server { listen 127.0.0.1:$nport; root $repo; }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" > "$work/nginx/logs/stdout.log" 2>&1 &
nginx=$!
i=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
    i=$((i + 1))
    [ $i -lt 600 ] || { tail -n 30 "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/packages/builtin/small/s1.txt" | cmp -s - "$repo/small/s1.txt" \
    || { echo "labdrop does not serve the repository" >&2; exit 1; }
curl -sf "http://127.0.0.1:$nport/small/s1.txt" | cmp -s - "$repo/small/s1.txt" \
    || { echo "nginx does not serve the repository" >&2; cat "$work/nginx/logs/error.log" >&2; exit 1; }
cat > "$work/small.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "s" .. (n % 2000) .. ".txt")
end
LUA

# one case: prints requests/s (small) or MB/s (big)
measure() { # base case
    case "$2" in
        small1) out=$(wrk -t1 -c1 -d"${secs}s" -s "$work/small.lua" "$1/small/") ;;
        small16) out=$(wrk -t2 -c16 -d"${secs}s" -s "$work/small.lua" "$1/small/") ;;
        big1) out=$(wrk -t1 -c1 -d"${secs}s" "$1/big.tar.bz2") ;;
        big16) out=$(wrk -t2 -c16 -d"${secs}s" --timeout 60s "$1/big.tar.bz2") ;;
    esac
    if echo "$out" | grep -q "Non-2xx\|Socket errors"; then
        echo "errors against $1 ($2): $out" >&2
        return 1
    fi
    case "$2" in
        small*) echo "$out" | awk '/^Requests\/sec/ {print $2}' ;;
        big*) echo "$out" | awk '/^Requests\/sec/ {printf "%.1f\n", $2 * 64 * 1.048576}' ;;
    esac
}
jetty="http://127.0.0.1:$port/packages/builtin"
peer="http://127.0.0.1:$nport"
# warm-up: the JIT compiles the serving path
for c in small16 small1 big1; do measure "$jetty" $c >/dev/null; done
: > "$work/results"
r=0
while [ $r -lt "$rounds" ]; do
    for c in small1 small16 big1 big16; do
        if [ $((r % 2)) -eq 0 ]; then
            a=$(measure "$jetty" $c) && b=$(measure "$peer" $c) || exit 1
        else
            b=$(measure "$peer" $c) && a=$(measure "$jetty" $c) || exit 1
        fi
        echo "$c labdrop $a" >> "$work/results"
        echo "$c nginx $b" >> "$work/results"
    done
    r=$((r + 1))
done
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
stats() { sort -n | awk '{v[NR]=$1} END {printf "%s / %s / %s", v[1], v[int((NR+1)/2)], v[NR]}'; }
echo "| case ($rounds rounds of ${secs} s, alternating) | labdrop min / median / max | nginx min / median / max | labdrop / nginx (medians) |"
echo "|---|---|---|---|"
for c in small1 small16 big1 big16; do
    case $c in
        small1) what="2,000 small files (4 KiB), 1 connection, requests/s" ;;
        small16) what="2,000 small files (4 KiB), 16 connections, requests/s" ;;
        big1) what="64 MiB package, 1 connection, MB/s" ;;
        big16) what="64 MiB package, 16 connections, MB/s" ;;
    esac
    l=$(awk -v c=$c '$1 == c && $2 == "labdrop" {print $3}' "$work/results")
    n=$(awk -v c=$c '$1 == c && $2 == "nginx" {print $3}' "$work/results")
    lm=$(echo "$l" | median)
    nm=$(echo "$n" | median)
    echo "| $what | $(echo "$l" | stats) | $(echo "$n" | stats) | $(awk -v a="$lm" -v b="$nm" 'BEGIN {printf "%.2f", a / b}') |"
done
