// hbsan-test: expect=silent
/* Semaphores: sem_post releases, a sem_wait / successful sem_trywait /
 * sem_timedwait that takes the count acquires. Three hand-overs, one per kind. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include "order.h"

int first, second, third;
sem_t s1, s2, s3;

void *producer(void *arg)
{
    (void)arg;
    first = 1;
    sem_post(&s1);
    second = 2;
    sem_post(&s2);
    third = 3;
    sem_post(&s3);
    return NULL;
}

int main(void)
{
    sem_init(&s1, 0, 0);
    sem_init(&s2, 0, 0);
    sem_init(&s3, 0, 0);
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    while (sem_wait(&s1) != 0)
        ;
    int a = first;
    while (sem_trywait(&s2) != 0)
        if (errno != EAGAIN && errno != EINTR)
            return 1;
    int b = second;
    struct timespec deadline = order_deadline(60 * 1000);
    while (sem_timedwait(&s3, &deadline) != 0)
        if (errno != EINTR)
            return 1;
    int c = third;
    pthread_join(p, NULL);
    sem_destroy(&s1);
    sem_destroy(&s2);
    sem_destroy(&s3);
    printf("sem_fixed: %d %d %d\n", a, b, c);
    return a + b + c == 6 ? 0 : 1;
}
