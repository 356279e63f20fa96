; ModuleID = 'exceptions.cpp'
source_filename = "exceptions.cpp"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%union.pthread_mutex_t = type { %struct.__pthread_mutex_s }
%struct.__pthread_mutex_s = type { i32, i32, i32, i32, i32, i16, i16, %struct.__pthread_internal_list }
%struct.__pthread_internal_list = type { %struct.__pthread_internal_list*, %struct.__pthread_internal_list* }
%"class.std::runtime_error" = type { %"class.std::exception", %"struct.std::__cow_string" }
%"class.std::exception" = type { i32 (...)** }
%"struct.std::__cow_string" = type { %union.anon }
%union.anon = type { i8* }
%union.pthread_attr_t = type { i64, [48 x i8] }
%struct.Sq = type <{ %struct.Shape, i32, [4 x i8] }>
%struct.Shape = type { i32 (...)** }

$__clang_call_terminate = comdat any

$_ZN5ShapeD2Ev = comdat any

$_ZN2SqD0Ev = comdat any

$_ZNK2Sq4areaEv = comdat any

$_ZTV2Sq = comdat any

$_ZTS2Sq = comdat any

$_ZTS5Shape = comdat any

$_ZTI5Shape = comdat any

$_ZTI2Sq = comdat any

@.str = private unnamed_addr constant [6 x i8] c"three\00", align 1
@_ZTISt13runtime_error = external constant i8*
@.str.1 = private unnamed_addr constant [4 x i8] c"%d\0A\00", align 1
@_ZL5tally = internal unnamed_addr global i32 0, align 4
@_ZTISt9exception = external constant i8*
@_ZTV2Sq = linkonce_odr dso_local unnamed_addr constant { [5 x i8*] } { [5 x i8*] [i8* null, i8* bitcast ({ i8*, i8*, i8* }* @_ZTI2Sq to i8*), i8* bitcast (void (%struct.Shape*)* @_ZN5ShapeD2Ev to i8*), i8* bitcast (void (%struct.Sq*)* @_ZN2SqD0Ev to i8*), i8* bitcast (i32 (%struct.Sq*)* @_ZNK2Sq4areaEv to i8*)] }, comdat, align 8
@_ZTVN10__cxxabiv120__si_class_type_infoE = external global i8*
@_ZTS2Sq = linkonce_odr dso_local constant [4 x i8] c"2Sq\00", comdat, align 1
@_ZTVN10__cxxabiv117__class_type_infoE = external global i8*
@_ZTS5Shape = linkonce_odr dso_local constant [7 x i8] c"5Shape\00", comdat, align 1
@_ZTI5Shape = linkonce_odr dso_local constant { i8*, i8* } { i8* bitcast (i8** getelementptr inbounds (i8*, i8** @_ZTVN10__cxxabiv117__class_type_infoE, i64 2) to i8*), i8* getelementptr inbounds ([7 x i8], [7 x i8]* @_ZTS5Shape, i32 0, i32 0) }, comdat, align 8
@_ZTI2Sq = linkonce_odr dso_local constant { i8*, i8*, i8* } { i8* bitcast (i8** getelementptr inbounds (i8*, i8** @_ZTVN10__cxxabiv120__si_class_type_infoE, i64 2) to i8*), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @_ZTS2Sq, i32 0, i32 0), i8* bitcast ({ i8*, i8* }* @_ZTI5Shape to i8*) }, comdat, align 8
@_ZL2mu = internal global { %union.pthread_mutex_t } zeroinitializer, align 8

; Function Attrs: mustprogress noinline uwtable
define dso_local void @_Z7throweri(i32 noundef %0) local_unnamed_addr #0 personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
  %2 = srem i32 %0, 3
  %3 = icmp eq i32 %2, 0
  br i1 %3, label %4, label %10

4:                                                ; preds = %1
  %5 = call i8* @__cxa_allocate_exception(i64 16) #15
  %6 = bitcast i8* %5 to %"class.std::runtime_error"*
  invoke void @_ZNSt13runtime_errorC1EPKc(%"class.std::runtime_error"* noundef nonnull align 8 dereferenceable(16) %6, i8* noundef getelementptr inbounds ([6 x i8], [6 x i8]* @.str, i64 0, i64 0))
          to label %7 unwind label %8

7:                                                ; preds = %4
  call void @__cxa_throw(i8* %5, i8* bitcast (i8** @_ZTISt13runtime_error to i8*), i8* bitcast (void (%"class.std::runtime_error"*)* @_ZNSt13runtime_errorD1Ev to i8*)) #16
  unreachable

