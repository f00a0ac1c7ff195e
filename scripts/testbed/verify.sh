#!/usr/bin/env bash
# Self-check of the test bed (needs setup.sh first): prints one PASS/FAIL line per check, exits 1 on
# any failure.
#   - no package the machine had before the test bed changed version or went away (the snapshot
#     install-docker.sh records before its first install), except the engine's own packages
#   - the engine is Docker 28.5.2 with BuildKit v0.25 (unless GOFRONT_ANY_ENGINE=1)
#   - every base image tag exists; golang has the official config
#   - `FROM --platform=linux/arm64` of busybox, debian and distroless resolves offline
#   - cache export beyond inline (`--cache-to type=local`) works with the docker driver
#   - smoke: a two-stage `FROM golang:1.22` -> `FROM scratch` build with the stock frontend that
#     downloads a module from a local proxy of its own (counted in its log), then runs the result
#   - the private forge git.gofront.test (forge.sh, started by setup.sh --private; skipped with
#     GOFRONT_PRIVATE_SERVERS=0): no host user or openssh package added, sshd in its own mount
#     namespace, both servers listening on 127.0.0.2 only; `go mod download` of each private module in
#     a golang:1.22 container succeeds with the credentials (ssh agent + known_hosts, .netrc, token,
#     GOPROXY with .netrc; the CA) giving the go.sum lines of forge.sh sums, and fails without them
#     (Permission denied (publickey), Host key verification failed, 401, x509 unknown authority);
#     a `docker buildx build` with the documented --ssh/--secret/--add-host flags; no credential in
#     the forge's logs
set -euo pipefail
LOG_TAG=verify
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

WORK=$(mktemp -d /tmp/gofront-verify.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILED=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=1; }

# Host packages: the engine may be installed or upgraded; nothing else may change.
before=$TESTBED_CACHE/packages-before.tsv
if [ -f "$before" ]; then
  changed=$(join -t "$(printf '\t')" -a1 -e MISSING -o 0,1.2,2.2 "$before" <(package_snapshot) \
    | awk -F'\t' -v engine=" ${ENGINE_PACKAGES[*]} " '$2 != $3 && index(engine, " " $1 " ") == 0 {print $1 " " $2 " -> " $3}')
  added=$(comm -13 <(cut -f1 "$before") <(package_snapshot | cut -f1) | tr '\n' ' ')
  if [ -z "$changed" ]; then
    pass "host packages: none of the $(wc -l <"$before") packages present before the test bed changed version (new: ${added:-none})"
  else
    fail "host packages changed by the test bed: $(echo "$changed" | head -n 20 | tr '\n' ';')"
  fi
else
  fail "no package snapshot at $before (install-docker.sh records it before installing anything)"
fi
server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || true)
bk=$(docker buildx inspect default 2>/dev/null | awk '/BuildKit version/ {print $3}')
case "$server" in
  28.5.2*) pass "engine Docker $server, BuildKit $bk" ;;
  *) if [ "${GOFRONT_ANY_ENGINE:-0}" = 1 ]; then pass "engine Docker $server, BuildKit $bk (GOFRONT_ANY_ENGINE=1)"
     else fail "engine Docker $server, BuildKit $bk: the test bed's engine is 28.5.2 (GOFRONT_ANY_ENGINE=1 accepts another)"; fi ;;
esac

for t in golang:1.22 golang:1.22-bookworm golang:1.23 golang:1.23-bookworm busybox:latest debian:bookworm-slim \
    debian:12 gcr.io/distroless/static-debian12:latest gcr.io/distroless/static-debian12:nonroot \
    gcr.io/distroless/static:nonroot; do
  if image_exists "$t"; then pass "image $t"; else fail "image $t missing"; fi
done
env_ok=$(docker image inspect golang:1.22 --format '{{json .Config.Env}} {{.Config.WorkingDir}}')
case $env_ok in
  *PATH=/go/bin:/usr/local/go/bin:*GOLANG_VERSION=1.22.*GOTOOLCHAIN=local*GOPATH=/go*' /go') pass "golang:1.22 config: $env_ok" ;;
  *) fail "golang:1.22 config: $env_ok" ;;
esac

