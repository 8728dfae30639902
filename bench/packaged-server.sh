# Sourced by the benches that run labdrop as packaged (cli-bench.sh, once-bench.sh): builds the
# jar, makes $work (/var/tmp/labdrop-$bench_name.XXXXXX, removed on exit), builds the start-up archives
# into it, and starts a server (H2, loopback ports $http and $ssh, configuration in
# $LABDROP_CONF) whose process id is $server, killed on exit. Usage: bench_name=NAME . bench/packaged-server.sh
mvn -B -q package -DskipTests -Djdeb.skip=true -Dassembly.skipAssembly=true >/dev/null
work=$(mktemp -d "/var/tmp/labdrop-$bench_name.XXXXXX")
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http=$(free_port)
ssh=$(free_port)
printf 'state.dir = %s/state\nhttp.host = 127.0.0.1\nhttp.port = %s\nssh.port = %s\n' "$work" "$http" "$ssh" > "$work/server.conf"
export LABDROP_CONF="$work/server.conf"
echo "building the start-up archives..." >&2
appliance/cli-archive "$PWD/target/labdrop.jar" "$work/cli.jsa"
java -jar target/labdrop.jar server >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$http/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "http://127.0.0.1:$http/readyz" >/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