8:                                                ; preds = %4
  %9 = landingpad { i8*, i32 }
          cleanup
  call void @__cxa_free_exception(i8* %5) #15
  resume { i8*, i32 } %9

10:                                               ; preds = %1
  ret void
}

declare i8* @__cxa_allocate_exception(i64) local_unnamed_addr

declare void @_ZNSt13runtime_errorC1EPKc(%"class.std::runtime_error"* noundef nonnull align 8 dereferenceable(16), i8* noundef) unnamed_addr #1

declare i32 @__gxx_personality_v0(...)

declare void @__cxa_free_exception(i8*) local_unnamed_addr

; Function Attrs: nounwind
declare void @_ZNSt13runtime_errorD1Ev(%"class.std::runtime_error"* noundef nonnull align 8 dereferenceable(16)) unnamed_addr #2

declare void @__cxa_throw(i8*, i8*, i8*) local_unnamed_addr

; Function Attrs: noinline uwtable
define dso_local noundef i32 @_Z6middlei(i32 noundef %0) local_unnamed_addr #3 personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
  call void @_Z7throweri(i32 noundef %0)
  ret i32 %0
}

; Function Attrs: argmemonly mustprogress nofree nosync nounwind willreturn
declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #4

; Function Attrs: argmemonly mustprogress nofree nosync nounwind willreturn
declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #4

; Function Attrs: mustprogress norecurse uwtable
define dso_local noundef i32 @main() local_unnamed_addr #5 {
  %1 = alloca [2 x i64], align 16
  %2 = bitcast [2 x i64]* %1 to i8*
  call void @llvm.lifetime.start.p0i8(i64 16, i8* nonnull %2) #15
  br label %3

3:                                                ; preds = %0, %3
  %4 = phi i64 [ 0, %0 ], [ %8, %3 ]
  %5 = getelementptr inbounds [2 x i64], [2 x i64]* %1, i64 0, i64 %4
  %6 = inttoptr i64 %4 to i8*
  %7 = call i32 @pthread_create(i64* noundef nonnull %5, %union.pthread_attr_t* noundef null, i8* (i8*)* noundef nonnull @_ZL6workerPv, i8* noundef %6) #15
  %8 = add nuw nsw i64 %4, 1
  %9 = icmp eq i64 %4, 0
  br i1 %9, label %3, label %13, !llvm.loop !5

10:                                               ; preds = %13
  %11 = load i32, i32* @_ZL5tally, align 4, !tbaa !8
  %12 = call i32 (i8*, ...) @printf(i8* noundef nonnull dereferenceable(1) getelementptr inbounds ([4 x i8], [4 x i8]* @.str.1, i64 0, i64 0), i32 noundef %11)
  call void @llvm.lifetime.end.p0i8(i64 16, i8* nonnull %2) #15
  ret i32 0

13:                                               ; preds = %3, %13
  %14 = phi i64 [ %18, %13 ], [ 0, %3 ]
  %15 = getelementptr inbounds [2 x i64], [2 x i64]* %1, i64 0, i64 %14
  %16 = load i64, i64* %15, align 8, !tbaa !12
  %17 = call i32 @pthread_join(i64 noundef %16, i8** noundef null)
  %18 = add nuw nsw i64 %14, 1
  %19 = icmp eq i64 %14, 0
  br i1 %19, label %13, label %10, !llvm.loop !14
}

; Function Attrs: nounwind
declare i32 @pthread_create(i64* noundef, %union.pthread_attr_t* noundef, i8* (i8*)* noundef, i8* noundef) local_unnamed_addr #2

; Function Attrs: norecurse uwtable
define internal noundef i8* @_ZL6workerPv(i8* noundef %0) #6 personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
  %2 = alloca %struct.Sq, align 8
  %3 = ptrtoint i8* %0 to i64
  %4 = bitcast %struct.Sq* %2 to i8*
  call void @llvm.lifetime.start.p0i8(i64 16, i8* nonnull %4) #15
  %5 = trunc i64 %3 to i32
  %6 = add nsw i32 %5, 2
  %7 = getelementptr inbounds %struct.Sq, %struct.Sq* %2, i64 0, i32 0, i32 0
  store i32 (...)** bitcast (i8** getelementptr inbounds ({ [5 x i8*] }, { [5 x i8*] }* @_ZTV2Sq, i64 0, inrange i32 0, i64 2) to i32 (...)**), i32 (...)*** %7, align 8, !tbaa !15
  %8 = getelementptr inbounds %struct.Sq, %struct.Sq* %2, i64 0, i32 1
  store i32 %6, i32* %8, align 8, !tbaa !17
  %9 = getelementptr inbounds %struct.Sq, %struct.Sq* %2, i64 0, i32 0
  %10 = bitcast %struct.Sq* %2 to i32 (%struct.Shape*)***
  br label %12

