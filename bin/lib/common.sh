# Shared by bin/ingot, bin/test and bench/run: find JDK 25 and build the project when needed.
# shellcheck shell=bash

INGOT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export INGOT_ROOT

# Prints the JAVA_HOME of a JDK 25 or newer: $JAVA_HOME if it is one, else /usr/lib/jvm/*25*.
find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*-2[6-9]* /usr/lib/jvm/*-3[0-9]*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$version" ] && [ "${version%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "ingot: JDK 25 or newer not found. Set JAVA_HOME to a JDK 25 (e.g. Temurin 25) or install one under /usr/lib/jvm." >&2
  return 1
}

# Runs Maven with JDK 25, quietly, without download progress noise.
run_maven() {
  JAVA_HOME="$(find_jdk)" || return 1
  export JAVA_HOME
  if ! command -v mvn >/dev/null 2>&1; then
    echo "ingot: Maven (mvn) not found on PATH; install Apache Maven 3.8 or newer." >&2
    return 1
  fi
  (cd "$INGOT_ROOT" && mvn -B -ntp -Dstyle.color=never "$@")
}

# The JVM flags every engine process needs.
INGOT_JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC)
