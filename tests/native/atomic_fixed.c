// hbsan-test: expect=silent
/* C11 atomics that synchronize: a release store read by an acquire load, a
 * release fetch_add read by an acquire load, a seq_cst exchange, an acq_rel
 * compare-exchange. Each publishes plain data written before it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

int data1, data2, data3, data4;
atomic_int flag;
atomic_int count;
atomic_long token;
atomic_int cas_word;

void *producer(void *arg)
{
    (void)arg;
    data1 = 1;
    atomic_store_explicit(&flag, 1, memory_order_release);
    data2 = 2;
    atomic_fetch_add_explicit(&count, 1, memory_order_release);
    data3 = 3;
    atomic_exchange(&token, 7L);
    data4 = 4;
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&cas_word, &expected, 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
        expected = 0;
    return NULL;
}

int main(void)
{
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    while (atomic_load_explicit(&flag, memory_order_acquire) == 0)
        ;
    int a = data1;
    while (atomic_load_explicit(&count, memory_order_acquire) == 0)
        ;
    int b = data2;
    while (atomic_load(&token) != 7L)
        ;
    int c = data3;
    int expected = 1;
    while (!atomic_compare_exchange_strong_explicit(&cas_word, &expected, 2, memory_order_acq_rel,
                                                    memory_order_acquire))
        expected = 1;
    int d = data4;
    pthread_join(p, NULL);
    printf("atomic_fixed: %d %d %d %d\n", a, b, c, d);
    return a + b + c + d == 10 ? 0 : 1;
}