11:                                               ; preds = %36
  call void @llvm.lifetime.end.p0i8(i64 16, i8* nonnull %4) #15
  ret i8* null

12:                                               ; preds = %1, %36
  %13 = phi i32 [ 0, %1 ], [ %37, %36 ]
  %14 = invoke noundef i32 @_Z6middlei(i32 noundef %13)
          to label %36 unwind label %15

15:                                               ; preds = %12
  %16 = landingpad { i8*, i32 }
          cleanup
          catch i8* bitcast (i8** @_ZTISt9exception to i8*)
  %17 = extractvalue { i8*, i32 } %16, 1
  %18 = call i32 @llvm.eh.typeid.for(i8* bitcast (i8** @_ZTISt9exception to i8*)) #15
  %19 = icmp eq i32 %17, %18
  br i1 %19, label %20, label %46

20:                                               ; preds = %15
  %21 = extractvalue { i8*, i32 } %16, 0
  %22 = call i8* @__cxa_begin_catch(i8* %21) #15
  %23 = call i32 @pthread_mutex_lock(%union.pthread_mutex_t* noundef nonnull getelementptr inbounds ({ %union.pthread_mutex_t }, { %union.pthread_mutex_t }* @_ZL2mu, i64 0, i32 0)) #15
  %24 = icmp eq i32 %23, 0
  br i1 %24, label %27, label %25

25:                                               ; preds = %20
  invoke void @_ZSt20__throw_system_errori(i32 noundef %23) #16
          to label %26 unwind label %39

26:                                               ; preds = %25
  unreachable

27:                                               ; preds = %20
  %28 = load i32 (%struct.Shape*)**, i32 (%struct.Shape*)*** %10, align 8, !tbaa !15
  %29 = getelementptr inbounds i32 (%struct.Shape*)*, i32 (%struct.Shape*)** %28, i64 2
  %30 = load i32 (%struct.Shape*)*, i32 (%struct.Shape*)** %29, align 8
  %31 = invoke noundef i32 %30(%struct.Shape* noundef nonnull align 8 dereferenceable(8) %9)
          to label %32 unwind label %41

32:                                               ; preds = %27
  %33 = load i32, i32* @_ZL5tally, align 4, !tbaa !8
  %34 = add nsw i32 %33, %31
  store i32 %34, i32* @_ZL5tally, align 4, !tbaa !8
  %35 = call i32 @pthread_mutex_unlock(%union.pthread_mutex_t* noundef nonnull getelementptr inbounds ({ %union.pthread_mutex_t }, { %union.pthread_mutex_t }* @_ZL2mu, i64 0, i32 0)) #15
  call void @__cxa_end_catch()
  br label %36

36:                                               ; preds = %32, %12
  %37 = add nuw nsw i32 %13, 1
  %38 = icmp eq i32 %37, 30
  br i1 %38, label %11, label %12, !llvm.loop !19

39:                                               ; preds = %25
  %40 = landingpad { i8*, i32 }
          cleanup
  br label %44

41:                                               ; preds = %27
  %42 = landingpad { i8*, i32 }
          cleanup
  %43 = call i32 @pthread_mutex_unlock(%union.pthread_mutex_t* noundef nonnull getelementptr inbounds ({ %union.pthread_mutex_t }, { %union.pthread_mutex_t }* @_ZL2mu, i64 0, i32 0)) #15
  br label %44

44:                                               ; preds = %41, %39
  %45 = phi { i8*, i32 } [ %42, %41 ], [ %40, %39 ]
  invoke void @__cxa_end_catch()
          to label %46 unwind label %48

46:                                               ; preds = %15, %44
  %47 = phi { i8*, i32 } [ %45, %44 ], [ %16, %15 ]
  call void @llvm.lifetime.end.p0i8(i64 16, i8* nonnull %4) #15
  resume { i8*, i32 } %47

48:                                               ; preds = %44
  %49 = landingpad { i8*, i32 }
          catch i8* null
  %50 = extractvalue { i8*, i32 } %49, 0
  call void @__clang_call_terminate(i8* %50) #17
  unreachable
}

