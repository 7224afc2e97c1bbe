#!/usr/bin/env bash
# veraPDF (PDF/A and PDF/UA validation) from Maven Central into a git-ignored cache, and a way to run it.
#   verapdf.sh fetch                      the jars, once (./avain test calls this)
#   verapdf.sh [veraPDF options] FILE...  validate, e.g. --flavour 3b --format text letter.pdf
# Settings: AVAIN_CACHE_DIR (.cache)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIBS=${AVAIN_CACHE_DIR:-$ROOT/.cache}/verapdf/libs

# shellcheck source=deploy/local/packages.sh
. "$ROOT/deploy/local/packages.sh"  # need: java and maven on a clean machine

log() { echo "[verapdf] $*" >&2; }

fetch() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  need java openjdk-17-jre-headless
  need mvn maven
  log "fetching veraPDF from Maven Central into $LIBS"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/tools/verapdf/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIBS"
  ls "$LIBS"/greenfield-apps-*.jar >/dev/null
  touch "$LIBS/.complete"
}

case "${1:-}" in
  fetch) fetch ;;
  "" | -h | --help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) fetch; exec java -Xss4m -cp "$LIBS/*" org.verapdf.apps.GreenfieldCliWrapper "$@" ;;
esac