# arm64 stand-ins resolve offline, and a non-inline cache export works.
mkdir -p "$WORK/plat"
cat >"$WORK/plat/Dockerfile" <<'DF'
FROM --platform=linux/arm64 busybox AS b
FROM --platform=linux/arm64 debian:bookworm-slim AS d
FROM --platform=linux/arm64 gcr.io/distroless/static-debian12:nonroot AS s
FROM scratch
COPY --from=b /bin/busybox /busybox
COPY --from=d /bin/bash /bash
COPY --from=s /etc/passwd /passwd
DF
if docker buildx build --builder default --progress=quiet --cache-to "type=local,dest=$WORK/cache" \
    --output "type=local,dest=$WORK/plat/out" "$WORK/plat" >/dev/null 2>"$WORK/plat.log"; then
  arch_b=$(od -An -tx1 -j18 -N2 "$WORK/plat/out/busybox" | tr -d ' ')
  arch_d=$(od -An -tx1 -j18 -N2 "$WORK/plat/out/bash" | tr -d ' ')
  if [ "$arch_b" = b700 ] && [ "$arch_d" = b700 ]; then pass "FROM --platform=linux/arm64 busybox/debian/distroless resolve offline (aarch64 ELF)"
  else fail "arm64 stand-ins: unexpected ELF machine $arch_b/$arch_d"; fi
  if [ -f "$WORK/cache/index.json" ]; then pass "--cache-to type=local with the docker driver"
  else fail "--cache-to type=local wrote no index.json"; fi
else
  fail "arm64 stand-ins / cache export: $(tail -n 3 "$WORK/plat.log" | tr '\n' ' ')"
fi

# Smoke: stock frontend, golang:1.22 -> scratch, one module from the local proxy. It uses a proxy of
# its own (port GOFRONT_VERIFY_PROXY_PORT, default 3141) so that other builds cannot skew the count.
PORT=${GOFRONT_VERIFY_PROXY_PORT:-3141}
if ! bash "$HERE/goproxy-serve.sh" start "$PORT" 2>"$WORK/serve.log"; then
  fail "could not start a module proxy on 127.0.0.1:$PORT: $(tail -n 1 "$WORK/serve.log")"
else
  trap 'bash "$HERE/goproxy-serve.sh" stop "$PORT" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  sum=$(awk -F'\t' '$1=="github.com/google/uuid"{print $2}' "${GOFRONT_GOPROXY_DIR:-$TESTBED_CACHE/goproxy}/_meta/MANIFEST.tsv")
  mkdir -p "$WORK/smoke"
  cat >"$WORK/smoke/go.mod" <<MOD
module example.com/smoke

go 1.22

require github.com/google/uuid $sum
MOD
  cat >"$WORK/smoke/main.go" <<'GO'
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() { fmt.Println("smoke ok", len(uuid.NewString())) }
GO
  cat >"$WORK/smoke/Dockerfile" <<'DF'
FROM golang:1.22 AS build
ARG GOPROXY
ARG GOSUMDB
WORKDIR /src
COPY . .
RUN go mod tidy && go mod download && CGO_ENABLED=0 go build -o /out/smoke .
FROM scratch
COPY --from=build /out/smoke /smoke
ENTRYPOINT ["/smoke"]
DF
  mark=$(bash "$HERE/goproxy-serve.sh" mark "$PORT")
  t0=$SECONDS
  if docker buildx build --builder default --progress=quiet --no-cache --network host \
      --build-arg "GOPROXY=http://127.0.0.1:$PORT" --build-arg GOSUMDB=off -t gofront-testbed-smoke:latest \
      --load "$WORK/smoke" >/dev/null 2>"$WORK/smoke.log"; then
    out=$(docker run --rm gofront-testbed-smoke:latest)
    counts=$(bash "$HERE/goproxy-serve.sh" count-since "$mark" "$PORT")
    if [ "$out" = "smoke ok 36" ]; then pass "smoke build golang:1.22 -> scratch in $((SECONDS - t0)) s, ran: '$out'; proxy: $counts"
    else fail "smoke image printed '$out'"; fi
    case $counts in zip=1\ *) ;; *) fail "expected exactly one zip download, got: $counts" ;; esac
    docker image rm gofront-testbed-smoke:latest >/dev/null 2>&1 || true
  else
    fail "smoke build: $(tail -n 5 "$WORK/smoke.log" | tr '\n' ' ')"
  fi
fi