declare i32 @pthread_join(i64 noundef, i8** noundef) local_unnamed_addr #1

; Function Attrs: nofree nounwind
declare noundef i32 @printf(i8* nocapture noundef readonly, ...) local_unnamed_addr #7

; Function Attrs: nofree nosync nounwind readnone
declare i32 @llvm.eh.typeid.for(i8*) #8

declare i8* @__cxa_begin_catch(i8*) local_unnamed_addr

declare void @__cxa_end_catch() local_unnamed_addr

; Function Attrs: noinline noreturn nounwind
define linkonce_odr hidden void @__clang_call_terminate(i8* %0) local_unnamed_addr #9 comdat {
  %2 = call i8* @__cxa_begin_catch(i8* %0) #15
  call void @_ZSt9terminatev() #17
  unreachable
}

declare void @_ZSt9terminatev() local_unnamed_addr

; Function Attrs: nounwind uwtable
define linkonce_odr dso_local void @_ZN5ShapeD2Ev(%struct.Shape* noundef nonnull align 8 dereferenceable(8) %0) unnamed_addr #10 comdat align 2 {
  ret void
}

; Function Attrs: inlinehint nounwind uwtable
define linkonce_odr dso_local void @_ZN2SqD0Ev(%struct.Sq* noundef nonnull align 8 dereferenceable(12) %0) unnamed_addr #11 comdat align 2 {
  %2 = bitcast %struct.Sq* %0 to i8*
  call void @_ZdlPv(i8* noundef %2) #18
  ret void
}

; Function Attrs: mustprogress nounwind uwtable
define linkonce_odr dso_local noundef i32 @_ZNK2Sq4areaEv(%struct.Sq* noundef nonnull align 8 dereferenceable(12) %0) unnamed_addr #12 comdat align 2 {
  %2 = getelementptr inbounds %struct.Sq, %struct.Sq* %0, i64 0, i32 1
  %3 = load i32, i32* %2, align 8, !tbaa !17
  %4 = mul nsw i32 %3, %3
  ret i32 %4
}

; Function Attrs: nobuiltin nounwind
declare void @_ZdlPv(i8* noundef) local_unnamed_addr #13

; Function Attrs: noreturn
declare void @_ZSt20__throw_system_errori(i32 noundef) local_unnamed_addr #14

; Function Attrs: nounwind
declare i32 @pthread_mutex_lock(%union.pthread_mutex_t* noundef) local_unnamed_addr #2

; Function Attrs: nounwind
declare i32 @pthread_mutex_unlock(%union.pthread_mutex_t* noundef) local_unnamed_addr #2

attributes #0 = { mustprogress noinline uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { "frame-pointer"="none" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { nounwind "frame-pointer"="none" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #3 = { noinline uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { argmemonly mustprogress nofree nosync nounwind willreturn }
attributes #5 = { mustprogress norecurse uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #6 = { norecurse uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #7 = { nofree nounwind "frame-pointer"="none" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #8 = { nofree nosync nounwind readnone }
attributes #9 = { noinline noreturn nounwind }
attributes #10 = { nounwind uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #11 = { inlinehint nounwind uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #12 = { mustprogress nounwind uwtable "frame-pointer"="none" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #13 = { nobuiltin nounwind "frame-pointer"="none" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #14 = { noreturn "frame-pointer"="none" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #15 = { nounwind }
attributes #16 = { noreturn }
attributes #17 = { noreturn nounwind }
attributes #18 = { builtin nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}
!llvm.ident = !{!4}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 7, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 1}
!4 = !{!"Debian clang version 14.0.6"}
!5 = distinct !{!5, !6, !7}
!6 = !{!"llvm.loop.mustprogress"}
!7 = !{!"llvm.loop.unroll.disable"}
!8 = !{!9, !9, i64 0}
!9 = !{!"int", !10, i64 0}
!10 = !{!"omnipotent char", !11, i64 0}
!11 = !{!"Simple C++ TBAA"}
!12 = !{!13, !13, i64 0}
!13 = !{!"long", !10, i64 0}
!14 = distinct !{!14, !6, !7}
!15 = !{!16, !16, i64 0}
!16 = !{!"vtable pointer", !11, i64 0}
!17 = !{!18, !9, i64 8}
!18 = !{!"_ZTS2Sq", !9, i64 8}
!19 = distinct !{!19, !6, !7}
