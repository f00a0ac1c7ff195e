#!/usr/bin/env bash
# Install (if needed) and start a Docker engine with BuildKit and buildx, offline-capable:
# only Debian's apt archive is used. Idempotent: a second run takes seconds.
#
# - records the installed packages once (verify.sh compares them later: nothing but the engine may
#   change), adds the forky suite of the configured Debian mirror pinned at priority 1, and installs
#   exactly docker.io/forky docker-cli/forky containerd/forky docker-buildx/forky (Docker 28.5.2,
#   BuildKit v0.25.2, buildx 0.29.1, containerd 2.1.9). Each package names its release: never
#   `apt-get install -t <suite>`, which would take the whole dependency closure from that suite;
# - enables the containerd image store (multi-platform tags, cache export beyond inline);
# - starts dockerd in the background when none answers, and waits for `docker info`.
set -euo pipefail

LOG_TAG=install-docker
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/gofront-dockerd.log}

# True when an engine is installed: from our packages, or one the user had before (kept as it is).
engine_installed() {
  command -v dockerd >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1
}

install_packages() {
  record_package_snapshot
  engine_installed && return
  ensure_engine_suite
  local specs=() p
  for p in "${ENGINE_PACKAGES[@]}"; do specs+=("$p/$ENGINE_SUITE"); done
  log "installing ${specs[*]} (nothing else changes version)"
  # The policy-rc.d guard keeps the package scripts from starting a system docker service: this
  # script starts the daemons itself, from /.
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_ENGINE_OPTS[@]}" install -y -qq --no-install-recommends \
    "${specs[@]}" >/dev/null || { [ -z "$policy" ] || rm -f "$policy"; die "apt-get install failed"; }
  [ -z "$policy" ] || rm -f "$policy"
}

configure_daemon() {
  mkdir -p /etc/docker
  local want='{"features":{"containerd-snapshotter":true}}'
  if [ ! -f /etc/docker/daemon.json ] || ! grep -q containerd-snapshotter /etc/docker/daemon.json; then
    log "enabling the containerd image store in /etc/docker/daemon.json"
    if [ -s /etc/docker/daemon.json ]; then
      # keep the user's settings, add the feature flag (takes effect at the next dockerd start)
      python3 - <<'PY'
import json
p = "/etc/docker/daemon.json"
with open(p) as f:
    cfg = json.load(f)
cfg.setdefault("features", {})["containerd-snapshotter"] = True
with open(p, "w") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
PY
    else
      echo "$want" >/etc/docker/daemon.json
    fi
  fi
}

# True when a live (not zombie) process with this exact name exists. A daemon killed with its
# session can linger as a zombie until its parent reaps it; pgrep alone would count it.
alive() {
  local pid state
  for pid in $(pgrep -x "$1" 2>/dev/null); do
    state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
    case $state in "" | Z*) ;; *) return 0 ;; esac
  done
  return 1
}

# start_detached LOG CMD...: runs CMD from / in its own session, with no descriptor of this script
# (a pipe held open by a daemon would keep a caller's `| tee` waiting until the daemon exits).
start_detached() {
  local log=$1
  shift
  (cd / && exec setsid "$@" </dev/null >>"$log" 2>&1) &
  disown
}

start_daemon() {
  if docker info >/dev/null 2>&1; then
    return
  fi
  if ! alive containerd; then
    log "starting containerd"
    # From /: the daemons outlive this script, and a deleted working directory (a removed
    # checkout) breaks the git and shell processes BuildKit spawns ("unable to get current
    # working directory").
    start_detached /var/log/gofront-containerd.log containerd
  fi
  # A socket file may be left over from a killed containerd: wait until it answers.
  for _ in $(seq 1 100); do ctr version >/dev/null 2>&1 && break; sleep 0.2; done
  if ! alive dockerd; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    start_detached "$DOCKERD_LOG" dockerd --containerd=/run/containerd/containerd.sock
  fi
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; last log lines:"
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  exit 1
}

install_packages
configure_daemon
start_daemon
log "engine $(docker version --format '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'), image store: $(docker info --format '{{.DriverStatus}}' | tr -d '[]' | head -c 80)"
