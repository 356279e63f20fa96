// hbsan-test: expect=race
// hbsan-test: access=write:8:producer:23 access=read:8:bystander:51
// hbsan-test: location=global:value
/* A value handed from one thread to another, and read by a third that was not
 * handed it. The producer writes `value` and publishes it under a mutex; the
 * consumer takes the mutex and reads `value` in two epochs (its reads become
 * the word's most recent record: they are put in front of the producer's
 * write); the bystander reads `value` without taking the mutex, so nothing
 * orders the producer's write before its read. The race must be found behind
 * the consumer's records. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "order.h"

static uint64_t value;
static int ready;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t consumed;

void *producer(void *arg)
{
    value = 42 + (uintptr_t)arg; /* not a constant: clang would shrink `value` to a bool */
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_mutex_unlock(&lock);
    order_step(1);
    order_wait(3); /* keep this thread alive until the racing access */
    return NULL;
}

void *consumer(void *arg)
{
    (void)arg;
    order_wait(1);
    for (int epoch = 0; epoch < 2; epoch++) {
        pthread_mutex_lock(&lock);
        int r = ready;
        pthread_mutex_unlock(&lock);
        if (r)
            consumed += value;
    }
    order_step(2);
    return NULL;
}

void *bystander(void *arg)
{
    (void)arg;
    order_wait(2);
    uint64_t v = value;
    order_step(3);
    printf("handoff_third_racy: %llu\n", (unsigned long long)v);
    return NULL;
}

int main(void)
{
    pthread_t p, c, b;
    if (pthread_create(&p, NULL, producer, NULL) != 0 ||
        pthread_create(&c, NULL, consumer, NULL) != 0 ||
        pthread_create(&b, NULL, bystander, NULL) != 0)
        return 1;
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    pthread_join(b, NULL);
    return consumed == 84 ? 0 : 1;
}
