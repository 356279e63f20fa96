// hbsan-test: expect=silent
/* fork: the child keeps working. The parent ran (and joined) a thread before
 * forking; in the child, two new threads update a counter under a mutex that
 * the parent had used (and released) before the fork. The parent exits with
 * the child's status. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

long counter;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *bump(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, bump, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        pthread_t a, b;
        if (pthread_create(&a, NULL, bump, NULL) != 0 || pthread_create(&b, NULL, bump, NULL) != 0)
            return 1;
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        printf("fork_fixed child: %ld\n", counter);
        return counter == 300 ? 0 : 1;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 1;
    printf("fork_fixed parent: %ld, child exit %d\n", counter, WEXITSTATUS(status));
    return WEXITSTATUS(status);
}
