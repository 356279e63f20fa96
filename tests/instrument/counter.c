// A shared counter: RACY increments it from two threads unprotected; the fixed build takes a mutex.
#include <pthread.h>
#include <stdio.h>

static int counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++) {
#ifndef RACY
    pthread_mutex_lock(&mu);
#endif
    counter++;
#ifndef RACY
    pthread_mutex_unlock(&mu);
#endif
  }
  return 0;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, worker, 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
  printf("%d\n", counter);
  return 0;
}
