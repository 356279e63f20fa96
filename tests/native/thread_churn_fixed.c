// hbsan-test: expect=silent
/* 3000 short-lived threads, created and joined one after the other; each
 * increments the same counter. Each join orders one thread before the next
 * creation, so a detector that recycles thread slots must not mistake the
 * old owner of a slot for a concurrent thread. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 3000

long counter;

void *bump(void *arg)
{
    (void)arg;
    counter++;
    return NULL;
}

int main(void)
{
    for (int i = 0; i < THREADS; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, bump, NULL) != 0)
            return 1;
        pthread_join(t, NULL);
    }
    printf("thread_churn_fixed: %ld\n", counter);
    return counter == THREADS ? 0 : 1;
}
