#!/usr/bin/env bash
# Builds, offline (Debian mirror only), the base images that real Dockerfiles name, and tags them in the
# local engine so that BuildKit finds them before asking any registry:
#
#   golang:1.22 golang:1.22-bookworm golang:1.22.12 golang:1.22.12-bookworm       (linux/amd64)
#   golang:1.23 golang:1.23-bookworm golang:1.23.N  golang:1.23.N-bookworm         (linux/amd64)
#   busybox:latest                                                                 (linux/amd64 + linux/arm64)
#   debian:bookworm-slim debian:bookworm debian:12-slim debian:12                  (linux/amd64 + linux/arm64)
#   gcr.io/distroless/static-debian12:{latest,nonroot} gcr.io/distroless/static:{latest,nonroot}
#                                                                                  (linux/amd64 + linux/arm64)
#
# Usage: base-images.sh [golang] [busybox] [debian] [distroless]   (default: all)
# Env:   FORCE=1 rebuilds existing tags and cached rootfs tarballs; GO_VERSIONS="1.22 1.23";
#        GOFRONT_TESTBED_CACHE (default /var/cache/gofront-testbed) keeps debs and rootfs tarballs.
# Needs: root, a running engine with the containerd image store (scripts/testbed/install-docker.sh).
set -euo pipefail
LOG_TAG=base-images
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

FORCE=${FORCE:-0}
GO_VERSIONS=${GO_VERSIONS:-1.22 1.23}
GO_IMAGE_PKGS=${GO_IMAGE_PKGS:-ca-certificates,curl,wget,netbase,git,openssh-client,procps,gcc,libc6-dev,make,pkg-config,xz-utils}
STANDIN_ARCHES=${STANDIN_ARCHES:-amd64 arm64}
GO_PATH_ENV=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CREATED=()
BUILT_ROOTFS=""   # rootfs tarballs made by this run (FORCE=1 rebuilds each once)

WORK=$(mktemp -d /tmp/gofront-base-images.XXXXXX)
# Never follow a mount (an interrupted debootstrap may leave /proc, /sys or /dev mounted in its target).
cleanup() {
  local m
  awk -v w="$WORK" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# all_exist TAG...: true when every tag is present and FORCE is not set.
all_exist() {
  [ "$FORCE" = 1 ] && return 1
  local t
  for t in "$@"; do image_exists "$t" || return 1; done
}

# platforms_csv: "linux/amd64,linux/arm64" from STANDIN_ARCHES.
platforms_csv() {
  local a out=""
  for a in $STANDIN_ARCHES; do out="${out:+$out,}linux/$a"; done
  echo "$out"
}

# use_debootstrap: the machine's debootstrap when installed, else Debian's bookworm debootstrap unpacked
# into the cache and run from there (a shell script; DEBOOTSTRAP_DIR tells it where its scripts are):
# no package of the machine is installed for it.
DEBOOTSTRAP=debootstrap
use_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  local dir=$TESTBED_CACHE/debootstrap
  if [ ! -x "$dir/usr/sbin/debootstrap" ]; then
    fetch_deb amd64 "$TESTBED_CACHE/debs/debootstrap" debootstrap
    mkdir -p "$dir"
    dpkg-deb -x "$(first_file "$TESTBED_CACHE"/debs/debootstrap/debootstrap_*_all.deb)" "$dir"
  fi
  export DEBOOTSTRAP_DIR=$dir/usr/share/debootstrap
  DEBOOTSTRAP=$dir/usr/sbin/debootstrap
}

