// hbsan-test: expect=race
// hbsan-test: access=write:4:holder:18 access=read:4:main:34
// hbsan-test: location=global:shared
/* A pthread_spin_trylock that fails (EBUSY) acquires nothing; the caller reads
 * anyway and races with the write made under the spinlock. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int shared;
pthread_spinlock_t spin;

void *holder(void *arg)
{
    (void)arg;
    pthread_spin_lock(&spin);
    shared = 42;
    order_step(1);
    order_wait(2); /* hold the spinlock until main's trylock has failed */
    pthread_spin_unlock(&spin);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t h;
    if (pthread_create(&h, NULL, holder, NULL) != 0)
        return 1;
    order_wait(1);
    int rc = pthread_spin_trylock(&spin);
    order_require(rc == EBUSY, "pthread_spin_trylock fails with EBUSY");
    int seen = shared;
    order_step(2);
    pthread_join(h, NULL);
    pthread_spin_destroy(&spin);
    printf("spin_racy: %d\n", seen);
    return 0;
}
