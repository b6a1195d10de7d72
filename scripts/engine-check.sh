#!/usr/bin/env bash
# Checks what `./quokka serve` does about the engine (scripts/engine.sh), without the network, Maven or a server:
# the launcher and its scripts are copied into a temporary root with a stand-in `java` that prints the
# QUOKKA_LLAMA_DIR it was given, and npm is pointed at a registry that cannot answer.
#   1. offline first start, empty cache: falls back (QUOKKA_LLAMA_DIR unset) within the bound, says why once
#   2. a registry that accepts the connection and never answers: the same, bounded by the timeout
#   3. QUOKKA_ENGINE=b4916: npm is not run at all
#   4. the cache complete: QUOKKA_LLAMA_DIR is the cache directory; the launcher's time, with and without the step
# Prints the measured times; exit status 1 when a check fails.
#   scripts/engine-check.sh
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d)
server_pid=
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT

# A root holding only the launcher, its scripts and a built-looking jar (so nothing is built).
mkdir -p "$T/root/scripts" "$T/root/target/quarkus-app" "$T/jdk/bin"
cp "$SRC/quokka" "$T/root/"
cp "$SRC/scripts/env.sh" "$SRC/scripts/engine.sh" "$T/root/scripts/"
touch "$T/root/target/quarkus-app/quarkus-run.jar"
# A JDK 25 as env.sh sees it: a release file and a `java` that reports the engine directory instead of serving.
echo 'JAVA_VERSION="25"' >"$T/jdk/release"
printf '#!/bin/sh\necho "QUOKKA_LLAMA_DIR=${QUOKKA_LLAMA_DIR-unset}"\n' >"$T/jdk/bin/java"
cp "$T/jdk/bin/java" "$T/jdk/bin/javac"
chmod +x "$T/jdk/bin/java" "$T/jdk/bin/javac"

failed=0
check() { if eval "$2"; then echo "  ok: $1"; else echo "  FAILED: $1"; failed=1; fi; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# serve NAME [VAR=value...]: runs ./quokka serve in the temporary root, fresh cache per NAME; sets out, err, took.
serve() {
  local name=$1; shift
  mkdir -p "$T/$name/cache" "$T/$name/npm"
  local t0; t0=$(now)
  env -u QUOKKA_LLAMA_DIR -u QUOKKA_ENGINE -u QUOKKA_NPM_TIMEOUT JAVA_HOME="$T/jdk" QUOKKA_AOT=false \
    XDG_CACHE_HOME="$T/$name/cache" npm_config_cache="$T/$name/npm" "$@" \
    "$T/root/quokka" serve >"$T/$name/out" 2>"$T/$name/err" || true
  took=$(secs "$t0" "$(now)")
  out=$(cat "$T/$name/out"); err=$(cat "$T/$name/err")
}

echo "1. offline first start (npm_config_registry=http://127.0.0.1:9/, connection refused), empty cache"
serve refused npm_config_registry=http://127.0.0.1:9/
echo "$err" | sed 's/^/     | /'
echo "  took ${took}s"
check "falls back to b4916 (QUOKKA_LLAMA_DIR unset)" '[ "$out" = QUOKKA_LLAMA_DIR=unset ]'
check "says why, once" '[ "$(grep -c "falls back to llama.cpp b4916" <<<"$err")" = 1 ]'
check "within 15 s" 'awk -v t="$took" "BEGIN { exit !(t < 15) }"'

echo "2. a registry that accepts connections and never answers, empty cache"
if command -v python3 >/dev/null 2>&1; then
  python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$T/port" &
  server_pid=$!
  for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
  serve silent npm_config_registry="http://127.0.0.1:$(cat "$T/port")/"
  echo "$err" | sed 's/^/     | /'
  echo "  took ${took}s"
  check "falls back to b4916 (QUOKKA_LLAMA_DIR unset)" '[ "$out" = QUOKKA_LLAMA_DIR=unset ]'
  check "says why, once" '[ "$(grep -c "falls back to llama.cpp b4916" <<<"$err")" = 1 ]'
  check "within 15 s" 'awk -v t="$took" "BEGIN { exit !(t < 15) }"'
  kill "$server_pid" 2>/dev/null || true; server_pid=
else
  echo "  skipped: no python3 for the silent registry"
fi

echo "3. QUOKKA_ENGINE=b4916"
printf '#!/bin/sh\necho called >"%s"\nexit 1\n' "$T/npm-called" >"$T/fake-npm"; chmod +x "$T/fake-npm"
serve b4916 QUOKKA_ENGINE=b4916 QUOKKA_NPM="$T/fake-npm"
echo "  took ${took}s"
check "npm not run" '[ ! -e "$T/npm-called" ]'
check "QUOKKA_LLAMA_DIR unset" '[ "$out" = QUOKKA_LLAMA_DIR=unset ]'
check "nothing said" '[ -z "$err" ]'

echo "4. cache complete (a stamp as engine.sh writes it, stand-in libraries), npm unreachable"
case "$(uname -m)" in
  x86_64) platform=linux-x64; var=INTEGRITY_LINUX_X64 ;;
  aarch64|arm64) platform=linux-arm64; var=INTEGRITY_LINUX_ARM64 ;;
  *) echo "  skipped: no engine for $(uname -m)"; exit "$failed" ;;
esac
dest="$T/warm/cache/quokka/llama.cpp/v0.5.0/$platform"
mkdir -p "$dest"
touch "$dest/libllama.v0.5.0.so" "$dest/libggml.v0.5.0.so" "$dest/libggml-base.so" "$dest/libggml-cpu-x.so"
sed -n "s/^$var='\\(.*\\)'\$/\\1/p" "$SRC/scripts/engine.sh" >"$dest/.quokka-complete"
best_with=99; best_without=99
for _ in 1 2 3 4 5; do
  serve warm npm_config_registry=http://127.0.0.1:9/ QUOKKA_NPM="$T/fake-npm"
  best_with=$(awk -v a="$best_with" -v b="$took" 'BEGIN { print (b < a ? b : a) }')
  warm_out=$out; warm_err=$err
  serve warm QUOKKA_ENGINE=b4916
  best_without=$(awk -v a="$best_without" -v b="$took" 'BEGIN { print (b < a ? b : a) }')
done
echo "  launcher up to exec java, best of 5: ${best_with}s with the engine step, ${best_without}s without (QUOKKA_ENGINE=b4916)"
check "QUOKKA_LLAMA_DIR is the cache directory" '[ "$warm_out" = "QUOKKA_LLAMA_DIR=$dest" ]'
check "npm not run" '[ ! -e "$T/npm-called" ]'
check "nothing said" '[ -z "$warm_err" ]'
check "the step costs under 0.1 s" 'awk -v a="$best_with" -v b="$best_without" "BEGIN { exit !(a - b < 0.1) }"'
exit "$failed"
