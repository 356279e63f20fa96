/*
 * io.c — file-descriptor and stdio I/O: the buffers it reads and writes,
 * and the ordering data written to a file descriptor gives.
 *
 * Buffers: write(fd, buf, n) reads buf for the program, read(fd, buf, n)
 * writes it; likewise the vector, socket and stdio forms. They are
 * reported as ranges, so a thread filling a buffer while another sends it
 * is a race.
 *
 * Ordering: what a thread did before writing to a file descriptor happens
 * before what a thread does after reading from one (a pipe handing work
 * to another thread, a socket to oneself). All descriptors share one
 * synchronization key: the detector does not follow which descriptor is
 * the other end of which, and a shared key can only hide races, never
 * invent one. Writes release into it before the real call, reads that
 * succeed acquire from it after; connect and accept likewise.
 */
#define _GNU_SOURCE
#include "real.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The synchronization key of every file descriptor (its address). */
static char fd_key;

/* An iovec array's buffers: all of them read (`limit` = SIZE_MAX), or
 * written up to `limit` bytes in all (what a read filled). */
static void iov_ranges(const struct iovec *iov, int count, size_t limit, int write, void *caller_pc,
                       void *self_pc) {
    for (int i = 0; i < count && limit > 0; i++) {
        size_t n = iov[i].iov_len < limit ? iov[i].iov_len : limit;
        if (n > 0) {
            if (write)
                __hbsan_write_range(iov[i].iov_base, n, caller_pc, self_pc);
            else
                __hbsan_read_range(iov[i].iov_base, n, caller_pc, self_pc);
        }
        limit -= n;
    }
}

/* The body of a write-like call: `report` the buffer, release, call. */
#define FD_WRITE(report, call)                                                                     \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    if (!hbsan_forward_only()) {                                                                   \
        report;                                                                                    \
        __hbsan_release(&fd_key);                                                                  \
    }                                                                                              \
    return call

/* The body of a read-like call: call; on success acquire and `report`
 * the `rc` bytes received. */
#define FD_READ(type, call, report)                                                                \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    type rc = call;                                                                                \
    if (rc >= 0 && !hbsan_forward_only()) {                                                        \
        __hbsan_acquire(&fd_key);                                                                  \
        report;                                                                                    \
    }                                                                                              \
    return rc

/* ---- file descriptors --------------------------------------------------------------------- */

HBSAN_REAL_SLOT(write);
HBSAN_REAL_SLOT(pwrite);
HBSAN_REAL_SLOT(pwrite64);
HBSAN_REAL_SLOT(writev);
HBSAN_REAL_SLOT(send);
HBSAN_REAL_SLOT(sendto);
HBSAN_REAL_SLOT(sendmsg);
HBSAN_REAL_SLOT(read);
HBSAN_REAL_SLOT(pread);
HBSAN_REAL_SLOT(pread64);
HBSAN_REAL_SLOT(readv);
HBSAN_REAL_SLOT(recv);
HBSAN_REAL_SLOT(recvfrom);
HBSAN_REAL_SLOT(recvmsg);
HBSAN_REAL_SLOT(connect);
HBSAN_REAL_SLOT(accept);
HBSAN_REAL_SLOT(accept4);

