# Debian packages the scripts need, installed when missing: CI starts from a clean machine, and what the
# project needs the project's own scripts install. As root with apt-get; otherwise the message says what to
# install. Sourced by ./avain and deploy/local/kafka.sh.
#   apt_install PACKAGE...      need COMMAND PACKAGE...  (installs PACKAGE... unless COMMAND is on the PATH)

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[avain] installing $* (apt)" >&2
    # Waits for another apt to finish (several checkouts may install at once on a fresh machine).
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null \
      && return 0
  fi
  echo "[avain] please install $* (Debian/Ubuntu: apt-get install $*)" >&2
  return 1
}

need() {
  local command=$1; shift
  command -v "$command" >/dev/null 2>&1 && return 0
  apt_install "$@" && command -v "$command" >/dev/null 2>&1 && return 0
  echo "[avain] $command is required" >&2
  exit 1
}
