#!/usr/bin/env bash
# Gets the current llama.cpp engine (release v0.5.0) as prebuilt shared libraries, once, into Quokka's cache.
#
#   scripts/engine.sh [lib]   prints the directory holding libllama.v0.5.0.so, libggml.v0.5.0.so, libggml-base.so
#                             and the libggml-cpu-<arch>.so backends (the runner loads them from there)
#   scripts/engine.sh headers prints a directory holding include/llama.h and ggml/include/*.h of the same release
#                             (for the layout test; needs a larger download, so only on request)
#   scripts/engine.sh sources prints a directory holding the release's whole source tree (same download as headers;
#                             scripts/llama-server.sh builds the benchmark's peer llama-server from it)
#
# Where it comes from: npm's package @node-llama-cpp/linux-<arch>@3.22.1 (bins/linux-<arch>/), fetched with
# `npm pack` from npm's configured registry, checked against the sha512 integrity recorded below before anything
# is unpacked. Headers: llama/gitRelease.bundle inside node-llama-cpp@3.22.1, a git bundle of llama.cpp v0.5.0.
#
# Exit status: 0 and the directory on stdout; 2 when the current engine is not wanted (QUOKKA_ENGINE=b4916);
# 1 when it could not be obtained (no npm, offline, integrity mismatch...), with the reason on stderr. The caller
# then falls back to llama.cpp b4916 bundled in de.kherud:llama. Nothing but the directory goes to stdout.
#
# Environment: QUOKKA_LLAMA_DIR names another build of the same release (checked, then printed as is);
# QUOKKA_ENGINE=b4916 asks for the bundled engine; XDG_CACHE_HOME moves the cache; QUOKKA_NPM names the npm to use;
# QUOKKA_NPM_TIMEOUT bounds the download in seconds (default 300); QUOKKA_ENGINE_PLATFORM=linux-x64|linux-arm64
# fetches another platform's build than this machine's (image builds).
set -euo pipefail

RELEASE=v0.5.0
PKG_VERSION=3.22.1
# dist.integrity of each package at $PKG_VERSION, as npm's registry publishes it (`npm view <pkg>@<v> dist.integrity`).
# Both were checked against their downloaded tarballs (the arm64 one holds the same files with armv8/armv9 CPU
# backends; it has not been run on an arm64 machine yet).
INTEGRITY_LINUX_X64='sha512-5uCCDNqWCNfaAm8aR/Uzxbo4HBpKgNF91kCHPepKhgMgV2OAmatoefbOlMihsqCiH2Od35E/eUHQCFbfRBJuOg=='
INTEGRITY_LINUX_ARM64='sha512-W+7naKCXX9/eEjjFmRS8vvx91QyLXDbeFxexZc3bh/PtQABZgmRL3C0AtYYXn4YGTj/3Qor4lWZn2tpjZFPLdQ=='
INTEGRITY_SOURCES='sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw=='
# Commit the bundle's HEAD must be (llama/llama.cpp.info.json says tag v0.5.0).
SOURCES_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6
# Seconds the whole `npm pack` may take (./quokka serve and bench pass 12: an offline first start must not wait).
NPM_TIMEOUT=${QUOKKA_NPM_TIMEOUT:-300}
[[ $NPM_TIMEOUT =~ ^[1-9][0-9]*$ ]] || NPM_TIMEOUT=300

say() { echo "quokka engine: $*" >&2; }
fail() { say "$*"; say "the current llama.cpp ($RELEASE) is not available; Quokka falls back to llama.cpp b4916 (bundled in de.kherud:llama)."; say "to get it: install Node.js with npm and make its registry reachable, or set QUOKKA_LLAMA_DIR to a directory holding libllama.$RELEASE.so and libggml*.so of release $RELEASE."; exit 1; }

what=${1:-lib}
case "$what" in
  lib|headers|sources) ;;
  *) echo "usage: $0 [lib|headers|sources]" >&2; exit 64 ;;
esac

if [ "$what" = lib ] && [ "${QUOKKA_ENGINE:-}" = b4916 ]; then
  say "QUOKKA_ENGINE=b4916: using the bundled llama.cpp b4916"
  exit 2
fi

