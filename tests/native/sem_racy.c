// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:19 access=read:4:main:34
// hbsan-test: location=global:payload
/* sem_post releases only what came before it: the producer posts first and
 * writes the payload afterwards, so the consumer's read (after its sem_wait,
 * later in real time) races with that write. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include "order.h"

int payload;
sem_t ready;

void *producer(void *arg)
{
    (void)arg;
    sem_post(&ready);
    payload = 42; /* bug: after the post */
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    sem_init(&ready, 0, 0);
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    while (sem_wait(&ready) != 0)
        ;
    order_wait(1);
    int seen = payload;
    order_step(2);
    pthread_join(p, NULL);
    sem_destroy(&ready);
    printf("sem_racy: %d\n", seen);
    return 0;
}