# debootstrap_tar NAME ARCH INCLUDE OUT: a cached minbase rootfs tarball (numeric owners kept).
debootstrap_tar() {
  local name=$1 arch=$2 include=$3 out=$4
  if [ -s "$out" ] && { [ "$FORCE" != 1 ] || [[ " $BUILT_ROOTFS " == *" $out "* ]]; }; then return 0; fi
  use_debootstrap
  local root=$WORK/rootfs-$name-$arch debs=$TESTBED_CACHE/debootstrap-debs/$arch
  mkdir -p "$debs" "$(dirname "$out")"
  local args=(--variant=minbase --arch="$arch" --cache-dir="$debs")
  [ -n "$include" ] && args+=(--include="$include")
  local t0=$SECONDS
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    # Two stages so that dpkg runs with force-unsafe-io in the target (no fsync per file): 2-3x faster
    # on a busy machine; the setting is removed before the rootfs is packed.
    log "debootstrap $name ($arch) ..."
    "$DEBOOTSTRAP" --foreign "${args[@]}" bookworm "$root" "$(mirror_uri)" >"$WORK/debootstrap-$name.log" 2>&1 \
      || { tail -n 30 "$WORK/debootstrap-$name.log" >&2; die "debootstrap $name failed"; }
    mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/zz-gofront-unsafe-io"
    env -u DEBOOTSTRAP_DIR chroot "$root" /debootstrap/debootstrap --second-stage >>"$WORK/debootstrap-$name.log" 2>&1 \
      || { tail -n 30 "$WORK/debootstrap-$name.log" >&2; die "debootstrap --second-stage $name failed"; }
    rm -f "$root/etc/dpkg/dpkg.cfg.d/zz-gofront-unsafe-io"
  else
    # No emulation here: unpack only (first stage), then finish by hand what the second stage would do
    # for a runtime-only stand-in (no maintainer scripts are run; images built FROM it cannot RUN anyway).
    log "debootstrap --foreign $name ($arch, unpack only) ..."
    "$DEBOOTSTRAP" --foreign "${args[@]}" bookworm "$root" "$(mirror_uri)" >"$WORK/debootstrap-$name.log" 2>&1 \
      || { tail -n 30 "$WORK/debootstrap-$name.log" >&2; die "debootstrap --foreign $name failed"; }
    finish_foreign_rootfs "$root" "$arch"
  fi
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/debootstrap
  tar --numeric-owner --xattrs -C "$root" -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf "$root"
  BUILT_ROOTFS="$BUILT_ROOTFS $out"
  log "rootfs $name ($arch): $(du -h "$out" | cut -f1) in $((SECONDS - t0)) s"
}

