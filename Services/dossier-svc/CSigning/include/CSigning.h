#ifndef DVC_CSIGNING_H
#define DVC_CSIGNING_H

#include <stddef.h>
#include <stdint.h>

/// dossier-svc's signatures through OpenSSL's libcrypto (Debian libssl-dev): CMS (RFC 5652)
/// detached signatures in DER, and the certificates of the demo CA. Every function returns 0 on
/// success; otherwise non-zero with a message in `error` (at most `error_size` bytes, with NUL).
/// Outputs are allocated with malloc; the caller frees them with `dvc_signing_free`.

void dvc_signing_free(void *pointer);

/// A detached CMS signature (CMS_DETACHED | CMS_BINARY, SHA-256) over `content` with the signer's
/// certificate and key (PEM) and the signed attribute signingTime = `signing_time` (Unix seconds).
/// `chain_pem` (may be NULL or empty): certificates put into the signature beside the signer's.
int dvc_cms_sign(const char *cert_pem, const char *key_pem, const char *chain_pem,
                 const unsigned char *content, size_t content_length, int64_t signing_time,
                 unsigned char **signature, size_t *signature_length, char *error, size_t error_size);

/// Checks a detached CMS signature (DER) over `content` against the trust anchors in `trusted_pem`,
/// certificates judged at `at_time` (Unix seconds; the signing time), any purpose. 0: valid.
int dvc_cms_verify(const unsigned char *signature, size_t signature_length,
                   const unsigned char *content, size_t content_length,
                   const char *trusted_pem, int64_t at_time, char *error, size_t error_size);

/// A self-signed CA (ECDSA P-256): subject O=`organization`, CN=`common_name`, valid `days` days.
int dvc_make_ca(const char *organization, const char *common_name, int days,
                char **cert_pem, char **key_pem, char *error, size_t error_size);

/// A signing certificate (ECDSA P-256, a new key) issued by the CA: subject O=`organization`,
/// CN=`common_name`, valid `days` days, a random 128-bit serial, key usage digitalSignature and
/// nonRepudiation.
int dvc_issue_certificate(const char *ca_cert_pem, const char *ca_key_pem, const char *organization,
                          const char *common_name, int days, char **cert_pem, char **key_pem,
                          char *error, size_t error_size);

/// What a certificate (the first in `cert_pem`) says: subject and issuer (RFC 2253, UTF-8),
/// the serial in hexadecimal, the validity in Unix seconds, the SHA-256 of its DER in hexadecimal.
int dvc_certificate_info(const char *cert_pem, char **subject, char **issuer, char **serial_hex,
                         int64_t *not_before, int64_t *not_after, char **sha256_hex,
                         char *error, size_t error_size);

/// 0 when the private key (PEM) belongs to the certificate (PEM).
int dvc_key_matches(const char *cert_pem, const char *key_pem, char *error, size_t error_size);

#endif
