; Hand-written IR (opaque pointers, LLVM 15+) covering constructs the pass must handle:
; atomics of every kind and type, fences, memory intrinsics, volatile, odd sizes, aggregates,
; other address spaces, musttail, invoke/landingpad/resume, switch, an existing constructor
; list, a naked function, loops with and without range checks.
source_filename = "constructs.ll"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { i32, i64 }

@g = global i32 0, align 4
@gp = global ptr null, align 8
@gf = global float 0.0, align 4
@gb = global i8 0, align 1
@g128 = global i128 0, align 16
@ld = global x86_fp80 0xK00000000000000000000, align 16
@agg = global %pair zeroinitializer, align 8
@table = constant [4 x i16] [i16 1, i16 2, i16 3, i16 4], align 2
@arr = global [64 x i32] zeroinitializer, align 16
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]

declare void @ext(ptr)
declare i32 @may_throw(i32)
declare i32 @__gxx_personality_v0(...)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i32(ptr, ptr, i32, i1)
declare void @llvm.memset.p0.i32(ptr, i8, i32, i1)
declare void @llvm.memcpy.element.unordered.atomic.p0.p0.i64(ptr, ptr, i64, i32)

define internal void @init() {
  store i32 1, ptr @g, align 4
  ret void
}

define i32 @atomics(ptr %p, float %f, i1 %b) {
  %1 = load atomic i32, ptr @g seq_cst, align 4
  store atomic i32 %1, ptr @g release, align 4
  %2 = atomicrmw xchg ptr @gp, ptr %p acq_rel, align 8
  %3 = atomicrmw nand ptr @gb, i8 1 monotonic, align 1
  %4 = atomicrmw fadd ptr @gf, float %f seq_cst, align 4
  %5 = atomicrmw xchg ptr @gf, float %f seq_cst, align 4
  %6 = cmpxchg weak ptr @gp, ptr null, ptr %p acquire monotonic, align 8
  %7 = cmpxchg ptr @g128, i128 0, i128 1 seq_cst seq_cst, align 16
  %8 = load atomic float, ptr @gf acquire, align 4
  store atomic i8 7, ptr @gb syncscope("singlethread") monotonic, align 1
  %9 = load atomic volatile i32, ptr @g syncscope("singlethread") acquire, align 4
  fence acq_rel
  fence syncscope("singlethread") seq_cst
  %10 = extractvalue { ptr, i1 } %6, 1
  %11 = zext i1 %10 to i32
  %12 = atomicrmw umax ptr @g, i32 3 seq_cst, align 4
  ret i32 %11
}

define void @accesses(ptr %p, ptr addrspace(1) %q, i32 %n) {
entry:
  %v = load volatile i32, ptr %p, align 4
  %u = load i64, ptr %p, align 2
  %l = load x86_fp80, ptr @ld, align 16
  store x86_fp80 %l, ptr @ld, align 16
  %a = load %pair, ptr @agg, align 8
  store %pair %a, ptr %p, align 8
  %vec = load <4 x i32>, ptr %p, align 16
  %odd = load <3 x float>, ptr %p, align 4
  %t = getelementptr inbounds [4 x i16], ptr @table, i64 0, i64 2
  %tv = load i16, ptr %t, align 2
  %tv.lo = trunc i16 %tv to i8
  %w = load i32, ptr addrspace(1) %q, align 4
  call void @llvm.memcpy.p0.p0.i64(ptr %p, ptr @table, i64 8, i1 false)
  call void @llvm.memmove.p0.p0.i32(ptr %p, ptr @arr, i32 %n, i1 false)
  call void @llvm.memset.p0.i32(ptr %p, i8 %tv.lo, i32 16, i1 true)
  call void @llvm.memcpy.element.unordered.atomic.p0.p0.i64(ptr align 4 %p, ptr align 4 @arr, i64 16, i32 4)
  switch i32 %n, label %done [
    i32 0, label %zero
    i32 1, label %done
  ]
zero:
  br label %done
done:
  ret void
}

define i32 @tail(i32 %x) {
  %r = musttail call i32 @may_throw(i32 %x)
  ret i32 %r
}

define i32 @eh(i32 %x) personality ptr @__gxx_personality_v0 {
entry:
  %slot = alloca i32, align 4
  store i32 %x, ptr %slot, align 4
  %r = invoke i32 @may_throw(i32 %x)
          to label %ok unwind label %lp
ok:
  %s = load i32, ptr %slot, align 4
  ret i32 %s
lp:
  %e = landingpad { ptr, i32 }
          cleanup
          catch ptr null
  store i32 0, ptr @g, align 4
  resume { ptr, i32 } %e
}

define void @loops(ptr %a, i64 %n, i32 %m) {
entry:
  %pos = icmp sgt i64 %n, 0
  br i1 %pos, label %body, label %mid
body:
  %i = phi i64 [ 0, %entry ], [ %i.next, %body ]
  %pa = getelementptr inbounds i32, ptr %a, i64 %i
  %x = load i32, ptr %pa, align 4
  %x1 = add i32 %x, 1
  store i32 %x1, ptr %pa, align 4
  %gv = load i32, ptr @g, align 4
  %i.next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %mid, label %body
mid:
  br label %down
down:
  %j = phi i32 [ %m, %mid ], [ %j.next, %down ]
  %jx = sext i32 %j to i64
  %pj = getelementptr inbounds [64 x i32], ptr @arr, i64 0, i64 %jx
  store i32 0, ptr %pj, align 4
  %j.next = add nsw i32 %j, -1
  %more = icmp sgt i32 %j, 0
  br i1 %more, label %down, label %strided
strided:
  %k = phi i64 [ 0, %down ], [ %k.next, %strided ]
  %k2 = shl nsw i64 %k, 1
  %pk = getelementptr inbounds i32, ptr %a, i64 %k2
  store i32 1, ptr %pk, align 4
  call void @ext(ptr %a)
  %k.next = add nuw nsw i64 %k, 1
  %kd = icmp ult i64 %k.next, 10
  br i1 %kd, label %strided, label %exit
exit:
  ret void
}

define void @naked_fn() naked {
  store i32 5, ptr @g, align 4
  unreachable
}

define i32 @leaf(i32 %x) {
  %s = alloca [4 x i32], align 16
  %p = getelementptr inbounds [4 x i32], ptr %s, i64 0, i64 1
  store i32 %x, ptr %p, align 4
  %y = load i32, ptr %p, align 4
  %z = load i16, ptr @table, align 2
  %w = zext i16 %z to i32
  %r = add i32 %y, %w
  ret i32 %r
}
