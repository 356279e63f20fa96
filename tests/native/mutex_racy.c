// hbsan-test: expect=race
// hbsan-test: access=write:4:writer:18 access=read:4:reader:29
// hbsan-test: location=global:balance
/* Two threads each hold *a* mutex, but not the same one: the writer's unlock
 * of lock_a orders nothing for the reader, which locks lock_b. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int balance;
pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    balance = 100;
    pthread_mutex_unlock(&lock_a);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *reader(void *arg)
{
    order_wait(1);
    pthread_mutex_lock(&lock_b);
    *(int *)arg = balance;
    pthread_mutex_unlock(&lock_b);
    order_step(2);
    return NULL;
}

int main(void)
{
    int seen = 0;
    pthread_t w, r;
    if (pthread_create(&w, NULL, writer, NULL) != 0 || pthread_create(&r, NULL, reader, &seen) != 0)
        return 1;
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    printf("mutex_racy: %d\n", seen);
    return 0;
}
