/* The gateway's client in C: wire protocol v1 (docs/protocol.md) over one TCP or TLS
 * connection, calls one at a time, retries of the calls that are safe to repeat. */
#define _POSIX_C_SOURCE 200809L

#include "dvc_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dvc/rpc/v1/rpc.pb-c.h"

enum { FRAME_REQUEST = 1, FRAME_RESPONSE = 2, FRAME_CANCEL = 3, FRAME_PING = 4, FRAME_PONG = 5, FRAME_GOAWAY = 6 };
#define MAX_FRAME (16u * 1024u * 1024u)
static const unsigned char PREFACE[8] = {'D', 'V', 'C', 'R', 'P', 'C', 0, 1};

struct dvc_client {
    char *host, *port, *api_key, *on_behalf_of, *server_name;
    int timeout_ms, connect_timeout_ms, max_attempts, initial_backoff_ms, max_backoff_ms;
    void (*on_retry)(int, int, const dvc_status *, void *);
    void *user;
    SSL_CTX *tls;
    /* The connection: fd -1 when there is none. */
    int fd;
    SSL *ssl;
    int going_away;
    uint32_t next_call_id;
    int64_t last_used_ms;
};

/* The client reads only during its calls, so it cannot answer the gateway's keepalive PINGs
 * (sent after 30 s of silence; the connection is closed 10 s later without a PONG): a
 * connection quiet for longer than this is replaced before the call, rather than found dead
 * after sending (which a write without an idempotency key could not retry). */
#define IDLE_LIMIT_MS 20000

/* Why a call failed locally, beside a status from the server. */
enum { LOST_NOT_SENT = 1, LOST_SENT = 2 };

