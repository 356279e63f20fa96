//! Property tests of the reader: IR mangled by truncation, byte flips, shuffled tokens,
//! deleted, duplicated and swapped lines never makes the pass panic or hang; it either
//! succeeds or reports a line-located error (exit code 2). Deterministic: a small xorshift PRNG
//! with fixed seeds drives the mutations.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::analysis::accesses::Eliminations;
use super::rewrite::Config;
use super::{instrument_text, main};

/// The corpus: real compiler output (clang 14 typed and opaque pointers, clang 19, C and C++,
/// -O0 and -O1) and the hand-written construct catalogue.
const CORPUS: [(&str, &str); 7] = [
    (
        "constructs.ll",
        include_str!("../../tests/instrument/constructs.ll"),
    ),
    (
        "atomics.19.O1.ll",
        include_str!("../../tests/instrument/atomics.19.O1.ll"),
    ),
    (
        "loop_halves.14.O1.ll",
        include_str!("../../tests/instrument/loop_halves.14.O1.ll"),
    ),
    (
        "memops.14op.O1.ll",
        include_str!("../../tests/instrument/memops.14op.O1.ll"),
    ),
    (
        "stack_local.14.O0.ll",
        include_str!("../../tests/instrument/stack_local.14.O0.ll"),
    ),
    (
        "exceptions.14.O1.ll",
        include_str!("../../tests/instrument/exceptions.14.O1.ll"),
    ),
    (
        "exceptions.19.O0.ll",
        include_str!("../../tests/instrument/exceptions.19.O0.ll"),
    ),
];

/// Mutated variants per corpus file (kept small so the unit tests stay fast).
const FUZZ_CASES: usize = 150;

/// xorshift64* — enough randomness for mutations, reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Characters that mean something to the IR grammar, for insertion.
const SPICE: &[u8] = b"%@!#(){}[]<>,=*:\";.-0123456789 x\n";

/// Applies one random mutation.
fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = src.lines().map(String::from).collect();
    if lines.is_empty() {
        return String::new();
    }
    let n = lines.len();
    let li = rng.below(n);
    match rng.below(9) {
        0 => {
            // Truncate a line.
            let l = &mut lines[li];
            let mut cut = rng.below(l.len() + 1);
            while !l.is_char_boundary(cut) {
                cut -= 1;
            }
            l.truncate(cut);
        }
        1 => {
            // Flip a byte (then repair to valid UTF-8 the way a lossy reader would).
            let mut bytes = lines[li].clone().into_bytes();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            lines[li] = String::from_utf8_lossy(&bytes).into_owned();
        }
        2 => {
            // Shuffle the whitespace-separated tokens of a line.
            let mut words: Vec<&str> = lines[li].split_whitespace().collect();
            for i in (1..words.len()).rev() {
                let j = rng.below(i + 1);
                words.swap(i, j);
            }
            lines[li] = words.join(" ");
        }
        3 => {
            lines.remove(li);
        }
        4 => {
            let l = lines[li].clone();
            lines.insert(rng.below(n), l);
        }
        5 => lines.swap(li, rng.below(n)),
        6 => {
            // Insert a grammar character somewhere in a line.
            let l = &mut lines[li];
            let mut at = rng.below(l.len() + 1);
            while !l.is_char_boundary(at) {
                at -= 1;
            }
            l.insert(at, SPICE[rng.below(SPICE.len())] as char);
        }
        7 => {
            // Replace a number with an extreme one (overflow paths).
            const EXTREMES: [&str; 6] = [
                "18446744073709551615",
                "-170141183460469231731687303715884105728",
                "170141183460469231731687303715884105727",
                "99999999999999999999999999999999999999999",
                "-1",
                "4611686018427387904",
            ];
            let l = &lines[li];
            let digits: Vec<usize> = l
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if !digits.is_empty() {
                let at = digits[rng.below(digits.len())];
                let end = l[at..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(l.len(), |e| at + e);
                let x = EXTREMES[rng.below(EXTREMES.len())];
                lines[li] = format!("{}{x}{}", &l[..at], &l[end..]);
            }
        }
        _ => {
            // Truncate the file.
            lines.truncate(li);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Runs `cases` mutated variants of `src`; returns how many were accepted and rejected.
fn run_cases(name: &str, src: &str, seed: u64, cases: usize) -> (usize, usize) {
    let mut rng = Rng(seed);
    let mut ok = 0;
    let mut rejected = 0;
    let cfg = Config {
        volatile: seed.is_multiple_of(2),
        elim: Eliminations::ALL,
    };
    for case in 0..cases {
        let mut text = src.to_string();
        for _ in 0..1 + rng.below(3) {
            text = mutate(&text, &mut rng);
        }
        let nlines = text.lines().count();
        match instrument_text(&text, cfg) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert!(
                    e.line >= 1 && e.line <= nlines + 1,
                    "{name} case {case}: error line {} outside 1..={}",
                    e.line,
                    nlines + 1
                );
                assert!(!e.message.is_empty());
                rejected += 1;
            }
        }
    }
    (ok, rejected)
}

#[test]
fn corpus_instruments_cleanly() {
    for (name, src) in CORPUS {
        let r = instrument_text(
            src,
            Config {
                volatile: false,
                elim: Eliminations::ALL,
            },
        );
        assert!(r.is_ok(), "{name}: {:?}", r.err());
    }
}

#[test]
fn mangled_ir_never_panics_or_hangs() {
    let (tx, rx) = mpsc::channel();
    for (i, (name, src)) in CORPUS.iter().enumerate() {
        let tx = tx.clone();
        thread::spawn(move || {
            let r = run_cases(
                name,
                src,
                0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1),
                FUZZ_CASES,
            );
            let _ = tx.send((name, r));
        });
    }
    drop(tx);
    let mut total_ok = 0;
    let mut total_rejected = 0;
    for _ in 0..CORPUS.len() {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok((_, (ok, rej))) => {
                total_ok += ok;
                total_rejected += rej;
            }
            Err(e) => panic!("a fuzz worker panicked or hung: {e}"),
        }
    }
    // Both outcomes must occur, or the mutations are not exercising anything.
    assert!(
        total_ok > 0 && total_rejected > 0,
        "{total_ok} ok, {total_rejected} rejected"
    );
}

