// hbsan-test: expect=race
// hbsan-test: access=write:1:new_owner:41 access=write:1:old_owner:30
// hbsan-test: location=heap:48
/* A recycled block is a new object: the old owner frees its 48-byte block and
 * later, holding a pointer it got without synchronization, writes into the
 * block the new owner allocated (often at the same address). That write races
 * with the new owner's, and the report's location is the new 48-byte block. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

#define SIZE 48

uintptr_t freed_at;
unsigned char *fresh;

void *old_owner(void *arg)
{
    (void)arg;
    unsigned char *p = malloc(SIZE);
    for (int i = 0; i < SIZE; i++)
        p[i] = (unsigned char)i;
    free(p);
    __atomic_store_n(&freed_at, (uintptr_t)p, __ATOMIC_RELAXED);
    order_step(1);
    order_wait(2);
    unsigned char *q = __atomic_load_n(&fresh, __ATOMIC_RELAXED);
    q[7] = 1; /* bug: not ours, and not ordered after the new owner */
    order_step(3);
    return NULL;
}

void *new_owner(void *arg)
{
    (void)arg;
    order_wait(1);
    unsigned char *q = malloc(SIZE);
    for (int i = 0; i < SIZE; i++)
        q[i] = 0;
    __atomic_store_n(&fresh, q, __ATOMIC_RELAXED);
    order_step(2);
    order_wait(3); /* keep this thread alive until the racing access */
    return (void *)(uintptr_t)((uintptr_t)q == __atomic_load_n(&freed_at, __ATOMIC_RELAXED));
}

int main(void)
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, old_owner, NULL) != 0 || pthread_create(&b, NULL, new_owner, NULL) != 0)
        return 1;
    void *reused;
    pthread_join(a, NULL);
    pthread_join(b, &reused);
    printf("reuse_racy: address %s\n", reused ? "reused" : "not reused");
    free(fresh);
    return 0;
}
