#!/usr/bin/env bash
# The private forge of the test bed: a git host `git.gofront.test` on its own loopback address
# 127.0.0.2, with the standard ports, real protocols and credentials, for the private-module tests
# (issue 11). Builds reach it with `docker buildx build --network host --add-host git.gofront.test=127.0.0.2`.
#
# Usage: forge.sh start|stop|restart|status|env|sums
#
#   sshd on 127.0.0.2:22     Debian bookworm's openssh-server, unpacked from its .deb into the cache (not
#                            installed), run in a mount namespace of its own (`unshare --mount`) whose root
#                            is a tmpfs holding bind mounts of /usr, a few /dev nodes, /proc, the repos at
#                            /team and an /etc of the forge's own (passwd/group/shadow with the account
#                            `git`, uid 64022, shell git-shell). No host package, user or file outside the
#                            cache is added or changed. Key auth only; URLs
#                            ssh://git@git.gofront.test/team/<repo>.git and git@git.gofront.test:team/<repo>.git
#   HTTPS on 127.0.0.2:443   forge-https.py: go-get meta tags, git smart HTTP (read-only) and the GOPROXY
#                            protocol under /goproxy/, behind basic auth (password or token); certificate
#                            for git.gofront.test signed by the test bed's private CA
#   client side              a test key in an ssh-agent, known_hosts, the CA, a .netrc, a token file
#   modules                  git.gofront.test/team/greeter and .../secretmod, v0.1.0, from
#                            scripts/testbed/forge/modules/ (fixed commit dates: stable go.sum lines)
#
# start is idempotent (seconds when everything exists) and fails loudly, without picking another port,
# when 127.0.0.2:22 or :443 is taken (e.g. a host sshd listening on 0.0.0.0:22).
# env prints the GOFRONT_FORGE_* exports (also part of scripts/testbed/env.sh); sums the go.sum lines.
# State, logs and pid files: $GOFRONT_TESTBED_CACHE/forge/ (see docs/testbed.md).
# Env: GOFRONT_FORGE_PASSWORD, GOFRONT_FORGE_TOKEN (default: random, made once), FORCE=1 (remake
# repos, keys, certificates and secrets).
set -euo pipefail
LOG_TAG=forge
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