/// A loop whose constants overflow every width (invalid IR, but it must not crash the pass).
const EXTREME_LOOP: &str = "define void @f(ptr %a, i64 %n) {
entry:
  br label %body
body:
  %i = phi i64 [ 170141183460469231731687303715884105727, %entry ], [ %i.next, %body ]
  %j = phi i64 [ 0, %entry ], [ %j.next, %body ]
  %k = mul nsw i64 %i, 170141183460469231731687303715884105727
  %o = or i64 %j, 18446744073709551615
  %p = getelementptr inbounds [4611686018427387904 x i64], ptr %a, i64 %k, i64 %o
  store i64 0, ptr %p, align 8
  %q = getelementptr inbounds i8, ptr %a, i64 -170141183460469231731687303715884105728
  store i64 0, ptr %q, align 8
  %i.next = sub nsw i64 %i, -170141183460469231731687303715884105728
  %j.next = add i64 %j, 170141183460469231731687303715884105727
  %done = icmp eq i64 %j.next, %n
  br i1 %done, label %exit, label %body
exit:
  ret void
}
";

#[test]
fn garbage_inputs() {
    let cfg = Config {
        volatile: false,
        elim: Eliminations::ALL,
    };
    let deep = format!(
        "@x = global {}i32{}\n",
        "[1 x ".repeat(5000),
        "]".repeat(5000)
    );
    let wide = format!("define void @f() {{\n  ret void\n{}", "}\n".repeat(3));
    let mut rng = Rng(42);
    let noise: String = (0..4000)
        .map(|_| SPICE[rng.below(SPICE.len())] as char)
        .collect();
    for text in [
        "",
        "\n\n",
        "define",
        "define void @f() {",
        "}",
        "@",
        "%",
        "!0 = !{",
        "define void @f() {\n  %x = load i32, ptr %p, align\n}\n",
        "define void @f() {\n  store atomic i32 0, ptr @g seq_cst seq_cst\n}\n",
        "define void @f() {\n  br label %nowhere\n}\n",
        "define void @f() {\nentry:\n  br label %entry\n}\n",
        "define i32 @f(i32 %n) {\n  %x = add i32 %n, 1\n  ret i32 %x\n}\n",
        "@llvm.global_ctors = appending global i32 0\n",
        EXTREME_LOOP,
        deep.as_str(),
        wide.as_str(),
        noise.as_str(),
    ] {
        let _ = instrument_text(text, cfg);
    }
}

#[test]
fn command_line_exit_codes() {
    let dir = std::env::temp_dir().join(format!("hbsan-instrument-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.ll");
    let bad = dir.join("bad.ll");
    let out = dir.join("out.ll");
    std::fs::write(&good, CORPUS[0].1).expect("write");
    std::fs::write(&bad, "define void @f() {\n  %x = load i32 ptr %p\n}\n").expect("write");
    let arg = |p: &std::path::Path| p.to_string_lossy().into_owned();
    assert_eq!(main(&[arg(&good), "-o".into(), arg(&out)]), 0);
    let written = std::fs::read_to_string(&out).expect("output");
    assert!(written.contains("@__tsan_init"));
    assert_eq!(main(&[arg(&bad), "-o".into(), arg(&out)]), 2);
    std::fs::write(&bad, [0x66u8, 0xff, 0x0a]).expect("write");
    assert_eq!(main(&[arg(&bad), "-o".into(), arg(&out)]), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
