//! `hbsan cc` / `hbsan c++` as a C programmer uses them: in place of
//! `gcc -fsanitize=thread`.
//!
//! Tests that link and run a program need the runtime (`libhbsan_rt.a`
//! with the `__hbsan_*` entry points); without it they print a `skipped:`
//! line and pass. Tests with clang skip when clang-14/clang-19 are absent.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HBSAN: &str = env!("CARGO_BIN_EXE_hbsan");

/// Two threads count under a mutex: silent, prints count=2000.
const CLEAN_C: &str = r#"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long count;
static void *work(void *arg) {
    char *copy = strdup((const char *)arg);
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&lock);
        count++;
        pthread_mutex_unlock(&lock);
    }
    free(copy);
    return NULL;
}
int main(void) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, "name");
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("count=%ld\n", count);
    return 0;
}
"#;

/// A thread writes `value`; main reads it after a relaxed flag says so
/// (relaxed atomics order nothing): a race on every run.
const RACY_C: &str = r#"
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
int value;
static int done;
static void *writer(void *arg) {
    (void)arg;
    value = 42;
    __atomic_store_n(&done, 1, __ATOMIC_RELAXED);
    return NULL;
}
int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    while (!__atomic_load_n(&done, __ATOMIC_RELAXED))
        sched_yield();
    printf("value=%d\n", value);
    pthread_join(t, NULL);
    return 0;
}
"#;

/// std::thread, std::mutex, new/delete, a thread_local with a destructor.
const CLEAN_CPP: &str = r#"
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
struct Tracker { int n = 0; ~Tracker() { if (n < 0) std::puts("never"); } };
thread_local Tracker tracker;
int main() {
    std::mutex m;
    auto total = std::make_unique<long>(0);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; i++)
        threads.emplace_back([&] {
            for (int j = 0; j < 500; j++) {
                tracker.n++;
                std::lock_guard<std::mutex> g(m);
                ++*total;
            }
        });
    for (auto &t : threads) t.join();
    std::printf("total=%ld\n", *total);
}
"#;

fn hbsan() -> Command {
    let mut cmd = Command::new(HBSAN);
    cmd.env_remove("CC")
        .env_remove("CXX")
        .env_remove("HBSAN_RT_LIB")
        .env_remove("HBSAN_OPTIONS")
        .env_remove("TSAN_OPTIONS");
    cmd
}

