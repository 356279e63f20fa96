// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:19 access=read:4:consumer:29
// hbsan-test: location=global:shared
/* fork: the child keeps working, and keeps finding races. The parent ran (and
 * joined) a thread before forking; in the child, two new threads race on a
 * global. The parent exits with the child's status (66 when the child's
 * detector reported the race). */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "order.h"

int shared;

void *producer(void *arg)
{
    (void)arg;
    shared = 42;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *consumer(void *arg)
{
    (void)arg;
    order_wait(1);
    long seen = shared;
    order_step(2);
    return (void *)seen;
}

void *warmup(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, warmup, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    shared = 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        pthread_t p, c;
        if (pthread_create(&p, NULL, producer, NULL) != 0 || pthread_create(&c, NULL, consumer, NULL) != 0)
            return 1;
        void *seen;
        pthread_join(p, NULL);
        pthread_join(c, &seen);
        printf("fork_racy child: %ld\n", (long)seen);
        return 0;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 1;
    printf("fork_racy parent: child exit %d\n", WEXITSTATUS(status));
    return WEXITSTATUS(status);
}
