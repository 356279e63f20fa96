// hbsan-test: expect=silent
/* A token passed back and forth 20,000 times with acq_rel compare-exchanges,
 * each owner writing plain data before passing it on. Every handoff orders
 * the data: a detector that publishes a compare-exchange's clock after the
 * value becomes visible (instead of atomically with it) reports a false race
 * here sooner or later. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sched.h>

#define ROUNDS 20000

long data;
_Alignas(64) atomic_int turn;

static void take_turns(int me)
{
    for (int i = 0; i < ROUNDS; i++) {
        int expected = me;
        /* spin until it is our turn, then take the token */
        while (!atomic_compare_exchange_weak_explicit(&turn, &expected, 2, memory_order_acq_rel,
                                                      memory_order_acquire)) {
            expected = me;
            sched_yield();
        }
        data += me + 1; /* ours now */
        atomic_store_explicit(&turn, 1 - me, memory_order_release);
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
    printf("cas_handoff_fixed: %ld\n", data);
    return data == 3L * ROUNDS ? 0 : 1;
}
