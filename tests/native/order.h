/* Real-time ordering for the corpus programs, invisible to race detectors.
 *
 * A racy program must be racy by happens-before, not by luck of scheduling: the
 * two conflicting accesses are put in a fixed real-time order with these steps,
 * which are built from *relaxed* atomics only. Relaxed atomic loads and stores
 * create no happens-before edge (C11 7.17.3; ThreadSanitizer and hbsan agree), so
 * a detector that reports the race does so on every run, and the report always
 * names the same access as the "previous" one.
 *
 *   order_step(n)   publish "step n is done" (relaxed store)
 *   order_wait(n)   spin (yielding the CPU) until step n is done (relaxed loads)
 *   order_deadline(ms)  CLOCK_REALTIME now + ms, for the timed waits
 *   order_require(c, what)  abort (never exit 66) when a premise of the test
 *                   does not hold, e.g. a trylock that was meant to fail
 *
 * Steps must be published in increasing order. The step counter sits alone in
 * its own 64-byte block, so that its (many) atomic accesses never share a
 * shadow word with the program's data.
 *
 * Rule of the corpus: the thread that makes the *earlier* of the two racing
 * accesses stays alive (order_wait on a later step) until the later access has
 * been made. gcc 12's libtsan keeps little history for threads that have ended
 * and may then print "[failed to restore the stack]" for the earlier access.
 *
 * Not a program: the harness only picks up *.c and *.cpp files. */
#ifndef HBSAN_CORPUS_ORDER_H
#define HBSAN_CORPUS_ORDER_H
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static struct {
    int value;
    char pad[60];
} order_block __attribute__((aligned(64)));
#define order_progress (order_block.value)

static inline void order_step(int n)
{
    __atomic_store_n(&order_progress, n, __ATOMIC_RELAXED);
}

static inline void order_wait(int n)
{
    while (__atomic_load_n(&order_progress, __ATOMIC_RELAXED) < n)
        sched_yield();
}

static inline struct timespec order_deadline(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static inline void order_require(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "hbsan-corpus: premise failed: %s\n", what);
        abort();
    }
}
#endif
