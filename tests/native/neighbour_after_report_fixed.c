// hbsan-test: expect=silent
/* neighbour_after_report_racy.c with every access to `pair` under one lock:
 * thread 1's writes happen before thread 2's and main's accesses. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

struct {
    int left;
    int right;
} pair __attribute__((aligned(8)));
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *first_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    pair.left = 1;
    __asm__ volatile("" ::: "memory");
    pair.right = 2;
    pthread_mutex_unlock(&lock);
    order_step(1);
    order_wait(3);
    return NULL;
}

void *second_thread(void *arg)
{
    (void)arg;
    order_wait(1);
    pthread_mutex_lock(&lock);
    pair.left = 3;
    pthread_mutex_unlock(&lock);
    order_step(2);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, first_thread, NULL) != 0 ||
        pthread_create(&b, NULL, second_thread, NULL) != 0)
        return 1;
    order_wait(2);
    pthread_mutex_lock(&lock);
    int right = pair.right;
    pthread_mutex_unlock(&lock);
    order_step(3);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("neighbour_after_report_fixed: %d %d\n", pair.left, right);
    return 0;
}
