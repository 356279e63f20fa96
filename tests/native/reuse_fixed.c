// hbsan-test: expect=silent
/* A fresh allocation that reuses freed memory belongs to its new owner: the
 * old owner's accesses (and its free) are not ordered before the new owner's,
 * but they were to a different object, so they must not be reported.
 * The old owner writes a 48-byte block and frees it, then ends without being
 * joined; the new owner, started later, allocates 48-byte blocks until it gets
 * the same address back (it does with glibc's and libtsan's allocators: the
 * old owner's allocator cache goes back to the shared pool when it exits) and
 * writes the whole block. Prints whether the address was reused. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "order.h"

#define SIZE 48
#define TRIES 4096

uintptr_t freed_at;

void *old_owner(void *arg)
{
    (void)arg;
    unsigned char *p = malloc(SIZE);
    for (int i = 0; i < SIZE; i++)
        p[i] = (unsigned char)i;
    free(p);
    __atomic_store_n(&freed_at, (uintptr_t)p, __ATOMIC_RELAXED);
    order_step(1);
    return NULL;
}

void *new_owner(void *arg)
{
    (void)arg;
    uintptr_t target = __atomic_load_n(&freed_at, __ATOMIC_RELAXED);
    static unsigned char *kept[TRIES];
    unsigned char *q = NULL;
    int n = 0;
    while (n < TRIES) {
        q = malloc(SIZE);
        kept[n++] = q;
        if ((uintptr_t)q == target)
            break;
    }
    for (int i = 0; i < SIZE; i++)
        q[i] = (unsigned char)(SIZE - i);
    int sum = 0;
    for (int i = 0; i < SIZE; i++)
        sum += q[i];
    int reused = (uintptr_t)q == target;
    for (int i = 0; i < n; i++)
        free(kept[i]);
    printf("reuse_fixed: %d, address %s after %d allocations\n", sum, reused ? "reused" : "NOT reused", n);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, old_owner, NULL) != 0)
        return 1;
    pthread_detach(a);
    order_wait(1);
    usleep(20 * 1000); /* let the old owner finish exiting (no edge: just time) */
    if (pthread_create(&b, NULL, new_owner, NULL) != 0)
        return 1;
    pthread_join(b, NULL);
    return 0;
}
