// Unaligned accesses to a packed struct shared by two threads (unaligned hooks). RACY lets both
// threads write the same field; the fixed build has them write different fields.
#include <pthread.h>
#include <stdio.h>

struct __attribute__((packed)) rec { char tag; int a; short b; long long c; };
static struct rec r;

static void *t1(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++) r.a += i;
  return 0;
}

static void *t2(void *arg) {
  (void)arg;
#ifdef RACY
  for (int i = 0; i < 10; i++) r.a -= i;
#else
  for (int i = 0; i < 10; i++) r.c -= i;
#endif
  r.b = 3;
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, t1, 0);
  pthread_create(&b, 0, t2, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  printf("%d %d %lld\n", r.a, r.b, r.c);
  return 0;
}
