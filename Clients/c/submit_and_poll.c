/* Submits a dossier for a citizen, polls its state until it reaches the one asked for, and
 * fetches its result when it has one (docs/clients.md, the C quickstart).
 *
 *   submit_and_poll --gateway HOST:PORT --api-key "ApiKey <id>.<secret>" [--tls-ca ca.pem]
 *       --citizen 001099012345 --agency AGENCY --procedure PROCEDURE --file to-khai.pdf
 *       [--until PROCESSED] [--max-wait 60] [--result-out ket-qua.pdf]
 *
 * Prints one line per step (`submitted ...`, `state ...`, `result ...`); a refused call prints
 * `error CODE: message [field: description]` on standard error and exits with status 1. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dvc_client.h"

#define MAX_FILES 8

static void print_error(const dvc_status *status) {
    fprintf(stderr, "error %s: %s", dvc_code_name(status->code), status->message);
    if (status->field[0]) fprintf(stderr, " [%s: %s]", status->field, status->description);
    fprintf(stderr, "\n");
}

static void on_retry(int attempt, int wait_ms, const dvc_status *why, void *user) {
    (void)user;
    fprintf(stderr, "retry %d in %d ms after %s\n", attempt, wait_ms, dvc_code_name(why->code));
}

static const char *state_name(int state) {
    const ProtobufCEnumValue *value = protobuf_c_enum_descriptor_get_value(&dvc__dossier__v1__dossier_state__descriptor, state);
    return value ? value->name + strlen("DOSSIER_STATE_") : "?";
}

static unsigned char *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) { free(data); data = NULL; }
    fclose(f);
    *length = size > 0 ? (size_t)size : 0;
    return data;
}

static void usage(void) {
    fprintf(stderr, "usage: submit_and_poll --gateway HOST:PORT --api-key KEY [--tls-ca FILE] --citizen ID "
                    "--agency CODE --procedure CODE --file PATH... [--idempotency-key K] [--until STATE] "
                    "[--max-wait S] [--poll-interval S] [--timeout S] [--result-out PATH]\n");
}

int main(int argc, char **argv) {
    /* OpenSSL writes to the socket with write(2): a gateway that closed must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    const char *gateway = NULL, *api_key = getenv("DVC_API_KEY"), *tls_ca = NULL, *citizen = NULL;
    const char *agency = NULL, *procedure = NULL, *idempotency_key = NULL, *until = "SUBMITTED", *result_out = NULL;
    const char *files[MAX_FILES];
    int n_files = 0;
    double max_wait = 60, poll_interval = 2, timeout = 10;
    static const struct option options[] = {
        {"gateway", required_argument, 0, 'g'}, {"api-key", required_argument, 0, 'k'},
        {"tls-ca", required_argument, 0, 'c'}, {"citizen", required_argument, 0, 'p'},
        {"agency", required_argument, 0, 'a'}, {"procedure", required_argument, 0, 'r'},
        {"file", required_argument, 0, 'f'}, {"idempotency-key", required_argument, 0, 'i'},
        {"until", required_argument, 0, 'u'}, {"max-wait", required_argument, 0, 'w'},
        {"poll-interval", required_argument, 0, 'n'}, {"timeout", required_argument, 0, 't'},
        {"result-out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'g': gateway = optarg; break;
        case 'k': api_key = optarg; break;
        case 'c': tls_ca = optarg; break;
        case 'p': citizen = optarg; break;
        case 'a': agency = optarg; break;
        case 'r': procedure = optarg; break;
        case 'f':
            if (n_files == MAX_FILES) { fprintf(stderr, "at most %d files\n", MAX_FILES); return 2; }
            files[n_files++] = optarg;
            break;
        case 'i': idempotency_key = optarg; break;
        case 'u': until = optarg; break;
        case 'w': max_wait = atof(optarg); break;
        case 'n': poll_interval = atof(optarg); break;
        case 't': timeout = atof(optarg); break;
        case 'o': result_out = optarg; break;
        default: usage(); return 2;
        }
    }
    if (!gateway || !citizen || !agency || !procedure) { usage(); return 2; }
    char state_value[64];
    snprintf(state_value, sizeof state_value, "DOSSIER_STATE_%s", until);
    const ProtobufCEnumValue *wanted = protobuf_c_enum_descriptor_get_value_by_name(&dvc__dossier__v1__dossier_state__descriptor, state_value);
    if (!wanted) { fprintf(stderr, "--until: no state %s\n", until); return 2; }

    char person[64];
    snprintf(person, sizeof person, "citizen:%s", citizen);
    dvc_client_options client_options = {0};
    client_options.address = gateway;
    client_options.api_key = api_key;
    client_options.on_behalf_of = person;
    client_options.tls_ca_file = tls_ca;
    client_options.timeout_ms = (int)(timeout * 1000);
    client_options.on_retry = on_retry;
    dvc_client *client;
    dvc_status status;
    if (dvc_client_new(&client_options, &client, &status) != 0) { print_error(&status); return 1; }
    int exit_code = 1;

    /* Submit, with the papers attached. */
    Dvc__Dossier__V1__SubmitDossierRequest request = DVC__DOSSIER__V1__SUBMIT_DOSSIER_REQUEST__INIT;
    request.agency_code = (char *)agency;
    request.procedure_code = (char *)procedure;
    request.channel = DVC__DOSSIER__V1__CHANNEL__CHANNEL_ONLINE;
    Dvc__Dossier__V1__AttachmentUpload uploads[MAX_FILES], *upload_pointers[MAX_FILES];
    for (int i = 0; i < n_files; i++) {
        dvc__dossier__v1__attachment_upload__init(&uploads[i]);
        const char *slash = strrchr(files[i], '/');
        uploads[i].name = (char *)(slash ? slash + 1 : files[i]);
        uploads[i].content.data = read_file(files[i], &uploads[i].content.len);
        if (!uploads[i].content.data) { fprintf(stderr, "cannot read %s\n", files[i]); goto done_files; }
        upload_pointers[i] = &uploads[i];
    }
    request.n_attachments = (size_t)n_files;
    request.attachments = upload_pointers;
    /* A key of our own, printed, so that the very same submission can be sent again. */
    dvc_call_options call = {0};
    char generated[37];
    if (!idempotency_key) {
        dvc_new_idempotency_key(generated);
        idempotency_key = generated;
    }
    call.idempotency_key = idempotency_key;
    Dvc__Dossier__V1__SubmitDossierResponse *submitted;
    if (dvc_dossier_submit_dossier(client, &request, &submitted, &call, &status) != 0) { print_error(&status); goto done_files; }
    char *id = strdup(submitted->dossier->id);
    printf("submitted %s state %s pin %s idempotency-key %s\n", id, state_name(submitted->dossier->state),
           submitted->tracking_pin, idempotency_key);
    fflush(stdout);
    dvc_free(submitted);

    /* Poll its state. */
    Dvc__Dossier__V1__Dossier *dossier = NULL;
    int last = -1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        Dvc__Dossier__V1__GetDossierRequest get = DVC__DOSSIER__V1__GET_DOSSIER_REQUEST__INIT;
        get.id = id;
        dvc_free(dossier);
        if (dvc_dossier_get_dossier(client, &get, &dossier, NULL, &status) != 0) { print_error(&status); dossier = NULL; goto done; }
        if ((int)dossier->state != last) {
            printf("state %s version %llu", state_name(dossier->state), (unsigned long long)dossier->version);
            if (dossier->receipt_code && dossier->receipt_code[0]) printf(" receipt %s", dossier->receipt_code);
            printf("\n");
            fflush(stdout);
            last = (int)dossier->state;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if ((int)dossier->state == wanted->value || elapsed >= max_wait) break;
        struct timespec pause = {(time_t)poll_interval, (long)((poll_interval - (long)poll_interval) * 1e9)};
        nanosleep(&pause, NULL);
    }
    if ((int)dossier->state != wanted->value) {
        fprintf(stderr, "error still %s after %.0f s, not %s\n", state_name(dossier->state), max_wait, until);
        goto done;
    }

    /* Fetch the result, when it has one. */
    if (dossier->result_document && dossier->result_document->id && dossier->result_document->id[0]) {
        Dvc__Dossier__V1__GetFileRequest get_file = DVC__DOSSIER__V1__GET_FILE_REQUEST__INIT;
        get_file.dossier_id = id;
        get_file.file_id = dossier->result_document->id;
        Dvc__Dossier__V1__File *file;
        if (dvc_dossier_get_file(client, &get_file, &file, NULL, &status) != 0) { print_error(&status); goto done; }
        printf("result %s %zu bytes %s\n", file->name, file->content.len, file->media_type);
        if (result_out) {
            FILE *out = fopen(result_out, "wb");
            if (!out || fwrite(file->content.data, 1, file->content.len, out) != file->content.len) {
                fprintf(stderr, "cannot write %s\n", result_out);
                if (out) fclose(out);
                dvc_free(file);
                goto done;
            }
            fclose(out);
        }
        dvc_free(file);
    }
    exit_code = 0;
done:
    dvc_free(dossier);
    free(id);
done_files:
    for (int i = 0; i < n_files; i++) free(uploads[i].content.data);
    dvc_client_free(client);
    return exit_code;
}
