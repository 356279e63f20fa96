// Threads read a constant table concurrently (never a race; its reads need no checks) and a
// mutable table that the main thread rewrites: RACY rewrites it while they read.
#include <pthread.h>
#include <stdio.h>

static const int primes[8] = {2, 3, 5, 7, 11, 13, 17, 19};
static int weights[8] = {1, 1, 1, 1, 1, 1, 1, 1};
static long results[2];

static void *reader(void *arg) {
  long id = (long)arg, s = 0;
  for (int r = 0; r < 100; r++)
    for (int i = 0; i < 8; i++) s += primes[(i + r) & 7] * weights[i];
  results[id] = s;
  return 0;
}

int main(void) {
  pthread_t t[2];
  for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, reader, (void *)i);
#ifdef RACY
  weights[5] = 2;
#endif
  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
#ifndef RACY
  weights[5] = 2;
#endif
  printf("%ld %ld %d\n", results[0], results[1], weights[5]);
  return 0;
}