cmd=${1:-status}
HOST=git.gofront.test
IP=127.0.0.2
SSH_PORT=22
HTTPS_PORT=443
USER_NAME=gofront         # basic-auth user of the .netrc
GIT_UID=64022             # the forge's `git` account, only inside the sshd namespace
SSHD_UID=64021            # sshd's privilege separation user, likewise
VERSION=v0.1.0
STATE=$TESTBED_CACHE/forge
SRC=$HERE/forge/modules
OPENSSH=$STATE/openssh    # unpacked openssh-server (+ libwrap0) .debs
LIBDIR=/opt/openssh/usr/lib/x86_64-linux-gnu
SSHD_PID=$STATE/sshd.pid
HTTPS_PID=$STATE/https.pid
AGENT_PID=$STATE/client/agent.pid
AGENT_SOCK=$STATE/client/agent.sock
PY=(python3 "$HERE/forge-https.py")

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
answers() { (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null; }

# --- files ----------------------------------------------------------------------------------------

unpack_openssh() {
  [ -x "$OPENSSH/usr/sbin/sshd" ] && [ "${FORCE:-0}" != 1 ] && return 0
  log "unpacking Debian bookworm's openssh-server and libwrap0 into $OPENSSH (nothing is installed)"
  local debs=$TESTBED_CACHE/debs/forge
  fetch_deb amd64 "$debs" openssh-server/bookworm libwrap0/bookworm
  rm -rf "$OPENSSH.tmp"; mkdir -p "$OPENSSH.tmp"
  local f
  for f in "$debs"/openssh-server_*_amd64.deb "$debs"/libwrap0_*_amd64.deb; do dpkg-deb -x "$f" "$OPENSSH.tmp"; done
  rm -rf "$OPENSSH"; mv "$OPENSSH.tmp" "$OPENSSH"
  local missing
  missing=$(LD_LIBRARY_PATH=$OPENSSH/usr/lib/x86_64-linux-gnu ldd "$OPENSSH/usr/sbin/sshd" | awk '/not found/ {print $1}' | tr '\n' ' ')
  [ -z "$missing" ] || die "the unpacked sshd needs libraries this host lacks: $missing(add their packages to unpack_openssh)"
}

# The forge's /etc inside the sshd namespace: only what sshd and git-shell need.
make_etc() {
  local e=$STATE/etc
  mkdir -p "$e"; chmod 755 "$e"
  cat >"$e/passwd" <<PW
root:x:0:0:root:/root:/usr/sbin/nologin
sshd:x:$SSHD_UID:65534:sshd privilege separation:/run/sshd:/usr/sbin/nologin
git:x:$GIT_UID:$GIT_UID:gofront test forge:/:/usr/bin/git-shell
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
  cat >"$e/group" <<GR
root:x:0:
git:x:$GIT_UID:
nogroup:x:65534:
GR
  # `*`: no password, not locked (sshd with UsePAM no refuses key logins of `!` accounts).
  cat >"$e/shadow" <<SH
root:*:19723:0:99999:7:::
sshd:*:19723:0:99999:7:::
git:*:19723:0:99999:7:::
nobody:*:19723:0:99999:7:::
SH
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$e/nsswitch.conf"
  printf '127.0.0.1 localhost\n%s %s\n' "$IP" "$HOST" >"$e/hosts"
  chmod 644 "$e/passwd" "$e/group" "$e/nsswitch.conf" "$e/hosts"; chmod 640 "$e/shadow"
}

make_keys() {
  local s=$STATE/sshd c=$STATE/client
  mkdir -p "$s" "$c"; chmod 755 "$s"; chmod 700 "$c"
  [ -f "$s/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$HOST host key (gofront test bed)" -f "$s/ssh_host_ed25519_key"
  [ -f "$c/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "gofront test bed forge user" -f "$c/id_ed25519"
  install -m 644 "$c/id_ed25519.pub" "$s/authorized_keys"
  printf '%s %s\n' "$HOST" "$(cut -d' ' -f1,2 "$s/ssh_host_ed25519_key.pub")" >"$c/known_hosts"
  chmod 644 "$c/known_hosts"
  cat >"$s/sshd_config" <<CONF
# sshd of the gofront test bed's forge ($HOST); paths are inside its namespace (forge.sh)
ListenAddress $IP:$SSH_PORT
AddressFamily inet
HostKey /forge/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile /forge/authorized_keys
AllowUsers git
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin no
StrictModes yes
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
PermitTTY no
PermitUserEnvironment no
PermitUserRC no
AllowAgentForwarding no
AllowTcpForwarding no
AllowStreamLocalForwarding no
GatewayPorts no
PermitTunnel no
X11Forwarding no
LogLevel INFO
CONF
  chmod 644 "$s/sshd_config"
}

# Private CA and server certificate for $HOST (and IP $IP): what `--secret id=ca,src=...` passes.
make_tls() {
  local t=$STATE/tls
  [ -f "$t/server.crt" ] && [ -f "$t/ca.crt" ] && [ "${FORCE:-0}" != 1 ] && return 0
  log "making the private test CA and the certificate for $HOST"
  RESTART_HTTPS=1
  rm -rf "$t"; mkdir -p "$t"; chmod 755 "$t"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/O=gofront test bed/CN=gofront test bed private CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/O=gofront test bed/CN=$HOST" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:$HOST,IP:$IP" basicConstraints=critical,CA:FALSE \
    keyUsage=critical,digitalSignature,keyEncipherment extendedKeyUsage=serverAuth \
    subjectKeyIdentifier=hash authorityKeyIdentifier=keyid >"$t/server.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 3650 -extfile "$t/server.ext" -out "$t/server.crt" 2>/dev/null
  rm -f "$t/server.csr" "$t/server.ext"
  chmod 600 "$t/ca.key" "$t/server.key"; chmod 644 "$t/ca.crt" "$t/server.crt"
  openssl verify -CAfile "$t/ca.crt" "$t/server.crt" >/dev/null || die "the server certificate does not verify"
}

# secret NAME VALUE: writes STATE/secrets/NAME exactly (the token file has no newline: BuildKit passes
# secret files byte for byte). A new password or token restarts a running HTTPS server.
secret() {
  local f=$STATE/secrets/$1
  printf '%s' "$2" | cmp -s - "$f" && return 0
  printf '%s' "$2" >"$f"; chmod 600 "$f"
  case $1 in password|token) RESTART_HTTPS=1 ;; esac
}

make_secrets() {
  local d=$STATE/secrets pw tok
  mkdir -p "$d"; chmod 700 "$d"
  if [ "${FORCE:-0}" = 1 ]; then rm -f "$d/password" "$d/token"; fi
  pw=${GOFRONT_FORGE_PASSWORD:-$(cat "$d/password" 2>/dev/null || echo "gfpw-$(openssl rand -hex 12)")}
  tok=${GOFRONT_FORGE_TOKEN:-$(cat "$d/token" 2>/dev/null || echo "gftok-$(openssl rand -hex 16)")}
  secret password "$pw"
  secret token "$tok"
  secret netrc "machine $HOST login $USER_NAME password $pw
"
  secret netrc-token "machine $HOST login x-access-token password $tok
"
  # The header BuildKit's git source sends for a GIT_AUTH_TOKEN secret (git -c http.<url>.extraheader=...).
  secret git-auth-header "Authorization: basic $(printf 'x-access-token:%s' "$tok" | base64 -w0)"
}

# Bare repos at STATE/repos/team/<name>.git, one commit tagged v0.1.0 with fixed names and dates, owned
# by the forge's git uid; remade when the module sources change. Also the GOPROXY tree and go.sum.
make_repos() {
  local stamp want name src tmp
  want=$( (cd "$SRC" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
  stamp=$STATE/repos/.sources
  if [ "${FORCE:-0}" != 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$STATE/go.sum" ]; then return 0; fi
  log "making the forge's repositories and module proxy tree from $SRC"
  # Empty, not remove, repos/team: a running sshd has this very directory bind-mounted at /team.
  mkdir -p "$STATE/repos/team"
  find "$STATE/repos/team" -mindepth 1 -delete
  rm -rf "$STATE/goproxy"
  for src in "$SRC"/*/; do
    name=$(basename "$src")
    tmp=$(mktemp -d /tmp/gofront-forge-repo.XXXXXX)
    cp -r "$src." "$tmp/"
    find "$tmp" -type f -exec chmod 644 {} +
    (
      cd "$tmp"
      export GIT_AUTHOR_NAME="gofront test bed" GIT_AUTHOR_EMAIL=testbed@git.gofront.test \
        GIT_COMMITTER_NAME="gofront test bed" GIT_COMMITTER_EMAIL=testbed@git.gofront.test \
        GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
      git init -q -b main
      git add -A
      git -c commit.gpgsign=false commit -q -m "$name $VERSION"
      git tag "$VERSION"
    )
    git clone -q --bare "$tmp" "$STATE/repos/team/$name.git"
    git -C "$STATE/repos/team/$name.git" remote remove origin
    rm -rf "$tmp"
  done
  chown -R "$GIT_UID:$GIT_UID" "$STATE/repos/team"
  chmod 755 "$STATE/repos" "$STATE/repos/team"
  "${PY[@]}" build-proxy --src "$SRC" --out "$STATE/goproxy" --gosum "$STATE/go.sum"
  echo "$want" >"$stamp"
}

# port_free PORT: 127.0.0.2:PORT can be bound (checked before a server of ours starts there).
port_free() {
  local port=$1 why owner="" example
  why=$("${PY[@]}" bindcheck "$IP" "$port" 2>&1) && return 0
  if command -v ss >/dev/null; then owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | awk '{print $4, $6}' | tr '\n' ' '); fi
  case $port in 22) example="the host's own sshd, whose default is ListenAddress 0.0.0.0 and ::" ;;
    *) example="a web server listening on all addresses" ;; esac
  die "cannot listen on $IP:$port ($why); listeners on port $port: ${owner:-unknown}.
  The forge needs exactly $HOST:$port: gofront generates ssh://git@$HOST/... and https://$HOST/... URLs,
  which have no port, so the forge does not pick another one. A server on 0.0.0.0:$port or [::]:$port
  ($example) takes $IP:$port too: stop it, or make it listen on specific addresses (127.0.0.1, the
  host's own IP), then run this again."
}

# --- sshd -----------------------------------------------------------------------------------------

# Runs inside `unshare --mount`: the forge root is a tmpfs that only this namespace sees; then sshd
# (`sshd -t` with the argument test).
sshd_in_namespace() {
  local r=$STATE/root d n
  mount -t tmpfs -o mode=755,size=16m forge-root "$r"
  mkdir -p "$r/usr" "$r/etc" "$r/dev" "$r/proc" "$r/run/sshd" "$r/tmp" "$r/team" "$r/forge" "$r/opt/openssh"
  chmod 1777 "$r/tmp"
  mount --rbind /usr "$r/usr"
  for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$r/$d"
    elif [ -d "/$d" ]; then mkdir "$r/$d"; mount --rbind "/$d" "$r/$d"; fi
  done
  for n in null zero random urandom; do : >"$r/dev/$n"; mount --bind "/dev/$n" "$r/dev/$n"; done
  mount --rbind /proc "$r/proc"
  cp /etc/ld.so.cache "$STATE/etc/ld.so.cache"
  mount --bind "$STATE/etc" "$r/etc"
  mount --bind "$STATE/repos/team" "$r/team"
  mount --bind "$STATE/sshd" "$r/forge"
  mount --bind "$OPENSSH" "$r/opt/openssh"
  # read-only: the forge serves, it never takes a push (git-shell would run receive-pack)
  for d in usr etc team forge opt/openssh; do mount -o remount,bind,ro "$r/$d"; done
  if [ "${1:-}" = test ]; then
    exec env -i PATH=/usr/sbin:/usr/bin LD_LIBRARY_PATH=$LIBDIR chroot "$r" /opt/openssh/usr/sbin/sshd -t -f /forge/sshd_config
  fi
  exec env -i PATH=/usr/sbin:/usr/bin LD_LIBRARY_PATH=$LIBDIR \
    chroot "$r" /opt/openssh/usr/sbin/sshd -D -e -f /forge/sshd_config
}

start_sshd() {
  if alive "$SSHD_PID"; then log "sshd already running on $IP:$SSH_PORT (pid $(cat "$SSHD_PID"))"; return 0; fi
  [ -x /usr/bin/git-shell ] || die "/usr/bin/git-shell missing (Debian package git)"
  mkdir -p "$STATE/root"; chmod 755 "$STATE/root"
  # Check the configuration in the same namespace set-up (sshd -t), then start it for good.
  unshare --mount --propagation private -- bash "$HERE/forge.sh" __sshd-test >"$STATE/sshd-test.log" 2>&1 \
    || { cat "$STATE/sshd-test.log" >&2; die "sshd -t rejected the configuration"; }
  setsid unshare --mount --propagation private -- bash "$HERE/forge.sh" __sshd >>"$STATE/sshd.log" 2>&1 </dev/null &
  echo $! >"$SSHD_PID"
  for _ in $(seq 1 50); do answers "$SSH_PORT" && break; alive "$SSHD_PID" || break; sleep 0.1; done
  answers "$SSH_PORT" || { tail -n 5 "$STATE/sshd.log" >&2; rm -f "$SSHD_PID"; die "sshd did not start"; }
  log "sshd on $IP:$SSH_PORT (pid $(cat "$SSHD_PID"), log $STATE/sshd.log)"
}

start_https() {
  if alive "$HTTPS_PID"; then
    [ "${RESTART_HTTPS:-0}" = 1 ] || { log "https already running on $IP:$HTTPS_PORT (pid $(cat "$HTTPS_PID"))"; return 0; }
    stop_pid "$HTTPS_PID" https
  fi
  setsid "${PY[@]}" serve --state "$STATE" --addr "$IP" --port "$HTTPS_PORT" --host "$HOST" \
    >>"$STATE/https.log" 2>&1 </dev/null &
  echo $! >"$HTTPS_PID"
  for _ in $(seq 1 50); do answers "$HTTPS_PORT" && break; alive "$HTTPS_PID" || break; sleep 0.1; done
  answers "$HTTPS_PORT" || { tail -n 5 "$STATE/https.log" >&2; rm -f "$HTTPS_PID"; die "https server did not start"; }
  log "https://$HOST on $IP:$HTTPS_PORT (pid $(cat "$HTTPS_PID"), log $STATE/https.log)"
}

start_agent() {
  if ! alive "$AGENT_PID"; then
    rm -f "$AGENT_SOCK"
    ssh-agent -a "$AGENT_SOCK" -s </dev/null | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' >"$AGENT_PID"
  fi
  SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -q "$STATE/client/id_ed25519" 2>/dev/null
  log "ssh-agent with the forge key at $AGENT_SOCK (pid $(cat "$AGENT_PID"))"
}

stop_pid() {
  local f=$1 name=$2 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

start() {
  # FORCE=1 remakes what the running servers use (the sshd binary, certificates): stop them first.
  if [ "${FORCE:-0}" = 1 ]; then stop; fi
  ensure_host_packages openssh-client git openssl
  record_user_snapshot
  mkdir -p "$STATE"; chmod 755 "$TESTBED_CACHE" "$STATE"
  unpack_openssh
  make_etc
  make_keys
  make_tls
  make_secrets
  make_repos
  # Both ports first, so that a conflict leaves nothing half started.
  alive "$SSHD_PID" || port_free "$SSH_PORT"
  alive "$HTTPS_PID" || port_free "$HTTPS_PORT"
  start_sshd
  start_https
  start_agent
  log "ready: $HOST on $IP (ssh :$SSH_PORT, https :$HTTPS_PORT); eval \"\$($0 env)\" for the GOFRONT_FORGE_* variables"
}

stop() {
  stop_pid "$SSHD_PID" sshd
  stop_pid "$HTTPS_PID" https
  stop_pid "$AGENT_PID" ssh-agent
  rm -f "$AGENT_SOCK"
}

status() {
  local rc=0
  if alive "$SSHD_PID"; then echo "sshd running on $IP:$SSH_PORT (pid $(cat "$SSHD_PID"))"; else echo "sshd not running"; rc=3; fi
  if alive "$HTTPS_PID"; then echo "https running on $IP:$HTTPS_PORT (pid $(cat "$HTTPS_PID"))"; else echo "https not running"; rc=3; fi
  if alive "$AGENT_PID"; then echo "ssh-agent at $AGENT_SOCK (pid $(cat "$AGENT_PID"))"; else echo "ssh-agent not running"; rc=3; fi
  return "$rc"
}

# The GOFRONT_FORGE_* exports (paths are valid once `start` ran; the go.sum lines come from the sources).
print_env() {
  local sums mod var
  sums=$("${PY[@]}" sums --src "$SRC")
  cat <<ENV
export GOFRONT_FORGE_HOST=$HOST
export GOFRONT_FORGE_IP=$IP
export GOFRONT_FORGE_ADD_HOST=$HOST=$IP
export GOFRONT_FORGE_GOPRIVATE=$HOST
export GOFRONT_FORGE_SSH_URL=ssh://git@$HOST/
export GOFRONT_FORGE_HTTPS_URL=https://$HOST/
export GOFRONT_FORGE_GOPROXY_URL=https://$HOST/goproxy
export GOFRONT_FORGE_SSH_AUTH_SOCK=$AGENT_SOCK
export GOFRONT_FORGE_KNOWN_HOSTS=$STATE/client/known_hosts
export GOFRONT_FORGE_SSH_KEY=$STATE/client/id_ed25519
export GOFRONT_FORGE_CA=$STATE/tls/ca.crt
export GOFRONT_FORGE_NETRC=$STATE/secrets/netrc
export GOFRONT_FORGE_TOKEN_NETRC=$STATE/secrets/netrc-token
export GOFRONT_FORGE_TOKEN_FILE=$STATE/secrets/token
export GOFRONT_FORGE_PASSWORD_FILE=$STATE/secrets/password
export GOFRONT_FORGE_GIT_AUTH_HEADER_FILE=$STATE/secrets/git-auth-header
export GOFRONT_FORGE_USER=$USER_NAME
export GOFRONT_FORGE_GOSUM=$STATE/go.sum
export GOFRONT_FORGE_HTTPS_LOG=$STATE/https.log
export GOFRONT_FORGE_SSHD_LOG=$STATE/sshd.log
ENV
  for mod in greeter secretmod; do
    var=GOFRONT_FORGE_$(echo "$mod" | tr '[:lower:]' '[:upper:]')
    printf 'export %s_MODULE=%s\n' "$var" "$HOST/team/$mod"
    printf 'export %s_VERSION=%s\n' "$var" "$VERSION"
    printf 'export %s_SUM=%s\n' "$var" "$(awk -v m="$HOST/team/$mod" -v v="$VERSION" '$1 == m && $2 == v {print $3}' <<<"$sums")"
    printf 'export %s_GOMOD_SUM=%s\n' "$var" "$(awk -v m="$HOST/team/$mod" -v v="$VERSION/go.mod" '$1 == m && $2 == v {print $3}' <<<"$sums")"
  done
}

case $cmd in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  env) print_env ;;
  sums) "${PY[@]}" sums --src "$SRC" ;;
  __sshd) sshd_in_namespace ;;
  __sshd-test) sshd_in_namespace test ;;
  *) die "usage: $0 start|stop|restart|status|env|sums" ;;
esac
