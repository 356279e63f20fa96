// hbsan-test: expect=silent
/* Two atomic accesses never race, whatever their memory order: one thread
 * stores with relaxed order, the other loads with relaxed order, concurrently. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include "order.h"

atomic_int level;

void *setter(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 100; i++)
        atomic_store_explicit(&level, i, memory_order_relaxed);
    atomic_fetch_add_explicit(&level, 1, memory_order_relaxed);
    order_step(1);
    return NULL;
}

int main(void)
{
    pthread_t s;
    if (pthread_create(&s, NULL, setter, NULL) != 0)
        return 1;
    order_wait(1);
    int seen = atomic_load_explicit(&level, memory_order_relaxed);
    pthread_join(s, NULL);
    printf("atomic_plain_fixed: %d\n", seen);
    return 0;
}
