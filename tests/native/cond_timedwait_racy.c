// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:23 access=read:4:main:39
// hbsan-test: location=global:payload
/* The producer signals before anyone waits (the signal is lost) and writes the
 * payload after unlocking. The consumer's pthread_cond_timedwait times out and
 * re-acquires the mutex: that orders what the producer did *before* its unlock,
 * not the later write, which races with the consumer's read. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int payload;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    payload = 42; /* bug: after the unlock */
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    order_wait(1);
    pthread_mutex_lock(&lock);
    struct timespec deadline = order_deadline(10);
    int rc = pthread_cond_timedwait(&cond, &lock, &deadline);
    order_require(rc == ETIMEDOUT, "pthread_cond_timedwait times out");
    int seen = payload;
    order_step(2);
    pthread_mutex_unlock(&lock);
    pthread_join(p, NULL);
    printf("cond_timedwait_racy: %d\n", seen);
    return 0;
}