fn output(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts success; returns stdout.
fn ok(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A fresh directory for one test, with `files` written into it.
fn workdir(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cc_driver")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create test dir");
    for (name, body) in files {
        fs::write(dir.join(name), body).expect("write test file");
    }
    dir
}

/// Whether programs can be linked: the runtime staticlib is there and
/// implements the interceptors' entry points. Prints the skip line if not.
fn runtime_ready(test: &str) -> bool {
    let why = match hbsan::cc::libhbsan::runtime_staticlib(Path::new(HBSAN)) {
        Err(e) => e,
        Ok(lib) => {
            let out = output(Command::new("nm").args(["-g", "--defined-only"]).arg(&lib));
            let symbols = text(&out.stdout);
            if symbols.contains(" T __hbsan_init_native")
                && symbols.contains(" T __tsan_func_entry")
            {
                return true;
            }
            format!(
                "{} does not implement __hbsan_init_native/__tsan_func_entry yet",
                lib.display()
            )
        }
    };
    eprintln!("skipped: {test}: no working runtime to link against: {why}");
    false
}

/// Runs a built program; its exit code, stdout and stderr.
fn run(program: &Path) -> (Option<i32>, String, String) {
    let out = output(
        Command::new(program)
            .env_remove("HBSAN_OPTIONS")
            .env_remove("TSAN_OPTIONS"),
    );
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn assert_clean(program: &Path, expected_stdout: &str) {
    let (code, stdout, stderr) = run(program);
    assert_eq!(code, Some(0), "{}:\n{stdout}{stderr}", program.display());
    assert_eq!(stdout, expected_stdout, "{stderr}");
    assert!(!stderr.contains("WARNING"), "{stderr}");
}

/// The undefined symbols of an object or archive.
fn undefined(path: &Path) -> Vec<String> {
    let out = output(Command::new("nm").arg("-u").arg(path));
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect()
}

fn clang(version: &str) -> Option<String> {
    let name = format!("clang-{version}");
    let found = Command::new(&name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found.then_some(name)
}

#[test]
fn version_passes_through() {
    let ours = ok(hbsan().args(["cc", "--version"]));
    let gcc = ok(Command::new("gcc").arg("--version"));
    assert_eq!(ours, gcc);
    let ours = ok(hbsan().args(["c++", "--version"]));
    let gxx = ok(Command::new("g++").arg("--version"));
    assert_eq!(ours, gxx);
}

#[test]
fn compile_only_instruments() {
    let dir = workdir("compile_only", &[("racy.c", RACY_C)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "-c", "racy.c", "-o", "racy.o"]));
    let undefined = undefined(&dir.join("racy.o"));
    for hook in ["__tsan_init", "__tsan_func_entry", "__tsan_write4"] {
        assert!(
            undefined.iter().any(|s| s == hook),
            "{hook} not referenced: {undefined:?}"
        );
    }
    // -S and -E are compile steps too.
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-O1", "-S", "racy.c", "-o", "racy.s"]));
    let asm = fs::read_to_string(dir.join("racy.s")).unwrap();
    assert!(asm.contains("__tsan_func_entry"), "no hooks in racy.s");
    let pre = ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-E", "-dM", "racy.c"]));
    assert!(
        pre.contains("__SANITIZE_THREAD__"),
        "not preprocessed for tsan"
    );
}

#[test]
fn syntax_error_is_the_compilers() {
    let bad = "int main(void) { return 0 }\n";
    let dir = workdir("syntax_error", &[("bad.c", bad)]);
    for extra in [&["-c"][..], &["-o", "bad"][..]] {
        let theirs = output(
            Command::new("gcc")
                .current_dir(&dir)
                .arg("-fsanitize=thread")
                .arg("bad.c")
                .args(extra),
        );
        let ours = output(hbsan().current_dir(&dir).args(["cc", "bad.c"]).args(extra));
        assert!(!theirs.status.success());
        assert_eq!(ours.status.code(), theirs.status.code(), "{extra:?}");
        let ours_err = text(&ours.stderr);
        assert!(
            ours_err.contains("bad.c:1:") && ours_err.contains("error: expected"),
            "{extra:?}: {ours_err}"
        );
        assert!(!dir.join("bad").exists(), "a failed compile linked anyway");
    }
    // No input at all: gcc's own complaint and status.
    let theirs = output(&mut Command::new("gcc"));
    let ours = output(hbsan().arg("cc"));
    assert_eq!(ours.status.code(), theirs.status.code());
    assert!(text(&ours.stderr).contains("no input files"));
}

#[test]
fn compile_and_link_runs() {
    if !runtime_ready("compile_and_link_runs") {
        return;
    }
    let dir = workdir("compile_and_link", &[("clean.c", CLEAN_C)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "clean.c", "-o", "clean"]));
    assert_clean(&dir.join("clean"), "count=2000\n");
    // No temporary objects left next to the sources.
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn races_are_reported() {
    if !runtime_ready("races_are_reported") {
        return;
    }
    let dir = workdir("races", &[("racy.c", RACY_C)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "racy.c", "-o", "racy"]));
    let (code, stdout, stderr) = run(&dir.join("racy"));
    assert_eq!(code, Some(66), "{stdout}{stderr}");
    assert_eq!(stdout, "value=42\n");
    assert!(
        stderr.contains("WARNING: ThreadSanitizer: data race"),
        "{stderr}"
    );
    assert!(stderr.contains("racy.c:"), "{stderr}");
    assert!(
        stderr.contains("ThreadSanitizer: reported 1 warnings"),
        "{stderr}"
    );
}

#[test]
fn links_objects_compiled_by_gcc() {
    if !runtime_ready("links_objects_compiled_by_gcc") {
        return;
    }
    let dir = workdir("gcc_objects", &[("clean.c", CLEAN_C)]);
    ok(Command::new("gcc").current_dir(&dir).args([
        "-fsanitize=thread",
        "-g",
        "-O1",
        "-c",
        "clean.c",
        "-o",
        "clean.o",
    ]));
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "clean.o", "-o", "clean", "-lpthread"]));
    assert_clean(&dir.join("clean"), "count=2000\n");
    // Linked without libtsan.
    let ldd = ok(Command::new("ldd").arg(dir.join("clean")));
    assert!(!ldd.contains("libtsan"), "{ldd}");
}

