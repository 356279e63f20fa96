/* Workload: a mutex-protected shared counter.
 *
 * 2 threads each increment one shared counter ITERS times, taking a pthread mutex around every
 * increment. Between increments each thread does a little private arithmetic so that the lock
 * changes hands often but not on every instruction. Race-free: the counter is only touched under
 * the mutex and read by main after joining.
 *
 * usage: mutex_counter [iters-per-thread]     (default 4000000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 2

/* The lock and what it guards, each on a cache line of its own. Left to the
 * linker, their places depend on what else is linked (each variant of this
 * program links a different runtime): the lock straddled two lines, one
 * shared with the counter, in two of the variants, and shared none with it in
 * the third. Both detectors are sensitive to it (docs/PERFORMANCE.md §21). */
static struct {
    _Alignas(64) pthread_mutex_t lock;
    _Alignas(64) uint64_t counter;  /* guarded by lock */
    uint64_t last_writer;           /* guarded by lock */
} g = {PTHREAD_MUTEX_INITIALIZER, 0, 0};

struct job {
    unsigned id;
    unsigned long iters;
    uint64_t noise;
};

static void *worker(void *arg) {
    struct job *job = arg;
    uint64_t x = job->id + 1;
    for (unsigned long i = 0; i < job->iters; i++) {
        /* private work: a few rounds of xorshift */
        for (int k = 0; k < 4; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        pthread_mutex_lock(&g.lock);
        g.counter++;
        g.last_writer = job->id;
        pthread_mutex_unlock(&g.lock);
    }
    job->noise = x;
    return NULL;
}

int main(int argc, char **argv) {
    unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000000;
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (unsigned t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){.id = t, .iters = iters};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (unsigned t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    if (g.counter != (uint64_t)iters * NTHREADS || g.last_writer >= NTHREADS) {
        fprintf(stderr, "wrong counter %llu\n", (unsigned long long)g.counter);
        return 1;
    }
    printf("mutex_counter: %llu increments ok (noise %llx)\n", (unsigned long long)g.counter,
           (unsigned long long)(jobs[0].noise ^ jobs[1].noise));
    return 0;
}
