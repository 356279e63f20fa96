// hbsan-test: expect=race
// hbsan-test: access=atomic-write:8:main:29 access=write:8:writer:17
// hbsan-test: location=global:hits
/* A plain write, then an acquire-release read-modify-write of the same
 * variable by another thread, with nothing ordering them: a race. (The
 * read-modify-write's access is checked in the variable's critical section;
 * a possible race is left to the general rule, outside it.) */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

long hits;

void *writer(void *arg)
{
    (void)arg;
    hits = 40; /* bug: plain write, not published */
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    order_wait(1);
    long old = __atomic_fetch_add(&hits, 2, __ATOMIC_ACQ_REL);
    order_step(2);
    pthread_join(w, NULL);
    printf("rmw_after_plain_racy: %ld\n", old);
    return 0;
}
