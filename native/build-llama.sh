#!/usr/bin/env bash
# Builds libjllama.so from java-llama.cpp v4.2.0 (llama.cpp b4916: the same C API Quokka binds) for a CPU the bundled
# library does not serve (it needs AVX2/FMA/F16C on x86_64), then checks that Quokka can use it:
#   native/build-llama.sh                          # for this machine's CPU (GGML_NATIVE)
#   native/build-llama.sh -DGGML_NATIVE=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF   # e.g. pre-AVX2 x86_64
# Needs git, cmake, a C++ compiler and a JDK (jni.h). Point Quokka at the result:
#   QUOKKA_LLAMA_LIBRARY=<printed path> ./quokka serve      (or the native binary / the container's env)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/target/llama-build}
SRC="$OUT/java-llama.cpp"
case "$(uname -m)" in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=aarch64 ;; *) ARCH=$(uname -m) ;; esac
. "$ROOT/scripts/env.sh"

[ -d "$SRC" ] || git clone --depth 1 --branch v4.2.0 https://github.com/kherud/java-llama.cpp.git "$SRC"
cmake -S "$SRC" -B "$OUT/cmake" -DCMAKE_BUILD_TYPE=Release -DOS_NAME=Linux -DOS_ARCH="$ARCH" -DGGML_NATIVE=ON "$@"
cmake --build "$OUT/cmake" --config Release -j "$(nproc)"
LIB=$(find "$SRC/src/main/resources/de/kherud/llama/Linux/$ARCH" -name libjllama.so | head -n1)
[ -n "$LIB" ] || { echo "build-llama: no libjllama.so was produced" >&2; exit 1; }

# The same check the native image build runs: every llama.cpp symbol and foreign call Quokka binds.
"$ROOT/quokka" build >/dev/null
QUOKKA_LLAMA_LIBRARY="$LIB" java --enable-native-access=ALL-UNNAMED -jar "$ROOT/target/quarkus-app/quarkus-run.jar" native-check
echo "QUOKKA_LLAMA_LIBRARY=$LIB"
