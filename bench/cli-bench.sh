#!/bin/sh
# CLI start-up (issue 18): the read-only commands a tester or a script runs most (--version,
# host list, request show), through the launcher as users run them, on the server host (which
# asks the running server through its loopback connector, docs/cli.md), from elsewhere
# (--server), and on a store no server runs on, with and without the start-up archive
# (appliance/cli-archive), against the native peer: curl fetching the same API answer.
# A real server (H2, loopback ports) holds 50 hosts and a request; the offline store as many. Rounds alternate the order
# of the commands; medians and ratios to curl are printed. Needs curl.
# Usage: bench/cli-bench.sh [ROUNDS]   (default 9)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-9}
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
bench_name=cli-bench . bench/packaged-server.sh
ld() { LABDROP_CLI_ARCHIVE="$work/cli.jsa" appliance/labdrop "$@"; }
plain() { LABDROP_CLI_ARCHIVE=/nonexistent appliance/labdrop "$@"; }
ld user add bench --role admin >/dev/null
ld user token bench | tail -1 > "$work/token"
for i in $(seq 1 50); do ld host add "sut-$i" --active >/dev/null; done
mkdir -p "$work/smoke" && printf '#!/bin/sh\necho ok\n' > "$work/smoke/run" && chmod +x "$work/smoke/run"
ld pkg build "$work/smoke" --type test --name smoke --out "$work/pkgs" >/dev/null
ld pkg upload "$work/pkgs/test-smoke.tar.bz2" --to "$work/state/packages/builtin" >/dev/null
request=$(ld request file --host sut-1 --test smoke --as bench | grep -o 'r-[0-9]*' | head -1)
printf 'state.dir = %s/offline\n' "$work" > "$work/offline.conf"
for i in $(seq 1 50); do LABDROP_CONF="$work/offline.conf" ld host add "sut-$i" --active >/dev/null; done
offline="--conf $work/offline.conf"
url="http://127.0.0.1:$http"
remote="--server $url --token-file $work/token"
token=$(cat "$work/token")

# name|command
cat > "$work/cases" <<EOF
curl GET /api/v1/hosts|curl -fs -H "Authorization: Bearer $token" $url/api/v1/hosts
labdrop --version|ld --version
labdrop host list --server|ld host list $remote
labdrop request show --server|ld request show $request $remote
labdrop host list (server host)|ld host list
labdrop request show (server host)|ld request show $request
labdrop host list (store, no server)|ld host list $offline
labdrop --version, no archive|plain --version
labdrop host list --server, no archive|plain host list $remote
labdrop host list (server host), no archive|plain host list
labdrop host list (store), no archive|plain host list $offline
EOF
run_case() {
    start=$(date +%s%N)
    eval "$1" >/dev/null 2>"$work/err" || { echo "failed: $1" >&2; cat "$work/err" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
n=$(wc -l < "$work/cases")
for round in $(seq 1 "$rounds"); do
    # alternate the order: forwards in odd rounds, backwards in even ones
    if [ $((round % 2)) -eq 1 ]; then order=$(seq 1 "$n"); else order=$(seq "$n" -1 1); fi
    for i in $order; do
        line=$(sed -n "${i}p" "$work/cases")
        ms=$(run_case "${line#*|}")
        echo "$i $ms" >> "$work/times"
    done
done
median() { grep "^$1 " "$work/times" | cut -d' ' -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(median 1)
echo "labdrop CLI start-up, $rounds alternating rounds, medians (java: $(java -version 2>&1 | head -1))"
printf '%-42s %8s %10s\n' "command" "median" "vs curl"
for i in $(seq 1 "$n"); do
    name=$(sed -n "${i}p" "$work/cases" | cut -d'|' -f1)
    m=$(median "$i")
    printf '%-42s %6s ms %9sx\n' "$name" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.1f", a/b}')"
done
