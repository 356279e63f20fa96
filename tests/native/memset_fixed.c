// hbsan-test: expect=silent
/* memset of a frame that the two threads take turns on through a semaphore. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

int frame[32];
sem_t cleared;

void *clearer(void *arg)
{
    size_t n = (size_t)arg;
    memset(frame, 0, n);
    sem_post(&cleared);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < 32; i++)
        frame[i] = i;
    sem_init(&cleared, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, clearer, (void *)sizeof frame) != 0)
        return 1;
    while (sem_wait(&cleared) != 0)
        ;
    frame[9] = 99;
    int sum = 0;
    for (int i = 0; i < 32; i++)
        sum += frame[i];
    pthread_join(t, NULL);
    sem_destroy(&cleared);
    printf("memset_fixed: %d\n", sum);
    return sum == 99 ? 0 : 1;
}
