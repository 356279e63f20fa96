// hbsan-test: expect=race
// hbsan-test: access=write:4:writer:18 access=read:4:main:33
// hbsan-test: location=global:shared
/* A pthread_mutex_trylock that fails (EBUSY) acquires nothing; the caller
 * reads anyway and races with the write made under the mutex. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int shared;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    shared = 42;
    order_step(1);
    order_wait(2); /* hold the mutex until main's trylock has failed */
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    order_wait(1);
    int rc = pthread_mutex_trylock(&lock);
    order_require(rc == EBUSY, "pthread_mutex_trylock fails with EBUSY");
    int seen = shared;
    order_step(2);
    pthread_join(w, NULL);
    printf("trylock_racy: %d\n", seen);
    return 0;
}
