#!/usr/bin/env bash
# Fetches Kafka's performance tools (kafka-tools 4.1.1 and its runtime dependencies) from Maven Central once,
# into the git-ignored cache beside the broker's jars, and prints the classpath.
#   bench/kafka-tools.sh fetch|classpath
# Settings: AVAIN_CACHE_DIR (.cache)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIBS=${AVAIN_CACHE_DIR:-$ROOT/.cache}/kafka-tools/libs

fetch() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { echo "[kafka-tools] maven is required" >&2; exit 1; }
  echo "[kafka-tools] fetching kafka-tools from Maven Central into $LIBS" >&2
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/bench/kafka-tools-pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  ls "$LIBS"/kafka-tools-*.jar >/dev/null
  touch "$LIBS/.complete"
}

case "${1:-}" in
  fetch) fetch ;;
  classpath) fetch; echo "$LIBS/*" ;;
  *) echo "usage: $0 fetch|classpath" >&2; exit 2 ;;
esac
