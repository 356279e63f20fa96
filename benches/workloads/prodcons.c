/* Workload: a producer/consumer bounded queue on condition variables.
 *
 * One producer thread pushes ITEMS items through a ring buffer of CAP slots to one consumer
 * thread. The ring is guarded by a mutex; "not full" and "not empty" are condition variables.
 * Each item is a small struct built privately by the producer and copied into the ring under
 * the lock; the consumer copies it out under the lock and checks the sequence.
 * Race-free: every shared access happens under the mutex. The cost is mostly lock hand-off,
 * condition-variable sleeps and wake-ups.
 *
 * usage: prodcons [items]     (default 400000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CAP 64

struct item {
    uint64_t seq;
    uint64_t value;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    struct item ring[CAP];
    unsigned head, count; /* guarded by lock */
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static unsigned long items;

static void *producer(void *arg) {
    (void)arg;
    for (unsigned long i = 0; i < items; i++) {
        struct item it = {.seq = i, .value = i * 7 + 1};
        pthread_mutex_lock(&q.lock);
        while (q.count == CAP)
            pthread_cond_wait(&q.not_full, &q.lock);
        q.ring[(q.head + q.count) % CAP] = it;
        q.count++;
        pthread_cond_signal(&q.not_empty);
        pthread_mutex_unlock(&q.lock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    uint64_t *sum = arg;
    for (unsigned long i = 0; i < items; i++) {
        pthread_mutex_lock(&q.lock);
        while (q.count == 0)
            pthread_cond_wait(&q.not_empty, &q.lock);
        struct item it = q.ring[q.head];
        q.head = (q.head + 1) % CAP;
        q.count--;
        pthread_cond_signal(&q.not_full);
        pthread_mutex_unlock(&q.lock);
        if (it.seq != i) {
            fprintf(stderr, "prodcons: item %lu arrived as %llu\n", i, (unsigned long long)it.seq);
            exit(1);
        }
        *sum += it.value;
    }
    return NULL;
}

int main(int argc, char **argv) {
    items = argc > 1 ? strtoul(argv[1], NULL, 10) : 400000;
    uint64_t sum = 0;
    pthread_t p, c;
    if (pthread_create(&c, NULL, consumer, &sum) != 0 ||
        pthread_create(&p, NULL, producer, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 2;
    }
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    uint64_t n = items;
    if (sum != 7 * (n * (n - 1) / 2) + n) {
        fprintf(stderr, "prodcons: wrong sum %llu\n", (unsigned long long)sum);
        return 1;
    }
    printf("prodcons: %lu items through a %d-slot queue ok\n", items, CAP);
    return 0;
}