#[test]
fn cxx() {
    if !runtime_ready("cxx") {
        return;
    }
    let dir = workdir("cxx", &[("clean.cpp", CLEAN_CPP)]);
    ok(hbsan().current_dir(&dir).args([
        "c++",
        "-g",
        "-O1",
        "-std=c++17",
        "clean.cpp",
        "-o",
        "clean",
    ]));
    assert_clean(&dir.join("clean"), "total=1000\n");
}

#[test]
fn several_sources_and_languages() {
    if !runtime_ready("several_sources_and_languages") {
        return;
    }
    let main_c = "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n";
    let helper = "int twice(int x) { return 2 * x; }\n";
    let dir = workdir(
        "several_sources",
        &[("main.c", main_c), ("helper.txt", helper)],
    );
    // helper.txt is C because of -x c; -x none makes the object an object again.
    ok(Command::new("gcc").current_dir(&dir).args([
        "-fsanitize=thread",
        "-c",
        "-x",
        "c",
        "helper.txt",
        "-o",
        "helper.o",
    ]));
    ok(hbsan().current_dir(&dir).args([
        "cc",
        "-O1",
        "main.c",
        "-x",
        "c",
        "helper.txt",
        "-x",
        "none",
        "-o",
        "two",
    ]));
    assert_clean(&dir.join("two"), "42\n");
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-O1", "main.c", "helper.o", "-o", "mixed"]));
    assert_clean(&dir.join("mixed"), "42\n");
}

#[test]
fn with_clang() {
    if !runtime_ready("with_clang") {
        return;
    }
    let mut any = false;
    for version in ["14", "19"] {
        let Some(clang) = clang(version) else {
            eprintln!("skipped: with_clang: clang-{version} is not installed");
            continue;
        };
        any = true;
        let dir = workdir(
            &format!("clang{version}"),
            &[("clean.c", CLEAN_C), ("racy.c", RACY_C)],
        );
        ok(hbsan()
            .env("CC", &clang)
            .current_dir(&dir)
            .args(["cc", "-g", "-O1", "clean.c", "-o", "clean"]));
        assert_clean(&dir.join("clean"), "count=2000\n");
        ok(hbsan()
            .env("CC", &clang)
            .current_dir(&dir)
            .args(["cc", "-g", "-O1", "racy.c", "-o", "racy"]));
        let (code, _, stderr) = run(&dir.join("racy"));
        assert_eq!(code, Some(66), "{clang}: {stderr}");
    }
    if !any {
        eprintln!("skipped: with_clang: no clang installed");
    }
}

