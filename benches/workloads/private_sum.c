/* Workload: private arrays summed repeatedly (memory-bound reads).
 *
 * Each of 2 threads owns a 16 MiB array of 64-bit words, fills it once, then sums it PASSES
 * times. No data is shared between the threads, so the program is race-free; a detector's cost
 * here is almost entirely its per-read check.
 *
 * usage: private_sum [passes]     (default 400)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 2
#define WORDS ((16u << 20) / sizeof(uint64_t))

struct job {
    unsigned id;
    unsigned passes;
    uint64_t result;
};

static void *worker(void *arg) {
    struct job *job = arg;
    uint64_t *a = malloc(WORDS * sizeof *a);
    if (!a) {
        perror("malloc");
        exit(2);
    }
    for (size_t i = 0; i < WORDS; i++)
        a[i] = i * 2654435761u + job->id;
    uint64_t total = 0;
    for (unsigned p = 0; p < job->passes; p++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < WORDS; i++)
            sum += a[i];
        total += sum;
        /* Keep the compiler from folding the passes into one: memory may have changed. */
        __asm__ volatile("" ::: "memory");
    }
    free(a);
    job->result = total;
    return NULL;
}

int main(int argc, char **argv) {
    unsigned passes = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 400;
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (unsigned t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){.id = t, .passes = passes};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (unsigned t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);

    /* The expected sum, computed in closed form with wrapping 64-bit arithmetic. */
    uint64_t n = WORDS;
    uint64_t tri = (n % 2 == 0) ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
    for (unsigned t = 0; t < NTHREADS; t++) {
        uint64_t one = tri * 2654435761u + (uint64_t)t * n;
        if (jobs[t].result != one * passes) {
            fprintf(stderr, "thread %u: wrong sum %llu\n", t, (unsigned long long)jobs[t].result);
            return 1;
        }
    }
    printf("private_sum: %u passes over %zu MiB per thread ok\n", passes, (size_t)(WORDS * 8) >> 20);
    return 0;
}
