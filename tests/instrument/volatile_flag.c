// A volatile flag is not synchronization: clang (without -tsan-distinguish-volatile) checks
// volatile accesses like plain ones, so the spin on a volatile flag races in both variants of
// the handshake below; the fixed build uses a mutex-protected flag instead.
#include <pthread.h>
#include <stdio.h>

static volatile int vflag;
static int flag;
static int data;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *producer(void *arg) {
  (void)arg;
  data = 1;
#ifdef RACY
  vflag = 1;
#else
  pthread_mutex_lock(&mu);
  flag = 1;
  pthread_mutex_unlock(&mu);
#endif
  return 0;
}

static void *consumer(void *arg) {
  (void)arg;
#ifdef RACY
  while (!vflag) {
  }
#else
  for (;;) {
    pthread_mutex_lock(&mu);
    int f = flag;
    pthread_mutex_unlock(&mu);
    if (f) break;
  }
#endif
  return (void *)(long)data;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, producer, 0);
  pthread_create(&b, 0, consumer, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  printf("%d\n", data);
  return 0;
}
