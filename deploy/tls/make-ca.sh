#!/bin/sh
# Makes the platform's CA and certificates for mutual TLS between its services (docs/tls.md).
#
#   deploy/tls/make-ca.sh [--days N] [--ca-days N] [--ca-name NAME] OUT_DIR SPEC...
#
# SPEC is one of
#   NAME=HOST[,HOST...]   a service certificate: CN=NAME, SANs DNS:NAME plus each HOST (an IP
#                         address becomes an IP SAN, anything else a DNS SAN); usable as server
#                         and as client (serverAuth, clientAuth), since services call each other
#   NAME                  a client-only certificate (clientAuth), e.g. for an operator's dvcctl
#
# Files in OUT_DIR: ca.pem and ca.key (made once; kept and reused when present, so running the
# script again with the same OUT_DIR renews or adds certificates under the same CA), and
# NAME.pem / NAME.key per SPEC. Keys are EC P-256, written 0600. --days is the validity of the
# certificates (default 397), --ca-days the CA's (default 3650). A negative --days makes a
# certificate that has already expired (for drills and tests).
#
# Example:
#   deploy/tls/make-ca.sh /etc/dvc/tls catalog-svc=10.0.0.2,catalog.internal \
#       dossier-svc=10.0.0.3 payment-svc=10.0.0.4 notify-svc=10.0.0.5 gateway=10.0.0.10 ops-nguyen
set -eu

days=397
ca_days=3650
ca_name="DVC Platform CA"
while [ $# -gt 0 ]; do
    case "$1" in
        --days) days="$2"; shift 2 ;;
        --ca-days) ca_days="$2"; shift 2 ;;
        --ca-name) ca_name="$2"; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) echo "make-ca.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -lt 1 ]; then
    echo "usage: make-ca.sh [--days N] [--ca-days N] [--ca-name NAME] OUT_DIR NAME=HOST[,HOST...]|NAME ..." >&2
    exit 2
fi
case "$days" in ''|*[!0-9-]*) echo "make-ca.sh: --days must be a whole number, not '$days'" >&2; exit 2 ;; esac
case "$ca_days" in ''|*[!0-9]*) echo "make-ca.sh: --ca-days must be a positive whole number, not '$ca_days'" >&2; exit 2 ;; esac
command -v openssl >/dev/null 2>&1 || { echo "make-ca.sh: openssl is not installed" >&2; exit 1; }

out="$1"; shift
mkdir -p "$out"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

if [ -f "$out/ca.pem" ] && [ -f "$out/ca.key" ]; then
    echo "make-ca.sh: using the existing CA in $out"
else
    new_key "$out/ca.key"
    openssl req -x509 -new -key "$out/ca.key" -out "$out/ca.pem" -days "$ca_days" -sha256 \
        -subj "/CN=$ca_name" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" 2>/dev/null
    chmod 644 "$out/ca.pem"
    echo "make-ca.sh: made the CA $out/ca.pem (valid $ca_days days)"
fi

for spec in "$@"; do
    name=${spec%%=*}
    case "$name" in ''|*[!A-Za-z0-9._-]*) echo "make-ca.sh: '$name' is not a certificate name (letters, digits, . _ -)" >&2; exit 2 ;; esac
    ext="$work/$name.ext"
    if [ "$spec" = "$name" ]; then
        usage="clientAuth"
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$ext"
    else
        usage="serverAuth,clientAuth"
        sans="DNS:$name"
        old_ifs=$IFS; IFS=,
        for host in ${spec#*=}; do
            [ -n "$host" ] || continue
            if printf '%s' "$host" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$|:'; then
                sans="$sans,IP:$host"
            else
                sans="$sans,DNS:$host"
            fi
        done
        IFS=$old_ifs
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$sans" > "$ext"
    fi
    new_key "$out/$name.key"
    openssl req -new -key "$out/$name.key" -out "$work/$name.csr" -subj "/CN=$name" 2>/dev/null
    # A fresh random serial per certificate (no serial file to keep).
    openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 -extfile "$ext" \
        -out "$out/$name.pem" 2>/dev/null
    chmod 644 "$out/$name.pem"
    echo "make-ca.sh: made $out/$name.pem ($usage, valid $days days${sans:+, $sans})"
    sans=
done
# The list of revoked certificates every internal service reads (--tls-revoked): empty to begin
# with; append a serial (`openssl x509 -noout -serial -in NAME.pem`) and reload the services.
if [ ! -e "$out/revoked.txt" ]; then
    printf '# Revoked certificates of this CA: one serial number a line (docs/tls.md).\n' > "$out/revoked.txt"
    chmod 644 "$out/revoked.txt"
    echo "make-ca.sh: made $out/revoked.txt (empty)"
fi
