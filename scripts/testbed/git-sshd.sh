#!/usr/bin/env bash
# A private Go module served over SSH on loopback, for `RUN --mount=type=ssh` tests.
#
# Usage: git-sshd.sh start|stop|status|env [PORT]     (default port 2222, env GOFRONT_GIT_SSHD_PORT)
#
# start: Debian's sshd with its own configuration on 127.0.0.1:PORT (own host key, key-only auth, only
#        the system user `gofront-git` whose shell is git-shell), a bare git repository holding the Go
#        module github.com/gofront-test/private-greeter (tag v0.1.0), a test key pair and a test
#        ssh-agent with that key loaded. Nothing contacts github.com: clients map the module's
#        https://github.com/gofront-test/ prefix to the local server with `git config url.insteadOf`.
# env:   prints the shell exports a client needs (SSH_AUTH_SOCK, GIT_SSH_COMMAND, GOPRIVATE, ...).
# State: $GOFRONT_TESTBED_CACHE/git-sshd/ (keys, sshd_config, repos, pid files, sshd.log, agent.sock).
set -euo pipefail
LOG_TAG=git-sshd
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cmd=${1:-status}
PORT=${2:-${GOFRONT_GIT_SSHD_PORT:-2222}}
STATE=$TESTBED_CACHE/git-sshd
USER_NAME=gofront-git
MODULE=github.com/gofront-test/private-greeter
REPO=$STATE/repos/gofront-test/private-greeter.git
PIDFILE=$STATE/sshd-$PORT.pid
AGENT_PID=$STATE/agent.pid
AGENT_SOCK=$STATE/agent.sock
URL_BASE="ssh://$USER_NAME@127.0.0.1:$PORT$STATE/repos/gofront-test/"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
agent_running() { [ -f "$AGENT_PID" ] && kill -0 "$(cat "$AGENT_PID")" 2>/dev/null; }

setup_files() {
  if ! dpkg -s openssh-server >/dev/null 2>&1; then
    # openssh-server must match the installed client exactly (which may come from another suite).
    local v
    v=$(dpkg-query -W -f='${Version}' openssh-client 2>/dev/null || true)
    log "installing openssh-server${v:+ $v} (the system ssh service is not started)"
    local policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "openssh-server${v:+=$v}" "openssh-sftp-server${v:+=$v}" >/dev/null || { [ -z "$policy" ] || rm -f "$policy"; die "apt-get failed"; }
    [ -z "$policy" ] || rm -f "$policy"
  fi
  ensure_host_packages openssh-client git
  mkdir -p "$STATE/repos/gofront-test" "$STATE/home"
  chmod 755 "$TESTBED_CACHE" "$STATE" "$STATE/repos" "$STATE/repos/gofront-test"
  if ! getent passwd "$USER_NAME" >/dev/null; then
    log "creating system user $USER_NAME (shell git-shell)"
    useradd --system --home-dir "$STATE/home" --shell /usr/bin/git-shell "$USER_NAME"
  fi
  # No password, but not locked: sshd (UsePAM no) refuses key logins of locked ("!") accounts.
  [ "$(getent shadow "$USER_NAME" | cut -d: -f2)" = '*' ] || usermod -p '*' "$USER_NAME"
  [ -f "$STATE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C gofront-testbed-host -f "$STATE/ssh_host_ed25519_key"
  [ -f "$STATE/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C gofront-testbed-user -f "$STATE/id_ed25519"
  cp "$STATE/id_ed25519.pub" "$STATE/authorized_keys"
  chmod 644 "$STATE/authorized_keys"
  printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$STATE/ssh_host_ed25519_key.pub")" >"$STATE/known_hosts"
  cat >"$STATE/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $STATE/ssh_host_ed25519_key
PidFile $PIDFILE
AuthorizedKeysFile $STATE/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $USER_NAME
StrictModes no
UsePAM no
PrintMotd no
AllowTcpForwarding no
X11Forwarding no
CONF
  [ -d "$REPO" ] || make_repo
}

# The private module: one package with a function and a test, tagged v0.1.0.
make_repo() {
  local src=$STATE/src
  rm -rf "$src"; mkdir -p "$src"
  cat >"$src/go.mod" <<MOD
module $MODULE

go 1.22
MOD
  cat >"$src/greeter.go" <<'GO'
// Package greeter is the private module of the gofront test bed (served over SSH).
package greeter

// Hello returns the greeting of the private module.
func Hello(name string) string { return "hello " + name + " from private-greeter" }
GO
  git -C "$src" init -q -b main
  git -C "$src" add -A
  GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" git -C "$src" -c user.name=testbed -c user.email=testbed@localhost -c commit.gpgsign=false \
    commit -q -m "private greeter v0.1.0" --date "2024-01-01T00:00:00Z"
  git -C "$src" tag v0.1.0
  git clone -q --bare "$src" "$REPO"
  chown -R "$USER_NAME" "$STATE/repos"
  rm -rf "$src"
}

start() {
  setup_files
  if running; then
    log "sshd already running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
  else
    mkdir -p /run/sshd; chmod 755 /run/sshd
    /usr/sbin/sshd -t -f "$STATE/sshd_config"
    /usr/sbin/sshd -D -e -f "$STATE/sshd_config" >>"$STATE/sshd.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { tail -n 5 "$STATE/sshd.log" >&2; die "sshd did not start"; }
    log "sshd on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $STATE/sshd.log)"
  fi
  if ! agent_running; then
    rm -f "$AGENT_SOCK"
    ssh-agent -a "$AGENT_SOCK" -s | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' >"$AGENT_PID"
  fi
  SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -q "$STATE/id_ed25519" 2>/dev/null
  log "ssh-agent with the test key at $AGENT_SOCK (pid $(cat "$AGENT_PID")); eval \"\$($0 env $PORT)\" for the client settings"
}

stop() {
  local f pid
  for f in "$PIDFILE" "$AGENT_PID"; do
    if [ -f "$f" ]; then
      pid=$(cat "$f")
      if kill -0 "$pid" 2>/dev/null; then kill "$pid"; log "stopped pid $pid ($(basename "$f"))"; fi
      rm -f "$f"
    fi
  done
  rm -f "$AGENT_SOCK"
}

print_env() {
  cat <<ENV
export SSH_AUTH_SOCK=$AGENT_SOCK
export GIT_SSH_COMMAND='ssh -o UserKnownHostsFile=$STATE/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=no'
export GOPRIVATE=github.com/gofront-test/*
export GOFRONT_GIT_SSH_URL=$URL_BASE
export GOFRONT_GIT_SSH_KNOWN_HOSTS='$(cat "$STATE/known_hosts" 2>/dev/null)'
export GOFRONT_GIT_SSH_MODULE=$MODULE
# and once per client: git config --global url."$URL_BASE".insteadOf https://github.com/gofront-test/
ENV
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status)
    if running; then echo "sshd running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE")); agent: $(agent_running && echo "$AGENT_SOCK" || echo none)"
    else echo "not running (port $PORT)"; exit 3; fi ;;
  env) print_env ;;
  *) die "usage: $0 start|stop|status|env [PORT]" ;;
esac
