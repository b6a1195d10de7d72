#!/usr/bin/env bash
# Builds llama-server of the engine's release (v0.5.0), once, for the benchmark's peer (`./quokka bench --peer PATH`),
# and prints the binary's path; later calls just print it.
#
# Sources: `scripts/engine.sh sources` (the release's git bundle inside node-llama-cpp, checked against the integrity
# recorded there). Build: cmake, Release, static libraries, no curl, tuned for this CPU (GGML_NATIVE), the
# llama-server target only, under `nice -n 19` with 2 jobs (JOBS overrides): ~7-10 minutes on 2 cores.
# The binary goes next to the engine: ~/.cache/quokka/llama.cpp/v0.5.0/llama-server/bin/llama-server.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RELEASE=v0.5.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/quokka/llama.cpp/$RELEASE"
OUT="$CACHE/llama-server"
BIN="$OUT/bin/llama-server"
say() { echo "quokka llama-server: $*" >&2; }

if [ -x "$BIN" ] && [ -f "$OUT/.quokka-complete" ]; then
  echo "$BIN"
  exit 0
fi
command -v cmake >/dev/null 2>&1 || { say "cmake not found"; exit 1; }
SRC=$("$ROOT/scripts/engine.sh" sources) || { say "the $RELEASE sources are not available"; exit 1; }
say "building llama-server $RELEASE from $SRC into $OUT (nice -n 19, -j${JOBS:-2}; ~10 minutes)"
BUILD="$OUT/build"
nice -n 19 cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
nice -n 19 cmake --build "$BUILD" --config Release --target llama-server -j "${JOBS:-2}" >&2
mkdir -p "$OUT/bin"
cp "$BUILD/bin/llama-server" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
cat "$SRC/COMMIT" >"$OUT/.quokka-complete"
say "built $BIN"
echo "$BIN"
