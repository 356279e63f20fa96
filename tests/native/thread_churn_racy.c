// hbsan-test: expect=race
// hbsan-test: access=write:8:bump:18 access=read:8:last:30
// hbsan-test: location=global:counter
/* 3000 threads: the first 2998 are created and joined one after the other
 * (no race among them). The last two run concurrently: thread 2999 bumps the
 * counter, thread 3000 reads it later in real time, without synchronization.
 * A detector that recycles thread slots must still see these two apart. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

#define THREADS 3000

long counter;

void *bump(void *arg)
{
    counter = counter + 1;
    if (arg) {
        order_step(1);
        order_wait(2); /* keep this thread alive until the racing access */
    }
    return NULL;
}

void *last(void *arg)
{
    (void)arg;
    order_wait(1);
    long seen = counter;
    order_step(2);
    return (void *)seen;
}

int main(void)
{
    for (int i = 0; i < THREADS - 2; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, bump, NULL) != 0)
            return 1;
        pthread_join(t, NULL);
    }
    pthread_t a, b;
    if (pthread_create(&a, NULL, bump, (void *)1) != 0 || pthread_create(&b, NULL, last, NULL) != 0)
        return 1;
    void *seen;
    pthread_join(a, NULL);
    pthread_join(b, &seen);
    printf("thread_churn_racy: %ld\n", (long)seen);
    return 0;
}
