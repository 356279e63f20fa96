/* Real-program driver: SQLite (the amalgamation from libsqlite3-sys) in serialized mode.
 *
 * Opens ONE in-memory database connection with SQLITE_OPEN_FULLMUTEX (serialized threading
 * mode: SQLite's own recursive mutex guards the connection) and shares it between 2 threads.
 * Each thread, with its own prepared statements, inserts ROWS rows (in autocommit mode), and
 * after every insert runs a point select on a random key it has already inserted, plus every
 * 64 rows a small range aggregate. Main checks the row count and every thread's checksums.
 *
 * usage: sqlite_driver [rows-per-thread]     (default 40000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"

#define NTHREADS 2

static sqlite3 *db;
static long rows;

struct job {
    int id;
    int64_t selected_sum;
    int64_t expected_sum;
    long failures;
};

static void die(const char *what, int rc) {
    fprintf(stderr, "sqlite_driver: %s: %s (%d)\n", what, sqlite3_errstr(rc), rc);
    exit(1);
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        die(sql, rc);
    return st;
}

static void *worker(void *arg) {
    struct job *job = arg;
    sqlite3_stmt *ins = prepare("INSERT INTO kv(k, owner, v, note) VALUES (?1, ?2, ?3, ?4)");
    sqlite3_stmt *get = prepare("SELECT v FROM kv WHERE k = ?1");
    sqlite3_stmt *agg = prepare("SELECT count(*), sum(v) FROM kv WHERE owner = ?1 AND k BETWEEN ?2 AND ?3");
    uint64_t rnd = 0x9e3779b97f4a7c15ull * (uint64_t)(job->id + 1);
    char note[48];
    for (long i = 0; i < rows; i++) {
        int64_t key = i * NTHREADS + job->id; /* keys of the two threads interleave */
        int64_t value = key * 31 + 7;
        snprintf(note, sizeof note, "row %ld of thread %d", i, job->id);
        sqlite3_bind_int64(ins, 1, key);
        sqlite3_bind_int(ins, 2, job->id);
        sqlite3_bind_int64(ins, 3, value);
        sqlite3_bind_text(ins, 4, note, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(ins);
        if (rc != SQLITE_DONE)
            die("insert", rc);
        sqlite3_reset(ins);

        /* point select of one of our own earlier rows */
        rnd ^= rnd << 13;
        rnd ^= rnd >> 7;
        rnd ^= rnd << 17;
        long j = (long)(rnd % (uint64_t)(i + 1));
        int64_t k = j * NTHREADS + job->id;
        sqlite3_bind_int64(get, 1, k);
        if (sqlite3_step(get) == SQLITE_ROW)
            job->selected_sum += sqlite3_column_int64(get, 0);
        else
            job->failures++;
        job->expected_sum += k * 31 + 7;
        sqlite3_reset(get);

        if (i % 64 == 63) {
            sqlite3_bind_int(agg, 1, job->id);
            sqlite3_bind_int64(agg, 2, key - 63 * NTHREADS);
            sqlite3_bind_int64(agg, 3, key);
            if (sqlite3_step(agg) != SQLITE_ROW || sqlite3_column_int64(agg, 0) != 64)
                job->failures++;
            sqlite3_reset(agg);
        }
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(get);
    sqlite3_finalize(agg);
    return NULL;
}

int main(int argc, char **argv) {
    rows = argc > 1 ? strtol(argv[1], NULL, 10) : 40000;
    if (!sqlite3_threadsafe()) {
        fprintf(stderr, "sqlite_driver: SQLite was built with SQLITE_THREADSAFE=0\n");
        return 2;
    }
    int rc = sqlite3_open_v2(":memory:", &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK)
        die("open", rc);
    rc = sqlite3_exec(db,
                      "CREATE TABLE kv(k INTEGER PRIMARY KEY, owner INTEGER NOT NULL, v INTEGER NOT NULL, note TEXT);"
                      "CREATE INDEX kv_owner ON kv(owner, k);",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        die("create", rc);

    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){.id = t};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);

    sqlite3_stmt *count = prepare("SELECT count(*) FROM kv");
    if (sqlite3_step(count) != SQLITE_ROW)
        die("count", sqlite3_errcode(db));
    int64_t total = sqlite3_column_int64(count, 0);
    sqlite3_finalize(count);
    int ok = total == (int64_t)rows * NTHREADS;
    for (int t = 0; t < NTHREADS; t++)
        ok = ok && jobs[t].failures == 0 && jobs[t].selected_sum == jobs[t].expected_sum;
    sqlite3_close(db);
    if (!ok) {
        fprintf(stderr, "sqlite_driver: wrong results (rows %lld)\n", (long long)total);
        return 1;
    }
    printf("sqlite_driver: %lld rows inserted and %lld selected by %d threads on one connection ok\n",
           (long long)total, (long long)total, NTHREADS);
    return 0;
}
