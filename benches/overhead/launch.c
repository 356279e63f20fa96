/* launch: run one benchmark process and report its wall time and wait4 rusage.
 *
 * usage: launch RESULT_FILE TIMEOUT_SECONDS EXE [ARG...]
 *
 * Why this exists: on Linux a process's peak RSS (ru_maxrss) starts from the high-water mark of
 * the address space it replaced at exec. A child spawned straight from the Rust harness inherits
 * the harness's few MiB as a floor, more than the whole peak of a small native workload. This
 * launcher is linked statically (a few hundred KiB resident), so the floor it imposes is far
 * below any workload; the overhead harness builds it into target/bench/bin/ and runs every
 * measured process through it. stdin/stdout/stderr are passed through to EXE unchanged.
 *
 * RESULT_FILE receives one line:
 *   status=<raw wait status> timeout=<0|1> wall=<s> utime=<s> stime=<s> maxrss=<KiB> floor=<KiB>
 * where floor is this launcher's own VmHWM just before the spawn. Exit status: 0 when the line
 * was written (whatever EXE did), 127 when EXE could not be started, 126 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* VmHWM of this process in KiB (0 if unknown). */
static long own_hwm_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kib = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec * 1e-6; }

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: launch RESULT_FILE TIMEOUT_SECONDS EXE [ARG...]\n");
        return 126;
    }
    const char *result = argv[1];
    double timeout = strtod(argv[2], NULL);

    /* SIGCHLD stays blocked here so that sigtimedwait can wait for it with a deadline; the child
     * gets the original mask back. */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &old);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

    long floor_kib = own_hwm_kib();
    double t0 = now_s();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[3], NULL, &attr, argv + 3, environ);
    if (rc != 0) {
        fprintf(stderr, "launch: cannot start %s: %s\n", argv[3], strerror(rc));
        return 127;
    }

    int timed_out = 0;
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        /* exited? (WNOWAIT: keep it unreaped, so the pid cannot be recycled before wait4) */
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
            break;
        double left = t0 + timeout - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            timed_out = 1;
            break;
        }
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts); /* SIGCHLD, timeout or EINTR: look again */
    }

    /* The child has exited (or was just killed): stop the clock, then reap it. */
    double t1 = now_s();
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) != pid) {
        if (errno != EINTR) {
            perror("launch: wait4");
            return 127;
        }
    }

    FILE *out = fopen(result, "w");
    if (!out) {
        perror(result);
        return 126;
    }
    fprintf(out, "status=%d timeout=%d wall=%.6f utime=%.6f stime=%.6f maxrss=%ld floor=%ld\n", status,
            timed_out, t1 - t0, tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss, floor_kib);
    return fclose(out) == 0 ? 0 : 126;
}
