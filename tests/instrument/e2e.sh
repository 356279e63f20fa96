#!/bin/bash
# End-to-end check of `hbsan instrument` against clang's own ThreadSanitizer instrumentation.
#
# usage: tests/instrument/e2e.sh INSTRUMENT [WORKDIR] [FILTER]
#   INSTRUMENT  a command running the pass: "INSTRUMENT IN.ll -o OUT.ll" (e.g. "hbsan instrument")
#   WORKDIR     scratch directory (default /tmp/hbsan-instrument-e2e)
#   FILTER      only sources whose name contains this
#
# For every test program (tests/instrument/*.c, *.cpp), clang 14 and 19, -O0/-O1/-O2, and the
# RACY and fixed variants, it compares the verdict (ThreadSanitizer's exit code 66 = race) of
#   ref:  clang -fsanitize=thread (clang's pass and runtime), and
#   ours: clang -S -emit-llvm, INSTRUMENT, verifier, clang -c, linked with gcc's libtsan
#         (plus a shim for the hooks gcc 12's libtsan lacks: __tsan_mem*, volatile hooks),
# and counts the static checks placed: ours vs LLVM's pass run by opt on the same IR.
# With E2E_SOURCES=DIR, the programs are DIR/*.c and DIR/*.cpp instead, each built once as is
# (for corpora of racy/fixed twins such as tests/native; build column "as-is").
# With HBSAN_BIN=path/to/hbsan set, our object is also linked by `hbsan cc` (hbsan's runtime)
# and that verdict is printed too (column hbsan-rt).
# Prints one row per build; exits 1 if any verdict differs (rows marked DIFF) or a step fails.
set -u
INSTRUMENT=${1:?usage: e2e.sh INSTRUMENT [WORKDIR] [FILTER]}
W=${2:-/tmp/hbsan-instrument-e2e}
FILTER=${3:-}
DIR=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"
export TSAN_OPTIONS="exitcode=66 halt_on_error=0 report_signal_unsafe=0 ${TSAN_OPTIONS:-}"

cat > "$W/shim.c" <<'SHIM'
/* Hooks that clang emits but gcc 12's libtsan does not define. memcpy & co. are intercepted by
   libtsan, which checks the ranges. */
#include <stddef.h>
#include <string.h>
void *__tsan_memcpy(void *d, const void *s, size_t n) { return memcpy(d, s, n); }
void *__tsan_memmove(void *d, const void *s, size_t n) { return memmove(d, s, n); }
void *__tsan_memset(void *d, int c, size_t n) { return memset(d, c, n); }
#define V(N) void __tsan_read##N(void *); void __tsan_write##N(void *); \
  void __tsan_volatile_read##N(void *p) { __tsan_read##N(p); } \
  void __tsan_volatile_write##N(void *p) { __tsan_write##N(p); }
#define U(N) void __tsan_unaligned_read##N(void *); void __tsan_unaligned_write##N(void *); \
  void __tsan_unaligned_volatile_read##N(void *p) { __tsan_unaligned_read##N(p); } \
  void __tsan_unaligned_volatile_write##N(void *p) { __tsan_unaligned_write##N(p); }
V(1) V(2) V(4) V(8) V(16) U(2) U(4) U(8) U(16)
SHIM
gcc -O1 -fno-builtin -c "$W/shim.c" -o "$W/shim.o" || exit 1

# Dynamic counts: every access hook is wrapped (ld --wrap) by a counter written at exit to
# $HBSAN_COUNT_FILE. Used for our build and for LLVM's pass on the same IR.
HOOKS="read1 read2 read4 read8 read16 write1 write2 write4 write8 write16
  unaligned_read2 unaligned_read4 unaligned_read8 unaligned_read16
  unaligned_write2 unaligned_write4 unaligned_write8 unaligned_write16
  volatile_read1 volatile_read2 volatile_read4 volatile_read8 volatile_read16
  volatile_write1 volatile_write2 volatile_write4 volatile_write8 volatile_write16
  vptr_read"
{
  echo '#include <stdio.h>'
  echo '#include <stdlib.h>'
  echo 'static unsigned long hbsan_count;'
  echo '#define C __atomic_fetch_add(&hbsan_count, 1, __ATOMIC_RELAXED)'
  for h in $HOOKS; do
    echo "void __real___tsan_$h(void *); void __wrap___tsan_$h(void *p) { C; __real___tsan_$h(p); }"
  done
  echo 'void __real___tsan_vptr_update(void *, void *); void __wrap___tsan_vptr_update(void *p, void *v) { C; __real___tsan_vptr_update(p, v); }'
  echo 'void __real___tsan_read_range(void *, unsigned long); void __wrap___tsan_read_range(void *p, unsigned long n) { C; __real___tsan_read_range(p, n); }'
  echo 'void __real___tsan_write_range(void *, unsigned long); void __wrap___tsan_write_range(void *p, unsigned long n) { C; __real___tsan_write_range(p, n); }'
  echo '__attribute__((destructor)) static void hbsan_count_dump(void) {'
  echo '  const char *f = getenv("HBSAN_COUNT_FILE"); FILE *o = f ? fopen(f, "w") : 0;'
  echo '  if (o) { fprintf(o, "%lu\n", hbsan_count); fclose(o); } }'
} > "$W/count.c"
gcc -O1 -c "$W/count.c" -o "$W/count.o" || exit 1
WRAP=$(for h in $HOOKS vptr_update read_range write_range; do printf -- '-Wl,--wrap=__tsan_%s ' "$h"; done)

