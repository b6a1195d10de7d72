# Sourced by ./quokka and the bench scripts: finds JDK 25 (exports JAVA_HOME) and defines require_mvn, which finds
# a Maven 3.9 (bootstrapped from Maven Central by the system Maven when absent) and exports MVN. Only what builds
# calls require_mvn: asking a Maven its version starts a JVM, which `serve` and the client commands need not wait for.
QUOKKA_ROOT=${QUOKKA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MAVEN_VERSION=3.9.16

# A JDK's major version from its release file (instant), else from asking it (starts a JVM).
java_major() {
  local v
  v=$(sed -nE 's/^JAVA_VERSION="([0-9]+).*/\1/p' "$1/release" 2>/dev/null)
  [ -n "$v" ] || v=$("$1/bin/java" -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n1)
  echo "$v"
}

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
    echo "$JAVA_HOME"; return
  fi
  for dir in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$dir/bin/javac" ] && [ "$(java_major "$dir")" -ge 25 ] 2>/dev/null; then echo "$dir"; return; fi
  done
  return 1
}

JAVA_HOME=$(find_jdk25) || { echo "quokka: needs a JDK 25 (none found under /usr/lib/jvm; set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

bootstrap_maven() {
  local tools="${XDG_CACHE_HOME:-$HOME/.cache}/quokka"
  local home="$tools/apache-maven-$MAVEN_VERSION"
  if [ ! -x "$home/bin/mvn" ]; then
    command -v mvn >/dev/null || { echo "quokka: needs a system Maven to bootstrap Maven $MAVEN_VERSION" >&2; exit 1; }
    echo "quokka: bootstrapping Maven $MAVEN_VERSION" >&2
    mkdir -p "$tools"
    mvn -q -B dependency:copy -Dartifact="org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" \
        -DoutputDirectory="$tools" >&2
    tar -xzf "$tools/apache-maven-$MAVEN_VERSION-bin.tar.gz" -C "$tools"
    rm -f "$tools/apache-maven-$MAVEN_VERSION-bin.tar.gz"
  fi
  echo "$home/bin/mvn"
}

require_mvn() {
  if [ -n "${MVN:-}" ] && "$MVN" -v 2>/dev/null | grep -qE 'Apache Maven 3\.(9|[1-9][0-9])'; then
    :
  elif command -v mvn >/dev/null && mvn -v 2>/dev/null | grep -qE 'Apache Maven 3\.(9|[1-9][0-9])'; then
    MVN=$(command -v mvn)
  else
    MVN=$(bootstrap_maven)
  fi
  export MVN
}
