#include "CSigning.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dvc_signing_free(void *pointer) { free(pointer); }

/// `what` and OpenSSL's last error, into `error`.
static int fail(const char *what, char *error, size_t error_size) {
    if (error != NULL && error_size > 0) {
        unsigned long code = ERR_get_error();
        char reason[256] = "";
        if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
        snprintf(error, error_size, "%s%s%s", what, code != 0 ? ": " : "", reason);
    }
    ERR_clear_error();
    return -1;
}

static char *copy_bio(BIO *bio) {
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    char *out = malloc((size_t)length + 1);
    if (out == NULL) return NULL;
    memcpy(out, data, (size_t)length);
    out[length] = 0;
    return out;
}

static X509 *read_certificate(const char *pem) {
    BIO *bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL) return NULL;
    X509 *certificate = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return certificate;
}

static EVP_PKEY *read_key(const char *pem) {
    BIO *bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

/// Every certificate of a PEM text (an empty stack for NULL or "").
static STACK_OF(X509) *read_certificates(const char *pem) {
    STACK_OF(X509) *stack = sk_X509_new_null();
    if (stack == NULL || pem == NULL || pem[0] == 0) return stack;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *certificate;
    while ((certificate = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) sk_X509_push(stack, certificate);
    ERR_clear_error(); // the end of the text reads as an error
    BIO_free(bio);
    return stack;
}

int dvc_cms_sign(const char *cert_pem, const char *key_pem, const char *chain_pem,
                 const unsigned char *content, size_t content_length, int64_t signing_time,
                 unsigned char **signature, size_t *signature_length, char *error, size_t error_size) {
    int status = -1;
    X509 *certificate = read_certificate(cert_pem);
    EVP_PKEY *key = read_key(key_pem);
    STACK_OF(X509) *chain = read_certificates(chain_pem);
    BIO *data = BIO_new_mem_buf(content, (int)content_length);
    CMS_ContentInfo *cms = NULL;
    ASN1_TIME *when = NULL;
    unsigned char *der = NULL;
    if (certificate == NULL) { fail("the signer's certificate is not PEM", error, error_size); goto done; }
    if (key == NULL) { fail("the signer's private key is not PEM", error, error_size); goto done; }
    if (X509_check_private_key(certificate, key) != 1) { fail("the private key does not belong to the certificate", error, error_size); goto done; }
    // Partial: the signer is added by hand, so the signing time is the one given (not "now").
    unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
    cms = CMS_sign(NULL, NULL, chain, data, flags);
    if (cms == NULL) { fail("CMS_sign", error, error_size); goto done; }
    CMS_SignerInfo *signer = CMS_add1_signer(cms, certificate, key, EVP_sha256(), flags);
    if (signer == NULL) { fail("CMS_add1_signer", error, error_size); goto done; }
    when = ASN1_TIME_set(NULL, (time_t)signing_time);
    if (when == NULL || CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_signingTime, when->type, when, -1) != 1) {
        fail("the signing time", error, error_size);
        goto done;
    }
    if (CMS_final(cms, data, NULL, flags) != 1) { fail("CMS_final", error, error_size); goto done; }
    int length = i2d_CMS_ContentInfo(cms, &der);
    if (length <= 0) { fail("i2d_CMS_ContentInfo", error, error_size); goto done; }
    *signature = malloc((size_t)length);
    if (*signature == NULL) { fail("out of memory", error, error_size); goto done; }
    memcpy(*signature, der, (size_t)length);
    *signature_length = (size_t)length;
    status = 0;
done:
    OPENSSL_free(der);
    ASN1_TIME_free(when);
    CMS_ContentInfo_free(cms);
    BIO_free(data);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_free(certificate);
    return status;
}

int dvc_cms_verify(const unsigned char *signature, size_t signature_length,
                   const unsigned char *content, size_t content_length,
                   const char *trusted_pem, int64_t at_time, char *error, size_t error_size) {
    int status = -1;
    const unsigned char *cursor = signature;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &cursor, (long)signature_length);
    BIO *data = BIO_new_mem_buf(content, (int)content_length);
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *trusted = read_certificates(trusted_pem);
    if (cms == NULL) { fail("the signature is not CMS in DER", error, error_size); goto done; }
    for (int i = 0; i < sk_X509_num(trusted); i++) X509_STORE_add_cert(store, sk_X509_value(trusted, i));
    X509_VERIFY_PARAM *param = X509_STORE_get0_param(store);
    X509_VERIFY_PARAM_set_time(param, (time_t)at_time);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
    if (CMS_verify(cms, NULL, store, data, NULL, CMS_BINARY) != 1) { fail("CMS_verify", error, error_size); goto done; }
    status = 0;
done:
    sk_X509_pop_free(trusted, X509_free);
    X509_STORE_free(store);
    BIO_free(data);
    CMS_ContentInfo_free(cms);
    return status;
}

