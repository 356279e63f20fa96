/* Workload: atomics-heavy counting plus acquire/release message passing.
 *
 * Phase 1: 2 threads hammer 4 shared C11 atomic counters with atomic_fetch_add (relaxed,
 *          acq_rel and seq_cst orders mixed), ADDS times each.
 * Phase 2: the threads pass MESSAGES messages back and forth through plain (non-atomic) mailbox
 *          fields published with a release store of a sequence flag and read after an acquire
 *          load of it (ping-pong). The plain accesses are ordered only by that acquire/release
 *          pairing, so a detector that loses it reports a false race.
 * Waiting spins briefly, then yields: the machine may be shared, and a pure spin would measure
 * the scheduler rather than the atomics.
 *
 * usage: atomics [adds-per-thread] [messages]     (defaults 3000000 and 300000)
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 2

/* The shared globals, each group on cache lines of its own. Left to the
 * linker, their places depend on what else is linked, and the three variants
 * of this program link different runtimes: the read-only `adds` shared the
 * counters' cache line in two of them (native, hbsan) and not in the third
 * (libtsan), and there each of its reads missed while the other thread's adds
 * kept taking the line. */
#define LINE _Alignas(64)
static struct {
    LINE atomic_ulong counters[4];      /* phase 1: both threads add */
    LINE unsigned long adds, messages;  /* read-only while the threads run */
    /* mailbox: payload written plainly, then published through seq with release */
    LINE uint64_t mail_payload[2];
    atomic_ulong mail_seq[2];
    LINE char end[1];                   /* nothing else on the mailbox's line */
} g;

struct job {
    unsigned id;
    uint64_t received_sum;
};

static void wait_for(atomic_ulong *flag, unsigned long want) {
    unsigned spins = 0;
    while (atomic_load_explicit(flag, memory_order_acquire) != want) {
        if (++spins > 64) {
            sched_yield();
            spins = 0;
        }
    }
}

static void *worker(void *arg) {
    struct job *job = arg;
    unsigned me = job->id;

    for (unsigned long i = 0; i < g.adds; i++) {
        atomic_fetch_add_explicit(&g.counters[0], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&g.counters[1 + (i & 1)], 2, memory_order_acq_rel);
        if ((i & 7) == 0)
            atomic_fetch_add(&g.counters[3], 1); /* seq_cst */
    }

    /* ping-pong: thread 0 sends first; each message answers the previous one */
    for (unsigned long m = 1; m <= g.messages; m++) {
        if (me == 0) {
            g.mail_payload[1] = m * 3;      /* to thread 1 */
            atomic_store_explicit(&g.mail_seq[1], m, memory_order_release);
            wait_for(&g.mail_seq[0], m);
            job->received_sum += g.mail_payload[0];
        } else {
            wait_for(&g.mail_seq[1], m);
            job->received_sum += g.mail_payload[1];
            g.mail_payload[0] = m * 5;      /* reply to thread 0 */
            atomic_store_explicit(&g.mail_seq[0], m, memory_order_release);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    g.adds = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000000;
    g.messages = argc > 2 ? strtoul(argv[2], NULL, 10) : 300000;
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (unsigned t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){.id = t};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (unsigned t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);

    uint64_t n = g.adds * NTHREADS;
    uint64_t tri = (uint64_t)g.messages * (g.messages + 1) / 2;
    int ok = atomic_load(&g.counters[0]) == n &&
             atomic_load(&g.counters[1]) + atomic_load(&g.counters[2]) == 2 * n &&
             atomic_load(&g.counters[3]) == NTHREADS * ((g.adds + 7) / 8) &&
             jobs[0].received_sum == 5 * tri && jobs[1].received_sum == 3 * tri;
    if (!ok) {
        fprintf(stderr, "atomics: wrong totals\n");
        return 1;
    }
    printf("atomics: %lu adds per thread, %lu messages each way ok\n", g.adds, g.messages);
    return 0;
}
