// hbsan-test: expect=silent
/* The fixed twin of rmw_after_plain_racy: the plain write is published by
 * a release store the reader acquires before its read-modify-write. */
#include <pthread.h>
#include <stdio.h>

long hits;
int ready;

void *writer(void *arg)
{
    (void)arg;
    hits = 40;
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        ;
    long old = __atomic_fetch_add(&hits, 2, __ATOMIC_ACQ_REL);
    pthread_join(w, NULL);
    printf("rmw_after_plain_fixed: %ld\n", old);
    return 0;
}
