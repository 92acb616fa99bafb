#!/bin/sh
# Installs Berth on a Debian or Ubuntu server:
#   curl -fsSL https://.../install.sh | sh
#   curl -fsSL https://.../install.sh | sh -s -- --uninstall [--purge]
# Running it again upgrades in place and changes nothing that is already as it should be.
#
# Settings (environment):
#   BERTH_DOWNLOAD_URL    folder of one release: berth-linux-x64, berth-linux-arm64, SHA256SUMS
#   BERTH_VERSION         pin a version (ignored when BERTH_DOWNLOAD_URL is set)
#   BERTH_INSTALL_DOCKER  yes|no: install Docker from the distribution's packages if missing
#                         (asked on a terminal when unset)
#   BERTH_*               any other setting of `berth serve` (BERTH_DOMAIN, BERTH_EDGE_LISTEN, ...)
#                         goes into /etc/berth/berth.env
#
# The whole script is functions until the last line, so a download cut short runs nothing.
set -eu

RELEASES="https://github.com/berth-platform/berth/releases"
BIN=/usr/local/bin/berth
DATA_DIR=/var/lib/berth
CONF_DIR=/etc/berth
ENV_FILE=$CONF_DIR/berth.env
UNIT_DIR=/etc/systemd/system
SYSCTL_FILE=/etc/sysctl.d/60-berth.conf
# The CLI of root finds the local API through what serve records here.
ROOT_CONFIG=/root/.config/berth
# The installer's own variables and the CLI's (a token must not land in a file), never passed on to berth.env.
OWN_SETTINGS="BERTH_DOWNLOAD_URL BERTH_VERSION BERTH_INSTALL_DOCKER BERTH_PURGE BERTH_URL BERTH_TOKEN"

say() { printf 'berth-install: %s\n' "$*"; }
fail() {
  printf 'berth-install: error: %s\n' "$*" >&2
  exit 1
}

TMP=""
cleanup() { if [ -n "$TMP" ]; then rm -rf "$TMP"; fi; }

# A terminal to ask on even when the script itself comes from a pipe.
has_tty() { [ -t 1 ] && { : </dev/tty; } 2>/dev/null; }

ask() {
  printf '%s' "$1" >/dev/tty
  read -r answer </dev/tty || answer=""
  printf '%s' "$answer"
}

check_system() {
  [ "$(id -u)" -eq 0 ] || fail "run as root (curl -fsSL .../install.sh | sudo sh)"
  [ -r /etc/os-release ] || fail "cannot tell the operating system: /etc/os-release is missing"
  # shellcheck source=/dev/null
  os_id=$(. /etc/os-release && printf '%s %s' "${ID:-}" "${ID_LIKE:-}")
  case " $os_id " in
    *" debian "* | *" ubuntu "*) ;;
    *) fail "this installer supports Debian and Ubuntu; found: $os_id. Install the release binary by hand (docs/install.md)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) ARCH=x64 ;;
    aarch64 | arm64) ARCH=arm64 ;;
    *) fail "no Berth release for the $(uname -m) architecture (x86-64 and arm64 only)" ;;
  esac
  command -v systemctl >/dev/null 2>&1 || fail "systemd is required (systemctl not found)"
}

download_url() {
  if [ -n "${BERTH_DOWNLOAD_URL:-}" ]; then
    printf '%s' "${BERTH_DOWNLOAD_URL%/}"
  elif [ -n "${BERTH_VERSION:-}" ]; then
    printf '%s/download/v%s' "$RELEASES" "${BERTH_VERSION#v}"
  else
    printf '%s/latest/download' "$RELEASES"
  fi
}

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1" || fail "download failed: $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "download failed: $1"
  else
    fail "curl or wget is needed to download Berth"
  fi
}

# Downloads the binary for this architecture into $TMP and checks it against SHA256SUMS.
download_binary() {
  base=$(download_url)
  name="berth-linux-$ARCH"
  say "downloading $name from $base"
  fetch "$base/SHA256SUMS" "$TMP/SHA256SUMS"
  fetch "$base/$name" "$TMP/$name"
  expected=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$TMP/SHA256SUMS")
  [ -n "$expected" ] || fail "SHA256SUMS at $base lists no $name"
  actual=$(sha256sum "$TMP/$name" | awk '{ print $1 }')
  [ "$expected" = "$actual" ] || fail "checksum mismatch for $name (expected $expected, got $actual): nothing was installed"
  chmod 0755 "$TMP/$name"
  "$TMP/$name" --version >/dev/null 2>&1 || fail "the downloaded $name does not run on this machine"
}

CHANGED_BIN=no
install_binary() {
  if [ -f "$BIN" ] && cmp -s "$TMP/berth-linux-$ARCH" "$BIN"; then
    say "$BIN is up to date ($("$BIN" --version))"
    return
  fi
  # Renamed into place: a running berth keeps its old file, and nobody sees half a binary.
  cp "$TMP/berth-linux-$ARCH" "$BIN.new"
  chmod 0755 "$BIN.new"
  mv -f "$BIN.new" "$BIN"
  CHANGED_BIN=yes
  say "installed $BIN ($("$BIN" --version))"
}

