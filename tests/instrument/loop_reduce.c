// A reader sums an array in a loop while a writer updates one element (RACY); the fixed build
// joins the writer first. Also a 2-D loop nest whose inner loops get range checks, and a loop
// with a zero trip count.
#include <pthread.h>
#include <stdio.h>

#define N 256
double v[N];
float m[16][16];
int zero_n;

__attribute__((noinline)) double sum(const double *p, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += p[i];
  return s;
}

__attribute__((noinline)) void scale_rows(float (*mm)[16], int r0, int r1) {
  for (int r = r0; r < r1; r++)
    for (int c = 0; c < 16; c++) mm[r][c] *= 2.0f;
}

static void *writer(void *arg) {
  (void)arg;
  v[N - 3] = 42.0;
  scale_rows(m, 8, 16);
  return 0;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, writer, 0);
#ifndef RACY
  pthread_join(t, 0);
#endif
  double s = sum(v, N) + sum(v, zero_n);
#ifdef RACY
  scale_rows(m, 7, 9);
  pthread_join(t, 0);
#else
  scale_rows(m, 0, 8);
#endif
  printf("%f %f\n", s, m[3][3]);
  return 0;
}
