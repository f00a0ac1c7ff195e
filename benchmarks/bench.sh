#!/usr/bin/env bash
# Build-speed benchmark for Go Dockerfiles: stock frontend vs gofront.
#
# For every repetition and every configuration (label, frontend, Dockerfile) it
# builds a fresh copy of examples/service through five scenarios:
#   S1 cold         `docker builder prune -af` first (wipes ALL BuildKit cache on
#                   this daemon, cache mounts included: never run it while
#                   someone else builds on the same dockerd)
#   S2 no change    rebuild as is
#   S3 source edit  one .go file edited (a unique comment appended)
#   S4 go.mod edit  benchmarks/s4-overlay/ copied over the app: one module
#                   (github.com/BurntSushi/toml) added to go.mod/go.sum and used
#   S5 arm64        rebuild with --platform linux/arm64
#   S6 ephemeral CI a fresh copy built once with --cache-to type=local,mode=max
#                   (recorded as S6x), then `docker builder prune -af` (cache
#                   mounts included, as on a fresh CI runner), one .go file
#                   edited, rebuilt with --cache-from of that export: S6
# and records the wall time of each `docker buildx build`, the requests the
# module proxy served during it (.zip/.mod/.info/list/404, from its access log)
# and the executed (not cached) go steps parsed from the plain progress log.
#
# Environment:
#   REPS=3                 repetitions
#   SCENARIOS="S1 S2 S3 S4 S5 S6"
#   CONFIGS="label|frontend|dockerfile ..."  frontend is `stock` or `gofront`;
#                          dockerfile is relative to examples/service. Default:
#                          stock-naive|stock|Dockerfile.stock
#                          stock-optimized|stock|Dockerfile.optimized
#                          and gofront-naive|gofront|Dockerfile and
#                          gofront-optimized|gofront|Dockerfile.optimized when GOFRONT_IMAGE is set
#   GOFRONT_IMAGE          frontend image for `gofront` configs (passed as
#                          --build-arg BUILDKIT_SYNTAX=$GOFRONT_IMAGE)
#   PROXY_DIR              static GOPROXY tree (default: the test bed's, built by
#                          scripts/testbed/goproxy/build.sh)
#   PROXY_PORT=3140        the script serves PROXY_DIR itself on 127.0.0.1:PORT
#                          with python3 http.server and stops it by PID at exit
#   OUT=benchmarks/results/<UTC timestamp>
#   BUILDX_ARGS            extra arguments for every build
#   BIN_PATH=/inventory    binary checked in S5 images: it must be built for
#                          the target architecture (else status wrong-arch)
#
# Outputs in $OUT: results.tsv (one row per build), summary.md (medians and
# ratios), logs/<rep>-<scenario>-<label>.log, proxy.log, env.txt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
APP_SRC="$ROOT/examples/service"
S4_OVERLAY="$HERE/s4-overlay"

REPS="${REPS:-3}"
SCENARIOS="${SCENARIOS:-S1 S2 S3 S4 S5 S6}"
PROXY_PORT="${PROXY_PORT:-3140}"
PROXY_DIR="${PROXY_DIR:-${GOFRONT_GOPROXY_DIR:-${GOFRONT_TESTBED_CACHE:-/var/cache/gofront-testbed}/goproxy}}"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}"
BUILDX_ARGS="${BUILDX_ARGS:-}"
BIN_PATH="${BIN_PATH:-/inventory}"
GOFRONT_IMAGE="${GOFRONT_IMAGE:-}"
if [[ -z "${CONFIGS:-}" ]]; then
  CONFIGS="stock-naive|stock|Dockerfile.stock stock-optimized|stock|Dockerfile.optimized"
  [[ -n "$GOFRONT_IMAGE" ]] && CONFIGS="$CONFIGS gofront-naive|gofront|Dockerfile gofront-optimized|gofront|Dockerfile.optimized"
fi

die() { echo "bench.sh: $*" >&2; exit 1; }

[[ -d "$PROXY_DIR" ]] || die "no module proxy tree at PROXY_DIR=$PROXY_DIR (build it with scripts/testbed)"
[[ -d "$S4_OVERLAY" ]] || die "missing $S4_OVERLAY"
command -v docker >/dev/null || die "docker not found"
docker buildx version >/dev/null 2>&1 || die "docker buildx not available"
for cfg in $CONFIGS; do
  IFS='|' read -r label frontend dockerfile <<<"$cfg"
  [[ -f "$APP_SRC/$dockerfile" ]] || die "config $label: no $APP_SRC/$dockerfile"
  case "$frontend" in
    stock) ;;
    gofront) [[ -n "$GOFRONT_IMAGE" ]] || die "config $label needs GOFRONT_IMAGE" ;;
    *) die "config $label: frontend must be stock or gofront, not $frontend" ;;
  esac
