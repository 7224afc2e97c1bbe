# Sourced on line 1 of the README tour's script (tests/tour/readme.py): the tour's commands run after it in
# one bash session, with the README's own line numbers. TOUR_DIR is a folder of the test's.
#
# Every curl goes through the function below, which reads the HTTP status from the response headers:
# - a status other than 2xx stops the tour (curl returns 22), unless the README line says "# expect NNN",
#   which the script builder turns into `tour_expect NNN;` for the next curl (a file: $(...) is a subshell);
# - a curl that checks its own status (-f, --fail) is left to the caller, e.g. wait_for's polling.
set -euo pipefail

tour_expect() { echo "$1" > "$TOUR_DIR/expect"; }

curl() {
  local expect=2xx own_check=0 rc=0 arg status url="" headers
  if [ -f "$TOUR_DIR/expect" ]; then expect=$(cat "$TOUR_DIR/expect"); rm -f "$TOUR_DIR/expect"; fi
  for arg in "$@"; do
    case $arg in
      --fail | --fail-with-body) own_check=1 ;;
      --*) ;;
      -*) [[ $arg =~ ^-[a-zA-Z]*f[a-zA-Z]*$ ]] && own_check=1 ;;
      http://* | https://*) url=$arg ;;
    esac
  done
  headers=$(mktemp "$TOUR_DIR/headers.XXXXXX")
  command curl -D "$headers" "$@" || rc=$?
  status=$(awk 'toupper($1) ~ /^HTTP\// {code = $2} END {print code}' "$headers")
  rm -f "$headers"
  printf '%s\t%s\t%s\t%s\t%s\n' "${BASH_LINENO[0]}" "${status:-none}" "$expect" "$own_check" "$url" >> "$TOUR_DIR/calls"
  if [ "$rc" != 0 ] || [ "$own_check" = 1 ]; then return "$rc"; fi
  if { [ "$expect" = 2xx ] && [[ $status != 2?? ]]; } || { [ "$expect" != 2xx ] && [ "$status" != "$expect" ]; }; then
    echo "tour: README line ${BASH_LINENO[0]}: HTTP $status from $url, expected $expect" >&2
    return 22
  fi
}
