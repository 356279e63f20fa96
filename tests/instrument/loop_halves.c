// Two threads fill the two halves of an array in loops. The fixed build splits at N/2 exactly
// (adjacent ranges must not be reported); RACY lets the first thread write one element more.
// Exercises range checks placed before loops: they must cover exactly the touched bytes.
#include <pthread.h>
#include <stdio.h>

#define N 1000
int a[N];
long b[N];

struct job { int lo, hi; };

__attribute__((noinline)) void fill(int *p, int lo, int hi, int v) {
  for (int i = lo; i < hi; i++) p[i] = v * i;
}

__attribute__((noinline)) void fill_down(long *p, int lo, int hi) {
  for (int i = hi - 1; i >= lo; i--) p[i] += i;
}

static void *worker(void *arg) {
  struct job *j = arg;
  fill(a, j->lo, j->hi, 3);
  fill_down(b, j->lo, j->hi);
  return 0;
}

int main(void) {
#ifdef RACY
  struct job jobs[2] = {{0, N / 2 + 1}, {N / 2, N}};
#else
  struct job jobs[2] = {{0, N / 2}, {N / 2, N}};
#endif
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, worker, &jobs[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
  long s = 0;
  for (int i = 0; i < N; i++) s += a[i] + b[i];
  printf("%ld\n", s);
  return 0;
}
