#!/usr/bin/env bash
# Proves that scripts/install-deps.sh works on a machine that has none of what it installs:
# makes a bare Debian 12 (bookworm) root with debootstrap (Debian's minbase variant: no
# python3, no curl, no sudo, no chromium), enters it with chroot and runs install-deps.sh there
# with an empty environment, then checks that every package it names is installed, that every
# Python module imports, that a second run installs nothing, and that a user who is neither
# root nor has sudo is told so instead of a silent exit.
#
#   scripts/check-fresh-install.sh [--keep] [--mirror URL]
#
# Needs root (debootstrap and chroot) and Debian's package mirror; takes 5-10 minutes and
# about 2 GB of disk under $TMPDIR (chromium is most of both). Not part of scripts/test.sh for
# that reason: run it by hand after changing install-deps.sh. --keep leaves the root for a look.
# Prints "check-fresh-install: PASS" or "check-fresh-install: FAIL (...)" and exits 0 or 1.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep=0
mirror=http://deb.debian.org/debian
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --mirror) mirror="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-fresh-install: unknown argument $1" >&2; exit 2 ;;
  esac
done

fail() { echo "check-fresh-install: FAIL ($*)"; exit 1; }
trap 'status=$?; echo "check-fresh-install: FAIL (line $LINENO: $BASH_COMMAND; exit $status)"' ERR
[[ $(id -u) -eq 0 ]] || fail "needs root for debootstrap and chroot"

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "check-fresh-install: installing debootstrap" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dvc-fresh.XXXXXX")
root="$work/root"
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  if [[ $keep -eq 1 ]]; then echo "check-fresh-install: root kept at $root" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "check-fresh-install: debootstrap bookworm (minbase) into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }

for fs in proc sys dev dev/pts; do
  mount --bind "/$fs" "$root/$fs"
  mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# What a new machine of this site has before anything is installed: the site's own CA
# certificates (its network may inspect TLS) and pip's site-wide settings. Debian's
# ca-certificates, when install-deps.sh installs it, adds the local CAs to the system bundle.
if [[ -d /usr/local/share/ca-certificates ]]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
[[ -f /etc/pip.conf ]] && cp /etc/pip.conf "$root/etc/pip.conf"
mkdir -p "$root/opt/dvc/scripts"
cp scripts/install-deps.sh "$root/opt/dvc/scripts/"

# in_root CMD...: runs in the fresh root with nothing of this machine's environment.
in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

packages=$(sed -n '/^APT_PACKAGES=(/,/)/p' scripts/install-deps.sh | tr -d '()' | sed 's/APT_PACKAGES=//' | tr -s ' \n' ' ')
echo "check-fresh-install: before: $(in_root dpkg-query -W -f='${Status}\n' $packages 2>/dev/null | grep -c 'install ok installed' || true) of the $(wc -w <<<"$packages") packages installed" >&2

echo "check-fresh-install: as a user without root or sudo (must refuse, saying why)" >&2
in_root useradd -m newcomer
if output=$(in_root su newcomer -s /bin/bash -c 'bash /opt/dvc/scripts/install-deps.sh' 2>&1); then
  fail "install-deps.sh exited 0 for a user who cannot install"
fi
grep -q "not root and no sudo" <<<"$output" || fail "no reason given to a user who cannot install: $output"

echo "check-fresh-install: running install-deps.sh as root in the fresh root" >&2
started=$SECONDS
status=0
in_root bash /opt/dvc/scripts/install-deps.sh >"$work/first-run.log" 2>&1 || status=$?
sed 's/^/  | /' "$work/first-run.log" >&2
[[ $status -eq 0 ]] || fail "install-deps.sh failed on the fresh root (exit $status)"
echo "check-fresh-install: first run took $((SECONDS - started)) s" >&2

for package in $packages; do
  in_root dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || fail "$package is not installed after install-deps.sh"
done
for module in google.protobuf jsonschema yaml aiosmtpd selenium schemathesis; do
  in_root python3 -c "import $module" || fail "python3 cannot import $module"
done
in_root bash -c 'command -v litestream || test -x "$(python3 -c "import sysconfig; print(sysconfig.get_paths()[\"scripts\"])")/litestream"' >/dev/null \
  || fail "litestream is not installed"
in_root /usr/sbin/ip -V >/dev/null || fail "ip does not run"
in_root chromedriver --version >/dev/null || fail "chromedriver does not run"

echo "check-fresh-install: running install-deps.sh again (must install nothing)" >&2
second=$(in_root bash /opt/dvc/scripts/install-deps.sh 2>&1) || fail "second run failed: $second"
if grep -q "installing" <<<"$second"; then fail "second run installed something: $second"; fi

echo "check-fresh-install: PASS (every package installed on a bare bookworm root; second run a no-op; a user without rights told why)"
