#!/usr/bin/env bash
# JVM-mode start-up benchmark: process start -> first GET / response, and idle RSS with no model,
# plain JVM vs the lean flags vs AOT cache + lean flags (alternating runs, medians).
#   bench/startup.sh            (RUNS=5 IDLE=5 by default; builds and trains the AOT cache if needed)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/quokka" build-aot >&2
. "$ROOT/scripts/env.sh"
exec python3 "$ROOT/bench/startup.py" "$ROOT/target/quarkus-app/quarkus-run.jar" "$ROOT/target/quarkus-app/app.aot" \
    "$("$ROOT/quokka" jvm-opts)"
