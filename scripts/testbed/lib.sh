# shellcheck shell=bash
# Shared helpers for the test bed scripts (sourced, not executed).
#
# Everything the test bed downloads comes from the Debian mirror already configured in apt; everything
# it keeps goes under $GOFRONT_TESTBED_CACHE (default /var/cache/gofront-testbed) so that reruns are fast.

TESTBED_CACHE=${GOFRONT_TESTBED_CACHE:-/var/cache/gofront-testbed}
export GOFRONT_TESTBED_CACHE=$TESTBED_CACHE

log() { printf '[%s] %s\n' "${LOG_TAG:-testbed}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# URI of the Debian mirror configured on this machine (deb822 or one-line sources).
mirror_uri() {
  local uri
  uri=$(grep -hE '^URIs:.*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}' || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^deb .*/debian/? bookworm' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | head -n1 | awk '{print $2}' || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Installs host packages (names given) that are missing, with apt-get from the configured suites.
ensure_host_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing host packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
}

# The Debian release that carries the engine (Docker 28.5.2, BuildKit v0.25.2, buildx 0.29.1,
# containerd 2.1.9) and the packages taken from it. Nothing else is ever installed from it.
ENGINE_SUITE=${GOFRONT_ENGINE_SUITE:-forky}
ENGINE_PACKAGES=(docker.io docker-cli containerd docker-buildx)
# APT options for every call that reads the engine suite: the mirror's Release file of a rolling
# suite can be past its Valid-Until date.
APT_ENGINE_OPTS=(-o Acquire::Check-Valid-Until=false)

# Adds the engine suite of the configured mirror, pinned at priority 1: apt never picks a package from
# it unless the command line names that release for that one package (`pkg/forky`). Never use
# `apt-get install -t <suite>`: it prefers the suite for the whole dependency closure and upgrades
# libc6, python3, openssl... (measured: over 100 packages). Also removes the trixie entry that older
# versions of these scripts added.
ensure_engine_suite() {
  local uri
  uri=$(mirror_uri)
  if [ -f /etc/apt/sources.list.d/gofront-extra.sources ]; then
    log "removing the trixie/bookworm-backports entry of an older test bed"
    rm -f /etc/apt/sources.list.d/gofront-extra.sources /etc/apt/preferences.d/gofront-extra
  fi
  if [ ! -f /etc/apt/sources.list.d/gofront-engine.sources ]; then
    log "adding the $ENGINE_SUITE suite from $uri (pin 1: used only for ${ENGINE_PACKAGES[*]})"
    cat >/etc/apt/sources.list.d/gofront-engine.sources <<SRC
Types: deb
URIs: $uri
Suites: $ENGINE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat >/etc/apt/preferences.d/gofront-engine <<PIN
Package: *
Pin: release n=$ENGINE_SUITE
Pin-Priority: 1
PIN
  fi
  apt-get "${APT_ENGINE_OPTS[@]}" update -qq
}

# The installed packages as "name<TAB>version" lines, sorted (the snapshot verify.sh compares).
package_snapshot() {
  dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\n' 2>/dev/null \
    | awk -F'\t' '$1 ~ /^ii/ {print $2 "\t" $3}' | sort
}

# Records the package snapshot once, before the test bed installs anything on this machine.
record_package_snapshot() {
  mkdir -p "$TESTBED_CACHE"
  [ -f "$TESTBED_CACHE/packages-before.tsv" ] || package_snapshot >"$TESTBED_CACHE/packages-before.tsv"
}

# The host's user accounts (names from /etc/passwd, sorted): verify.sh checks that the test bed adds
# none (the forge's `git` account exists only inside its sshd's mount namespace).
user_snapshot() { cut -d: -f1 /etc/passwd | sort; }

# Records the user snapshot once, before the test bed starts its private-module servers.
record_user_snapshot() {
  mkdir -p "$TESTBED_CACHE"
  [ -f "$TESTBED_CACHE/users-before.txt" ] || user_snapshot >"$TESTBED_CACHE/users-before.txt"
}

# papt ARCH apt-get-args...: apt-get with a private configuration kept in the cache (bookworm +
# bookworm-backports, deb and deb-src, for architecture ARCH). The system's apt state is not touched;
# `papt ARCH update` runs once (FORCE=1 or a missing index refreshes it).
papt() {
  local arch=$1; shift
  local root=$TESTBED_CACHE/apt/$arch
  if [ ! -f "$root/etc/sources.list" ]; then
    mkdir -p "$root/etc/apt.conf.d" "$root/etc/preferences.d" "$root/state/lists/partial" \
      "$root/cache/archives/partial"
    local uri
    uri=$(mirror_uri)
    cat >"$root/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
SRC
    : >"$root/state/status"
  fi
  apt-get -q \
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" \
    -o "Dir::Etc::SourceList=$root/etc/sources.list" -o "Dir::Etc::SourceParts=$root/etc/sources.list.d" \
    -o "Dir::Etc::Parts=$root/etc/apt.conf.d" -o "Dir::Etc::PreferencesParts=$root/etc/preferences.d" \
    -o "Dir::Etc::Preferences=$root/etc/preferences" \
    -o "Dir::State=$root/state" -o "Dir::State::Lists=$root/state/lists" -o "Dir::State::status=$root/state/status" \
    -o "Dir::Cache=$root/cache" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" \
    "$@"
}

# papt_ready ARCH: makes sure the private apt index for ARCH exists.
PAPT_UPDATED=" "
papt_ready() {
  local arch=$1
  case $PAPT_UPDATED in *" $arch "*) return 0 ;; esac
  PAPT_UPDATED="$PAPT_UPDATED$arch "
  if [ "${FORCE:-0}" = 1 ] || ! ls "$TESTBED_CACHE/apt/$arch/state/lists/"*_Packages* >/dev/null 2>&1; then
    papt "$arch" update -qq >/dev/null 2>&1 || papt "$arch" update
  fi
}

# fetch_deb ARCH DEST_DIR PKG[/RELEASE]...: downloads .debs into DEST_DIR (cached; nothing if present).
fetch_deb() {
  local arch=$1 dest=$2; shift 2
  mkdir -p "$dest"
  local spec name need=()
  for spec in "$@"; do
    name=${spec%%/*}
    ls "$dest/${name}_"*"_${arch}.deb" "$dest/${name}_"*"_all.deb" >/dev/null 2>&1 || need+=("$spec")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  papt_ready "$arch"
  (cd "$dest" && papt "$arch" download -qq "${need[@]}" >/dev/null)
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# first_file GLOB...: the first existing path among the (already expanded) arguments.
first_file() {
  local f
  for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done
  die "no file matches: $*"
}
