#!/bin/sh
# Agent footprint benchmark: the resident memory of the agent daemon as the package starts it (the
# launcher, the packaged jar, the JVM options of systemd/labdrop-agent.service), idle on a long-poll,
# while it runs a request and after, counting the launcher (the JVM's parent) with the JVM, next to
# a native peer in the same run: a shell loop that does the same long-poll with curl. Rounds
# alternate; each round starts both afresh.
# Usage: bench/footprint-bench.sh [ROUNDS]   (default 3)
# LABDROP_BENCH_AGENT_OPTS replaces the unit's JVM options (to try others).
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
bench_name=footprint-bench . bench/packaged-server.sh
export LABDROP_CLI_ARCHIVE="$work/cli.jsa" LABDROP_AGENT_ARCHIVE="$work/agent.jsa"
unit_opts=$(sed -n 's/^Environment="LABDROP_JAVA_OPTS=\(.*\)"$/\1/p' systemd/labdrop-agent.service)
opts=${LABDROP_BENCH_AGENT_OPTS:-$unit_opts}
appliance/labdrop host add sut-1 --active >/dev/null
mkdir -p "$work/smoke" && printf '#!/bin/sh\n[ "$1" = sleep ] && sleep "$2"\necho ok\n' > "$work/smoke/run" && chmod +x "$work/smoke/run"
appliance/labdrop pkg build "$work/smoke" --type test --name smoke --out "$work/pkgs" >/dev/null
appliance/labdrop pkg upload "$work/pkgs/test-smoke.tar.bz2" --to "$work/state/packages/builtin" >/dev/null
appliance/labdrop host token sut-1 --file "$work/token" >/dev/null
# the peer long-polls for a host of its own: the doorbell's per-host limits stay the agent's
appliance/labdrop host add sut-2 --active >/dev/null
appliance/labdrop host token sut-2 --file "$work/token-2" >/dev/null
url="http://127.0.0.1:$http/api/v1/hosts/sut-1/generation"
# the daemon starts afresh 20 s after its run here (the package's default is 10 minutes): the
# memory it then idles at does not depend on the wait (docs/operations.md, "Memory")
printf 'daemon.afresh-after-idle = 20s\nhost = sut-1\nfetch.locations = http://127.0.0.1:%s/packages/builtin/\ndrop.url = file://%s/state/drop/sut-1\nwork.dir = %s/agent\ndoorbell.url = %s\ndoorbell.token-file = %s/token\nschedule.jitter = 0s\nlog.push-interval = 1s\nreboot.boot-id-file = %s/boot_id\n' \
    "$http" "$work" "$work" "$url" "$work" "$work" > "$work/agent.conf"
echo bench > "$work/boot_id"
# The native peer: the same long-poll from the shell, curl sending the ETag it was last given.
cat > "$work/curl-loop" <<EOF
#!/bin/sh
etag=""
while :; do
    if [ -n "\$etag" ]; then h="If-None-Match: \$etag"; else h="Accept: */*"; fi
    e=\$(curl -s -o /dev/null -D - -H "Authorization: Bearer $(cat "$work/token-2")" -H "\$h" "${url%/sut-1/generation}/sut-2/generation?wait=55" | tr -d '\\r' | sed -n 's/^[Ee][Tt]ag: //p')
    [ -n "\$e" ] && etag=\$e
done
EOF
chmod +x "$work/curl-loop"
tree() { # a process and its descendants
    echo "$1"
    for child in $(pgrep -P "$1" 2>/dev/null); do tree "$child"; done
}
rss() { # KiB, of the processes given
    total=0
    for p in "$@"; do
        r=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}
peer() {
    "$work/curl-loop" & loop=$!
    sleep 3
    # the shell, its subshell, curl, tr and sed, sampled while the poll is held
    rss $(tree "$loop") >> "$work/rss-peer"
    for p in $(tree "$loop"); do kill "$p" 2>/dev/null || true; done
    wait "$loop" 2>/dev/null || true
}
agent() {
    LABDROP_JAVA_OPTS="$opts" appliance/labdrop agent --conf "$work/agent.conf" >"$work/agent.log" 2>&1 & a=$!
    # the launcher and its JVM (a test the JVM runs is not counted); idle: after its first poll and a
    # minute of held polls. The launcher stays the JVM's parent: it starts it afresh after a run that
    # left it over daemon.max-idle-mib (docs/operations.md, "Memory").
    sleep 60
    rss "$a" $(pgrep -P "$a") >> "$work/rss-idle"
    LABDROP_CONF="$work/server.conf" appliance/labdrop request file --host sut-1 --test "smoke:sleep 8" --as bench >/dev/null
    peak=0
    # sampled until the request has finished (at most a minute)
    for _ in $(seq 1 120); do
        sleep 0.5
        v=$(rss "$a" $(pgrep -P "$a")); [ "$v" -gt "$peak" ] && peak=$v
        grep -q "finished r-" "$work/agent.log" && break
    done
    echo "$peak" >> "$work/rss-running"
    sleep 10
    rss "$a" $(pgrep -P "$a") >> "$work/rss-after"
    sleep 50
    rss "$a" $(pgrep -P "$a") >> "$work/rss-after-minute"
    grep -c "starting afresh" "$work/agent.log" >> "$work/afresh" || true
    kill "$a"; wait "$a" 2>/dev/null || true
}
unset LABDROP_CONF
i=0
while [ "$i" -lt "$rounds" ]; do
    if [ $((i % 2)) -eq 0 ]; then peer; agent; else agent; peer; fi
    i=$((i + 1))
done
grep -q "finished r-" "$work/agent.log" || { echo "the agent's request did not pass:" >&2; tail -20 "$work/agent.log" >&2; exit 1; }
stats() { sort -n "$1" | awk '{ v[NR] = $1 / 1024 } END { printf "%.1f | %.1f | %.1f", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
echo "agent JVM options: $opts"
echo "| resident memory, $rounds rounds alternating (MiB) | min | median | max |"
echo "|---|---|---|---|"
echo "| curl long-poll loop (sh + curl), held | $(stats "$work/rss-peer") |"
echo "| labdrop agent daemon, idle a minute on the long-poll | $(stats "$work/rss-idle") |"
echo "| labdrop agent daemon, peak while a test runs | $(stats "$work/rss-running") |"
echo "| labdrop agent daemon, 10 s after the request finished | $(stats "$work/rss-after") |"
echo "| labdrop agent daemon, a minute after the request finished | $(stats "$work/rss-after-minute") |"
echo "daemons started afresh after their run (daemon.max-idle-mib): $(awk '{ s += $1 } END { print s }' "$work/afresh") of $rounds"
