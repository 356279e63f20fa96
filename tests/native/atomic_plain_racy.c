// hbsan-test: expect=race
// hbsan-test: access=atomic-write:4:setter:16 access=read:4:main:28
// hbsan-test: location=global:level
/* An atomic store and a plain (non-atomic) load of the same variable race:
 * only atomic-vs-atomic pairs are exempt. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include "order.h"

int level;

void *setter(void *arg)
{
    (void)arg;
    __atomic_store_n(&level, 7, __ATOMIC_SEQ_CST);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t s;
    if (pthread_create(&s, NULL, setter, NULL) != 0)
        return 1;
    order_wait(1);
    int seen = level; /* bug: plain read */
    order_step(2);
    pthread_join(s, NULL);
    printf("atomic_plain_racy: %d\n", seen);
    return 0;
}
