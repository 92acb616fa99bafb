#!/usr/bin/env bash
# Prepare the integration-test environment on a Debian 12 host (run as root).
#
#   bash scripts/test-env/setup.sh
#
# Idempotent: every step first checks whether its result is already there, so
# a second run only performs health checks. It provides:
#   - a running Docker engine (dockerd started in the background if needed),
#   - local base images (no registry is reachable from this machine),
#   - git over HTTP (git http-backend behind scripts/test-env/git-http.ts),
#   - git over SSH (a dedicated sshd on loopback, user "git" with git-shell),
# and writes $STATE/env (KEY=value lines) for the tests; see
# test/support/test-env.ts and scripts/test-env/README.md.
#
# Settings (environment):
#   BERTH_TEST_STATE          state directory (default: <repo>/.test-env)
#   BERTH_TEST_GIT_HTTP_PORT  git HTTP port on 127.0.0.1 (default: 7480)
#   BERTH_TEST_SSH_PORT       sshd port on 127.0.0.1 (default: 2222)
#   BERTH_TEST_DEBIAN_MIRROR  Debian mirror (default: the one this machine's apt uses)

set -Eeuo pipefail

START_TIME=$EPOCHREALTIME
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${BERTH_TEST_STATE:-$REPO_ROOT/.test-env}"
HTTP_PORT="${BERTH_TEST_GIT_HTTP_PORT:-7480}"
SSH_PORT="${BERTH_TEST_SSH_PORT:-2222}"
# shellcheck source=apt-mirror.sh
source "$HERE/apt-mirror.sh"
SSH_USER=git

IMG_DEBIAN=berth-base/debian:bookworm
IMG_BUSYBOX=berth-base/busybox:latest
IMG_NODE=berth-base/node:18   # Debian bookworm ships Node.js 18
IMG_PYTHON=berth-base/python:3
# Stand-ins for the official database images the service catalog names (test/catalog.test.ts
# maps the templates to them with BERTH_CATALOG_IMAGE_<TEMPLATE>).
IMG_POSTGRES=berth-base/postgres:15
IMG_REDIS=berth-base/redis:7
IMG_MARIADB=berth-base/mariadb:10.11

# sshd's StrictModes refuses an authorized_keys file below any directory that is not
# root-owned or is group/world writable, and the "git" user must be able to reach the
# repositories: a checkout under /tmp (1777) or a private home fails both. So what sshd
# and git serve lives under /var/lib (root-owned, 0755 all the way up), one folder per
# state dir so several checkouts on one machine do not share repositories or keys.
SERVE_ROOT="/var/lib/berth-test/$(printf '%s' "$STATE" | sha256sum | cut -c1-16)"
GIT_ROOT="$SERVE_ROOT/git/repos"
SSH_DIR="$SERVE_ROOT/ssh"
RUN_DIR="$STATE/run"
LOG_DIR="$STATE/logs"
BUILD_DIR="$STATE/build"

export DEBIAN_FRONTEND=noninteractive
export DOCKER_BUILDKIT=0   # classic builder: no buildx plugin needed

STEP="start"
CREATED_POLICY_RC=""

log() { printf 'test-env: %s\n' "$*" >&2; }

die() {
  printf 'test-env: FAILED (%s): %s\n' "$STEP" "$*" >&2
  exit 1
}

