// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:21 access=read:4:worker:27
// hbsan-test: location=global:after
/* The barrier orders what came before it, not what comes after: one thread
 * writes `after` once past the barrier, another reads it later in real time. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int before;
int after;
pthread_barrier_t barrier;

void *worker(void *arg)
{
    long id = (long)arg;
    if (id == 0)
        before = 1;
    pthread_barrier_wait(&barrier);
    if (id == 0) {
        after = before + 1;
        order_step(1);
        order_wait(2); /* keep this thread alive until the racing access */
        return NULL;
    }
    order_wait(1);
    long seen = after + before;
    order_step(2);
    return (void *)seen;
}

int main(void)
{
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    void *seen;
    pthread_join(t[0], NULL);
    pthread_join(t[1], &seen);
    pthread_barrier_destroy(&barrier);
    printf("barrier_racy: %ld\n", (long)seen);
    return 0;
}
