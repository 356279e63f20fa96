// Thread 0 writes the even elements, thread 1 the odd ones: race-free, and a range check that
// merged a strided loop would report a false race. RACY shifts thread 1 onto the even elements.
#include <pthread.h>
#include <stdio.h>

#define N 512
int a[2 * N + 2];

struct pair { short x, y; };
struct pair ps[N];

static void *even(void *arg) {
  (void)arg;
  for (int i = 0; i < N; i++) a[2 * i] = i;
  for (int i = 0; i < N; i++) ps[i].x = (short)i;
  return 0;
}

static void *odd(void *arg) {
  (void)arg;
#ifdef RACY
  for (int i = 0; i < N; i++) a[2 * i + 2] = -i;
#else
  for (int i = 0; i < N; i++) a[2 * i + 1] = -i;
#endif
  for (int i = 0; i < N; i++) ps[i].y = (short)-i;
  return 0;
}

int main(void) {
  pthread_t t[2];
  pthread_create(&t[0], 0, even, 0);
  pthread_create(&t[1], 0, odd, 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
  long s = 0;
  for (int i = 0; i < 2 * N + 2; i++) s += a[i];
  for (int i = 0; i < N; i++) s += ps[i].x + ps[i].y;
  printf("%ld\n", s);
  return 0;
}
