// hbsan-test: expect=silent
/* realloc: the block is grown (and probably moved) by main between two
 * threads that each use it; creation and join order all uses. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    int *buf;
    int n;
};

void *fill(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->n; i++)
        j->buf[i] = i;
    return NULL;
}

int main(void)
{
    struct job j = {malloc(16 * sizeof(int)), 16};
    pthread_t t;
    if (pthread_create(&t, NULL, fill, &j) != 0)
        return 1;
    pthread_join(t, NULL);
    j.buf = realloc(j.buf, 4096 * sizeof(int));
    j.n = 4096;
    if (pthread_create(&t, NULL, fill, &j) != 0)
        return 1;
    pthread_join(t, NULL);
    j.buf = realloc(j.buf, 8 * sizeof(int));
    long sum = 0;
    for (int i = 0; i < 8; i++)
        sum += j.buf[i];
    free(j.buf);
    printf("realloc_fixed: %ld\n", sum);
    return sum == 28 ? 0 : 1;
}