static const char *CODE_NAMES[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

const char *dvc_code_name(int code) {
    return code >= 0 && code <= 16 ? CODE_NAMES[code] : "UNKNOWN";
}

static void copy(char *to, size_t size, const char *from) {
    snprintf(to, size, "%s", from ? from : "");
}

static int fail(dvc_status *status, int code, const char *format, ...) __attribute__((format(printf, 3, 4)));
static int fail(dvc_status *status, int code, const char *format, ...) {
    if (status) {
        memset(status, 0, sizeof *status);
        status->code = code;
        va_list args;
        va_start(args, format);
        vsnprintf(status->message, sizeof status->message, format, args);
        va_end(args);
    }
    return code;
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* ---- The client ----------------------------------------------------------------------- */

int dvc_client_new(const dvc_client_options *options, dvc_client **out, dvc_status *status) {
    *out = NULL;
    if (!options || !options->address)
        return fail(status, DVC_INVALID_ARGUMENT, "options.address (HOST:PORT) is required");
    const char *colon = strrchr(options->address, ':');
    if (!colon || colon == options->address || !colon[1])
        return fail(status, DVC_INVALID_ARGUMENT, "address must be HOST:PORT, got '%s'", options->address);
    dvc_client *c = calloc(1, sizeof *c);
    if (!c) return fail(status, DVC_RESOURCE_EXHAUSTED, "out of memory");
    const char *host = options->address;
    size_t host_length = (size_t)(colon - host);
    if (host[0] == '[' && host_length >= 2 && host[host_length - 1] == ']') { host++; host_length -= 2; }
    c->host = strndup(host, host_length);
    c->port = strdup(colon + 1);
    if (options->api_key && strncmp(options->api_key, "ApiKey ", 7) != 0 && strncmp(options->api_key, "Bearer ", 7) != 0) {
        c->api_key = malloc(strlen(options->api_key) + 8);
        if (c->api_key) sprintf(c->api_key, "ApiKey %s", options->api_key);
    } else {
        c->api_key = dup_or_null(options->api_key);
    }
    c->on_behalf_of = dup_or_null(options->on_behalf_of);
    c->server_name = dup_or_null(options->tls_server_name);
    c->timeout_ms = options->timeout_ms == 0 ? 10000 : options->timeout_ms;
    c->connect_timeout_ms = options->connect_timeout_ms > 0 ? options->connect_timeout_ms : 5000;
    c->max_attempts = options->max_attempts > 0 ? options->max_attempts : 4;
    c->initial_backoff_ms = options->initial_backoff_ms > 0 ? options->initial_backoff_ms : 100;
    c->max_backoff_ms = options->max_backoff_ms > 0 ? options->max_backoff_ms : 2000;
    c->on_retry = options->on_retry;
    c->user = options->user;
    c->fd = -1;
    c->next_call_id = 1;
    if (options->tls_ca_file) {
        c->tls = SSL_CTX_new(TLS_client_method());
        if (!c->tls || SSL_CTX_set_min_proto_version(c->tls, TLS1_2_VERSION) != 1) {
            dvc_client_free(c);
            return fail(status, DVC_INTERNAL, "cannot make a TLS context");
        }
        if (SSL_CTX_load_verify_locations(c->tls, options->tls_ca_file, NULL) != 1) {
            unsigned long e = ERR_get_error();
            dvc_client_free(c);
            return fail(status, DVC_INVALID_ARGUMENT, "the CA file '%s' cannot be read as PEM certificates: %s",
                        options->tls_ca_file, ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown");
        }
        SSL_CTX_set_verify(c->tls, SSL_VERIFY_PEER, NULL);
    }
    if (!c->host || !c->port) {
        dvc_client_free(c);
        return fail(status, DVC_RESOURCE_EXHAUSTED, "out of memory");
    }
    *out = c;
    return 0;
}

static void disconnect(dvc_client *c) {
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->going_away = 0;
}

void dvc_client_free(dvc_client *c) {
    if (!c) return;
    disconnect(c);
    if (c->tls) SSL_CTX_free(c->tls);
    free(c->host);
    free(c->port);
    free(c->api_key);
    free(c->on_behalf_of);
    free(c->server_name);
    free(c);
}

void dvc_free(void *response) {
    if (response) protobuf_c_message_free_unpacked((ProtobufCMessage *)response, NULL);
}

/* ---- Bytes in and out, with a deadline -------------------------------------------------- */

/* 0, or -1 with errno (ETIMEDOUT at the deadline, EPIPE when the peer closed). */
static int write_all(dvc_client *c, const unsigned char *data, size_t length) {
    while (length > 0) {
        ssize_t n;
        if (c->ssl) {
            int w = SSL_write(c->ssl, data, (int)length);
            if (w <= 0) { errno = EPIPE; return -1; }
            n = w;
        } else {
            n = send(c->fd, data, length, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return -1;
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* `*done` (may be NULL) counts the bytes read, so that a caller knows whether a deadline cut
 * a frame in half. */
static int read_exactly(dvc_client *c, unsigned char *data, size_t length, int64_t deadline, size_t *done) {
    if (done) *done = 0;
    while (length > 0) {
        if (!(c->ssl && SSL_pending(c->ssl) > 0)) {
            int wait = -1;
            if (deadline >= 0) {
                int64_t left = deadline - now_ms();
                if (left <= 0) { errno = ETIMEDOUT; return -1; }
                wait = left > 0x7fffffff ? 0x7fffffff : (int)left;
            }
            struct pollfd p = {.fd = c->fd, .events = POLLIN};
            int ready = poll(&p, 1, wait);
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) return -1;
            if (ready == 0) { errno = ETIMEDOUT; return -1; }
        }
        ssize_t n;
        if (c->ssl) {
            int r = SSL_read(c->ssl, data, length > 0x7fffffff ? 0x7fffffff : (int)length);
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
                errno = EPIPE;
                return -1;
            }
            n = r;
        } else {
            n = recv(c->fd, data, length, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return -1;
            if (n == 0) { errno = EPIPE; return -1; }
        }
        data += n;
        length -= (size_t)n;
        if (done) *done += (size_t)n;
    }
    return 0;
}

static int connect_tcp(dvc_client *c, int timeout_ms, dvc_status *status) {
    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(c->host, c->port, &hints, &found);
    if (e != 0) return fail(status, DVC_UNAVAILABLE, "cannot resolve %s: %s", c->host, gai_strerror(e));
    int last = ECONNREFUSED;
    for (struct addrinfo *a = found; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        int flags = fcntl(fd, F_GETFL, 0);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        int r = connect(fd, a->ai_addr, a->ai_addrlen);
        if (r < 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            r = poll(&p, 1, timeout_ms);
            if (r == 0) { last = ETIMEDOUT; close(fd); continue; }
            int error = 0;
            socklen_t size = sizeof error;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
            if (r < 0 || error != 0) { last = r < 0 ? errno : error; close(fd); continue; }
        } else if (r < 0) {
            last = errno;
            close(fd);
            continue;
        }
        fcntl(fd, F_SETFL, flags);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        freeaddrinfo(found);
        c->fd = fd;
        return 0;
    }
    freeaddrinfo(found);
    return fail(status, DVC_UNAVAILABLE, "cannot connect to %s:%s: %s", c->host, c->port, strerror(last));
}

/* A connection that has exchanged prefaces, or UNAVAILABLE: nothing was sent for the call. */
static int ensure_connected(dvc_client *c, int64_t deadline, dvc_status *status) {
    if (c->fd >= 0 && !c->going_away && now_ms() - c->last_used_ms <= IDLE_LIMIT_MS) return 0;
    disconnect(c);
    int timeout = c->connect_timeout_ms;
    if (deadline >= 0 && deadline - now_ms() < timeout) timeout = (int)(deadline - now_ms());
    if (timeout <= 0) return fail(status, DVC_DEADLINE_EXCEEDED, "deadline exceeded");
    if (connect_tcp(c, timeout, status) != 0) return status ? status->code : DVC_UNAVAILABLE;
    int64_t handshake_deadline = now_ms() + timeout;
    if (c->tls) {
        struct timeval tv = {.tv_sec = timeout / 1000, .tv_usec = (timeout % 1000) * 1000};
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        c->ssl = SSL_new(c->tls);
        SSL_set_fd(c->ssl, c->fd);
        const char *name = c->server_name ? c->server_name : c->host;
        unsigned char ip[16];
        int is_ip = inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1;
        if (is_ip) {
            /* An IP address is checked against the certificate's IP SANs and not sent as SNI. */
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), name);
        } else {
            SSL_set_tlsext_host_name(c->ssl, name);
            SSL_set1_host(c->ssl, name);
        }
        if (SSL_connect(c->ssl) != 1) {
            long verify = SSL_get_verify_result(c->ssl);
            unsigned long e = ERR_get_error();
            char reason[256];
            ERR_error_string_n(e, reason, sizeof reason);
            disconnect(c);
            if (verify != X509_V_OK)
                return fail(status, DVC_UNAVAILABLE, "TLS connection to %s:%s failed: the gateway's certificate is not accepted: %s",
                            c->host, c->port, X509_verify_cert_error_string(verify));
            return fail(status, DVC_UNAVAILABLE, "TLS connection to %s:%s failed: %s", c->host, c->port,
                        e ? reason : "the peer closed the connection (does it speak TLS?)");
        }
        struct timeval none = {0};
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
    }
    unsigned char answer[8];
    if (write_all(c, PREFACE, sizeof PREFACE) != 0 || read_exactly(c, answer, sizeof answer, handshake_deadline, NULL) != 0) {
        int e = errno;
        disconnect(c);
        return fail(status, DVC_UNAVAILABLE, "connection to %s:%s was lost before the server answered the preface "
                    "(does it require TLS?): %s", c->host, c->port, strerror(e));
    }
    if (memcmp(answer, PREFACE, sizeof PREFACE) != 0) {
        disconnect(c);
        return fail(status, DVC_UNAVAILABLE, "%s:%s does not speak DVCRPC v1", c->host, c->port);
    }
    return 0;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16); p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int send_frame(dvc_client *c, int type, uint32_t call_id, const unsigned char *header, size_t header_length,
                      const unsigned char *payload, size_t payload_length) {
    size_t total = 14 + header_length + payload_length;
    unsigned char *frame = malloc(total);
    if (!frame) { errno = ENOMEM; return -1; }
    put_u32(frame, (uint32_t)(10 + header_length + payload_length));
    frame[4] = (unsigned char)type;
    frame[5] = 0;
    put_u32(frame + 6, call_id);
    put_u32(frame + 10, (uint32_t)header_length);
    if (header_length) memcpy(frame + 14, header, header_length);
    if (payload_length) memcpy(frame + 14 + header_length, payload, payload_length);
    int r = write_all(c, frame, total);
    free(frame);
    return r;
}

/* ---- One attempt ------------------------------------------------------------------------ */

typedef struct {
    const char *key, *value;
} entry;

/* One REQUEST and its RESPONSE. Returns 0 with *response, a server's status code, or
 * DVC_UNAVAILABLE with *lost = LOST_NOT_SENT / LOST_SENT, or DVC_DEADLINE_EXCEEDED. */
static int attempt(dvc_client *c, const char *path, const entry *metadata, size_t n_metadata,
                   const unsigned char *payload, size_t payload_length, int64_t deadline,
                   const ProtobufCMessageDescriptor *response_type, ProtobufCMessage **response,
                   int *lost, dvc_status *status) {
    *lost = 0;
    int code = ensure_connected(c, deadline, status);
    if (code != 0) {
        *lost = code == DVC_UNAVAILABLE ? LOST_NOT_SENT : 0;
        return code;
    }
    c->last_used_ms = now_ms();
    uint32_t call_id = c->next_call_id;
    c->next_call_id = c->next_call_id == 0xffffffffu ? 1 : c->next_call_id + 1;

    Dvc__Rpc__V1__RequestHeader header = DVC__RPC__V1__REQUEST_HEADER__INIT;
    header.method = (char *)path;
    if (deadline >= 0) {
        int64_t left = deadline - now_ms();
        header.timeout_ms = left < 1 ? 1 : (left > 0xffffffffLL ? 0xffffffffu : (uint32_t)left);
    }
    Dvc__Rpc__V1__RequestHeader__MetadataEntry entries[8];
    Dvc__Rpc__V1__RequestHeader__MetadataEntry *pointers[8];
    for (size_t i = 0; i < n_metadata && i < 8; i++) {
        dvc__rpc__v1__request_header__metadata_entry__init(&entries[i]);
        entries[i].key = (char *)metadata[i].key;
        entries[i].value = (char *)metadata[i].value;
        pointers[i] = &entries[i];
    }
    header.n_metadata = n_metadata < 8 ? n_metadata : 8;
    header.metadata = pointers;
    size_t header_length = dvc__rpc__v1__request_header__get_packed_size(&header);
    unsigned char *packed_header = malloc(header_length ? header_length : 1);
    if (!packed_header) return fail(status, DVC_RESOURCE_EXHAUSTED, "out of memory");
    dvc__rpc__v1__request_header__pack(&header, packed_header);
    int sent = send_frame(c, FRAME_REQUEST, call_id, packed_header, header_length, payload, payload_length);
    free(packed_header);
    if (sent != 0) {
        int e = errno;
        disconnect(c);
        *lost = LOST_SENT;
        return fail(status, DVC_UNAVAILABLE, "connection to %s:%s failed while sending: %s", c->host, c->port, strerror(e));
    }

    size_t started = 0;  /* bytes of the current frame read: a deadline then loses the stream */
    for (;;) {
        unsigned char fixed[14];
        if (read_exactly(c, fixed, 4, deadline, &started) != 0) goto read_failed;
        uint32_t length = get_u32(fixed);
        if (length < 10 || length > MAX_FRAME) {
            disconnect(c);
            *lost = LOST_SENT;
            return fail(status, DVC_UNAVAILABLE, "%s:%s sent a frame of length %u", c->host, c->port, length);
        }
        unsigned char *body = malloc(length);
        if (!body) return fail(status, DVC_RESOURCE_EXHAUSTED, "out of memory");
        if (read_exactly(c, body, length, deadline, NULL) != 0) { free(body); started = 1; goto read_failed; }
        int type = body[0];
        uint32_t frame_call = get_u32(body + 2);
        uint32_t frame_header_length = get_u32(body + 6);
        if (body[1] != 0 || 10 + (uint64_t)frame_header_length > length) {
            free(body);
            disconnect(c);
            *lost = LOST_SENT;
            return fail(status, DVC_UNAVAILABLE, "%s:%s broke the framing rules", c->host, c->port);
        }
        const unsigned char *frame_header = body + 10;
        const unsigned char *frame_payload = body + 10 + frame_header_length;
        size_t frame_payload_length = length - 10 - frame_header_length;
        if (type == FRAME_PING) {
            send_frame(c, FRAME_PONG, 0, NULL, 0, frame_payload, frame_payload_length);
            free(body);
            continue;
        }
        if (type == FRAME_GOAWAY) {
            c->going_away = 1;  /* no new calls here; this one still completes */
            free(body);
            continue;
        }
        if (type != FRAME_RESPONSE) {
            free(body);
            disconnect(c);
            *lost = LOST_SENT;
            return fail(status, DVC_UNAVAILABLE, "%s:%s sent a frame of type %d, not allowed from a server", c->host, c->port, type);
        }
        if (frame_call != call_id) {  /* the late answer of a call given up earlier */
            free(body);
            continue;
        }
        Dvc__Rpc__V1__ResponseHeader *answer = dvc__rpc__v1__response_header__unpack(NULL, frame_header_length, frame_header);
        if (!answer) {
            free(body);
            disconnect(c);
            *lost = LOST_SENT;
            return fail(status, DVC_UNAVAILABLE, "%s:%s sent a response header that does not decode", c->host, c->port);
        }
        int result = (int)answer->code;
        if (result != 0) {
            fail(status, result > 16 ? DVC_UNKNOWN : result, "%s", answer->message ? answer->message : "");
            if (status) {
                if (answer->n_violations > 0) {
                    copy(status->field, sizeof status->field, answer->violations[0]->field);
                    copy(status->description, sizeof status->description, answer->violations[0]->description);
                }
                for (size_t i = 0; i < answer->n_metadata; i++) {
                    if (strcmp(answer->metadata[i]->key, "retry-after-ms") == 0)
                        copy(status->retry_after_ms, sizeof status->retry_after_ms, answer->metadata[i]->value);
                    if (strcmp(answer->metadata[i]->key, "dvc-not-processed") == 0) *lost = LOST_NOT_SENT;
                }
            }
            dvc__rpc__v1__response_header__free_unpacked(answer, NULL);
            free(body);
            return result > 16 ? DVC_UNKNOWN : result;
        }
        dvc__rpc__v1__response_header__free_unpacked(answer, NULL);
        c->last_used_ms = now_ms();
        *response = protobuf_c_message_unpack(response_type, NULL, frame_payload_length, frame_payload);
        free(body);
        if (!*response) return fail(status, DVC_INTERNAL, "the response to %s does not decode as %s", path, response_type->name);
        return 0;
    }

read_failed:
    if (errno == ETIMEDOUT) {
        /* The client's own timer: give up, and tell the server (it sends nothing back). A
         * frame cut in half cannot be resumed: the connection goes. */
        if (started > 0) disconnect(c);
        else send_frame(c, FRAME_CANCEL, call_id, NULL, 0, NULL, 0);
        return fail(status, DVC_DEADLINE_EXCEEDED, "deadline exceeded");
    }
    {
        int e = errno;
        disconnect(c);
        *lost = LOST_SENT;
        return fail(status, DVC_UNAVAILABLE, "connection to %s:%s was lost: %s", c->host, c->port, strerror(e));
    }
}

/* ---- A call, with retries ---------------------------------------------------------------- */

void dvc_new_idempotency_key(char out[37]) {
    unsigned char bytes[16];
    FILE *random = fopen("/dev/urandom", "rb");
    if (!random || fread(bytes, 1, sizeof bytes, random) != sizeof bytes) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)((t.tv_nsec >> (i % 8)) ^ (i * 131) ^ getpid());
    }
    if (random) fclose(random);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;  /* a version-4 UUID */
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
             bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
}

int dvc_call(dvc_client *c, const char *path, int kind, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *response_type, ProtobufCMessage **response,
             const dvc_call_options *options, dvc_status *status) {
    dvc_status scratch;
    if (!status) status = &scratch;
    memset(status, 0, sizeof *status);
    *response = NULL;
    if (!c || !path || !request || !response_type) return fail(status, DVC_INVALID_ARGUMENT, "dvc_call: missing argument");

    entry metadata[3];
    size_t n = 0;
    if (c->api_key) metadata[n++] = (entry){"authorization", c->api_key};
    const char *person = options && options->on_behalf_of ? options->on_behalf_of : c->on_behalf_of;
    if (person && *person) metadata[n++] = (entry){"x-dvc-on-behalf-of", person};
    char generated[37];
    const char *key = options ? options->idempotency_key : NULL;
    if (!key && kind == DVC_WRITE_NEEDS_KEY) {
        dvc_new_idempotency_key(generated);
        key = generated;
    }
    if (key) metadata[n++] = (entry){"idempotency-key", key};
    int idempotent = kind == DVC_READ || key != NULL;

    int timeout = options && options->timeout_ms ? options->timeout_ms : c->timeout_ms;
    int64_t deadline = timeout < 0 ? -1 : now_ms() + timeout;
    size_t payload_length = protobuf_c_message_get_packed_size(request);
    unsigned char *payload = malloc(payload_length ? payload_length : 1);
    if (!payload) return fail(status, DVC_RESOURCE_EXHAUSTED, "out of memory");
    protobuf_c_message_pack(request, payload);

    int code;
    for (int tries = 1;; tries++) {
        int lost = 0;
        code = attempt(c, path, metadata, n, payload, payload_length, deadline, response_type, response, &lost, status);
        if (code == 0) break;
        if (code == DVC_UNAVAILABLE && deadline >= 0 && now_ms() >= deadline) {
            /* The connection could not be made or kept within the caller's time. */
            char why[sizeof status->message];
            copy(why, sizeof why, status->message);
            code = fail(status, DVC_DEADLINE_EXCEEDED, "deadline exceeded (%.900s)", why);
            break;
        }
        int safe = code == DVC_UNAVAILABLE && (idempotent || lost == LOST_NOT_SENT);
        if (!safe || tries >= c->max_attempts) break;
        int wait = c->initial_backoff_ms;
        for (int i = 1; i < tries && wait < c->max_backoff_ms; i++) wait *= 2;
        if (wait > c->max_backoff_ms) wait = c->max_backoff_ms;
        wait = wait / 2 + (int)((unsigned)rand() % (unsigned)(wait / 2 + 1));  /* jitter: half to all of it */
        if (deadline >= 0 && now_ms() + wait >= deadline) break;
        if (c->on_retry) c->on_retry(tries, wait, status, c->user);
        struct timespec pause = {.tv_sec = wait / 1000, .tv_nsec = (long)(wait % 1000) * 1000000L};
        while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
    }
    free(payload);
    return code;
}

#define DVC_DEFINE_METHOD(service, method, path, Request, Response, descriptor, kind) \
    int dvc_##service##_##method(dvc_client *client, const Request *request, Response **response, \
                                 const dvc_call_options *options, dvc_status *status) { \
        return dvc_call(client, path, kind, (const ProtobufCMessage *)request, &descriptor, \
                        (ProtobufCMessage **)response, options, status); \
    }
DVC_GATEWAY_METHODS(DVC_DEFINE_METHOD)