docker_present() { [ -S /var/run/docker.sock ] || command -v dockerd >/dev/null 2>&1; }

ensure_docker() {
  if [ ! -S /var/run/docker.sock ] && command -v dockerd >/dev/null 2>&1; then
    # Installed but not running: start it rather than install it again.
    systemctl enable --now docker.service >/dev/null 2>&1 || say "dockerd is installed but docker.service did not start: see systemctl status docker"
  fi
  if docker_present; then return; fi
  choice=${BERTH_INSTALL_DOCKER:-}
  if [ -z "$choice" ]; then
    if has_tty; then
      choice=$(ask "Docker is not installed. Install it from the distribution's packages (docker.io)? [Y/n] ")
      case "$choice" in [nN]*) choice=no ;; *) choice=yes ;; esac
    else
      fail "Docker is not installed: set BERTH_INSTALL_DOCKER=yes to install it from the distribution's packages, or install it yourself first"
    fi
  fi
  case "$choice" in
    yes) ;;
    no) fail "Docker is not installed and BERTH_INSTALL_DOCKER=no: install it, then run this again" ;;
    *) fail "BERTH_INSTALL_DOCKER must be yes or no, not $choice" ;;
  esac
  say "installing docker.io from the distribution's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  systemctl enable --now docker.service
}

# Replaces $2 with $1 when they differ; prints "changed" when it did.
put_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    rm -f "$1"
    return
  fi
  chmod "$3" "$1"
  mv -f "$1" "$2"
  printf 'changed'
}

# The settings passed to the installer, over the file's current values, over the defaults.
write_env() {
  mkdir -p "$CONF_DIR"
  chmod 0755 "$CONF_DIR"
  out="$TMP/berth.env"
  if [ -f "$ENV_FILE" ]; then
    cp "$ENV_FILE" "$out"
  else
    {
      echo "# Settings of berth serve and berth edge (docs/configuration.md); written by install.sh."
      echo "BERTH_DATA_DIR=$DATA_DIR"
      echo "BERTH_API_LISTEN=127.0.0.1:7070"
      echo "BERTH_EDGE_LISTEN=0.0.0.0:80"
      echo "BERTH_EDGE_METRICS_LISTEN=127.0.0.1:9464"
    } >"$out"
  fi
  # The edge has its own unit: serve must not start a second one.
  set_setting "$out" BERTH_EDGE_PROCESS external
  env | grep -E '^BERTH_[A-Z0-9_]+=' | while IFS= read -r line; do
    key=${line%%=*}
    case " $OWN_SETTINGS " in *" $key "*) continue ;; esac
    set_setting "$out" "$key" "${line#*=}"
  done
  CHANGED_ENV=$(put_file "$out" "$ENV_FILE" 0600)
  if [ -n "$CHANGED_ENV" ]; then say "wrote $ENV_FILE"; fi
}

set_setting() {
  grep -v "^$2=" "$1" >"$1.next" || true
  printf '%s=%s\n' "$2" "$3" >>"$1.next"
  # Keeps the file's order stable when the value did not change.
  if grep -qxF "$2=$3" "$1"; then rm -f "$1.next"; else mv -f "$1.next" "$1"; fi
}

control_unit() {
  cat <<EOF
# Written by install.sh; the next run of it overwrites this file.
[Unit]
Description=Berth control plane (API, console, deploys)
Documentation=https://github.com/berth-platform/berth/blob/main/docs/install.md
After=network-online.target docker.service berth-edge.service
Wants=network-online.target docker.service berth-edge.service

[Service]
ExecStart=$BIN serve
EnvironmentFile=$ENV_FILE
Environment=HOME=/root
Restart=always
RestartSec=2
# Stopping serve never stops the sites: the edge is its own unit.
KillMode=mixed
TimeoutStopSec=30
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=$DATA_DIR $ROOT_CONFIG
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
UMask=0077

[Install]
WantedBy=multi-user.target
EOF
}

edge_unit() {
  cat <<EOF
# Written by install.sh; the next run of it overwrites this file.
[Unit]
Description=Berth edge (reverse proxy for the sites and APIs)
Documentation=https://github.com/berth-platform/berth/blob/main/docs/install.md
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=$BIN edge
EnvironmentFile=$ENV_FILE
Restart=always
RestartSec=1
# Requests in flight get the edge's own drain time (10 s) before it closes them.
TimeoutStopSec=20
# Root owns the state it reads, but keeps no capability beyond binding ports below 1024.
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=$DATA_DIR
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
UMask=0077

[Install]
WantedBy=multi-user.target
EOF
}

write_units() {
  control_unit >"$TMP/berth.service"
  edge_unit >"$TMP/berth-edge.service"
  CHANGED_UNITS="$(put_file "$TMP/berth.service" "$UNIT_DIR/berth.service" 0644)$(put_file "$TMP/berth-edge.service" "$UNIT_DIR/berth-edge.service" 0644)"
  if [ -n "$CHANGED_UNITS" ]; then
    say "wrote $UNIT_DIR/berth.service and berth-edge.service"
    systemctl daemon-reload
  fi
}

