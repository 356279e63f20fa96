// hbsan-test: expect=race
// hbsan-test: access=read:8:take_turns:28 access=write:8:take_turns:28
// hbsan-test: location=global:data
/* The twin of cas_handoff_fixed with relaxed orders: the token still goes
 * back and forth, but the handoffs order nothing, so the plain data
 * written by each owner races with the other's. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sched.h>

#define ROUNDS 2000

long data;
_Alignas(64) atomic_int turn;

static void take_turns(int me)
{
    for (int i = 0; i < ROUNDS; i++) {
        int expected = me;
        /* spin until it is our turn, then take the token */
        while (!atomic_compare_exchange_weak_explicit(&turn, &expected, 2, memory_order_relaxed,
                                                      memory_order_relaxed)) {
            expected = me;
            sched_yield();
        }
        /* bug: relaxed handoffs do not order this */
        data += me + 1;
        atomic_store_explicit(&turn, 1 - me, memory_order_relaxed);
    }
}

void *other(void *arg)
{
    (void)arg;
    take_turns(1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, other, NULL) != 0)
        return 1;
    take_turns(0);
    pthread_join(t, NULL);
    printf("cas_handoff_racy: %ld\n", data);
    return 0;
}
