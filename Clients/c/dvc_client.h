/* Client of the platform's gateway for agency systems, over the binary RPC (docs/clients.md,
 * wire protocol: docs/protocol.md), in C over protobuf-c and OpenSSL.
 *
 *   dvc_client_options options = {0};
 *   options.address = "gateway.example.vn:7443";
 *   options.api_key = "ApiKey k3f9a0c21be7d.PAz...";
 *   options.on_behalf_of = "citizen:001099012345";
 *   options.tls_ca_file = "ca.pem";             // NULL: plain TCP
 *   dvc_client *client; dvc_status status;
 *   if (dvc_client_new(&options, &client, &status) != 0) ...
 *
 *   Dvc__Dossier__V1__GetDossierRequest request = DVC__DOSSIER__V1__GET_DOSSIER_REQUEST__INIT;
 *   request.id = "...";
 *   Dvc__Dossier__V1__Dossier *dossier;
 *   if (dvc_dossier_get_dossier(client, &request, &dossier, NULL, &status) != 0)
 *       fprintf(stderr, "%s: %s [%s]\n", dvc_code_name(status.code), status.message, status.field);
 *   ...
 *   dvc_free(dossier);
 *   dvc_client_free(client);
 *
 * One function per method of the gateway's four services, named dvc_<service>_<method>
 * (services: public, dossier, payment, inbox; the table is dvc_gateway_methods.h, generated
 * from proto/dvc/gateway/v1/gateway.proto). Each returns 0 on success with *response to be
 * freed with dvc_free, or the status code (non-zero) with `status` filled in.
 *
 * A client holds one connection and makes one call at a time; it is not thread-safe (use one
 * client per thread). Calls that are safe to repeat (reads, and writes with an idempotency
 * key) are retried after UNAVAILABLE with exponential back-off, within the call's deadline.
 */
#ifndef DVC_CLIENT_H
#define DVC_CLIENT_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "dvc/gateway/v1/gateway.pb-c.h"
#include "dvc/gateway/v1/drafts.pb-c.h"
#include "dvc/gateway/v1/ratings.pb-c.h"
#include "dvc/gateway/v1/signatures.pb-c.h"
#include "dvc/gateway/v1/renditions.pb-c.h"
#include "dvc_gateway_methods.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gRPC's canonical status codes (docs/protocol.md, "Status codes"). */
typedef enum {
    DVC_OK = 0,
    DVC_CANCELLED = 1,
    DVC_UNKNOWN = 2,
    DVC_INVALID_ARGUMENT = 3,
    DVC_DEADLINE_EXCEEDED = 4,
    DVC_NOT_FOUND = 5,
    DVC_ALREADY_EXISTS = 6,
    DVC_PERMISSION_DENIED = 7,
    DVC_RESOURCE_EXHAUSTED = 8,
    DVC_FAILED_PRECONDITION = 9,
    DVC_ABORTED = 10,
    DVC_OUT_OF_RANGE = 11,
    DVC_UNIMPLEMENTED = 12,
    DVC_INTERNAL = 13,
    DVC_UNAVAILABLE = 14,
    DVC_DATA_LOSS = 15,
    DVC_UNAUTHENTICATED = 16
} dvc_code;

/* How a call ended. Strings are cut to their buffers' sizes. */
typedef struct {
    int code;                  /* a dvc_code */
    char message[1024];        /* the server's message (or the client's, for a local failure) */
    char field[256];           /* the first field violation's field, "" when the status names none */
    char description[512];     /* ... and what is wrong with it */
    char retry_after_ms[24];   /* response metadata retry-after-ms, "" when absent */
} dvc_status;

typedef struct dvc_client dvc_client;

typedef struct {
    const char *address;          /* "HOST:PORT" of the gateway's RPC port (required) */
    const char *api_key;          /* "ApiKey <id>.<secret>" (the "ApiKey " prefix may be left out) */
    const char *on_behalf_of;     /* the person every call acts for: "citizen:<12 digits>" or
                                     "officer:<id>:<role>[,<role>]"; NULL: the agency's system */
    const char *tls_ca_file;      /* the platform CA (PEM): TLS 1.2+, the gateway's certificate
                                     checked against it and the address; NULL: plain TCP */
    const char *tls_server_name;  /* the name to check instead of the address's host; NULL: the host */
    int timeout_ms;               /* a call's deadline, retries included; 0: 10000; negative: none */
    int connect_timeout_ms;       /* 0: 5000 */
    int max_attempts;             /* tries in all for a call that may be retried; 0: 4 */
    int initial_backoff_ms;       /* first wait before a retry, doubling; 0: 100 */
    int max_backoff_ms;           /* 0: 2000 */
    /* Called before each retry (may be NULL): which attempt failed, the wait, and why. */
    void (*on_retry)(int attempt, int wait_ms, const dvc_status *why, void *user);
    void *user;
} dvc_client_options;

typedef struct {
    int timeout_ms;               /* 0: the client's */
    const char *on_behalf_of;     /* NULL: the client's; "": the agency's system itself */
    const char *idempotency_key;  /* NULL: none, except a fresh one for the methods that need
                                     it (SubmitDossier, CreatePayment, RecordCounterPayment);
                                     pass your own, kept with your record, to retry across restarts */
} dvc_call_options;

/* Kinds of method (the last column of dvc_gateway_methods.h). */
#define DVC_READ 0
#define DVC_WRITE 1
#define DVC_WRITE_NEEDS_KEY 2

/* Makes a client (it connects at the first call). Returns 0, or a code with `status`. */
int dvc_client_new(const dvc_client_options *options, dvc_client **client, dvc_status *status);
void dvc_client_free(dvc_client *client);

/* Any method by path: what the typed functions call. `kind` is DVC_READ, DVC_WRITE or
 * DVC_WRITE_NEEDS_KEY. */
int dvc_call(dvc_client *client, const char *path, int kind, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *response_type, ProtobufCMessage **response,
             const dvc_call_options *options, dvc_status *status);

/* A fresh idempotency key (a random UUID, 36 characters and a NUL): keep it with your record
 * and send it again to retry the very same write. */
void dvc_new_idempotency_key(char out[37]);

/* Frees a response. */
void dvc_free(void *response);

/* "OK", "INVALID_ARGUMENT", ... */
const char *dvc_code_name(int code);

#define DVC_DECLARE_METHOD(service, method, path, Request, Response, descriptor, kind) \
    int dvc_##service##_##method(dvc_client *client, const Request *request, Response **response, \
                                 const dvc_call_options *options, dvc_status *status);
DVC_GATEWAY_METHODS(DVC_DECLARE_METHOD)
#undef DVC_DECLARE_METHOD

#ifdef __cplusplus
}
#endif

#endif