# --- the private forge (forge.sh) -------------------------------------------------------------------

# forge_run DOCKER-RUN-ARGS...: a golang:1.22 container on the host network that resolves the forge.
forge_run() {
  docker run --rm --network host --add-host "$GOFRONT_FORGE_ADD_HOST" -e GOFLAGS=-mod=mod \
    -e "GOPRIVATE=$GOFRONT_FORGE_GOPRIVATE" "$@" 2>&1
}

# sums_of: the go.sum lines of a `go mod download -json` output (stdin), sorted.
sums_of() {
  python3 -c '
import json, sys
text, dec, pos = sys.stdin.read(), json.JSONDecoder(), 0
while True:
    start = text.find("{", pos)
    if start < 0:
        break
    obj, pos = dec.raw_decode(text, start)
    if obj.get("Sum"):
        print(obj["Path"], obj["Version"], obj["Sum"])
    if obj.get("GoModSum"):
        print(obj["Path"], obj["Version"] + "/go.mod", obj["GoModSum"])
' | sort
}

# forge_ok LABEL MODULES -- RUN-ARGS...: `go mod download -json MODULES` succeeds with the forge's go.sum.
forge_ok() {
  local label=$1 mods=$2 out want got m
  shift 3
  # shellcheck disable=SC2086 # MODULES is a list
  out=$(forge_run "$@" golang:1.22 go mod download -json $mods) || true
  got=$(sums_of <<<"$out")
  want=$(for m in $mods; do grep "^${m%@*} " "$GOFRONT_FORGE_GOSUM"; done | sort)
  if [ -n "$got" ] && [ "$got" = "$want" ]; then pass "forge: $label ($(wc -l <<<"$got") go.sum lines as in forge.sh sums)"
  else fail "forge: $label: got '$(tr '\n' ' ' <<<"$got")', want '$(tr '\n' ' ' <<<"$want")'; output: $(tail -n 4 <<<"$out" | tr '\n' ' ')"; fi
}

# forge_fails LABEL PATTERN MODULE -- RUN-ARGS...: the download fails and the output contains PATTERN.
forge_fails() {
  local label=$1 pattern=$2 mod=$3 out
  shift 4
  if out=$(forge_run "$@" golang:1.22 go mod download "$mod"); then
    fail "forge: $label: the download succeeded"
  elif grep -qF -- "$pattern" <<<"$out"; then pass "forge: $label fails: $pattern"
  else fail "forge: $label: failed without '$pattern': $(tail -n 3 <<<"$out" | tr '\n' ' ')"; fi
}

