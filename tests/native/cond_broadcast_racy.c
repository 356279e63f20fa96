// hbsan-test: expect=race
// hbsan-test: access=write:4:main:42 access=read:4:waiter:29
// hbsan-test: location=global:late
/* After the broadcast, main writes `late` without the mutex; a woken waiter
 * reads it later in real time, but nothing orders the two. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

#define WAITERS 3

int late;
int round_no;
int woken;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void *waiter(void *arg)
{
    long id = (long)arg;
    pthread_mutex_lock(&lock);
    while (round_no == 0)
        pthread_cond_wait(&cond, &lock);
    woken++;
    pthread_mutex_unlock(&lock);
    if (id != 0)
        return NULL;
    order_wait(1);
    return (void *)(long)late;
}

int main(void)
{
    pthread_t t[WAITERS];
    for (long i = 0; i < WAITERS; i++)
        if (pthread_create(&t[i], NULL, waiter, (void *)i) != 0)
            return 1;
    pthread_mutex_lock(&lock);
    round_no = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    late = 42; /* bug: after the broadcast, outside the mutex */
    order_step(1);
    void *seen;
    pthread_join(t[0], &seen);
    for (int i = 1; i < WAITERS; i++)
        pthread_join(t[i], NULL);
    printf("cond_broadcast_racy: %ld (%d woken)\n", (long)seen, woken);
    return 0;
}