/// `--pass=hbsan`: compiled by clang through hbsan's own pass, with every
/// clang installed (`CC` naming it, or found by itself); the compile-only
/// forms write what clang would; errors are clear and nothing is left over.
#[test]
fn our_pass() {
    if !runtime_ready("our_pass") {
        return;
    }
    let mut compilers: Vec<Option<String>> = ["14", "19"]
        .iter()
        .filter_map(|v| clang(v))
        .map(Some)
        .collect();
    if compilers.is_empty() {
        eprintln!("skipped: our_pass: no clang installed");
        return;
    }
    compilers.push(None);
    for (n, cc) in compilers.iter().enumerate() {
        let dir = workdir(
            &format!("our_pass{n}"),
            &[
                ("clean.c", CLEAN_C),
                ("racy.c", RACY_C),
                ("clean.cpp", CLEAN_CPP),
            ],
        );
        let driver = |args: &[&str]| {
            let mut cmd = hbsan();
            if let Some(cc) = cc {
                cmd.env("CC", cc);
            }
            cmd.current_dir(&dir)
                .arg("cc")
                .arg("--pass=hbsan")
                .args(args);
            cmd
        };
        ok(&mut driver(&["-g", "-O2", "clean.c", "-o", "clean"]));
        assert_clean(&dir.join("clean"), "count=2000\n");
        ok(&mut driver(&[
            "-g",
            "-O1",
            "-DUNUSED=1",
            "-std=c11",
            "racy.c",
            "-o",
            "racy",
        ]));
        for _ in 0..3 {
            let (code, _, stderr) = run(&dir.join("racy"));
            assert_eq!(code, Some(66), "{cc:?}: {stderr}");
            assert!(
                stderr.contains("writer") && stderr.contains("main"),
                "{stderr}"
            );
        }
        // -c with -MD: the object and the dependency file gcc would write.
        ok(&mut driver(&["-O1", "-c", "-MD", "racy.c"]));
        assert!(dir.join("racy.o").is_file());
        let deps = fs::read_to_string(dir.join("racy.d")).expect("racy.d");
        assert!(deps.starts_with("racy.o:"), "{deps}");
        assert!(
            undefined(&dir.join("racy.o"))
                .iter()
                .any(|s| s == "__tsan_write4")
        );
        // -S -emit-llvm: the instrumented IR.
        ok(&mut driver(&[
            "-O1",
            "-S",
            "-emit-llvm",
            "racy.c",
            "-o",
            "racy.ll",
        ]));
        let ir = fs::read_to_string(dir.join("racy.ll")).expect("racy.ll");
        assert!(ir.contains("call void @__tsan_write4"), "{ir}");
        assert!(ir.contains("@__tsan_init"), "{ir}");
        // -E goes to clang unchanged.
        let pre = ok(&mut driver(&["-E", "racy.c"]));
        assert!(pre.contains("writer"));
        if cc.is_none() {
            ok(hbsan().current_dir(&dir).args([
                "c++",
                "--pass=hbsan",
                "-g",
                "-O1",
                "clean.cpp",
                "-o",
                "cleancpp",
            ]));
            assert_clean(&dir.join("cleancpp"), "total=1000\n");
        }
    }
    let dir = workdir("our_pass_errors", &[("racy.c", RACY_C)]);
    let out = output(
        hbsan()
            .current_dir(&dir)
            .args(["cc", "--pass=llvm", "racy.c"]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown pass 'llvm'"),
        "{}",
        text(&out.stderr)
    );
    let out =
        output(
            hbsan()
                .env("CC", "gcc")
                .current_dir(&dir)
                .args(["cc", "--pass=hbsan", "racy.c"]),
        );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("compiles through clang"),
        "{}",
        text(&out.stderr)
    );
    let out = output(
        hbsan()
            .current_dir(&dir)
            .args(["cc", "--pass=hbsan", "-c", "missing.c"]),
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("missing.c"),
        "{}",
        text(&out.stderr)
    );
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["racy.c"], "nothing but the source is left");
}

/// A shared object gets no runtime of its own; the executable exports the
/// hooks and the interceptors to it, dlopen'ed or not: its mutex
/// operations are seen, so its counter is not reported.
#[test]
fn shared_objects_use_the_executables_runtime() {
    if !runtime_ready("shared_objects_use_the_executables_runtime") {
        return;
    }
    let plugin = r#"
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;
void bump(void) { pthread_mutex_lock(&m); counter++; pthread_mutex_unlock(&m); }
long total(void) { pthread_mutex_lock(&m); long c = counter; pthread_mutex_unlock(&m); return c; }
"#;
    let main_c = r#"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
static void (*bump)(void);
static void *worker(void *arg) { (void)arg; for (int i = 0; i < 500; i++) bump(); return NULL; }
int main(int argc, char **argv) {
    (void)argc;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    bump = (void (*)(void))dlsym(h, "bump");
    long (*total)(void) = (long (*)(void))dlsym(h, "total");
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("total=%ld\n", total());
    return 0;
}
"#;
    let dir = workdir("shared", &[("plugin.c", plugin), ("main.c", main_c)]);
    ok(hbsan().current_dir(&dir).args([
        "cc",
        "-g",
        "-O1",
        "-shared",
        "-fPIC",
        "plugin.c",
        "-o",
        "plugin.so",
    ]));
    let undefined = undefined(&dir.join("plugin.so"));
    assert!(
        undefined.iter().any(|s| s == "__tsan_func_entry"),
        "plugin.so should leave the hooks to the executable: {undefined:?}"
    );
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "main.c", "-o", "main"]));
    let (code, stdout, stderr) = run_with_arg(&dir.join("main"), &dir.join("plugin.so"));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, "total=1000\n", "{stderr}");
}