ssize_t write(int fd, const void *buf, size_t n) {
    FD_WRITE(HBSAN_READS(buf, n, write), REAL(write)(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset) {
    FD_WRITE(HBSAN_READS(buf, n, pwrite), REAL(pwrite)(fd, buf, n, offset));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset) {
    FD_WRITE(HBSAN_READS(buf, n, pwrite64), REAL(pwrite64)(fd, buf, n, offset));
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
    FD_WRITE(iov_ranges(iov, count, (size_t)-1, 0, caller_pc, HBSAN_SELF_PC(writev)),
             REAL(writev)(fd, iov, count));
}

ssize_t send(int fd, const void *buf, size_t n, int flags) {
    FD_WRITE(HBSAN_READS(buf, n, send), REAL(send)(fd, buf, n, flags));
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t to_len) {
    FD_WRITE(HBSAN_READS(buf, n, sendto), REAL(sendto)(fd, buf, n, flags, to, to_len));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    FD_WRITE(iov_ranges(msg->msg_iov, (int)msg->msg_iovlen, (size_t)-1, 0, caller_pc,
                        HBSAN_SELF_PC(sendmsg)),
             REAL(sendmsg)(fd, msg, flags));
}

ssize_t read(int fd, void *buf, size_t n) {
    FD_READ(ssize_t, REAL(read)(fd, buf, n), HBSAN_WRITES(buf, rc, read));
}

ssize_t pread(int fd, void *buf, size_t n, off_t offset) {
    FD_READ(ssize_t, REAL(pread)(fd, buf, n, offset), HBSAN_WRITES(buf, rc, pread));
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t offset) {
    FD_READ(ssize_t, REAL(pread64)(fd, buf, n, offset), HBSAN_WRITES(buf, rc, pread64));
}

ssize_t readv(int fd, const struct iovec *iov, int count) {
    FD_READ(ssize_t, REAL(readv)(fd, iov, count),
            iov_ranges(iov, count, (size_t)rc, 1, caller_pc, HBSAN_SELF_PC(readv)));
}

ssize_t recv(int fd, void *buf, size_t n, int flags) {
    FD_READ(ssize_t, REAL(recv)(fd, buf, n, flags), HBSAN_WRITES(buf, rc, recv));
}

ssize_t recvfrom(int fd, void *restrict buf, size_t n, int flags, struct sockaddr *restrict from,
                 socklen_t *restrict from_len) {
    FD_READ(ssize_t, REAL(recvfrom)(fd, buf, n, flags, from, from_len),
            HBSAN_WRITES(buf, rc, recvfrom));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    FD_READ(ssize_t, REAL(recvmsg)(fd, msg, flags),
            iov_ranges(msg->msg_iov, (int)msg->msg_iovlen, (size_t)rc, 1, caller_pc,
                       HBSAN_SELF_PC(recvmsg)));
}

/* A connection is a message too: the connecting thread's past happens
 * before the accepting thread's future. */
int connect(int fd, const struct sockaddr *to, socklen_t to_len) {
    if (!hbsan_forward_only())
        __hbsan_release(&fd_key);
    return REAL(connect)(fd, to, to_len);
}

int accept(int fd, struct sockaddr *restrict from, socklen_t *restrict from_len) {
    int rc = REAL(accept)(fd, from, from_len);
    if (rc >= 0 && !hbsan_forward_only())
        __hbsan_acquire(&fd_key);
    return rc;
}

int accept4(int fd, struct sockaddr *restrict from, socklen_t *restrict from_len, int flags) {
    int rc = REAL(accept4)(fd, from, from_len, flags);
    if (rc >= 0 && !hbsan_forward_only())
        __hbsan_acquire(&fd_key);
    return rc;
}

/* ---- stdio ---------------------------------------------------------------------------------
 *
 * stdio writes and reads its descriptors from inside libc, out of sight of
 * the interceptors above: only the program's buffers are reported.
 */

HBSAN_REAL_SLOT(puts);
HBSAN_REAL_SLOT(fputs);
HBSAN_REAL_SLOT(fwrite);
HBSAN_REAL_SLOT(fread);
HBSAN_REAL_SLOT(fgets);
HBSAN_REAL_SLOT(strlen);

int puts(const char *s) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_READS(s, REAL(strlen)(s) + 1, puts);
    return REAL(puts)(s);
}

int fputs(const char *restrict s, FILE *restrict f) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_READS(s, REAL(strlen)(s) + 1, fputs);
    return REAL(fputs)(s, f);
}

size_t fwrite(const void *restrict buf, size_t size, size_t n, FILE *restrict f) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t bytes;
    if (!__builtin_mul_overflow(size, n, &bytes) && !hbsan_forward_only())
        HBSAN_READS(buf, bytes, fwrite);
    return REAL(fwrite)(buf, size, n, f);
}

/* What fread delivered: whole items only. */
size_t fread(void *restrict buf, size_t size, size_t n, FILE *restrict f) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t got = REAL(fread)(buf, size, n, f);
    if (got > 0 && !hbsan_forward_only())
        HBSAN_WRITES(buf, got * size, fread);
    return got;
}

char *fgets(char *restrict buf, int n, FILE *restrict f) {
    void *caller_pc = HBSAN_CALLER_PC();
    char *r = REAL(fgets)(buf, n, f);
    if (r != NULL && !hbsan_forward_only())
        HBSAN_WRITES(buf, REAL(strlen)(buf) + 1, fgets);
    return r;
}
