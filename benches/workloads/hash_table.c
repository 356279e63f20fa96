/* Workload: open-addressing hash tables, one per thread, filled and then probed.
 *
 * Each of 2 threads builds its own linear-probing table (2^20 slots of key/value pairs, 16 MiB),
 * inserts KEYS pseudo-random keys, then looks up PROBES keys of which half are present.
 * Tables are private, so the program is race-free; the accesses are scattered reads and writes.
 *
 * usage: hash_table [rounds]     (default 4; each round rebuilds and re-probes the table)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 2
#define SLOTS (1u << 20)
#define KEYS (600u * 1000u)
#define PROBES (1200u * 1000u)
#define EMPTY 0

struct slot {
    uint64_t key;
    uint64_t value;
};

struct job {
    unsigned id;
    unsigned rounds;
    uint64_t hits;
    uint64_t checksum;
};

static uint64_t mix(uint64_t x) {
    /* splitmix64 finalizer */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Key i of a thread; never EMPTY. */
static uint64_t key_of(unsigned id, uint64_t i) { return mix(i * 2 + id) | 1; }

static void insert(struct slot *t, uint64_t key, uint64_t value) {
    uint64_t h = mix(key) & (SLOTS - 1);
    while (t[h].key != EMPTY && t[h].key != key)
        h = (h + 1) & (SLOTS - 1);
    t[h].key = key;
    t[h].value = value;
}

static int lookup(const struct slot *t, uint64_t key, uint64_t *value) {
    uint64_t h = mix(key) & (SLOTS - 1);
    while (t[h].key != EMPTY) {
        if (t[h].key == key) {
            *value = t[h].value;
            return 1;
        }
        h = (h + 1) & (SLOTS - 1);
    }
    return 0;
}

static void *worker(void *arg) {
    struct job *job = arg;
    struct slot *t = malloc(SLOTS * sizeof *t);
    if (!t) {
        perror("malloc");
        exit(2);
    }
    for (unsigned r = 0; r < job->rounds; r++) {
        memset(t, 0, SLOTS * sizeof *t);
        for (uint64_t i = 0; i < KEYS; i++)
            insert(t, key_of(job->id, i), i);
        /* probe keys 0..PROBES-1: the first KEYS are present, the rest absent */
        for (uint64_t i = 0; i < PROBES; i++) {
            uint64_t v;
            /* interleave present and absent keys so that branches stay unpredictable */
            uint64_t k = (i & 1) ? i / 2 : KEYS + i / 2;
            if (lookup(t, key_of(job->id, k), &v)) {
                job->hits++;
                job->checksum += v;
            }
        }
    }
    free(t);
    return NULL;
}

int main(int argc, char **argv) {
    unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 4;
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (unsigned t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){.id = t, .rounds = rounds};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (unsigned t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    /* present keys probed per round: i odd and i/2 < KEYS, i.e. PROBES/2 of them (all < KEYS) */
    uint64_t per_round_hits = PROBES / 2;
    uint64_t per_round_sum = (uint64_t)(PROBES / 2) * (PROBES / 2 - 1) / 2;
    for (unsigned t = 0; t < NTHREADS; t++) {
        if (jobs[t].hits != per_round_hits * rounds || jobs[t].checksum != per_round_sum * rounds) {
            fprintf(stderr, "thread %u: %llu hits, checksum %llu\n", t,
                    (unsigned long long)jobs[t].hits, (unsigned long long)jobs[t].checksum);
            return 1;
        }
    }
    printf("hash_table: %u rounds of %u inserts + %u probes per thread ok\n", rounds, KEYS, PROBES);
    return 0;
}