# Runs a binary with the counter on; prints the number of checks it executed.
dyn_count() {
  rm -f "$W/count.txt"
  HBSAN_COUNT_FILE="$W/count.txt" timeout 120 "$1" >/dev/null 2>&1
  cat "$W/count.txt" 2>/dev/null || echo '?'
}

# Checks: the access hooks, the vptr hooks, and the memory-intrinsic replacements (clang 15+
# calls __tsan_memcpy & co., clang 14's pass calls the intercepted libc memcpy & co.).
count_checks() {
  grep -cE 'call void @__tsan_(unaligned_)?(volatile_)?(read|write|read_write)(1|2|4|8|16|_range)\(|call void @__tsan_vptr_(read|update)\(|call (ptr|i8\*) @(__tsan_)?(memcpy|memmove|memset)\(' "$1"
}

verdict() {
  local out rc
  out=$(timeout 120 "$@" 2>&1 >/dev/null)
  rc=$?
  case $rc in
    0) echo clean ;;
    66) echo race ;;
    *) echo "rc$rc" ;;
  esac
}

status=0
printf '%-22s %-3s %-3s %-6s %-6s %-6s %-5s %6s %6s %9s %9s %s\n' source clg opt build ref ours match llvm ours llvm-dyn ours-dyn "${HBSAN_BIN:+hbsan-rt}"
SRC_DIR=${E2E_SOURCES:-$DIR}
VARIANTS="RACY FIXED"
[[ -n "${E2E_SOURCES:-}" ]] && VARIANTS=as-is
for src in "$SRC_DIR"/*.c "$SRC_DIR"/*.cpp; do
  [[ -e "$src" ]] || continue
  base=$(basename "$src")
  [[ -n "$FILTER" && "$base" != *"$FILTER"* ]] && continue
  case $src in *.cpp) cxx=++; link=g++ ;; *) cxx=; link=gcc ;; esac
  for v in 14 19; do
    cc=/usr/lib/llvm-$v/bin/clang$cxx
    for O in O0 O1 O2; do
      for variant in $VARIANTS; do
        def=; [[ $variant == RACY ]] && def=-DRACY
        stem="$W/${base%.*}.$v.$O.$variant"
        inc=-I$(dirname "$src")
        $cc -fsanitize=thread -$O -g $def $inc "$src" -o "$stem.ref" -lpthread 2>"$stem.log" || { echo "ref build failed: $stem"; status=1; continue; }
        $cc -$O -g $def $inc -S -emit-llvm "$src" -o "$stem.ll" 2>>"$stem.log" || { echo "IR build failed: $stem"; status=1; continue; }
        if ! $INSTRUMENT "$stem.ll" -o "$stem.inst.ll" 2>>"$stem.log"; then
          echo "instrument failed: $stem"; status=1; continue
        fi
        /usr/lib/llvm-$v/bin/opt -passes=verify -disable-output "$stem.inst.ll" 2>>"$stem.log" || { echo "verifier rejected: $stem"; status=1; continue; }
        $cc -c "$stem.inst.ll" -o "$stem.o" 2>>"$stem.log" || { echo "clang -c failed: $stem"; status=1; continue; }
        $link "$stem.o" "$W/shim.o" -fsanitize=thread -o "$stem.ours" -lpthread 2>>"$stem.log" || { echo "link failed: $stem"; status=1; continue; }
        $link "$stem.o" "$W/shim.o" "$W/count.o" $WRAP -fsanitize=thread -o "$stem.ours.count" 2>>"$stem.log" || { echo "link failed: $stem"; status=1; continue; }
        # LLVM's pass on the same IR (it only instruments functions marked sanitize_thread).
        sed -E 's/^(attributes #[0-9]+ = \{ )/\1sanitize_thread /' "$stem.ll" > "$stem.st.ll"
        /usr/lib/llvm-$v/bin/opt -S -passes='tsan-module,function(tsan)' "$stem.st.ll" -o "$stem.llvm.ll" 2>>"$stem.log"
        $cc -c "$stem.llvm.ll" -o "$stem.llvm.o" 2>>"$stem.log" &&
          $link "$stem.llvm.o" "$W/shim.o" "$W/count.o" $WRAP -fsanitize=thread -o "$stem.llvm.count" 2>>"$stem.log" ||
          { echo "LLVM-pass build failed: $stem"; status=1; continue; }
        ref=$(verdict "$stem.ref")
        ours=$(verdict "$stem.ours")
        hb=
        if [[ -n "${HBSAN_BIN:-}" ]]; then
          drv=cc; [[ -n $cxx ]] && drv=c++
          if "$HBSAN_BIN" $drv "$stem.o" -o "$stem.hbsan" 2>>"$stem.log"; then
            hb=$(verdict "$stem.hbsan")
          else
            hb=link-failed
          fi
        fi
        match=same
        if [[ $ref != "$ours" ]]; then match=DIFF; status=1; fi
        printf '%-22s %-3s %-3s %-6s %-6s %-6s %-5s %6s %6s %9s %9s %s\n' "$base" "$v" "$O" "$variant" "$ref" "$ours" "$match" \
          "$(count_checks "$stem.llvm.ll")" "$(count_checks "$stem.inst.ll")" \
          "$(dyn_count "$stem.llvm.count")" "$(dyn_count "$stem.ours.count")" "$hb"
      done
    done
  done
done
exit $status
