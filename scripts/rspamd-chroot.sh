#!/usr/bin/env bash
# Builds (or reuses) a minimal Debian chroot holding a newer rspamd for the interop tests:
#   trixie -> rspamd 3.12.1, sid -> rspamd 4.1.5.
# The host runs bookworm (rspamd 3.4); the newer suites come through the same mirror apt already uses, so nothing is
# downloaded from anywhere else. A chroot is kept between runs and rebuilt only when missing or incomplete.
#
#   scripts/rspamd-chroot.sh <suite> [...]     e.g. scripts/rspamd-chroot.sh trixie sid
#   FUZZYD_CHROOT_ROOT=/var/cache/fuzzyd-chroots (default) holds one folder per suite.
set -euo pipefail
root=${FUZZYD_CHROOT_ROOT:-/var/cache/fuzzyd-chroots}
[ $# -gt 0 ] || { echo "usage: $0 <suite> [...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "rspamd-chroot: needs root (debootstrap, chroot)" >&2; exit 1; }

mirror() {
  # The host's deb822 sources first, then the classic list.
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# rspamd's postinst (systemd-tmpfiles) and rspamd itself need /proc, /sys and /dev inside the chroot. The host's /tmp
# is bound over the chroot's, so a test's temporary directory has the same path inside and outside.
mount_kernel_fs() {
  local dir=$1
  mountpoint -q "$dir/tmp" || mount --bind /tmp "$dir/tmp"
  mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc"
  mountpoint -q "$dir/sys" || mount --rbind /sys "$dir/sys"
  mountpoint -q "$dir/dev" || mount --rbind /dev "$dir/dev"
  # debootstrap leaves no /etc/hosts; rspamd's stock config binds "localhost:11332" and fails without one.
  grep -qs localhost "$dir/etc/hosts" || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$dir/etc/hosts"
}

build() {
  local suite=$1 dir="$root/$1"
  if [ -f "$dir/.fuzzyd-ready" ] && [ -x "$dir/usr/bin/rspamd" ]; then
    mount_kernel_fs "$dir"
    echo "rspamd-chroot: $suite ready at $dir ($(cat "$dir/.fuzzyd-ready"))"
    return
  fi
  command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  local url; url=$(mirror)
  echo "rspamd-chroot: building $suite in $dir from $url"
  # A half-built chroot may still have the kernel file systems mounted: never rm -rf through them.
  for fs in tmp dev sys proc; do if mountpoint -q "$dir/$fs"; then umount -R "$dir/$fs"; fi; done
  rm -rf --one-file-system "$dir"; mkdir -p "$root"
  # --no-check-gpg is not needed: debootstrap verifies with the host's debian-archive-keyring.
  debootstrap --variant=minbase "$suite" "$dir" "$url" >"$root/$suite.debootstrap.log" 2>&1 \
    || { tail -n 20 "$root/$suite.debootstrap.log" >&2; exit 1; }
  # The mirror is a frozen snapshot whose Release files are past Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99fuzzyd-no-valid-until"
  # Packages must not start services inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod +x "$dir/usr/sbin/policy-rc.d"
  mount_kernel_fs "$dir"
  chroot "$dir" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends rspamd >/dev/null
  chroot "$dir" rspamd --version | head -n 1 >"$dir/.fuzzyd-ready"
  echo "rspamd-chroot: $suite ready ($(cat "$dir/.fuzzyd-ready"))"
}

for suite in "$@"; do build "$suite"; done
