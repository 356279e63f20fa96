; ModuleID = 'atomics.c'
source_filename = "atomics.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [16 x i8] c"%ld %lld %d %d\0A\00", align 1
@guarded = internal unnamed_addr global i64 0, align 8
@hits = internal global i64 0, align 8
@small = internal global i8 0, align 1
@mid = internal global i16 0, align 2
@payload = internal global [4 x i32] zeroinitializer, align 16
@ready = internal unnamed_addr global i32 0, align 4
@ptr = internal unnamed_addr global ptr null, align 8
@fval = internal unnamed_addr global float 0.000000e+00, align 4
@dval = internal global double 0.000000e+00, align 8
@lock = internal global i32 0, align 4

; Function Attrs: nounwind uwtable
define dso_local noundef i32 @main() local_unnamed_addr #0 {
  %1 = alloca i64, align 8
  %2 = alloca i64, align 8
  call void @llvm.lifetime.start.p0(i64 8, ptr nonnull %1) #6
  call void @llvm.lifetime.start.p0(i64 8, ptr nonnull %2) #6
  %3 = call i32 @pthread_create(ptr noundef nonnull %1, ptr noundef null, ptr noundef nonnull @producer, ptr noundef null) #6
  %4 = call i32 @pthread_create(ptr noundef nonnull %2, ptr noundef null, ptr noundef nonnull @consumer, ptr noundef null) #6
  %5 = load i64, ptr %1, align 8, !tbaa !5
  %6 = call i32 @pthread_join(i64 noundef %5, ptr noundef null) #6
  %7 = load i64, ptr %2, align 8, !tbaa !5
  %8 = call i32 @pthread_join(i64 noundef %7, ptr noundef null) #6
  %9 = load i64, ptr @guarded, align 8, !tbaa !5
  %10 = load atomic i64, ptr @hits seq_cst, align 8
  %11 = load atomic i8, ptr @small seq_cst, align 1
  %12 = sext i8 %11 to i32
  %13 = load atomic i16, ptr @mid seq_cst, align 2
  %14 = sext i16 %13 to i32
  %15 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str, i64 noundef %9, i64 noundef %10, i32 noundef %12, i32 noundef %14)
  call void @llvm.lifetime.end.p0(i64 8, ptr nonnull %2) #6
  call void @llvm.lifetime.end.p0(i64 8, ptr nonnull %1) #6
  ret i32 0
}

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture) #1

; Function Attrs: nounwind
declare i32 @pthread_create(ptr noundef, ptr noundef, ptr noundef, ptr noundef) local_unnamed_addr #2

; Function Attrs: nofree norecurse nounwind memory(readwrite, argmem: none, inaccessiblemem: none) uwtable
define internal noalias noundef ptr @producer(ptr nocapture readnone %0) #3 {
  br label %4

2:                                                ; preds = %4
  store atomic i32 1, ptr @ready release, align 4
  store atomic i64 ptrtoint (ptr getelementptr inbounds (i8, ptr @payload, i64 4) to i64), ptr @ptr seq_cst, align 8
  store atomic i32 1069547520, ptr @fval seq_cst, align 4
  %3 = atomicrmw xchg ptr @dval, i64 4612811918334230528 seq_cst, align 8
  br label %10

4:                                                ; preds = %1, %4
  %5 = phi i64 [ 0, %1 ], [ %6, %4 ]
  %6 = add nuw nsw i64 %5, 1
  %7 = getelementptr inbounds [4 x i32], ptr @payload, i64 0, i64 %5
  %8 = trunc nuw nsw i64 %6 to i32
  store i32 %8, ptr %7, align 4, !tbaa !9
  %9 = icmp eq i64 %6, 4
  br i1 %9, label %2, label %4, !llvm.loop !11

10:                                               ; preds = %2, %16
  %11 = phi i32 [ 0, %2 ], [ %22, %16 ]
  br label %13

12:                                               ; preds = %16
  ret ptr null

13:                                               ; preds = %10, %13
  %14 = cmpxchg weak ptr @lock, i32 0, i32 1 acquire monotonic, align 4
  %15 = extractvalue { i32, i1 } %14, 1
  br i1 %15, label %16, label %13, !llvm.loop !14

