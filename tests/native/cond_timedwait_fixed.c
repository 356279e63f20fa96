// hbsan-test: expect=silent
/* pthread_cond_timedwait and pthread_cond_clockwait with generous deadlines:
 * woken by a signal, they re-acquire the mutex, which orders the producer's
 * writes before the consumer's reads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "order.h"

int stage;
int value_a, value_b;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    value_a = 1;
    stage = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);

    pthread_mutex_lock(&lock);
    value_b = 2;
    stage = 2;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    struct timespec deadline = order_deadline(60 * 1000);
    while (stage < 1)
        if (pthread_cond_timedwait(&cond, &lock, &deadline) != 0)
            return 1;
    int a = value_a;
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    mono.tv_sec += 60;
    while (stage < 2)
        if (pthread_cond_clockwait(&cond, &lock, CLOCK_MONOTONIC, &mono) != 0)
            return 1;
    int b = value_b;
    pthread_mutex_unlock(&lock);
    pthread_join(p, NULL);
    printf("cond_timedwait_fixed: %d %d\n", a, b);
    return a == 1 && b == 2 ? 0 : 1;
}