static EVP_PKEY *new_p256_key(void) { return EVP_EC_gen("P-256"); }

static int add_extension(X509 *certificate, X509 *issuer, int nid, const char *value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &context, nid, value);
    if (extension == NULL) return 0;
    int ok = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    return ok;
}

/// A certificate for `key` with subject O, CN, signed by `issuer_key` (itself for a CA).
static X509 *make_certificate(EVP_PKEY *key, const char *organization, const char *common_name, int days,
                              X509 *issuer, EVP_PKEY *issuer_key, int is_ca) {
    X509 *certificate = X509_new();
    if (certificate == NULL) return NULL;
    X509_set_version(certificate, 2);
    unsigned char random[16];
    if (RAND_bytes(random, sizeof random) != 1) goto fail;
    random[0] &= 0x7F; // a positive serial
    BIGNUM *number = BN_bin2bn(random, sizeof random, NULL);
    if (number == NULL || BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) == NULL) { BN_free(number); goto fail; }
    BN_free(number);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -300);
    X509_time_adj_ex(X509_getm_notAfter(certificate), days, 0, NULL);
    X509_set_pubkey(certificate, key);
    X509_NAME *name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"VN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)organization, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0);
    X509_set_issuer_name(certificate, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509 *authority = issuer != NULL ? issuer : certificate;
    if (is_ca) {
        if (!add_extension(certificate, authority, NID_basic_constraints, "critical,CA:TRUE,pathlen:0")) goto fail;
        if (!add_extension(certificate, authority, NID_key_usage, "critical,keyCertSign,cRLSign")) goto fail;
    } else {
        if (!add_extension(certificate, authority, NID_basic_constraints, "critical,CA:FALSE")) goto fail;
        if (!add_extension(certificate, authority, NID_key_usage, "critical,digitalSignature,nonRepudiation")) goto fail;
    }
    if (!add_extension(certificate, authority, NID_subject_key_identifier, "hash")) goto fail;
    if (!add_extension(certificate, authority, NID_authority_key_identifier, "keyid:always")) goto fail;
    if (X509_sign(certificate, issuer_key, EVP_sha256()) <= 0) goto fail;
    return certificate;
fail:
    X509_free(certificate);
    return NULL;
}

static int write_pair(X509 *certificate, EVP_PKEY *key, char **cert_pem, char **key_pem) {
    BIO *cert_bio = BIO_new(BIO_s_mem());
    BIO *key_bio = BIO_new(BIO_s_mem());
    int ok = cert_bio != NULL && key_bio != NULL && PEM_write_bio_X509(cert_bio, certificate) == 1
        && PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (ok) {
        *cert_pem = copy_bio(cert_bio);
        *key_pem = copy_bio(key_bio);
        ok = *cert_pem != NULL && *key_pem != NULL;
    }
    BIO_free(cert_bio);
    BIO_free(key_bio);
    return ok;
}