16:                                               ; preds = %13
  %17 = load i64, ptr @guarded, align 8, !tbaa !5
  %18 = add nsw i64 %17, 1
  store i64 %18, ptr @guarded, align 8, !tbaa !5
  store atomic i32 0, ptr @lock release, align 4
  %19 = atomicrmw add ptr @hits, i64 1 seq_cst, align 8
  %20 = atomicrmw or ptr @small, i8 1 seq_cst, align 1
  %21 = atomicrmw xor ptr @mid, i16 3 seq_cst, align 2
  %22 = add nuw nsw i32 %11, 1
  %23 = icmp eq i32 %22, 100
  br i1 %23, label %12, label %10, !llvm.loop !15
}

; Function Attrs: nofree norecurse nounwind memory(readwrite, argmem: none, inaccessiblemem: none) uwtable
define internal ptr @consumer(ptr nocapture readnone %0) #3 {
  br label %2

2:                                                ; preds = %2, %1
  %3 = load atomic i32, ptr @ready acquire, align 4
  %4 = icmp eq i32 %3, 0
  br i1 %4, label %2, label %5, !llvm.loop !16

5:                                                ; preds = %2, %5
  %6 = phi i64 [ %11, %5 ], [ 0, %2 ]
  %7 = phi i32 [ %10, %5 ], [ 0, %2 ]
  %8 = getelementptr inbounds [4 x i32], ptr @payload, i64 0, i64 %6
  %9 = load i32, ptr %8, align 4, !tbaa !9
  %10 = add nsw i32 %9, %7
  %11 = add nuw nsw i64 %6, 1
  %12 = icmp eq i64 %11, 4
  br i1 %12, label %13, label %5, !llvm.loop !17

13:                                               ; preds = %5, %30
  %14 = phi i32 [ %35, %30 ], [ 0, %5 ]
  br label %27

15:                                               ; preds = %30
  %16 = load atomic i64, ptr @ptr seq_cst, align 8
  %17 = load atomic i32, ptr @fval seq_cst, align 4
  %18 = cmpxchg ptr @dval, i64 4607182418800017408, i64 4613937818241073152 seq_cst seq_cst, align 8
  %19 = bitcast i32 %17 to float
  %20 = icmp ne i64 %16, 0
  %21 = zext i1 %20 to i32
  %22 = add nsw i32 %10, %21
  %23 = fptosi float %19 to i32
  %24 = add nsw i32 %22, %23
  %25 = sext i32 %24 to i64
  %26 = inttoptr i64 %25 to ptr
  ret ptr %26

27:                                               ; preds = %13, %27
  %28 = cmpxchg weak ptr @lock, i32 0, i32 1 acquire monotonic, align 4
  %29 = extractvalue { i32, i1 } %28, 1
  br i1 %29, label %30, label %27, !llvm.loop !14

30:                                               ; preds = %27
  %31 = load i64, ptr @guarded, align 8, !tbaa !5
  %32 = add nsw i64 %31, 2
  store i64 %32, ptr @guarded, align 8, !tbaa !5
  store atomic i32 0, ptr @lock release, align 4
  %33 = atomicrmw sub ptr @hits, i64 1 seq_cst, align 8
  %34 = atomicrmw and ptr @small, i8 3 seq_cst, align 1
  %35 = add nuw nsw i32 %14, 1
  %36 = icmp eq i32 %35, 100
  br i1 %36, label %15, label %13, !llvm.loop !18
}

declare i32 @pthread_join(i64 noundef, ptr noundef) local_unnamed_addr #4

; Function Attrs: nofree nounwind
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #5

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(i64 immarg, ptr nocapture) #1

attributes #0 = { nounwind uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #3 = { nofree norecurse nounwind memory(readwrite, argmem: none, inaccessiblemem: none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #5 = { nofree nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #6 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}
!llvm.ident = !{!4}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!5 = !{!6, !6, i64 0}
!6 = !{!"long", !7, i64 0}
!7 = !{!"omnipotent char", !8, i64 0}
!8 = !{!"Simple C/C++ TBAA"}
!9 = !{!10, !10, i64 0}
!10 = !{!"int", !7, i64 0}
!11 = distinct !{!11, !12, !13}
!12 = !{!"llvm.loop.mustprogress"}
!13 = !{!"llvm.loop.unroll.disable"}
!14 = distinct !{!14, !12, !13}
!15 = distinct !{!15, !12, !13}
!16 = distinct !{!16, !12, !13}
!17 = distinct !{!17, !12, !13}
!18 = distinct !{!18, !12, !13}