# finish_foreign_rootfs ROOT ARCH: make an unpacked (first-stage) rootfs usable as a runtime base:
# the package files of every downloaded .deb, the dpkg database and the account files of the
# native rootfs (identical content on every architecture in bookworm).
finish_foreign_rootfs() {
  local root=$1 arch=$2 deb
  for deb in "$root"/var/cache/apt/archives/*.deb; do
    dpkg-deb -x "$deb" "$root"
  done
  local native=$WORK/native-etc
  mkdir -p "$native"
  tar -C "$native" -xf "$TESTBED_CACHE/rootfs/debian-bookworm-$(dpkg --print-architecture).tar" \
    ./etc ./var/lib/dpkg/status
  local f
  for f in passwd group shadow gshadow; do
    [ -f "$native/etc/$f" ] && cp -a "$native/etc/$f" "$root/etc/$f"
  done
  sed "s/^Architecture: $(dpkg --print-architecture)\$/Architecture: $arch/" "$native/var/lib/dpkg/status" \
    >"$root/var/lib/dpkg/status"
  rm -rf "$native"
}

# ---------------------------------------------------------------------------------------------- golang
build_golang() {
  local minor=$1 debs=$TESTBED_CACHE/debs/golang
  fetch_deb amd64 "$debs" "golang-$minor-go/bookworm-backports" "golang-$minor-src/bookworm-backports"
  local godeb full
  godeb=$(first_file "$debs"/golang-"$minor"-go_*_amd64.deb)
  full=$(dpkg-deb -f "$godeb" Version)   # 1.22.12-3~bpo12+1
  full=${full%%-*}; full=${full#*:}      # 1.22.12
  local tags=("golang:$full-bookworm" "golang:$full" "golang:$minor-bookworm" "golang:$minor")
  if all_exist "${tags[@]}"; then log "golang:$minor exists (FORCE=1 rebuilds)"; return 0; fi
  local t0=$SECONDS
  debootstrap_tar go-bookworm amd64 "$GO_IMAGE_PKGS" "$TESTBED_CACHE/rootfs/go-bookworm-amd64.tar"
  local root=$WORK/golang-$minor
  mkdir -p "$root"
  tar --numeric-owner -C "$root" -xf "$TESTBED_CACHE/rootfs/go-bookworm-amd64.tar"
  dpkg-deb -x "$godeb" "$root"
  dpkg-deb -x "$(first_file "$debs"/golang-"$minor"-src_*.deb)" "$root"
  [ -x "$root/usr/lib/go-$minor/bin/go" ] || die "golang-$minor-go did not provide /usr/lib/go-$minor/bin/go"
  ln -sfn "/usr/lib/go-$minor" "$root/usr/local/go"
  mkdir -p "$root/go/src" "$root/go/bin"
  chmod 1777 "$root/go" "$root/go/src" "$root/go/bin"
  log "importing golang:$full-bookworm"
  tar --numeric-owner -C "$root" -c . | docker import \
    --change "ENV PATH=$GO_PATH_ENV" \
    --change "ENV GOLANG_VERSION=$full" \
    --change "ENV GOTOOLCHAIN=local" \
    --change "ENV GOPATH=/go" \
    --change "WORKDIR /go" \
    --change 'CMD ["bash"]' \
    --message "gofront test bed: Debian bookworm + golang-$minor-go $full" \
    - "${tags[0]}" >/dev/null
  local t
  for t in "${tags[@]:1}"; do docker tag "${tags[0]}" "$t"; done
  rm -rf "$root"
  CREATED+=("${tags[@]}")
  log "golang:$minor ($full) in $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------------- multi-platform stand-ins
# buildx_multi DIR TARGET TAG...: builds DIR/Dockerfile (FROM scratch + ADD rootfs-$TARGETARCH.tar, no RUN,
# so no emulation) for every STANDIN_ARCHES platform and loads it under each TAG.
buildx_multi() {
  local dir=$1 target=$2; shift 2
  local tagargs=() t
  for t in "$@"; do tagargs+=(-t "$t"); done
  docker buildx build --builder default --progress=quiet --provenance=false --sbom=false \
    --platform "$(platforms_csv)" --target "$target" --load "${tagargs[@]}" "$dir" >/dev/null
  CREATED+=("$@")
}

build_busybox() {
  local tags=(busybox:latest busybox:1.35 busybox:1.35.0)
  if all_exist "${tags[@]}"; then log "busybox exists (FORCE=1 rebuilds)"; return 0; fi
  local t0=$SECONDS ctx=$WORK/busybox arch debs=$TESTBED_CACHE/debs/busybox
  mkdir -p "$ctx"
  # The applet list of the native binary (same version and configuration on every architecture).
  fetch_deb "$(dpkg --print-architecture)" "$debs" busybox-static
  local native=$WORK/busybox-native
  dpkg-deb -x "$(first_file "$debs"/busybox-static_*_"$(dpkg --print-architecture)".deb)" "$native"
  local applets
  applets=$("$native/bin/busybox" --list)
  for arch in $STANDIN_ARCHES; do
    fetch_deb "$arch" "$debs" busybox-static
    local x=$WORK/busybox-x-$arch root=$WORK/busybox-root-$arch a
    dpkg-deb -x "$(first_file "$debs"/busybox-static_*_"$arch".deb)" "$x"
    mkdir -p "$root"/{bin,etc,home,root,tmp,usr/sbin,var/spool/mail,var/www}
    cp "$x/bin/busybox" "$root/bin/busybox"
    for a in $applets; do
      [ "$a" = busybox ] || ln -f "$root/bin/busybox" "$root/bin/$a"
    done
    chmod 1777 "$root/tmp"; chmod 700 "$root/root"
    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:8:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
EOF
    tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$ctx/rootfs-$arch.tar" .
  done
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch AS busybox
ARG TARGETARCH
ADD rootfs-${TARGETARCH}.tar /
CMD ["sh"]
EOF
  buildx_multi "$ctx" busybox "${tags[@]}"
  log "busybox in $((SECONDS - t0)) s"
}

build_debian() {
  local tags=(debian:bookworm-slim debian:bookworm debian:12-slim debian:12)
  if all_exist "${tags[@]}"; then log "debian:bookworm-slim exists (FORCE=1 rebuilds)"; return 0; fi
  local t0=$SECONDS ctx=$WORK/debian arch native
  native=$(dpkg --print-architecture)
  mkdir -p "$ctx"
  # native first: the foreign ones borrow its account files and dpkg database.
  for arch in $native $STANDIN_ARCHES; do
    [ -f "$ctx/rootfs-$arch.tar" ] && continue
    debootstrap_tar debian-bookworm "$arch" "" "$TESTBED_CACHE/rootfs/debian-bookworm-$arch.tar"
    slim_rootfs "$TESTBED_CACHE/rootfs/debian-bookworm-$arch.tar" "$ctx/rootfs-$arch.tar"
  done
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch AS debian
ARG TARGETARCH
ADD rootfs-${TARGETARCH}.tar /
CMD ["bash"]
EOF
  buildx_multi "$ctx" debian "${tags[@]}"
  log "debian:bookworm-slim in $((SECONDS - t0)) s"
}

# slim_rootfs IN OUT: the official slim image's trimming (docs, man pages, locales, caches) and its
# dpkg path-exclude configuration.
slim_rootfs() {
  local root=$WORK/slim
  rm -rf "$root"; mkdir -p "$root"
  tar --numeric-owner -C "$root" -xf "$1"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/* \
    "$root"/usr/share/linda/* "$root"/var/cache/man/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  tar --numeric-owner --xattrs -C "$root" -cf "$2" .
  rm -rf "$root"
}

build_distroless() {
  local latest=(gcr.io/distroless/static-debian12:latest gcr.io/distroless/static:latest)
  local nonroot=(gcr.io/distroless/static-debian12:nonroot gcr.io/distroless/static:nonroot)
  if all_exist "${latest[@]}" "${nonroot[@]}"; then log "distroless exists (FORCE=1 rebuilds)"; return 0; fi
  local t0=$SECONDS ctx=$WORK/distroless debs=$TESTBED_CACHE/debs/distroless
  local root=$ctx/root x=$WORK/distroless-x
  mkdir -p "$root"/{etc/ssl/certs,usr/share,tmp,root,home/nonroot,var} "$x"
  fetch_deb amd64 "$debs" ca-certificates tzdata netbase base-files
  local d
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$x"; done
  # CA bundle exactly as update-ca-certificates concatenates it.
  find "$x/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort | xargs cat \
    >"$root/etc/ssl/certs/ca-certificates.crt"
  cp -a "$x/usr/share/zoneinfo" "$root/usr/share/zoneinfo"
  cp "$x/etc/services" "$root/etc/services"
  cp "$x/usr/lib/os-release" "$root/etc/os-release"
  sed -i 's/^PRETTY_NAME=.*/PRETTY_NAME="Distroless"/' "$root/etc/os-release"
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chmod 1777 "$root/tmp"; chmod 700 "$root/root" "$root/home/nonroot"
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$ctx/rootfs.tar" --exclude=./home/nonroot .
  tar --numeric-owner --owner=65532 --group=65532 -C "$root" -cf "$ctx/nonroot-home.tar" ./home/nonroot
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch AS static
ADD rootfs.tar /
ADD nonroot-home.tar /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

FROM static AS nonroot
USER 65532:65532
WORKDIR /home/nonroot
EOF
  buildx_multi "$ctx" static "${latest[@]}"
  buildx_multi "$ctx" nonroot "${nonroot[@]}"
  log "distroless in $((SECONDS - t0)) s"
}

main() {
  docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/testbed/install-docker.sh first"
  mkdir -p "$TESTBED_CACHE"
  local what=("$@") w v
  [ ${#what[@]} -eq 0 ] && what=(golang busybox debian distroless)
  for w in "${what[@]}"; do
    case $w in
      golang) for v in $GO_VERSIONS; do build_golang "$v"; done ;;
      busybox) build_busybox ;;
      debian) build_debian ;;
      distroless) build_distroless ;;
      *) die "unknown image group: $w (golang busybox debian distroless)" ;;
    esac
  done
  if [ ${#CREATED[@]} -gt 0 ]; then
    log "images created: ${CREATED[*]}"
  else
    log "images created: none (all present)"
  fi
  docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' \
    | grep -E '^(golang|busybox|debian|gcr.io/distroless/static(-debian12)?):' | sort >&2 || true
}

main "$@"
