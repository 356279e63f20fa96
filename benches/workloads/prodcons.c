/* Workload: a producer/consumer bounded queue on condition variables.
 *
 * One producer thread pushes ITEMS items through a ring buffer of CAP slots to one consumer
 * thread. The ring is guarded by a mutex; "not full" and "not empty" are condition variables.
 * Each item is a small struct built privately by the producer and copied into the ring under
 * the lock; the consumer copies it out under the lock and checks the sequence.
 *
 * Wake-ups use half-full watermarks: a sleeping consumer is woken once the queue holds CAP/2
 * items (or the producer is done), a sleeping producer once the consumer has drained it to CAP/2.
 * A naive signal-per-item queue flips between a fast mode (nobody sleeps) and a slow mode (a
 * futex sleep and wake-up per item) depending on scheduling luck, which would swamp the
 * detector's cost; with the watermarks every sleep is worth CAP/2 items whatever the timing.
 * Race-free: every shared access happens under the mutex. The cost is mostly lock/unlock per
 * item plus condition-variable waits and signals.
 *
 * usage: prodcons [items]     (default 1000000)
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

/* Aligned to a cache line, so that the queue's lines are the same in every
 * variant of this program (left to the linker, its place depends on the
 * runtime linked, and the lock straddled two lines in one variant only). */
static struct {
    _Alignas(64) pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    struct item ring[CAP];
    unsigned head, count;                       /* guarded by lock */
    int producer_waiting, consumer_waiting, done; /* guarded by lock */
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static unsigned long items;

static void *producer(void *arg) {
    (void)arg;
    for (unsigned long i = 0; i < items; i++) {
        struct item it = {.seq = i, .value = i * 7 + 1};
        pthread_mutex_lock(&q.lock);
        while (q.count == CAP) {
            q.producer_waiting = 1;
            pthread_cond_wait(&q.not_full, &q.lock);
        }
        q.ring[(q.head + q.count) % CAP] = it;
        q.count++;
        if (q.consumer_waiting && q.count >= CAP / 2) {
            q.consumer_waiting = 0;
            pthread_cond_signal(&q.not_empty);
        }
        pthread_mutex_unlock(&q.lock);
    }
    pthread_mutex_lock(&q.lock);
    q.done = 1;
    q.consumer_waiting = 0;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void *consumer(void *arg) {
    uint64_t *sum = arg;
    for (unsigned long i = 0; i < items; i++) {
        pthread_mutex_lock(&q.lock);
        while (q.count == 0) {
            if (q.done) {
                fprintf(stderr, "prodcons: queue empty after the producer finished\n");
                exit(1);
            }
            q.consumer_waiting = 1;
            pthread_cond_wait(&q.not_empty, &q.lock);
        }
        struct item it = q.ring[q.head];
        q.head = (q.head + 1) % CAP;
        q.count--;
        if (q.producer_waiting && q.count <= CAP / 2) {
            q.producer_waiting = 0;
            pthread_cond_signal(&q.not_full);
        }
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
    items = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
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