has_libs() { [ -f "$1/libllama.$RELEASE.so" ] && [ -f "$1/libggml.$RELEASE.so" ] && [ -f "$1/libggml-base.so" ] \
  && compgen -G "$1/libggml-cpu-*.so" >/dev/null; }

if [ "$what" = lib ] && [ -n "${QUOKKA_LLAMA_DIR:-}" ]; then
  has_libs "$QUOKKA_LLAMA_DIR" || fail "QUOKKA_LLAMA_DIR=$QUOKKA_LLAMA_DIR holds no libllama.$RELEASE.so, libggml.$RELEASE.so, libggml-base.so and libggml-cpu-*.so"
  (cd "$QUOKKA_LLAMA_DIR" && pwd)
  exit 0
fi

# This machine's platform (bash's own OSTYPE/HOSTTYPE: no uname to start, this path runs on every `serve`), or
# the one QUOKKA_ENGINE_PLATFORM names (an image built for another architecture).
case "${QUOKKA_ENGINE_PLATFORM:-$OSTYPE/$HOSTTYPE}" in
  linux*/x86_64|linux-x64) PLATFORM=linux-x64; INTEGRITY=$INTEGRITY_LINUX_X64 ;;
  linux*/aarch64|linux*/arm64|linux-arm64) PLATFORM=linux-arm64; INTEGRITY=$INTEGRITY_LINUX_ARM64 ;;
  *) fail "no prebuilt llama.cpp $RELEASE is recorded for ${QUOKKA_ENGINE_PLATFORM:-$OSTYPE/$HOSTTYPE}" ;;
esac

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/quokka/llama.cpp/$RELEASE"
case "$what" in
  lib) DEST="$CACHE/$PLATFORM"; WANT=$INTEGRITY ;;
  headers) DEST="$CACHE/headers"; WANT=$INTEGRITY_SOURCES ;;
  sources) DEST="$CACHE/sources"; WANT=$INTEGRITY_SOURCES ;;
esac
STAMP="$DEST/.quokka-complete"

# Already unpacked (the stamp is written last and names what was verified). Read without starting a process.
if [ -f "$STAMP" ] && IFS= read -r stamp <"$STAMP" && [ "$stamp" = "$WANT" ]; then
  echo "$DEST"
  exit 0
fi

NPM=${QUOKKA_NPM:-npm}
command -v "$NPM" >/dev/null 2>&1 || fail "npm not found (needed once to fetch the prebuilt engine)"
command -v tar >/dev/null 2>&1 || fail "tar not found"

sri_sha512() {
  if command -v openssl >/dev/null 2>&1; then
    printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n')"
  elif command -v node >/dev/null 2>&1; then
    # npm's own runtime (slim images have neither openssl nor xxd)
    node -e 'const c = require("crypto"), fs = require("fs");
      process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
  else
    printf 'sha512-%s' "$(sha512sum "$1" | cut -d' ' -f1 | xxd -r -p | base64 | tr -d '\n')"
  fi
}

mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/.fetch-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# npm pack <spec> into $WORK/pack; prints the tarball's path. npm may wait long when offline (its defaults: 2
# retries 10-60 s apart, 5 min per request), so its retries are few and short, each request is bounded, and the
# whole call is bounded by QUOKKA_NPM_TIMEOUT seconds (./quokka serve passes a short one).
pack() {
  local spec=$1 out rc=0
  mkdir -p "$WORK/pack"
  local fetch_ms=$(( (NPM_TIMEOUT < 60 ? NPM_TIMEOUT : 60) * 1000 ))
  # run in the work dir, so that no package.json or project .npmrc of the caller's directory plays a part
  local run=("$NPM" pack "$spec" --pack-destination "$WORK/pack" --loglevel=error
    --fetch-retries=1 --fetch-retry-mintimeout=1000 --fetch-retry-maxtimeout=3000 --fetch-timeout="$fetch_ms")
  command -v timeout >/dev/null 2>&1 && run=(timeout -k 2 "$NPM_TIMEOUT" "${run[@]}")
  out=$(cd "$WORK" && "${run[@]}" 2>"$WORK/npm.err") || rc=$?
  if [ "$rc" -ne 0 ]; then
    # npm's reason (its error code and the failed request), not its stack trace
    local why
    why=$({ grep -m1 '^npm error code' "$WORK/npm.err" || true; grep -m1 -E 'reason:| - GET |[Tt]imeout' "$WORK/npm.err" || true; })
    [ -n "$why" ] || why=$(tail -n 2 "$WORK/npm.err")
    [ -z "$why" ] || printf '%s\n' "$why" | sed -e 's/^npm error /  npm: /' -e 's/^\([^ ]\)/  npm: \1/' >&2
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] \
      && fail "npm pack $spec did not finish within ${NPM_TIMEOUT}s (offline or a slow network? QUOKKA_NPM_TIMEOUT=<seconds> allows longer; scripts/engine.sh alone allows 300)"
    fail "npm pack $spec failed (exit status $rc)"
  fi
  local file
  file=$(find "$WORK/pack" -maxdepth 1 -name '*.tgz' | head -n1)
  [ -n "$file" ] || fail "npm pack $spec produced no tarball (npm said: ${out:-nothing})"
  local got
  got=$(sri_sha512 "$file")
  [ "$got" = "$2" ] || fail "integrity mismatch for $spec: expected $2, got $got (tarball rejected, nothing unpacked)"
  echo "$file"
}

