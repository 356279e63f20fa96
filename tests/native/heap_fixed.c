// hbsan-test: expect=silent
/* Heap blocks from malloc, calloc, posix_memalign and aligned_alloc are handed
 * to a thread at creation and read back after the join; the blocks are freed
 * only after that. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blocks {
    int *m;
    long *c;
    char *pm;
    double *aa;
};

void *worker(void *arg)
{
    struct blocks *b = arg;
    for (int i = 0; i < 64; i++)
        b->m[i] += i;
    for (int i = 0; i < 16; i++)
        b->c[i] += 2 * i;
    memset(b->pm, 'x', 100);
    for (int i = 0; i < 8; i++)
        b->aa[i] = i / 2.0;
    return NULL;
}

int main(void)
{
    struct blocks b;
    b.m = malloc(64 * sizeof(int));
    for (int i = 0; i < 64; i++)
        b.m[i] = 1;
    b.c = calloc(16, sizeof(long));
    if (posix_memalign((void **)&b.pm, 64, 128) != 0)
        return 1;
    b.aa = aligned_alloc(32, 8 * sizeof(double));
    if (!b.m || !b.c || !b.aa)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &b) != 0)
        return 1;
    pthread_join(t, NULL);
    long sum = 0;
    for (int i = 0; i < 64; i++)
        sum += b.m[i];
    for (int i = 0; i < 16; i++)
        sum += b.c[i];
    for (int i = 0; i < 100; i++)
        sum += b.pm[i] == 'x';
    for (int i = 0; i < 8; i++)
        sum += (long)(b.aa[i] * 2);
    free(b.m);
    free(b.c);
    free(b.pm);
    free(b.aa);
    printf("heap_fixed: %ld\n", sum);
    return sum == 64 + 2016 + 240 + 100 + 28 ? 0 : 1;
}