fn run_with_arg(program: &Path, arg: &Path) -> (Option<i32>, String, String) {
    let out = output(Command::new(program).arg(arg).env_remove("TSAN_OPTIONS"));
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn static_links_are_refused() {
    let dir = workdir("static", &[("clean.c", CLEAN_C)]);
    let out = output(
        hbsan()
            .current_dir(&dir)
            .args(["cc", "-static", "clean.c", "-o", "clean"]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("-static is not supported"));
}

#[test]
fn missing_runtime_is_a_clear_error() {
    let dir = workdir("missing_runtime", &[("clean.c", CLEAN_C)]);
    let out = output(
        hbsan()
            .current_dir(&dir)
            .env("HBSAN_RT_LIB", dir.join("nowhere.a"))
            .args(["cc", "clean.c", "-o", "clean"]),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("hbsan: HBSAN_RT_LIB="), "{stderr}");
}

/// libhbsan.a is built once by whichever of several concurrent links gets
/// there first; none of them sees a half-written archive. Its runtime
/// object exports only the hooks.
#[test]
fn concurrent_first_builds() {
    if !runtime_ready("concurrent_first_builds") {
        return;
    }
    let staticlib = hbsan::cc::libhbsan::runtime_staticlib(Path::new(HBSAN)).unwrap();
    let dir = workdir("concurrent", &[("clean.c", CLEAN_C)]);
    let own = dir.join("libhbsan_rt.a");
    fs::copy(&staticlib, &own).expect("copy the runtime");
    ok(Command::new("gcc").current_dir(&dir).args([
        "-fsanitize=thread",
        "-g",
        "-O1",
        "-c",
        "clean.c",
        "-o",
        "clean.o",
    ]));
    std::thread::scope(|s| {
        for n in 0..3 {
            let (dir, own) = (&dir, &own);
            s.spawn(move || {
                let program = format!("clean{n}");
                ok(hbsan().current_dir(dir).env("HBSAN_RT_LIB", own).args([
                    "cc",
                    "clean.o",
                    "-o",
                    &program,
                    "-lpthread",
                ]));
                assert_clean(&dir.join(&program), "count=2000\n");
            });
        }
    });
    // Nothing temporary left beside the archive.
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("libhbsan") && !n.starts_with("libhbsan_rt"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["libhbsan.a", "libhbsan.a.stamp", "libhbsan.dynlist"],
        "{names:?}"
    );

    // The runtime object: hooks global, std local, no LLVM bitcode.
    let work = dir.join("members");
    fs::create_dir_all(&work).unwrap();
    ok(Command::new("ar")
        .current_dir(&work)
        .args(["x"])
        .arg(dir.join("libhbsan.a"))
        .arg("rt.o"));
    let globals = ok(Command::new("nm")
        .args(["-g", "--defined-only"])
        .arg(work.join("rt.o")));
    let stray: Vec<&str> = globals
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|s| !s.starts_with("__tsan_") && !s.starts_with("__hbsan_"))
        .collect();
    assert!(stray.is_empty(), "global beyond the hooks: {stray:?}");
    assert!(globals.contains("__tsan_read4"), "no hooks in rt.o");
    let sections = ok(Command::new("objdump").arg("-h").arg(work.join("rt.o")));
    assert!(!sections.contains(".llvmbc"), "bitcode left in rt.o");
}

/// The interceptors must not call themselves: gcc may turn a loop into a
/// memcpy/memset/strlen call, which in the shim would be a call to its own
/// interceptor. No shim object may reference a name the shim defines
/// (except its hidden `hbsan_*` helpers).
#[test]
fn shim_objects_do_not_call_themselves() {
    let dir = workdir("shim_objects", &[]);
    ok(Command::new("ar")
        .current_dir(&dir)
        .arg("x")
        .arg(env!("HBSAN_SHIM_ARCHIVE")));
    let objects: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    assert!(objects.len() >= 6, "{objects:?}");
    let mut defined = Vec::new();
    for o in &objects {
        let out = ok(Command::new("nm").args(["-g", "--defined-only"]).arg(o));
        defined.extend(
            out.lines()
                .filter_map(|l| l.split_whitespace().last().map(str::to_string)),
        );
    }
    for name in [
        "malloc",
        "memcpy",
        "strlen",
        "pthread_create",
        "_Znwm",
        "vfork",
        "read",
        "sigaction",
    ] {
        assert!(defined.iter().any(|d| d == name), "{name} not intercepted");
    }
    for o in &objects {
        let calls_itself: Vec<String> = undefined(o)
            .into_iter()
            .filter(|u| !u.starts_with("hbsan_") && defined.contains(u))
            .collect();
        assert!(
            calls_itself.is_empty(),
            "{} calls interceptors: {calls_itself:?}",
            o.display()
        );
    }
}

/// A timer signal lands on threads busy in malloc, free and mutexes, that
/// is, often inside the runtime: the program's handler must still never
/// run there (it would run instrumented code on half-updated detector
/// state). `sigaction` reports the program's own handler, not the wrapper.
#[test]
fn signal_handlers_wait_for_the_runtime() {
    if !runtime_ready("signal_handlers_wait_for_the_runtime") {
        return;
    }
    let program = r#"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
int __hbsan_in_runtime(void);
static int ticks, inside;
static void on_alarm(int sig) {
    (void)sig;
    __atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
    if (__hbsan_in_runtime())
        __atomic_fetch_add(&inside, 1, __ATOMIC_RELAXED);
}
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *volatile keep[64];
static void *churn(void *arg) {
    (void)arg;
    for (int i = 0; i < 50000; i++) {
        void *p = malloc(64 + i % 64);
        memset(p, 1, 64);
        pthread_mutex_lock(&lock);
        keep[i % 64] = p;
        pthread_mutex_unlock(&lock);
        free(p);
    }
    return NULL;
}
int main(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGALRM, NULL, &old);
    if (old.sa_handler != on_alarm)
        return 2;
    if (signal(SIGALRM, on_alarm) != on_alarm)
        return 3;
    struct itimerval every = {{0, 200}, {0, 200}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every, NULL);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, churn, NULL);
    churn(NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ticked=%d inside=%d\n", ticks > 0, inside);
    return 0;
}
"#;
    let dir = workdir("signals", &[("sig.c", program)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "sig.c", "-o", "sig"]));
    assert_clean(&dir.join("sig"), "ticked=1 inside=0\n");
}