# Moves the finished directory into place atomically; a concurrent fetch that won the race is kept.
install_dir() {
  local staged=$1
  # another fetch finished meanwhile: keep its directory (runners may already have loaded from it)
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then return 0; fi
  echo "$WANT" >"$staged/.quokka-complete"
  rm -rf "$DEST.old"
  [ -d "$DEST" ] && mv "$DEST" "$DEST.old" 2>/dev/null || true
  if ! mv -T "$staged" "$DEST" 2>/dev/null; then
    [ -f "$STAMP" ] || fail "cannot move the unpacked engine into $DEST"
  fi
  rm -rf "$DEST.old"
}

if [ "$what" = lib ]; then
  say "fetching llama.cpp $RELEASE prebuilt for $PLATFORM (npm pack @node-llama-cpp/$PLATFORM@$PKG_VERSION, once)"
  tgz=$(pack "@node-llama-cpp/$PLATFORM@$PKG_VERSION" "$INTEGRITY")
  mkdir -p "$WORK/x"
  tar -xzf "$tgz" -C "$WORK/x" "package/bins/$PLATFORM" || fail "cannot unpack $tgz"
  staged="$WORK/x/package/bins/$PLATFORM"
  has_libs "$staged" || fail "the package holds no libllama.$RELEASE.so/libggml*.so in bins/$PLATFORM"
  # node's own binding is not needed by Quokka
  rm -f "$staged/llama-addon.node"
  install_dir "$staged"
else
  command -v git >/dev/null 2>&1 || fail "git not found (needed to read the headers out of the release's git bundle)"
  say "fetching llama.cpp $RELEASE $what (npm pack node-llama-cpp@$PKG_VERSION, once)"
  tgz=$(pack "node-llama-cpp@$PKG_VERSION" "$INTEGRITY_SOURCES")
  tar -xzf "$tgz" -C "$WORK" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json \
    || fail "the package holds no llama/gitRelease.bundle"
  grep -q "\"$RELEASE\"" "$WORK/package/llama/llama.cpp.info.json" \
    || fail "the bundle is not release $RELEASE: $(tr -d '\n ' <"$WORK/package/llama/llama.cpp.info.json")"
  git init -q --bare "$WORK/repo"
  git -C "$WORK/repo" fetch -q "$WORK/package/llama/gitRelease.bundle" HEAD || fail "cannot read the git bundle"
  head=$(git -C "$WORK/repo" rev-parse FETCH_HEAD)
  [ "$head" = "$SOURCES_COMMIT" ] || fail "the bundle's HEAD is $head, expected $SOURCES_COMMIT"
  mkdir -p "$WORK/h"
  paths=(include ggml/include LICENSE)
  [ "$what" = sources ] && paths=()
  git -C "$WORK/repo" archive FETCH_HEAD "${paths[@]}" | tar -x -C "$WORK/h" \
    || fail "cannot extract the $what from the bundle"
  [ -f "$WORK/h/include/llama.h" ] && [ -f "$WORK/h/ggml/include/ggml.h" ] || fail "the bundle has no include/llama.h"
  echo "$head" >"$WORK/h/COMMIT"
  install_dir "$WORK/h"
fi
say "llama.cpp $RELEASE ($what) ready in $DEST"
echo "$DEST"
