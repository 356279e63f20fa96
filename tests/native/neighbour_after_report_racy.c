// hbsan-test: expect=race
// hbsan-test: access=write:4:first_thread:23 access=read:4:main:45
// hbsan-test: location=global:pair
/* Two variables in one 8-byte word, each raced on: the report of the first
 * race must not silence the second. Thread 1 writes both halves (in one epoch,
 * so a detector may record them as one access); thread 2's write of `left`
 * races with it and is reported; then main's read of `right` races with
 * thread 1's write of `right`, and must be reported too. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

struct {
    int left;
    int right;
} pair __attribute__((aligned(8)));

void *first_thread(void *arg)
{
    (void)arg;
    pair.left = 1;
    __asm__ volatile("" ::: "memory");
    pair.right = 2;
    order_step(1);
    order_wait(3); /* keep this thread alive until the racing accesses */
    return NULL;
}

void *second_thread(void *arg)
{
    (void)arg;
    order_wait(1);
    pair.left = 3; /* the first race (not the one annotated) */
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
    int right = pair.right;
    order_step(3);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("neighbour_after_report_racy: %d %d\n", pair.left, right);
    return 0;
}