/// C11 threads: glibc builds thrd_create, mtx_lock, cnd_wait and call_once
/// on its internal pthread functions, so they have interceptors of their
/// own; without them this program is full of false races.
#[test]
fn c11_threads() {
    if !runtime_ready("c11_threads") {
        return;
    }
    let program = r#"
#include <stdio.h>
#include <threads.h>
static mtx_t lock;
static cnd_t changed;
static once_flag once = ONCE_FLAG_INIT;
static int initialized, count, turn;
static void init(void) { initialized = 1; }
static int work(void *arg) {
    int me = *(int *)arg;
    call_once(&once, init);
    for (int i = 0; i < 100; i++) {
        mtx_lock(&lock);
        while (turn != me)
            cnd_wait(&changed, &lock);
        count++;
        turn = 1 - me;
        cnd_broadcast(&changed);
        mtx_unlock(&lock);
    }
    return initialized;
}
int main(void) {
    mtx_init(&lock, mtx_plain);
    cnd_init(&changed);
    thrd_t t[2];
    int ids[2] = {0, 1}, sum = 0;
    for (int i = 0; i < 2; i++)
        thrd_create(&t[i], work, &ids[i]);
    for (int i = 0; i < 2; i++) {
        int r;
        thrd_join(t[i], &r);
        sum += r;
    }
    printf("count=%d initialized=%d\n", count, sum);
    cnd_destroy(&changed);
    mtx_destroy(&lock);
    return 0;
}
"#;
    let dir = workdir("c11", &[("c11.c", program)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "-std=c11", "c11.c", "-o", "c11"]));
    assert_clean(&dir.join("c11"), "count=200 initialized=2\n");
}

/// Synchronization the program gets from libraries rather than from
/// pthread calls: a C++ function-local static (the guard is released inside
/// libstdc++), and data handed over through a pipe (write, then read). Both
/// order the threads; neither may be reported.
#[test]
fn library_synchronization_is_seen() {
    if !runtime_ready("library_synchronization_is_seen") {
        return;
    }
    let program = r#"
#include <cstdio>
#include <pthread.h>
#include <string>
#include <unistd.h>
struct Table {
    std::string names[4];
    Table() { for (int i = 0; i < 4; i++) names[i] = "name" + std::to_string(i); }
};
static const Table &table() {
    static Table t;
    return t;
}
static int fds[2];
static long handed;
static void *use_table(void *) {
    return (void *)table().names[3].size();
}
static void *consumer(void *) {
    char byte;
    while (read(fds[0], &byte, 1) != 1) {
    }
    return (void *)handed;
}
int main() {
    pthread_t t[4];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], nullptr, use_table, nullptr);
    if (pipe(fds) != 0)
        return 2;
    pthread_create(&t[3], nullptr, consumer, nullptr);
    handed = 42;
    if (write(fds[1], "x", 1) != 1)
        return 3;
    long sum = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    std::printf("sum=%ld\n", sum);
}
"#;
    let dir = workdir("library_sync", &[("sync.cpp", program)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["c++", "-g", "-O1", "sync.cpp", "-o", "sync"]));
    for _ in 0..3 {
        assert_clean(&dir.join("sync"), "sum=57\n");
    }
}

