/* Workload: many short-lived threads, created and joined in batches of 2.
 *
 * BATCHES times: create 2 threads, each of which reads the input its parent wrote for it, does a
 * little work on a small private buffer and writes its answer back; then join both and check the
 * answers. 2 * BATCHES threads in all. Race-free: create and join order every access. The cost is
 * thread start-up and tear-down in the detector (per-thread state, stack shadow, clocks).
 *
 * usage: thread_churn [batches]     (default 4000, i.e. 8000 threads)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct task {
    uint64_t input;
    uint64_t output;
};

static void *worker(void *arg) {
    struct task *t = arg;
    uint64_t buf[32];
    for (int i = 0; i < 32; i++)
        buf[i] = t->input * (uint64_t)(i + 1);
    uint64_t sum = 0;
    for (int i = 0; i < 32; i++)
        sum += buf[i];
    t->output = sum;
    return NULL;
}

int main(int argc, char **argv) {
    unsigned long batches = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000;
    struct task tasks[2];
    for (unsigned long b = 0; b < batches; b++) {
        pthread_t th[2];
        for (int k = 0; k < 2; k++) {
            tasks[k].input = b * 2 + k;
            tasks[k].output = 0;
            if (pthread_create(&th[k], NULL, worker, &tasks[k]) != 0) {
                fprintf(stderr, "pthread_create failed in batch %lu\n", b);
                return 2;
            }
        }
        for (int k = 0; k < 2; k++) {
            pthread_join(th[k], NULL);
            if (tasks[k].output != tasks[k].input * 528) { /* 1 + 2 + ... + 32 = 528 */
                fprintf(stderr, "batch %lu thread %d: wrong answer\n", b, k);
                return 1;
            }
        }
    }
    printf("thread_churn: %lu threads ok\n", batches * 2);
    return 0;
}
