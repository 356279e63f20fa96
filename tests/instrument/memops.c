// memcpy/memmove/memset on shared buffers: RACY copies into a buffer another thread reads;
// the fixed build joins first. Private stack buffers initialized by memcpy/memset need no checks.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char buf[256];
static char src[256] = "hello, world";
static const char msg[64] = "a constant message that is copied around";

static void *reader(void *arg) {
  (void)arg;
  long s = 0;
  for (int i = 0; i < 256; i++) s += buf[i];
  return (void *)s;
}

__attribute__((noinline)) int local_copy(int n) {
  char tmp[64];
  memcpy(tmp, msg, sizeof tmp);
  memset(tmp + n, 'x', 8);
  int s = 0;
  for (int i = 0; i < 64; i++) s += tmp[i];
  return s;
}

__attribute__((noinline)) void writer(int n) {
  memcpy(buf, src, (size_t)n);
  memmove(buf + 1, buf, 16);
  memset(buf + 100, 0, (size_t)n);
}

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, reader, 0);
#ifdef RACY
  writer(120);
  pthread_join(t, 0);
#else
  pthread_join(t, 0);
  writer(120);
#endif
  printf("%d %s\n", local_copy(5), buf);
  return 0;
}
