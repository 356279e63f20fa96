//! `hbsan demo …`: small programs that run through the detector.

pub mod counter;

/// `hbsan demo ARGS…`.
pub fn main(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("counter") => counter::main(&args[1..]),
        Some(other) => {
            eprintln!("hbsan demo: unknown demo '{other}' (available: counter)");
            2
        }
        None => {
            eprintln!(
                "usage: hbsan demo counter [{}]",
                counter::VARIANTS.join("|")
            );
            2
        }
    }
}
