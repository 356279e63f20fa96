//! The cargo command line `hbsan cargo` is given: which subcommand it runs,
//! which targets it names, and where `--target` goes when it names none.

/// A cargo command line, as far as `hbsan cargo` needs to understand it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoArgs {
    /// The arguments, unchanged.
    pub args: Vec<String>,
    /// `+toolchain` (rustup's override), when the command line starts with one.
    pub toolchain: Option<String>,
    /// Index in `args` of the subcommand (`test`, `build`, …), if any.
    pub subcommand: Option<usize>,
    /// Every `--target` value after the subcommand (`--target T`,
    /// `--target=T`).
    pub targets: Vec<String>,
    /// `--manifest-path` after the subcommand, if given.
    pub manifest_path: Option<String>,
}

/// cargo's options before the subcommand that take a value as the next
/// argument (`cargo --config K=V test`).
const GLOBAL_WITH_VALUE: &[&str] = &["--config", "-Z", "-C", "--color", "--explain"];

/// The subcommands that compile the package for a target, with cargo's own
/// one-letter aliases: the ones `hbsan cargo` instruments.
const BUILDING: &[&str] = &[
    "build", "b", "check", "c", "test", "t", "run", "r", "bench", "rustc", "doc", "d", "clippy",
    "install",
];

impl CargoArgs {
    /// Splits `args` (what follows `hbsan cargo`).
    pub fn parse(args: &[String]) -> CargoArgs {
        let toolchain = args
            .first()
            .filter(|a| a.starts_with('+') && a.len() > 1)
            .cloned();
        let mut i = usize::from(toolchain.is_some());
        let mut subcommand = None;
        while i < args.len() {
            let a = args[i].as_str();
            if a == "--" {
                break;
            }
            if !a.starts_with('-') {
                subcommand = Some(i);
                break;
            }
            i += if GLOBAL_WITH_VALUE.contains(&a) { 2 } else { 1 };
        }
        let mut targets = Vec::new();
        let mut manifest_path = None;
        if let Some(sub) = subcommand {
            let mut rest = args[sub + 1..].iter();
            while let Some(a) = rest.next() {
                if a == "--" {
                    break;
                }
                if a == "--target" {
                    targets.extend(rest.next().cloned());
                } else if let Some(t) = a.strip_prefix("--target=") {
                    targets.push(t.to_string());
                } else if a == "--manifest-path" {
                    manifest_path = rest.next().cloned();
                } else if let Some(p) = a.strip_prefix("--manifest-path=") {
                    manifest_path = Some(p.to_string());
                }
            }
        }
        CargoArgs {
            args: args.to_vec(),
            toolchain,
            subcommand,
            targets,
            manifest_path,
        }
    }

    /// The subcommand's name.
    pub fn subcommand_name(&self) -> Option<&str> {
        self.subcommand.map(|i| self.args[i].as_str())
    }

    /// Whether the subcommand compiles the package (and so gets the
    /// instrumentation and a `--target`).
    pub fn builds(&self) -> bool {
        self.subcommand_name()
            .is_some_and(|s| BUILDING.contains(&s))
    }

    /// The arguments with `--target target` right after the subcommand,
    /// unless the command line names a target itself or does not build.
    pub fn with_target(&self, target: &str) -> Vec<String> {
        self.with_options(target, &[])
    }

    /// The arguments with `--config C` for each of `configs`, then
    /// `--target target` (as in [`CargoArgs::with_target`]), right after the
    /// subcommand of a command that builds.
    pub fn with_options(&self, target: &str, configs: &[String]) -> Vec<String> {
        let mut out = self.args.clone();
        let Some(sub) = self.subcommand.filter(|_| self.builds()) else {
            return out;
        };
        let mut extra = Vec::new();
        for c in configs {
            extra.extend(["--config".to_string(), c.clone()]);
        }
        if self.targets.is_empty() {
            extra.extend(["--target".to_string(), target.to_string()]);
        }
        out.splice(sub + 1..sub + 1, extra);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> CargoArgs {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        CargoArgs::parse(&args)
    }

    #[test]
    fn target_goes_after_the_subcommand() {
        let a = parse("test --release -- --nocapture");
        assert_eq!(a.subcommand_name(), Some("test"));
        assert_eq!(
            a.with_target("x86_64-unknown-linux-gnu").join(" "),
            "test --target x86_64-unknown-linux-gnu --release -- --nocapture"
        );
    }

    #[test]
    fn global_options_and_toolchain_come_first() {
        let a = parse("+nightly --config build.jobs=1 -v run --bin x");
        assert_eq!(a.toolchain.as_deref(), Some("+nightly"));
        assert_eq!(a.subcommand_name(), Some("run"));
        assert_eq!(
            a.with_target("T").join(" "),
            "+nightly --config build.jobs=1 -v run --target T --bin x"
        );
    }

    #[test]
    fn configs_come_first() {
        let a = parse("run -q -- x");
        assert_eq!(
            a.with_options("T", &["build.rustflags=[\"-Za\"]".into()])
                .join(" "),
            "run --config build.rustflags=[\"-Za\"] --target T -q -- x"
        );
        assert_eq!(parse("clean").with_options("T", &["k=v".into()]), ["clean"]);
    }

    #[test]
    fn a_named_target_is_kept() {
        let a = parse("build --target=aarch64-unknown-linux-gnu --target x");
        assert_eq!(a.targets, ["aarch64-unknown-linux-gnu", "x"]);
        assert_eq!(a.with_target("T"), a.args);
        // After `--`, arguments belong to the program.
        let b = parse("run -- --target y");
        assert!(b.targets.is_empty());
    }

    #[test]
    fn non_building_commands_are_left_alone() {
        for line in [
            "clean",
            "--version",
            "tree",
            "metadata --no-deps",
            "xtask build",
        ] {
            let a = parse(line);
            assert!(!a.builds(), "{line}");
            assert_eq!(a.with_target("T"), a.args, "{line}");
        }
        assert!(parse("t").builds());
    }

    #[test]
    fn manifest_path_is_found() {
        assert_eq!(
            parse("test --manifest-path a/Cargo.toml")
                .manifest_path
                .as_deref(),
            Some("a/Cargo.toml")
        );
        assert_eq!(
            parse("build --manifest-path=b/Cargo.toml")
                .manifest_path
                .as_deref(),
            Some("b/Cargo.toml")
        );
    }
}
