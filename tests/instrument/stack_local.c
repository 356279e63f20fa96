// Stack slots: many locals never escape (no checks needed); one array is handed to a thread.
// RACY writes the shared local while the thread still uses it; the fixed build joins first.
#include <pthread.h>
#include <stdio.h>

static void *child(void *arg) {
  int *p = arg;
  for (int i = 0; i < 8; i++) p[i] += i;
  return 0;
}

__attribute__((noinline)) int private_work(int n) {
  int tmp[32];
  volatile int v = 1;
  for (int i = 0; i < 32; i++) tmp[i] = i * n + v;
  int s = 0;
  for (int i = 0; i < 32; i++) s += tmp[i];
  return s;
}

int main(void) {
  int shared[8] = {0};
  pthread_t t;
  pthread_create(&t, 0, child, shared);
#ifdef RACY
  shared[3] = 7;
  pthread_join(t, 0);
#else
  pthread_join(t, 0);
  shared[3] = 7;
#endif
  printf("%d %d\n", shared[3], private_work(3));
  return 0;
}
