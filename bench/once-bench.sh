#!/bin/sh
# A quiet poll by `labdrop agent --once` (issue 19): what one poll costs the SUT when nothing
# changed (the doorbell answers 304), through the launcher and the jar as packaged, with the agent's
# own configuration file, next to curl sending the same conditional GET with the host's token. A
# real server (H2, loopback ports) holds the host; the agent's drop is file://. Rounds alternate
# the sides; wall and CPU (user + system, from /usr/bin/time) min / median / max, and the ratios.
# Three sides: curl, the poll as shipped (the launcher answers a quiet poll itself, docs/agent.md),
# and the agent's own JVM poll (LABDROP_ONCE_GATE=off).
# Usage: bench/once-bench.sh [ROUNDS]   (default 15)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-15}
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 1; }
bench_name=once-bench . bench/packaged-server.sh
export LABDROP_CLI_ARCHIVE="$work/cli.jsa" LABDROP_AGENT_ARCHIVE="$work/agent.jsa"
appliance/labdrop host add sut-1 --active >/dev/null
appliance/labdrop host token sut-1 --file "$work/token" >/dev/null
url="http://127.0.0.1:$http/api/v1/hosts/sut-1/generation"
printf 'host = sut-1\ndrop.url = file://%s/state/drop/sut-1\nwork.dir = %s/agent\ndoorbell.url = %s\ndoorbell.token-file = %s/token\ndoorbell.safety-every = 10000\nreboot.boot-id-file = %s/boot_id\n' \
    "$work" "$work" "$url" "$work" "$work" > "$work/agent.conf"
echo bench > "$work/boot_id"
unset LABDROP_CONF
# the server sees a token the command wrote to the store within about a second (its change feed)
for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/token")" "$url")" = 200 ] && break
    sleep 0.2
done
# "agent" is the poll as shipped: after a quiet poll of its own the agent leaves once.gate and the
# launcher asks the doorbell with curl (docs/agent.md "A timer's quiet poll"); "jvm" is the agent's
# own quiet poll (LABDROP_ONCE_GATE=off), with a work.dir of its own so that it leaves the first's gate alone
sed "s#^work.dir = .*#work.dir = $work/agent-jvm#" "$work/agent.conf" > "$work/agent-jvm.conf"
agent() { appliance/labdrop agent --conf "$work/agent.conf" --once; }
jvm() { LABDROP_ONCE_GATE=off appliance/labdrop agent --conf "$work/agent-jvm.conf" --once; }
# the first polls report the host's state and read the doorbell's first ETag; then the agent's own quiet poll
for side in agent jvm; do
    for n in 1 2 3; do
        $side >"$work/$side.$n.log" 2>&1 || { cat "$work/$side.$n.log" >&2; exit 1; }
    done
    grep -q "poll: quiet" "$work/$side.3.log" || { echo "the $side's third poll was not quiet:" >&2; cat "$work/$side".*.log >&2; exit 1; }
done
agent | grep -q "poll: quiet (the launcher" || { echo "the launcher did not answer the quiet poll itself" >&2; exit 1; }
etag=$(curl -fsI -H "Authorization: Bearer $(cat "$work/token")" "$url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
# curl's poll, as a script so that both sides start through sh (the launcher is a shell script too)
# curl's poll takes less than /usr/bin/time's 10 ms resolution: one sample is 10 polls, divided below
printf '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do\n  code=$(curl -s -o /dev/null -w %%{http_code} -H "Authorization: Bearer %s" -H %s %s)\n  [ "$code" = 304 ] || exit 1\ndone\n' \
    "$(cat "$work/token")" "'If-None-Match: $etag'" "$url" > "$work/curl-poll"
chmod +x "$work/curl-poll"
"$work/curl-poll" || { echo "curl's conditional GET was not answered 304" >&2; exit 1; }
measure() { # name per command...: appends "wall cpu" of one of the command's per runs to $work/$name
    name=$1; per=$2; shift 2
    /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >/dev/null 2>&1
    awk -v per="$per" '{ printf "%.4f %.4f\n", $1 / per, ($2 + $3) / per }' "$work/t" >> "$work/times-$name"
}
# the launcher's quiet poll is measured as curl's is, in samples of 10; the agent's own, one at a time
printf '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do\n  %s/appliance/labdrop agent --conf %s/agent.conf --once | grep -q "poll: quiet (the launcher" || exit 1\ndone\n' \
    "$PWD" "$work" > "$work/agent-poll"
printf '#!/bin/sh\nLABDROP_ONCE_GATE=off exec %s/appliance/labdrop agent --conf %s/agent-jvm.conf --once\n' "$PWD" "$work" > "$work/jvm-poll"
chmod +x "$work/agent-poll" "$work/jvm-poll"
i=0
while [ "$i" -lt "$rounds" ]; do
    case $((i % 3)) in
        0) measure curl 10 "$work/curl-poll"; measure agent 10 "$work/agent-poll"; measure jvm 1 "$work/jvm-poll" ;;
        1) measure agent 10 "$work/agent-poll"; measure jvm 1 "$work/jvm-poll"; measure curl 10 "$work/curl-poll" ;;
        *) measure jvm 1 "$work/jvm-poll"; measure curl 10 "$work/curl-poll"; measure agent 10 "$work/agent-poll" ;;
    esac
    i=$((i + 1))
done
agent 2>/dev/null | grep -q "poll: quiet (the launcher" || { echo "the launcher's polls were not quiet" >&2; exit 1; }
jvm 2>/dev/null | grep -qx "poll: quiet" || { echo "the agent's own polls were not quiet" >&2; exit 1; }
stats() { # file column: min median max
    cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.4f %.4f %.4f", v[1], v[int((NR + 1) / 2)], v[NR] }'
}
echo "| quiet poll, $rounds rounds alternating (s) | wall min | wall median | wall max | CPU min | CPU median | CPU max |"
echo "|---|---|---|---|---|---|---|"
for name in curl agent jvm; do
    set -- $(stats "$work/times-$name" 1) $(stats "$work/times-$name" 2)
    case $name in
        curl) label="curl, If-None-Match with the host's token (304; samples of 10 polls, per poll)" ;;
        agent) label="labdrop agent --once as shipped (the launcher asks the doorbell; 304, exits)" ;;
        jvm) label="labdrop agent --once, the agent's own poll (LABDROP_ONCE_GATE=off: JVM, packaged jar, archive; 304, exits)" ;;
    esac
    echo "| $label | $1 | $2 | $3 | $4 | $5 | $6 |"
done
cw=$(stats "$work/times-curl" 1 | cut -d' ' -f2); cc=$(stats "$work/times-curl" 2 | cut -d' ' -f2)
for name in agent jvm; do
    aw=$(stats "$work/times-$name" 1 | cut -d' ' -f2); ac=$(stats "$work/times-$name" 2 | cut -d' ' -f2)
    awk -v n="$name" -v cw="$cw" -v cc="$cc" -v aw="$aw" -v ac="$ac" 'BEGIN { printf "median ratios, %s / curl: wall %.1fx, CPU %.1fx\n", n, aw / cw, (cc > 0 ? ac / cc : 0) }'
done