on_error() {
  local rc=$1 line=$2 cmd=${3%%$'\n'*}
  # Report once, from the main shell (command substitutions inherit the trap).
  if [[ $BASHPID == "$$" ]]; then
    printf 'test-env: FAILED (%s): `%s` exited with %s at setup.sh:%s\n' \
      "$STEP" "$cmd" "$rc" "$line" >&2
  fi
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

cleanup() {
  if [[ -n $CREATED_POLICY_RC ]]; then rm -f /usr/sbin/policy-rc.d; fi
  remove_build_dir
}
trap cleanup EXIT

remove_build_dir() {
  [[ -d $BUILD_DIR ]] || return 0
  # debootstrap mounts proc/sys inside its target; never recurse into those.
  local mnt
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v p="$BUILD_DIR/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$BUILD_DIR"
}

# Stop a process this script started earlier and wait (up to 5 s) until it is gone.
stop_pid() {
  local i
  kill "$1" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  die "process $1 did not exit after SIGTERM"
}

# Tail of a log file, indented, for failure reports.
show_log() {
  [[ -f $1 ]] || return 0
  printf 'test-env: --- last lines of %s ---\n' "$1" >&2
  tail -n "${2:-20}" "$1" | sed 's/^/    /' >&2
}

# --------------------------------------------------------------------------
STEP="preflight"
[[ $(id -u) == 0 ]] || die "must run as root (it installs packages and starts dockerd/sshd)"
[[ -r /etc/debian_version ]] || die "expects a Debian host (Debian 12)"
# Paths end up unquoted in sshd_config and in the env file: keep them plain.
[[ $STATE == /* && $STATE =~ ^[A-Za-z0-9._/@+-]+$ ]] \
  || die "BERTH_TEST_STATE must be an absolute path of [A-Za-z0-9._/@+-] characters (got '$STATE')"
[[ $HTTP_PORT =~ ^[0-9]+$ && $SSH_PORT =~ ^[0-9]+$ ]] \
  || die "ports must be numbers (BERTH_TEST_GIT_HTTP_PORT=$HTTP_PORT, BERTH_TEST_SSH_PORT=$SSH_PORT)"
command -v bun >/dev/null || die "bun is not on PATH (needed for the git HTTP server)"

mkdir -p "$STATE" "$RUN_DIR" "$LOG_DIR" "$SERVE_ROOT"
chmod 755 "$STATE" /var/lib/berth-test "$SERVE_ROOT"
printf '%s\n' "$STATE" >"$SERVE_ROOT/state-dir"   # which checkout this folder serves
exec 9>"$RUN_DIR/setup.lock"
flock -w 900 9 || die "another setup.sh holds $RUN_DIR/setup.lock"
rm -f "$STATE/env"   # only a complete run leaves an env file behind

# --------------------------------------------------------------------------
STEP="packages"
# package -> alternative that also satisfies it (an equivalent command/file)
declare -A ALTERNATIVE=(
  [docker.io]=dockerd
  [openssh-server]=/usr/sbin/sshd
  [chromium]=/usr/bin/chromium
)
# chromium: the browser test/console.test.ts drives (playwright-core never downloads one).
# prometheus: test/metrics.test.ts scrapes serve with it; shellcheck: test/install.test.ts checks install.sh
# with it; pebble (and its challenge server): test/tls.test.ts orders certificates from it.
# docker-registry (Distribution): test/fleet-registry.test.ts starts its own on a loopback port.
PACKAGES=(docker.io debootstrap busybox-static openssh-server git tmux curl ca-certificates acl chromium prometheus shellcheck pebble docker-registry)
missing=()
installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)"
for pkg in "${PACKAGES[@]}"; do
  if grep -qFx "$pkg installed" <<<"$installed"; then continue; fi
  alt="${ALTERNATIVE[$pkg]:-}"
  if [[ -n $alt ]] && command -v "$alt" >/dev/null; then continue; fi
  missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  # Do not let package scripts start system services (sshd on :22, dockerd):
  # this script starts its own instances.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=1
  fi
  apt-get update -q >"$LOG_DIR/apt.log" 2>&1 \
    || log "apt-get update reported errors (continuing, see $LOG_DIR/apt.log)"
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >>"$LOG_DIR/apt.log" 2>&1 \
    || { show_log "$LOG_DIR/apt.log"; die "apt-get install ${missing[*]} failed"; }
  if [[ -n $CREATED_POLICY_RC ]]; then rm -f /usr/sbin/policy-rc.d; CREATED_POLICY_RC=""; fi
fi

# --------------------------------------------------------------------------
STEP="docker engine"
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $LOG_DIR/dockerd.log)"
  setsid nohup dockerd </dev/null >>"$LOG_DIR/dockerd.log" 2>&1 9>&- &
  dockerd_pid=$!
  echo "$dockerd_pid" >"$RUN_DIR/dockerd.pid"
  for ((i = 0; i < 120; i++)); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      show_log "$LOG_DIR/dockerd.log"
      die "dockerd exited during startup (log: $LOG_DIR/dockerd.log)"
    fi
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { show_log "$LOG_DIR/dockerd.log"; die "dockerd did not answer within 60 s"; }
fi

# --------------------------------------------------------------------------
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

build_debian() {
  local rootfs="$BUILD_DIR/debian-rootfs" logf="$LOG_DIR/build-debian.log"
  local mirror security
  if [[ -n ${BERTH_TEST_DEBIAN_MIRROR:-} ]]; then
    mirror="${BERTH_TEST_DEBIAN_MIRROR%/}"
    security="${mirror%/debian}/debian-security"
  else
    mirror="$(debian_mirror main)" \
      || die "no Debian mirror found in /etc/apt (sources.list.d/*.sources, sources.list); set BERTH_TEST_DEBIAN_MIRROR"
    security="$(debian_mirror security)" || security="${mirror%/debian}/debian-security"
  fi
  log "building $IMG_DEBIAN with debootstrap from $mirror (log: $logf)"
  remove_build_dir
  mkdir -p "$BUILD_DIR"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" </dev/null >"$logf" 2>&1 \
    || { show_log "$logf"; die "debootstrap failed (log: $logf)"; }
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  : >"$rootfs/etc/resolv.conf"
  rm -f "$rootfs/etc/hostname"
  tar --numeric-owner -C "$rootfs" -c . \
    | docker import --change 'CMD ["bash"]' - "$IMG_DEBIAN" >>"$logf" 2>&1 \
    || { show_log "$logf"; die "docker import of $IMG_DEBIAN failed"; }
  remove_build_dir
}

build_busybox() {
  local rootfs="$BUILD_DIR/busybox-rootfs" applet
  log "building $IMG_BUSYBOX from busybox-static"
  [[ -x /bin/busybox ]] || die "/bin/busybox missing (package busybox-static)"
  remove_build_dir
  mkdir -p "$rootfs"/{bin,etc,tmp,root,var/www,proc,sys,dev}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar --numeric-owner -C "$rootfs" -c . \
    | docker import --change 'CMD ["sh"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$IMG_BUSYBOX" >/dev/null \
    || die "docker import of $IMG_BUSYBOX failed"
  remove_build_dir
}

# build_apt_image IMAGE CMD PACKAGE...: FROM the Debian image plus Debian packages.
build_apt_image() {
  local image=$1 cmd=$2 logf
  shift 2
  logf="$LOG_DIR/build-${image//[\/:]/-}.log"
  log "building $image (apt-get install $*; log: $logf)"
  if ! docker build --force-rm -t "$image" - >"$logf" 2>&1 <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $* \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
CMD ["$cmd"]
EOF
  then
    show_log "$logf"
    die "docker build of $image failed (log: $logf)"
  fi
}

# build_context_image IMAGE DIR: a Dockerfile with its entrypoint script in scripts/test-env/images/DIR.
build_context_image() {
  local image=$1 dir="$HERE/images/$2" logf
  logf="$LOG_DIR/build-${image//[\/:]/-}.log"
  log "building $image (from $dir; log: $logf)"
  if ! docker build --force-rm -t "$image" "$dir" </dev/null >"$logf" 2>&1; then
    show_log "$logf"
    die "docker build of $image failed (log: $logf)"
  fi
}

STEP="base images"
if ! docker image inspect "$IMG_DEBIAN" "$IMG_BUSYBOX" "$IMG_PYTHON" "$IMG_NODE" >/dev/null 2>&1; then
  image_exists "$IMG_DEBIAN" || build_debian
  image_exists "$IMG_BUSYBOX" || build_busybox
  image_exists "$IMG_PYTHON" || build_apt_image "$IMG_PYTHON" python3 python3
  image_exists "$IMG_NODE" || build_apt_image "$IMG_NODE" node nodejs npm
fi
STEP="service images"
image_exists "$IMG_POSTGRES" || build_context_image "$IMG_POSTGRES" postgres
image_exists "$IMG_REDIS" || build_context_image "$IMG_REDIS" redis
image_exists "$IMG_MARIADB" || build_context_image "$IMG_MARIADB" mariadb
# A machine reached over SSH by test/fleet-bootstrap.test.ts (which builds it too when missing).
image_exists berth-test/sshd:bookworm || build_context_image berth-test/sshd:bookworm sshd

# --------------------------------------------------------------------------
STEP="git user"
# Repositories are served over SSH as the unprivileged user "git" whose login
# shell is git-shell (git commands only, no interactive login).
if ! id "$SSH_USER" >/dev/null 2>&1; then
  log "creating system user $SSH_USER (shell git-shell)"
  useradd --system --user-group --create-home --home-dir /home/git \
    --shell /usr/bin/git-shell --comment "git over ssh (test environment)" "$SSH_USER"
  # '*' = no password login, but not "locked" (sshd refuses locked accounts).
  usermod -p '*' "$SSH_USER"
fi
git_shell="$(getent passwd "$SSH_USER" | cut -d: -f7)"
[[ $(basename "$git_shell") == git-shell ]] \
  || die "existing user $SSH_USER has shell $git_shell, expected git-shell; not modifying an account this script did not create"
[[ $(getent shadow "$SSH_USER" | cut -d: -f2) != '!'* ]] \
  || die "user $SSH_USER is locked (password field starts with '!'); unlock with: usermod -p '*' $SSH_USER"

STEP="git repositories"
mkdir -p "$GIT_ROOT"
chmod 755 "$SERVE_ROOT/git"
# Tests create repositories as root; the ssh transport writes as "git". Default
# ACLs give "git" (and root) write access to everything created below the root,
# whoever creates it and whatever the umask. (No chmod on $GIT_ROOT: it would
# shrink the ACL mask.)
if ! getfacl -cp "$GIT_ROOT" 2>/dev/null | grep -qx "default:user:$SSH_USER:rwx" \
  || ! runuser -u "$SSH_USER" -- test -w "$GIT_ROOT"; then
  log "granting $SSH_USER access to $GIT_ROOT (ACL)"
  setfacl -R -m "u:$SSH_USER:rwX" "$GIT_ROOT" \
    || die "setfacl failed: the filesystem of $GIT_ROOT must support POSIX ACLs (or set BERTH_TEST_STATE elsewhere)"
  find "$GIT_ROOT" -type d -exec setfacl -m "d:u:$SSH_USER:rwx,d:u::rwx,d:m::rwx" {} +
fi
runuser -u "$SSH_USER" -- test -w "$GIT_ROOT" \
  || die "user $SSH_USER cannot write $GIT_ROOT (check permissions of its parent directories)"

# --------------------------------------------------------------------------
STEP="git http server"
HTTP_URL="http://127.0.0.1:$HTTP_PORT"
HTTP_TAG="$(sha256sum "$HERE/git-http.ts" | cut -c1-16)"   # restart when the server changes
http_healthy() {
  local body
  body="$(curl -fsS --max-time 2 "$HTTP_URL/_berth-test/health" 2>/dev/null)" || return 1
  [[ $body == *"\"root\":\"$GIT_ROOT\",\"tag\":\"$HTTP_TAG\""* ]]
}
if ! http_healthy; then
  pidfile="$RUN_DIR/git-http.pid"
  if [[ -f $pidfile ]]; then
    oldpid="$(cat "$pidfile")"
    # Only stop a process this script started (still running git-http.ts).
    if [[ -r /proc/$oldpid/cmdline ]] && tr '\0' ' ' </proc/"$oldpid"/cmdline | grep -q 'git-http.ts'; then
      log "restarting git http server (pid $oldpid: unresponsive or outdated)"
      stop_pid "$oldpid"
    fi
  fi
  if curl -s --max-time 2 -o /dev/null "$HTTP_URL/" 2>/dev/null; then
    die "127.0.0.1:$HTTP_PORT is served by something else; free it or set BERTH_TEST_GIT_HTTP_PORT"
  fi
  log "starting git http server on $HTTP_URL (log: $LOG_DIR/git-http.log)"
  setsid nohup "$(command -v bun)" "$HERE/git-http.ts" --root "$GIT_ROOT" --host 127.0.0.1 --port "$HTTP_PORT" \
    --tag "$HTTP_TAG" </dev/null >>"$LOG_DIR/git-http.log" 2>&1 9>&- &
  echo $! >"$pidfile"
  for ((i = 0; i < 50; i++)); do http_healthy && break; sleep 0.2; done
  http_healthy || { show_log "$LOG_DIR/git-http.log"; die "git http server did not become healthy on $HTTP_URL"; }
fi

# --------------------------------------------------------------------------
STEP="git ssh server"
mkdir -p "$SSH_DIR" /run/sshd
chmod 755 "$SSH_DIR"
HOST_KEY="$SSH_DIR/ssh_host_ed25519_key"
AUTH_KEYS="$SSH_DIR/authorized_keys"
SSHD_PIDFILE="$RUN_DIR/sshd.pid"
[[ -f $HOST_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C berth-test-sshd -f "$HOST_KEY" </dev/null
chmod 600 "$HOST_KEY"
[[ -f $AUTH_KEYS ]] || : >"$AUTH_KEYS"
chmod 644 "$AUTH_KEYS"

# sshd's StrictModes refuses an authorized_keys file below a group/world
# writable directory: check the same thing here to report it clearly.
d="$SSH_DIR"
while [[ $d != / ]]; do
  perm="$(stat -c '%a %u' "$d")"
  mode=${perm% *} owner=${perm#* }
  if (((8#$mode & 8#022) != 0)) || [[ $owner != 0 ]]; then
    die "$d must be owned by root and not group/world writable (sshd StrictModes)"
  fi
  d="$(dirname "$d")"
done

cat >"$SSH_DIR/sshd_config.new" <<EOF
# Written by scripts/test-env/setup.sh: git over ssh for the tests, loopback only.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $HOST_KEY
PidFile $SSHD_PIDFILE
AuthorizedKeysFile $AUTH_KEYS
AllowUsers $SSH_USER
PermitRootLogin no
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
AcceptEnv GIT_PROTOCOL
# Repositories are created by root and served as $SSH_USER: trust them (git's
# "dubious ownership" check) without touching the user's own git config.
SetEnv GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=*
MaxStartups 100
MaxSessions 50
LogLevel VERBOSE
EOF
/usr/sbin/sshd -t -f "$SSH_DIR/sshd_config.new" 2>"$LOG_DIR/sshd-config-check.log" \
  || { show_log "$LOG_DIR/sshd-config-check.log"; die "sshd rejected the generated config"; }
config_changed=""
if ! cmp -s "$SSH_DIR/sshd_config.new" "$SSH_DIR/sshd_config"; then
  mv "$SSH_DIR/sshd_config.new" "$SSH_DIR/sshd_config"
  config_changed=1
else
  rm -f "$SSH_DIR/sshd_config.new"
fi

host_pubkey="$(cut -d' ' -f1,2 "$HOST_KEY.pub")"
ssh_healthy() {
  local scanned
  scanned="$(ssh-keyscan -T 2 -t ed25519 -p "$SSH_PORT" 127.0.0.1 2>/dev/null | grep -v '^#' | cut -d' ' -f2,3)" || return 1
  [[ $scanned == "$host_pubkey" ]]
}
sshd_pid=""
if [[ -f $SSHD_PIDFILE ]]; then
  sshd_pid="$(cat "$SSHD_PIDFILE")"
  # Also the sshd an older setup.sh started from $STATE/ssh: it gets replaced below.
  [[ -r /proc/$sshd_pid/cmdline ]] && tr '\0' ' ' </proc/"$sshd_pid"/cmdline | grep -qF -e "$SSH_DIR/sshd_config" -e "$STATE/ssh/sshd_config" \
    || sshd_pid=""
fi
if [[ -n $sshd_pid && -n $config_changed ]]; then
  log "reloading sshd (config changed)"
  kill -HUP "$sshd_pid"
  sleep 0.5
fi
if ! ssh_healthy; then
  if [[ -n $sshd_pid ]]; then
    log "restarting unresponsive sshd (pid $sshd_pid)"
    stop_pid "$sshd_pid"
  fi
  if [[ -n $(ssh-keyscan -T 2 -p "$SSH_PORT" 127.0.0.1 2>/dev/null || true) ]]; then
    die "127.0.0.1:$SSH_PORT is served by another ssh server; free it or set BERTH_TEST_SSH_PORT"
  fi
  log "starting sshd on 127.0.0.1:$SSH_PORT (log: $LOG_DIR/sshd.log)"
  /usr/sbin/sshd -f "$SSH_DIR/sshd_config" -E "$LOG_DIR/sshd.log" </dev/null 9>&- \
    || { show_log "$LOG_DIR/sshd.log"; die "sshd failed to start"; }
  for ((i = 0; i < 50; i++)); do ssh_healthy && break; sleep 0.2; done
  ssh_healthy || { show_log "$LOG_DIR/sshd.log"; die "sshd did not answer with its host key on 127.0.0.1:$SSH_PORT"; }
fi

# --------------------------------------------------------------------------
STEP="env file"
cat >"$STATE/env.tmp" <<EOF
BERTH_TEST_STATE=$STATE
BERTH_TEST_GIT_HTTP=$HTTP_URL
BERTH_TEST_GIT_ROOT=$GIT_ROOT
BERTH_TEST_SSH_HOST=127.0.0.1
BERTH_TEST_SSH_PORT=$SSH_PORT
BERTH_TEST_SSH_USER=$SSH_USER
BERTH_TEST_SSH_AUTHORIZED_KEYS=$AUTH_KEYS
BERTH_TEST_SSH_HOST_PUBKEY=$HOST_KEY.pub
BERTH_TEST_BASE_DEBIAN=$IMG_DEBIAN
BERTH_TEST_BASE_BUSYBOX=$IMG_BUSYBOX
BERTH_TEST_BASE_NODE=$IMG_NODE
BERTH_TEST_BASE_PYTHON=$IMG_PYTHON
BERTH_TEST_SERVICE_POSTGRES=$IMG_POSTGRES
BERTH_TEST_SERVICE_REDIS=$IMG_REDIS
BERTH_TEST_SERVICE_MARIADB=$IMG_MARIADB
EOF
mv "$STATE/env.tmp" "$STATE/env"
STEP="done"
log "ready in $(awk -v a="$START_TIME" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s (env: $STATE/env)"
