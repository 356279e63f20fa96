// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:23 access=read:4:main:39
// hbsan-test: location=global:payload
/* Signalling is not a release of what comes after it: the producer writes the
 * payload after it signalled and unlocked, so the woken consumer's read races
 * with it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int payload;
int ready;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    payload = 42; /* bug: after the hand-over */
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    order_wait(1);
    int seen = payload;
    order_step(2);
    pthread_join(p, NULL);
    printf("cond_racy: %d\n", seen);
    return 0;
}
