#!/usr/bin/env bash
# Creates a JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) for the server:
#   scripts/aot-train.sh APP_JAR CACHE_FILE [JVM options...]
# A training run starts the server on a free loopback port with an empty private store, answers a few polls
# (/, /api/version, /api/tags, /api/ps, the probes), then stops; the JVM writes the cache as it exits. Pass the
# same JVM options the server will run with (the GC in particular). The cache is tied to the exact JDK build that
# made it and to the jar's path: `java -XX:AOTCache=CACHE_FILE <same options> -jar APP_JAR` then starts faster.
# Needs only bash (HTTP over /dev/tcp), so it also runs in a slim JRE image.
set -euo pipefail
app=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cache=$2
shift 2
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
log="$work/server.log"

env -u OLLAMA_PRELOAD_MODELS OLLAMA_HOST=127.0.0.1:0 OLLAMA_MODELS="$work/models" QUOKKA_PRELOAD_FILE="$work/none" \
    QUOKKA_ALIASES_FILE="$work/none" QUOKKA_WORK_DIR="$work/work" QUOKKA_TOY_DEFAULT=false \
    java "$@" -XX:AOTCacheOutput="$cache.tmp" -jar "$app" serve >"$log" 2>&1 &
pid=$!

port=
for _ in $(seq 1 1200); do
  port=$(sed -nE 's#.*Listening on: http://[^ ]*:([0-9]+).*#\1#p' "$log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "aot-train: the training server exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "aot-train: the training server did not start" >&2; cat "$log" >&2; exit 1; }

get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
  cat <&3 >/dev/null
  exec 3<&-
}
for _ in 1 2 3; do
  for path in / /api/version /api/tags /api/ps /q/health/ready /q/health/live /q/health/started; do get "$path"; done
done

kill -TERM "$pid"
wait "$pid" || true
pid=
[ -s "$cache.tmp" ] || { echo "aot-train: no AOT cache was written" >&2; cat "$log" >&2; exit 1; }
mv "$cache.tmp" "$cache"
