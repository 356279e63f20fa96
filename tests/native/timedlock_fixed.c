// hbsan-test: expect=silent
/* pthread_mutex_timedlock that gets the mutex before its deadline acquires
 * like lock does. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "order.h"

int shared;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    order_step(1);
    usleep(2000); /* main is (most likely) blocked in timedlock meanwhile */
    shared = 42;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    order_wait(1);
    struct timespec deadline = order_deadline(60 * 1000);
    if (pthread_mutex_timedlock(&lock, &deadline) != 0)
        return 1;
    int seen = shared;
    pthread_mutex_unlock(&lock);
    pthread_join(w, NULL);
    printf("timedlock_fixed: %d\n", seen);
    return seen == 42 ? 0 : 1;
}
