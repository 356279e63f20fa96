// hbsan-test: expect=race
// hbsan-test: access=write:4:writer:18 access=read:4:main:34
// hbsan-test: location=global:shared
/* A pthread_rwlock_timedrdlock that times out (a writer holds the lock)
 * acquires nothing; reading anyway races with the writer. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int shared;
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw);
    shared = 42;
    order_step(1);
    order_wait(2); /* hold the write lock until main's timedrdlock has timed out */
    pthread_rwlock_unlock(&rw);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    order_wait(1);
    struct timespec deadline = order_deadline(10);
    int rc = pthread_rwlock_timedrdlock(&rw, &deadline);
    order_require(rc == ETIMEDOUT, "pthread_rwlock_timedrdlock times out");
    int seen = shared;
    order_step(2);
    pthread_join(w, NULL);
    printf("rwlock_timed_racy: %d\n", seen);
    return 0;
}
