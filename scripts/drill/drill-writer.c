/*
 * The failover drill's own writer (scripts/failover-drill.sh): one write after another into
 * drill_writes through libpq, each acknowledged write recorded, so that after a failover the
 * drill can check that every acknowledged write is on the new primary exactly once.
 *
 *   drill-writer URL ACKS
 *
 * URL is the cluster's multi-host string with target_session_attrs=read-write: libpq tries the
 * hosts in turn and keeps the one that takes writes. Each write has an id (1, 2, …). Once the
 * server has answered COMMIT the line "id epoch-ms host:port" is appended to ACKS (flushed at
 * once): that write is acknowledged and must survive. A failure (connection lost, commit
 * outcome unknown) retries the same id on a new connection, and the retry is idempotent: the
 * row is inserted only if no row has that id, so a commit that did happen before the failure
 * is not written twice; and the retry always waits for the standby (below). The table has no unique constraint on write_id on purpose: a duplicate
 * would show. SIGTERM or SIGINT stops after the write in progress.
 */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static void stop(int signal_number) { (void)signal_number; stopping = 1; }

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *table_sql =
    "CREATE TABLE IF NOT EXISTS drill_writes ("
    " seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " write_id BIGINT NOT NULL,"
    " written_at TIMESTAMPTZ NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS drill_writes_write_id ON drill_writes (write_id)";

/*
 * The write, and the retry's "is it there already?", in one statement that always takes a
 * transaction id (pg_current_xact_id), so that its commit always waits for the synchronous
 * standby. Without it a retry that finds the row writes nothing, and a transaction that writes
 * nothing does not wait for the standby: on an old primary restarted after a crash, the row it
 * finds may be one committed locally whose wait for the standby was cut short by the crash,
 * which the failover then discards (pg_rewind), and the write would be acknowledged and lost.
 * With the transaction id, the commit is acknowledged only once the standby has everything up
 * to it, the row found included.
 */
static const char *insert_sql =
    "WITH inserted AS (INSERT INTO drill_writes (write_id) SELECT $1::bigint"
    " WHERE NOT EXISTS (SELECT 1 FROM drill_writes WHERE write_id = $1::bigint) RETURNING 1)"
    " SELECT pg_current_xact_id(), (SELECT count(*) FROM inserted)";

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: drill-writer URL ACKS\n");
        return 2;
    }
    FILE *acks = fopen(argv[2], "a");
    if (!acks) { perror(argv[2]); return 1; }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    signal(SIGPIPE, SIG_IGN);

    PGconn *conn = NULL;
    long long id = 1, acknowledged = 0, failures = 0;
    int table_ready = 0;
    while (!stopping) {
        if (!conn) {
            conn = PQconnectdb(argv[1]);
            if (PQstatus(conn) != CONNECTION_OK) {
                fprintf(stderr, "%lld connect failed: %s", now_ms(), PQerrorMessage(conn));
                PQfinish(conn);
                conn = NULL;
                failures++;
                usleep(200 * 1000);
                continue;
            }
            fprintf(stderr, "%lld connected to %s:%s\n", now_ms(), PQhost(conn), PQport(conn));
        }
        if (!table_ready) {
            PGresult *made = PQexec(conn, table_sql);
            int ok = PQresultStatus(made) == PGRES_COMMAND_OK;
            if (!ok) fprintf(stderr, "%lld creating the table failed: %s", now_ms(), PQerrorMessage(conn));
            PQclear(made);
            if (!ok) { PQfinish(conn); conn = NULL; usleep(200 * 1000); continue; }
            table_ready = 1;
        }
        char text[32];
        snprintf(text, sizeof text, "%lld", id);
        const char *values[1] = { text };
        PGresult *result = PQexecParams(conn, insert_sql, 1, NULL, values, NULL, NULL, 0);
        if (PQresultStatus(result) == PGRES_TUPLES_OK) {
            fprintf(acks, "%lld %lld %s:%s\n", id, now_ms(), PQhost(conn), PQport(conn));
            fflush(acks);
            acknowledged++;
            id++;
        } else {
            /* The outcome of this write is unknown: the same id again, on a new connection. */
            fprintf(stderr, "%lld write %lld failed: %s", now_ms(), id, PQerrorMessage(conn));
            failures++;
            PQfinish(conn);
            conn = NULL;
            usleep(100 * 1000);
        }
        PQclear(result);
    }
    if (conn) PQfinish(conn);
    fclose(acks);
    fprintf(stderr, "%lld stopped: %lld acknowledged, %lld failed attempts\n", now_ms(), acknowledged, failures);
    return 0;
}
