// hbsan-test: expect=silent
/* pthread_cond_broadcast wakes every waiter; each re-acquires the mutex and so
 * sees the round number and the data written before the broadcast. */
#include <pthread.h>
#include <stdio.h>

#define WAITERS 4

int data[WAITERS];
int round_no;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void *waiter(void *arg)
{
    long id = (long)arg;
    pthread_mutex_lock(&lock);
    while (round_no == 0)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    /* Everything before the broadcast is visible now, even outside the mutex. */
    return (void *)(long)data[id];
}

int main(void)
{
    pthread_t t[WAITERS];
    for (long i = 0; i < WAITERS; i++)
        if (pthread_create(&t[i], NULL, waiter, (void *)i) != 0)
            return 1;
    for (int i = 0; i < WAITERS; i++)
        data[i] = i + 1;
    pthread_mutex_lock(&lock);
    round_no = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < WAITERS; i++) {
        void *v;
        pthread_join(t[i], &v);
        sum += (long)v;
    }
    printf("cond_broadcast_fixed: %ld\n", sum);
    return sum == 10 ? 0 : 1;
}
