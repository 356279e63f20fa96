// A race on a long double (x86_fp80: 10 bytes). LLVM's pass skips accesses whose size is not a
// power of two, so clang's own build misses this race; hbsan checks it with a range hook.
// The fixed build orders the accesses with a join.
#include <pthread.h>
#include <stdio.h>

static long double acc = 1.0L;

static void *worker(void *arg) {
  (void)arg;
  acc *= 2.0L;
  return 0;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
#ifdef RACY
  acc += 1.0L;
  pthread_join(t, 0);
#else
  pthread_join(t, 0);
  acc += 1.0L;
#endif
  printf("%Lf\n", acc);
  return 0;
}