int dvc_make_ca(const char *organization, const char *common_name, int days,
                char **cert_pem, char **key_pem, char *error, size_t error_size) {
    EVP_PKEY *key = new_p256_key();
    if (key == NULL) return fail("a P-256 key", error, error_size);
    X509 *certificate = make_certificate(key, organization, common_name, days, NULL, key, 1);
    if (certificate == NULL) { EVP_PKEY_free(key); return fail("the CA certificate", error, error_size); }
    int ok = write_pair(certificate, key, cert_pem, key_pem);
    X509_free(certificate);
    EVP_PKEY_free(key);
    return ok ? 0 : fail("PEM", error, error_size);
}

int dvc_issue_certificate(const char *ca_cert_pem, const char *ca_key_pem, const char *organization,
                          const char *common_name, int days, char **cert_pem, char **key_pem,
                          char *error, size_t error_size) {
    X509 *ca = read_certificate(ca_cert_pem);
    EVP_PKEY *ca_key = read_key(ca_key_pem);
    EVP_PKEY *key = NULL;
    X509 *certificate = NULL;
    int status = -1;
    if (ca == NULL || ca_key == NULL) { fail("the CA's certificate or key is not PEM", error, error_size); goto done; }
    key = new_p256_key();
    if (key == NULL) { fail("a P-256 key", error, error_size); goto done; }
    certificate = make_certificate(key, organization, common_name, days, ca, ca_key, 0);
    if (certificate == NULL) { fail("the certificate", error, error_size); goto done; }
    status = write_pair(certificate, key, cert_pem, key_pem) ? 0 : fail("PEM", error, error_size);
done:
    X509_free(certificate);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    X509_free(ca);
    return status;
}

static char *name_text(const X509_NAME *name) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return NULL;
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *text = copy_bio(bio);
    BIO_free(bio);
    return text;
}

static int64_t unix_time(const ASN1_TIME *time) {
    struct tm parts;
    if (ASN1_TIME_to_tm(time, &parts) != 1) return 0;
    return (int64_t)timegm(&parts);
}

int dvc_certificate_info(const char *cert_pem, char **subject, char **issuer, char **serial_hex,
                         int64_t *not_before, int64_t *not_after, char **sha256_hex,
                         char *error, size_t error_size) {
    X509 *certificate = read_certificate(cert_pem);
    if (certificate == NULL) return fail("not a PEM certificate", error, error_size);
    *subject = name_text(X509_get_subject_name(certificate));
    *issuer = name_text(X509_get_issuer_name(certificate));
    BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), NULL);
    char *hex = number != NULL ? BN_bn2hex(number) : NULL;
    *serial_hex = hex != NULL ? strdup(hex) : NULL;
    OPENSSL_free(hex);
    BN_free(number);
    *not_before = unix_time(X509_get0_notBefore(certificate));
    *not_after = unix_time(X509_get0_notAfter(certificate));
    unsigned char digest[32];
    unsigned int length = 0;
    X509_digest(certificate, EVP_sha256(), digest, &length);
    *sha256_hex = malloc(65);
    if (*sha256_hex != NULL) {
        for (unsigned int i = 0; i < 32; i++) snprintf(*sha256_hex + 2 * i, 3, "%02x", digest[i]);
    }
    X509_free(certificate);
    if (*subject == NULL || *issuer == NULL || *serial_hex == NULL || *sha256_hex == NULL) {
        return fail("reading the certificate", error, error_size);
    }
    return 0;
}

int dvc_key_matches(const char *cert_pem, const char *key_pem, char *error, size_t error_size) {
    X509 *certificate = read_certificate(cert_pem);
    EVP_PKEY *key = read_key(key_pem);
    int status = 0;
    if (certificate == NULL || key == NULL) status = fail("not PEM", error, error_size);
    else if (X509_check_private_key(certificate, key) != 1) status = fail("the key does not belong to the certificate", error, error_size);
    EVP_PKEY_free(key);
    X509_free(certificate);
    return status;
}
