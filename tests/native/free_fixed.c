// hbsan-test: expect=silent
/* The block is freed only after the join, and a second block is freed by
 * another thread than the one that used it, after a semaphore hand-over. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

sem_t used;

void *user(void *arg)
{
    int *block = arg;
    block[3] += 1;
    sem_post(&used);
    return NULL;
}

void *freer(void *arg)
{
    while (sem_wait(&used) != 0)
        ;
    free(arg);
    return NULL;
}

int main(void)
{
    sem_init(&used, 0, 0);
    int *a = calloc(16, sizeof(int));
    pthread_t t;
    if (pthread_create(&t, NULL, user, a) != 0)
        return 1;
    pthread_join(t, NULL);
    int seen = a[3];
    free(a);
    /* consume the first user's post: the freer must wait for the second user */
    while (sem_wait(&used) != 0)
        ;
    int *b = calloc(16, sizeof(int));
    pthread_t u, f;
    if (pthread_create(&f, NULL, freer, b) != 0 || pthread_create(&u, NULL, user, b) != 0)
        return 1;
    pthread_join(u, NULL);
    pthread_join(f, NULL);
    sem_destroy(&used);
    printf("free_fixed: %d\n", seen);
    return seen == 1 ? 0 : 1;
}
