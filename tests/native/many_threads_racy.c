// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:23 access=read:4:worker:28
// hbsan-test: location=global:shared
/* 200 threads alive at once (they all meet main at a barrier). After the
 * barrier, the first thread writes `shared` and the last one reads it later
 * in real time: the barrier does not order what comes after it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

#define N 200

int shared;
int slots[N];
pthread_barrier_t all_here;

void *worker(void *arg)
{
    long id = (long)arg;
    slots[id] = (int)id;
    pthread_barrier_wait(&all_here);
    if (id == 0) {
        shared = slots[N - 1];
        order_step(1);
        order_wait(2); /* keep this thread alive until the racing access */
    } else if (id == N - 1) {
        order_wait(1);
        long seen = shared;
        order_step(2);
        return (void *)seen;
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&all_here, NULL, N + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], &attr, worker, (void *)i) != 0)
            return 1;
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&all_here);
    void *last = NULL;
    for (int i = 0; i < N; i++)
        pthread_join(t[i], i == N - 1 ? &last : NULL);
    pthread_barrier_destroy(&all_here);
    printf("many_threads_racy: %ld\n", (long)last);
    return 0;
}