verify_forge() {
  eval "$(bash "$HERE/forge.sh" env)"
  local st=$TESTBED_CACHE/forge sshd_pid https_pid users_before new_users bad_users addrs pkgs
  sshd_pid=$(cat "$st/sshd.pid"); https_pid=$(cat "$st/https.pid")

  # No host account: the forge's `git` and `sshd` exist only in the sshd namespace's /etc.
  users_before=$TESTBED_CACHE/users-before.txt
  new_users=$( [ -f "$users_before" ] && comm -13 "$users_before" <(user_snapshot) | tr '\n' ' ')
  bad_users=$(awk -F: -v c="$TESTBED_CACHE" 'index($6, c) == 1 || index($7, c) == 1 || $1 == "gofront-git" {print $1}' /etc/passwd | tr '\n' ' ')
  case " $new_users " in *" git "*|*" sshd "*) bad_users="$bad_users$new_users" ;; esac
  if [ -n "$bad_users" ]; then
    fail "host users created for the test bed: $bad_users(gofront-git came from the old git-sshd.sh: userdel gofront-git)"
  elif [ ! -f "$users_before" ]; then fail "no user snapshot at $users_before (forge.sh start records it)"
  else pass "host users: none created by the test bed ($(wc -l <"$users_before") before; added since, by others: ${new_users:-none})"; fi
  pkgs=$(comm -13 <(cut -f1 "$TESTBED_CACHE/packages-before.tsv" 2>/dev/null) <(package_snapshot | cut -f1) | grep -xE 'openssh-server|openssh-sftp-server|libwrap0' | tr '\n' ' ' || true)
  if [ -z "$pkgs" ]; then pass "forge sshd runs from the unpacked .deb ($(readlink "/proc/$sshd_pid/exe")); no openssh-server/libwrap0 package installed"
  else fail "packages installed for sshd: $pkgs(the forge unpacks them into the cache instead)"; fi
  if [ "$(readlink "/proc/$sshd_pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; then pass "forge sshd (pid $sshd_pid) runs in a mount namespace of its own"
  else fail "forge sshd (pid $sshd_pid) shares the host's mount namespace"; fi

  # Listening sockets of the forge's servers: 127.0.0.2 only.
  # (ss from iproute2 when present; else the same from /proc/net/tcp*)
  local how=ss
  if command -v ss >/dev/null; then
    addrs=$(ss -ltnpH | awk -v a="pid=$sshd_pid," -v b="pid=$https_pid," 'index($0, a) || index($0, b) {print $4}' | sort | tr '\n' ' ')
  else
    how=/proc/net/tcp; addrs=$(python3 "$HERE/forge-https.py" listeners "$sshd_pid" "$https_pid" | tr '\n' ' ')
  fi
  if [ "$addrs" = "127.0.0.2:22 127.0.0.2:443 " ]; then pass "forge listens on 127.0.0.2 only ($how: $addrs)"
  else fail "forge listening sockets ($how): '$addrs' (want exactly 127.0.0.2:22 and 127.0.0.2:443)"; fi

  local ca=(-v "$GOFRONT_FORGE_CA:/forge-ca.crt:ro" -e SSL_CERT_FILE=/forge-ca.crt -e GIT_SSL_CAINFO=/forge-ca.crt)
  local agent=(-v "$GOFRONT_FORGE_SSH_AUTH_SOCK:/ssh-agent" -e SSH_AUTH_SOCK=/ssh-agent)
  local kh=(-v "$GOFRONT_FORGE_KNOWN_HOSTS:/root/.ssh/known_hosts:ro")
  local netrc=(-v "$GOFRONT_FORGE_NETRC:/root/.netrc:ro")
  local viassh=(-e GIT_CONFIG_COUNT=1 -e "GIT_CONFIG_KEY_0=url.$GOFRONT_FORGE_SSH_URL.insteadOf" -e "GIT_CONFIG_VALUE_0=$GOFRONT_FORGE_HTTPS_URL")
  local proxy=(-e GOPRIVATE= -e "GOPROXY=$GOFRONT_FORGE_GOPROXY_URL" -e "GONOSUMDB=$GOFRONT_FORGE_HOST")
  local g=$GOFRONT_FORGE_GREETER_MODULE@$GOFRONT_FORGE_GREETER_VERSION s=$GOFRONT_FORGE_SECRETMOD_MODULE@$GOFRONT_FORGE_SECRETMOD_VERSION
  local mark
  mark=$(wc -l <"$GOFRONT_FORGE_HTTPS_LOG")
  forge_ok "ssh (agent, known_hosts, CA, insteadOf)" "$g $s" -- "${agent[@]}" "${kh[@]}" "${ca[@]}" "${viassh[@]}"
  forge_fails "ssh without the agent" "Permission denied (publickey)" "$g" -- "${kh[@]}" "${ca[@]}" "${viassh[@]}"
  forge_fails "ssh without known_hosts" "Host key verification failed" "$g" -- "${agent[@]}" "${ca[@]}" "${viassh[@]}"
  forge_ok "git over https with .netrc" "$g $s" -- "${netrc[@]}" "${ca[@]}"
  forge_fails "git over https without .netrc" "terminal prompts disabled" "$g" -- "${ca[@]}"
  forge_ok "git over https with the token (.netrc x-access-token)" "$g" -- -v "$GOFRONT_FORGE_TOKEN_NETRC:/root/.netrc:ro" "${ca[@]}"
  forge_ok "GOPROXY $GOFRONT_FORGE_GOPROXY_URL with .netrc" "$s $g" -- "${proxy[@]}" "${netrc[@]}" "${ca[@]}"
  forge_fails "GOPROXY without .netrc" "401 Unauthorized" "$s" -- "${proxy[@]}" "${ca[@]}"
  forge_fails "without the CA" "x509: certificate signed by unknown authority" "$s" -- "${proxy[@]}" "${netrc[@]}"
  if tail -n +"$((mark + 1))" "$GOFRONT_FORGE_HTTPS_LOG" | grep -q ' 401 auth=none$'; then pass "forge: the HTTPS log shows the 401 answers (path and status only)"
  else fail "forge: no 401 in $GOFRONT_FORGE_HTTPS_LOG"; fi

  # The flags the e2e tests use, with the stock frontend and hand-written mounts.
  mkdir -p "$WORK/forge"
  cat >"$WORK/forge/Dockerfile" <<'DF'
FROM golang:1.22
ARG GOPRIVATE
ENV GOFLAGS=-mod=mod
RUN --mount=type=ssh --mount=type=secret,id=ca --mount=type=secret,id=known_hosts,target=/root/.ssh/known_hosts \
    SSL_CERT_FILE=/run/secrets/ca GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=url.ssh://git@git.gofront.test/.insteadOf \
    GIT_CONFIG_VALUE_0=https://git.gofront.test/ go mod download git.gofront.test/team/greeter@v0.1.0
RUN --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=ca \
    SSL_CERT_FILE=/run/secrets/ca GIT_SSL_CAINFO=/run/secrets/ca go mod download git.gofront.test/team/secretmod@v0.1.0
RUN --mount=type=secret,id=GIT_AUTH_TOKEN --mount=type=secret,id=ca GIT_SSL_CAINFO=/run/secrets/ca \
    git -c "http.https://git.gofront.test/.extraheader=Authorization: basic $(printf 'x-access-token:%s' "$(cat /run/secrets/GIT_AUTH_TOKEN)" | base64 -w0)" \
    ls-remote https://git.gofront.test/team/greeter.git refs/tags/v0.1.0 | grep -q v0.1.0
DF
  mark=$(wc -l <"$GOFRONT_FORGE_HTTPS_LOG")
  if docker buildx build --builder default --progress=plain --no-cache --network host \
      --add-host "$GOFRONT_FORGE_ADD_HOST" --build-arg "GOPRIVATE=$GOFRONT_FORGE_GOPRIVATE" \
      --ssh "default=$GOFRONT_FORGE_SSH_AUTH_SOCK" --secret "id=known_hosts,src=$GOFRONT_FORGE_KNOWN_HOSTS" \
      --secret "id=netrc,src=$GOFRONT_FORGE_NETRC" --secret "id=ca,src=$GOFRONT_FORGE_CA" \
      --secret "id=GIT_AUTH_TOKEN,src=$GOFRONT_FORGE_TOKEN_FILE" --output type=cacheonly "$WORK/forge" >"$WORK/forge.log" 2>&1; then
    if tail -n +"$((mark + 1))" "$GOFRONT_FORGE_HTTPS_LOG" | grep -q ' 200 auth=token$'; then
      pass "forge: docker buildx build --ssh default --secret id=netrc/ca/known_hosts/GIT_AUTH_TOKEN --add-host $GOFRONT_FORGE_ADD_HOST (stock frontend)"
    else fail "forge: the buildx build passed but the HTTPS log shows no request with the token"; fi
  else
    fail "forge: buildx build with the forge's flags: $(grep -E 'ERROR|error|denied|failed' "$WORK/forge.log" | tail -n 4 | tr '\n' ' ')"
  fi

  # Credentials never reach the logs.
  local leaked=""
  for f in "$GOFRONT_FORGE_PASSWORD_FILE" "$GOFRONT_FORGE_TOKEN_FILE"; do
    if grep -qF -- "$(cat "$f")" "$GOFRONT_FORGE_HTTPS_LOG" "$GOFRONT_FORGE_SSHD_LOG"; then leaked="$leaked $(basename "$f")"; fi
  done
  if [ -z "$leaked" ]; then pass "forge: neither the password nor the token appears in the forge's logs"
  else fail "forge: the$leaked appears in the forge's logs"; fi
}

if [ "${GOFRONT_PRIVATE_SERVERS:-1}" = 0 ]; then
  printf 'SKIP  private forge (GOFRONT_PRIVATE_SERVERS=0)\n'
elif ! bash "$HERE/forge.sh" status >"$WORK/forge-status" 2>&1; then
  fail "private forge not running ($(tr '\n' ';' <"$WORK/forge-status")): scripts/testbed/setup.sh --private starts it, GOFRONT_PRIVATE_SERVERS=0 skips these checks"
else
  verify_forge
fi
exit "$FAILED"