/// Thread names (`pthread_setname_np` by the creator before the thread runs,
/// `AnnotateThreadName` by the thread itself) appear in the report's thread
/// lines; memory declared with `AnnotateBenignRaceSized` is not reported,
/// while a race on its neighbour still is.
#[test]
fn thread_names_and_benign_races() {
    if !runtime_ready("thread_names_and_benign_races") {
        return;
    }
    let program = r#"
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
void AnnotateBenignRaceSized(const char *f, int l, const volatile void *mem, size_t size,
                             const char *desc);
void AnnotateThreadName(const char *f, int l, const char *name);
static int stats, shared;
static atomic_int step; /* relaxed: orders in time, not in happens-before */
static void wait_for(int n) {
    while (atomic_load_explicit(&step, memory_order_relaxed) != n)
        ;
}
static void *first(void *arg) {
    stats++;
    shared = 1;
    atomic_store_explicit(&step, 1, memory_order_relaxed);
    wait_for(3);
    return arg;
}
static void *second(void *arg) {
    AnnotateThreadName(__FILE__, __LINE__, "self-named");
    wait_for(1);
    shared = 2;
    atomic_store_explicit(&step, 2, memory_order_relaxed);
    return arg;
}
int main(void) {
    AnnotateBenignRaceSized(__FILE__, __LINE__, &stats, sizeof stats, "statistics");
    pthread_t a, b;
    pthread_create(&a, NULL, first, NULL);
    pthread_setname_np(a, "named-by-main");
    pthread_create(&b, NULL, second, NULL);
    wait_for(2);
    int seen = stats;
    atomic_store_explicit(&step, 3, memory_order_relaxed);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("stats=%d shared=%d\n", seen, shared);
    return 0;
}
"#;
    let dir = workdir("names", &[("names.c", program)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "-O1", "names.c", "-o", "names"]));
    for _ in 0..3 {
        let (code, stdout, stderr) = run(&dir.join("names"));
        assert_eq!(code, Some(66), "{stdout}{stderr}");
        assert_eq!(stdout, "stats=1 shared=2\n");
        assert!(
            stderr.contains("ThreadSanitizer: reported 1 warnings"),
            "only the race on `shared`: {stderr}"
        );
        assert!(stderr.contains("Location is global 'shared'"), "{stderr}");
        assert!(
            stderr.contains("Thread T1 'named-by-main' (tid="),
            "{stderr}"
        );
        assert!(stderr.contains("Thread T2 'self-named' (tid="), "{stderr}");
    }
}

/// A fiber handle that is not one (never created, or destroyed) is named in
/// one line and the program stops, instead of the runtime using garbage.
#[test]
fn bad_fiber_handles_are_refused() {
    if !runtime_ready("bad_fiber_handles_are_refused") {
        return;
    }
    let program = r#"
#include <stdio.h>
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
int main(int argc, char **argv) {
    (void)argv;
    void *fiber = __tsan_create_fiber(0);
    __tsan_destroy_fiber(fiber);
    if (argc > 1)
        __tsan_switch_to_fiber(fiber, 0);
    else
        __tsan_switch_to_fiber((void *)0x1234, 0);
    puts("not reached");
    return 0;
}
"#;
    let dir = workdir("bad_fiber", &[("bad_fiber.c", program)]);
    ok(hbsan()
        .current_dir(&dir)
        .args(["cc", "-g", "bad_fiber.c", "-o", "bad_fiber"]));
    for args in [&[][..], &["destroyed"][..]] {
        let out = output(Command::new(dir.join("bad_fiber")).args(args));
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains("__tsan_switch_to_fiber:") && stderr.contains("is not a live fiber"),
            "{stderr}"
        );
        assert!(!text(&out.stdout).contains("not reached"));
    }
}