done

mkdir -p "$OUT/logs"
WORK="$(mktemp -d)"
PROXY_LOG="$OUT/proxy.log"
: >"$PROXY_LOG"
PROXY_PID=""
cleanup() {
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 -u -m http.server --bind 127.0.0.1 --directory "$PROXY_DIR" "$PROXY_PORT" >/dev/null 2>>"$PROXY_LOG" &
PROXY_PID=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/" || die "proxy did not start on port $PROXY_PORT"

{
  echo "date_utc	$(date -u +%FT%TZ)"
  echo "host	$(uname -srm)"
  echo "cpus	$(nproc)"
  echo "uptime	$(uptime)"
  echo "docker	$(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  echo "buildx	$(docker buildx version 2>/dev/null)"
  echo "reps	$REPS"
  echo "scenarios	$SCENARIOS"
  echo "configs	$CONFIGS"
  echo "gofront_image	$GOFRONT_IMAGE"
  echo "proxy_dir	$PROXY_DIR"
  echo "app_commit	$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$OUT/env.txt"

TSV="$OUT/results.tsv"
printf 'rep\tscenario\tlabel\tfrontend\tdockerfile\tstatus\twall_s\tzips\tzip_mb\tmods\tinfos\tlists\tnot_found\tgo_dl_s\tgo_build_s\tgo_cached\tbase_images\n' >"$TSV"

# proxy_counts FROM_LINE: counts of the access-log lines after FROM_LINE.
proxy_counts() {
  python3 - "$PROXY_LOG" "$1" "$PROXY_DIR" <<'PY'
import os, re, sys, urllib.parse
log, start, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
zips = mods = infos = lists = nf = 0
size = 0
with open(log, errors="replace") as f:
    lines = f.readlines()[start:]
for line in lines:
    m = re.search(r'"GET (\S+) HTTP/[\d.]+" (\d{3})', line)
    if not m:
        continue
    path, status = urllib.parse.unquote(m.group(1)), m.group(2)
    if status == "404":
        nf += 1
        continue
    if path.endswith(".zip"):
        zips += 1
        try:
            size += os.path.getsize(os.path.join(root, path.lstrip("/")))
        except OSError:
            pass
    elif path.endswith(".mod"):
        mods += 1
    elif path.endswith(".info"):
        infos += 1
    elif path.endswith("/@v/list") or path.endswith("/@latest"):
        lists += 1
print(f"{zips}\t{size/1e6:.1f}\t{mods}\t{infos}\t{lists}\t{nf}")
PY
}

# go_steps LOG: executed seconds of `go mod download` and `go build` steps and
# the number of go steps that were CACHED, from a --progress=plain log.
go_steps() {
  python3 - "$1" <<'PY'
import re, sys
names, done, cached = {}, {}, set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"#(\d+) (\[.*)$", line.rstrip())
    if m and m.group(1) not in names:
        names[m.group(1)] = m.group(2)
        continue
    m = re.match(r"#(\d+) DONE ([\d.]+)s", line)
    if m:
        done[m.group(1)] = float(m.group(2))
    m = re.match(r"#(\d+) CACHED", line)
    if m:
        cached.add(m.group(1))
dl = build = 0.0
ncached = 0
for step, name in names.items():
    is_go = re.search(r"\bgo (mod download|build|install)\b", name)
    # gofront's summary vertices ("[gofront] deps applied ...: go mod download") are not steps.
    if not is_go or name.startswith("[gofront]"):
        continue
    if step in cached:
        ncached += 1
    elif step in done:
        if "go mod download" in name:
            dl += done[step]
        else:
            build += done[step]
print(f"{dl:.1f}\t{build:.1f}\t{ncached}")
PY
}

# check_arch TAG PLATFORM: "ok" when the image's $BIN_PATH is an ELF binary for
# PLATFORM's architecture. A single-platform (amd64) golang base image lets a
# non-cross-compiling Dockerfile "succeed" for linux/arm64 with an x86-64
# binary inside an image labelled arm64: that is a wrong result, not a build.
check_arch() {
  local cid bin="$WORK/arch-check.bin"
  cid=$(docker create --platform "$2" "$1" 2>/dev/null) || { echo "no-container"; return; }
  docker cp "$cid:$BIN_PATH" "$bin" >/dev/null 2>&1 || true
  docker rm "$cid" >/dev/null 2>&1 || true
  python3 - "$bin" "${2##*/}" <<'PY'
import struct, sys
want = {"amd64": 62, "arm64": 183, "arm": 40, "386": 3, "riscv64": 243, "ppc64le": 21, "s390x": 22}
try:
    head = open(sys.argv[1], "rb").read(20)
except OSError:
    print("no-binary"); sys.exit()
if head[:4] != b"\x7fELF":
    print("not-elf"); sys.exit()
machine = struct.unpack("<H", head[18:20])[0]
print("ok" if machine == want.get(sys.argv[2]) else f"wrong-arch(e_machine={machine})")
PY
  rm -f "$bin"
}

# build REP SCENARIO LABEL FRONTEND DOCKERFILE APPDIR [PLATFORM [EXTRA ARGS]]
build() {
  local rep=$1 scen=$2 label=$3 frontend=$4 dockerfile=$5 app=$6 platform=${7:-} extra=${8:-}
  local log="$OUT/logs/$rep-$scen-$label.log" tag="inventory-bench:$label"
  local -a args=(--progress=plain --network host
    --build-arg "GOPROXY=http://127.0.0.1:$PROXY_PORT" --build-arg GOSUMDB=off
    --build-arg VERSION=bench -f "$app/$dockerfile" --load)
  if [[ -n "$platform" ]]; then args+=(--platform "$platform"); tag="$tag-${platform##*/}"; fi
  [[ "$frontend" == gofront ]] && args+=(--build-arg "BUILDKIT_SYNTAX=$GOFRONT_IMAGE")
  # shellcheck disable=SC2206
  [[ -n "$BUILDX_ARGS" ]] && args+=($BUILDX_ARGS)
  # shellcheck disable=SC2206
  [[ -n "$extra" ]] && args+=($extra)
  local before status start end wall counts steps
  before=$(wc -l <"$PROXY_LOG")
  start=$(date +%s.%N)
  if docker buildx build "${args[@]}" -t "$tag" "$app" >"$log" 2>&1; then status=ok; else status=FAIL; fi
  end=$(date +%s.%N)
  if [[ "$status" == ok && -n "$platform" ]]; then
    local arch
    arch=$(check_arch "$tag" "$platform")
    [[ "$arch" == ok ]] || status="$arch"
  fi
  sleep 0.2 # let the proxy flush its log
  wall=$(python3 -c "print(f'{$end-$start:.1f}')")
  counts=$(proxy_counts "$before")
  steps=$(go_steps "$log")
  # The digests of the FROM images: when a base image is re-tagged during a run
  # (e.g. the test bed rebuilt golang:1.22), later builds miss the cache.
  bases=$(grep -oE 'FROM [^ ]+@sha256:[0-9a-f]{12}' "$log" | sed 's/^FROM //' | sort -u | paste -sd, -)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$scen" "$label" "$frontend" "$dockerfile" \
    "$status" "$wall" "$counts" "$steps" "${bases:--}" >>"$TSV"
  echo "rep $rep $scen $label: $status ${wall}s  zips/MB/mods/infos/lists/404: $(tr '\t' / <<<"$counts")  go dl/build s, cached: $(tr '\t' / <<<"$steps")"
}

has() { [[ " $SCENARIOS " == *" $1 "* ]]; }

for rep in $(seq "$REPS"); do
  for cfg in $CONFIGS; do
    IFS='|' read -r label frontend dockerfile <<<"$cfg"
    app="$WORK/$rep-$label"
    rm -rf "$app"
    cp -a "$APP_SRC" "$app"
    if has S1; then
      docker builder prune -af >/dev/null
      build "$rep" S1 "$label" "$frontend" "$dockerfile" "$app"
    fi
    has S2 && build "$rep" S2 "$label" "$frontend" "$dockerfile" "$app"
    if has S3; then
      echo "// bench edit $rep $label $(date +%s%N)" >>"$app/internal/api/items.go"
      build "$rep" S3 "$label" "$frontend" "$dockerfile" "$app"
    fi
    if has S4; then
      cp -a "$S4_OVERLAY/." "$app/"
      build "$rep" S4 "$label" "$frontend" "$dockerfile" "$app"
    fi
    has S5 && build "$rep" S5 "$label" "$frontend" "$dockerfile" "$app" linux/arm64
    if has S6; then
      # An ephemeral CI runner: the previous run's layers come from an exported cache, the
      # builder itself (cache mounts included) starts empty.
      rm -rf "$app" "$WORK/cache"
      cp -a "$APP_SRC" "$app"
      docker builder prune -af >/dev/null
      build "$rep" S6x "$label" "$frontend" "$dockerfile" "$app" "" "--cache-to type=local,dest=$WORK/cache,mode=max"
      docker builder prune -af >/dev/null
      echo "// bench edit $rep $label $(date +%s%N)" >>"$app/internal/api/items.go"
      build "$rep" S6 "$label" "$frontend" "$dockerfile" "$app" "" "--cache-from type=local,src=$WORK/cache"
      rm -rf "$WORK/cache"
    fi
  done
done

python3 "$HERE/summarize.py" "$TSV" >"$OUT/summary.md"
cat "$OUT/summary.md"
echo "results in $OUT"