# `berth upgrade` starts a new edge on the port before the old one closes its listener: without
# this setting the connections still queued on the closing listener are reset, not moved to the new one.
write_sysctl() {
  printf '# Written by the Berth installer: zero-downtime edge handover on upgrade.\nnet.ipv4.tcp_migrate_req = 1\n' >"$TMP/sysctl.conf"
  put_file "$TMP/sysctl.conf" "$SYSCTL_FILE" 0644 >/dev/null
  if [ "$(cat /proc/sys/net/ipv4/tcp_migrate_req 2>/dev/null)" != 1 ]; then
    { echo 1 >/proc/sys/net/ipv4/tcp_migrate_req; } 2>/dev/null ||
      say "could not set net.ipv4.tcp_migrate_req=1 now (it is in $SYSCTL_FILE for the next boot): until then an edge upgrade may reset a few new connections"
  fi
}

start_services() {
  mkdir -p "$DATA_DIR" "$ROOT_CONFIG"
  chmod 0700 "$DATA_DIR" "$ROOT_CONFIG"
  systemctl enable berth-edge.service berth.service >/dev/null 2>&1
  if [ "$CHANGED_BIN$CHANGED_ENV$CHANGED_UNITS" != "no" ]; then
    # The edge first, so the sites are down only for its own restart.
    systemctl restart berth-edge.service
    systemctl restart berth.service
  else
    systemctl start berth-edge.service berth.service
  fi
}

setting() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }

wait_healthy() {
  api="http://$(setting BERTH_API_LISTEN | sed 's/^0\.0\.0\.0:/127.0.0.1:/')"
  i=0
  while [ $i -lt 60 ]; do
    if HOME=/root "$BIN" project list >/dev/null 2>&1; then return 0; fi
    i=$((i + 1))
    sleep 1
  done
  say "berth did not answer on $api within 60 s: see journalctl -u berth -u berth-edge"
  return 1
}

next_steps() {
  api=$(setting BERTH_API_LISTEN)
  edge=$(setting BERTH_EDGE_LISTEN)
  cat <<EOF

Berth is installed and running (systemctl status berth berth-edge).
  Console and API:  http://$api/  (loopback only: from your machine, ssh -L ${api##*:}:$api root@THIS-SERVER)
  Owner token:      $DATA_DIR/admin.token   (a new one: berth token reset-owner)
  Sites:            the edge listens on $edge
  Next:             berth init (in a project's folder), berth apply -f berth.yaml, berth deploy PROJECT ENV
  Settings:         $ENV_FILE, then systemctl restart berth berth-edge
  Backups:          daily into $DATA_DIR/backups (berth backup create | restore)
EOF
}

install_berth() {
  check_system
  TMP=$(mktemp -d)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  download_binary
  ensure_docker
  install_binary
  CHANGED_ENV=""
  CHANGED_UNITS=""
  write_env
  write_units
  write_sysctl
  start_services
  wait_healthy || true
  next_steps
}

uninstall_berth() {
  purge=$1
  [ "$(id -u)" -eq 0 ] || fail "run as root"
  if [ "$purge" = yes ]; then
    if [ "${BERTH_PURGE:-}" != yes ]; then
      has_tty || fail "--purge deletes $DATA_DIR (all state, secrets and backups in it): on a terminal you are asked to confirm; elsewhere set BERTH_PURGE=yes"
      answer=$(ask "--purge deletes $DATA_DIR and $CONF_DIR: every project, secret and backup in them. Type \"purge\" to confirm: ")
      [ "$answer" = purge ] || fail "not confirmed: nothing was removed"
    fi
  fi
  for unit in berth.service berth-edge.service; do
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
    rm -f "$UNIT_DIR/$unit"
  done
  systemctl daemon-reload || true
  rm -f "$BIN" "$SYSCTL_FILE"
  say "removed the berth and berth-edge units and $BIN"
  if [ "$purge" = yes ]; then
    rm -rf "$DATA_DIR" "$CONF_DIR" "$ROOT_CONFIG"
    say "removed $DATA_DIR and $CONF_DIR; containers and volumes of your projects are left on the Docker engine"
  else
    say "kept $DATA_DIR and $CONF_DIR: installing again picks them up (--uninstall --purge removes them)"
  fi
}

main() {
  action=install
  purge=no
  for arg in "$@"; do
    case "$arg" in
      --uninstall) action=uninstall ;;
      --purge) purge=yes ;;
      -h | --help)
        echo "usage: install.sh [--uninstall [--purge]]; settings in the environment: BERTH_DOWNLOAD_URL, BERTH_VERSION, BERTH_INSTALL_DOCKER, BERTH_*"
        return 0
        ;;
      *) fail "unknown option $arg (--uninstall [--purge])" ;;
    esac
  done
  if [ "$purge" = yes ] && [ "$action" != uninstall ]; then fail "--purge goes with --uninstall"; fi
  if [ "$action" = uninstall ]; then uninstall_berth "$purge"; else install_berth; fi
}

main "$@"
