//! The process-wide runtime: created once, at the first `__tsan_init` (or
//! the first instrumented event of a native program), never destroyed.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

use crate::clock::slots::SlotTable;
use crate::heap::HeapBlocks;
use crate::options::Options;
use crate::report::Reporter;
use crate::report::elf::DataSymbols;
use crate::report::model::RaceReport;
use crate::report::stack_depot::StackDepot;
use crate::report::suppressions::Suppressions;
use crate::report::symbolize::{RuntimeCallback, Symbolizer};
use crate::shadow::Shadow;
use crate::sync::SyncTable;
use crate::thread::Tid;
use crate::thread::pool::Pool;
use crate::thread::registry::Registry;

/// Which ABI the program speaks; decides the report layout and options.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum World {
    /// A language runtime with explicit thread handles (Go's race ABI).
    Go,
    /// Compiler-instrumented native code (C, C++, Rust).
    Native,
}

/// The runtime.
pub struct Runtime {
    pub(crate) world: World,
    pub(crate) shadow: Shadow,
    pub(crate) slots: SlotTable,
    pub(crate) pool: Pool,
    pub(crate) threads: Registry,
    pub(crate) stacks: StackDepot,
    pub(crate) sync: SyncTable,
    pub(crate) reports: Reporter,
    pub(crate) options: Options,
    pub(crate) symbolizer: Symbolizer,
    pub(crate) suppressions: Suppressions,
    pub(crate) heap: HeapBlocks,
    /// Hook counts of finished threads (`stats=1`).
    pub(crate) stats: crate::thread::stats::Totals,
    /// Threads started and not finished.
    pub(crate) live_threads: AtomicUsize,
    /// The Go main goroutine's handle (Go world).
    pub(crate) main_handle: AtomicUsize,
    /// The exit status decided by the first `finish_once`.
    finished: OnceLock<i32>,
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The runtime, if initialized.
#[inline]
pub fn get() -> Option<&'static Runtime> {
    RUNTIME.get()
}

/// Initializes the runtime (once; later calls return the first one).
/// Fatal problems (the shadow cannot be reserved) end the process with a
/// one-line message.
pub fn init(world: World, callback: Option<RuntimeCallback>) -> &'static Runtime {
    RUNTIME.get_or_init(|| match Runtime::new(world, callback) {
        Ok(rt) => rt,
        Err(e) => crate::die!("cannot start: {e}"),
    })
}

impl Runtime {
    fn new(world: World, callback: Option<RuntimeCallback>) -> Result<Runtime, String> {
        let env = match world {
            World::Go => "GORACE",
            World::Native => "TSAN_OPTIONS",
        };
        let (options, warnings) = Options::from_env(env);
        for w in &warnings {
            eprintln!("hbsan: warning: {}: {}", w.source, w.message);
        }
        let suppressions = match &options.suppressions {
            None => Suppressions::default(),
            Some(path) => Suppressions::load(path).unwrap_or_else(|e| {
                eprintln!("hbsan: warning: suppressions: {e}");
                Suppressions::default()
            }),
        };
        let shadow = Shadow::init()?;
        let pool = Pool::new()?;
        let symbolizer = match callback {
            Some(cb) => Symbolizer::Callback(cb),
            None => Symbolizer::Native(DataSymbols::new()),
        };
        Ok(Runtime {
            world,
            shadow,
            slots: SlotTable::new(4 << options.history_size),
            pool,
            threads: Registry::new(),
            stacks: StackDepot::new(),
            sync: SyncTable::new(shadow),
            reports: Reporter::new(&options),
            symbolizer,
            suppressions,
            heap: HeapBlocks::new(),
            stats: Default::default(),
            options,
            live_threads: AtomicUsize::new(0),
            main_handle: AtomicUsize::new(0),
            finished: OnceLock::new(),
        })
    }

    /// The thread that calls itself "main": the first one in a native
    /// program; in Go the first goroutine, started by the thread
    /// `__tsan_init` created (the scheduler stack of Go's first OS thread,
    /// which runs no Go code itself).
    pub fn main_tid(&self) -> Tid {
        match self.world {
            World::Native => Tid(0),
            World::Go => Tid(1),
        }
    }

    /// The ABI this process speaks.
    pub fn world(&self) -> World {
        self.world
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Number of races reported so far.
    pub fn report_count(&self) -> u64 {
        self.reports.count()
    }

    /// Whether a suppression matches `r`.
    pub(crate) fn suppressed(&self, r: &RaceReport) -> bool {
        !self.suppressions.is_empty() && self.suppressions.matches(r, &self.symbolizer)
    }

    /// The program is ending: waits for stragglers as `atexit_sleep_ms`
    /// says, prints the summary, and returns the exit status the process
    /// should end with (0 when no race was reported).
    pub fn finish(&self) -> i32 {
        if self.options.atexit_sleep_ms > 0 && self.live_threads.load(Relaxed) > 1 {
            std::thread::sleep(std::time::Duration::from_millis(
                self.options.atexit_sleep_ms,
            ));
        }
        if self.options.stats {
            // The calling thread's counts join those of finished threads
            // (in Go, the caller is the main goroutine).
            let caller = match self.world {
                World::Native => crate::thread::current::try_current(),
                // SAFETY: Go calls `__tsan_fini` from the main goroutine,
                // which owns its state.
                World::Go => unsafe {
                    crate::thread::pool::from_handle(self.main_handle.load(Relaxed))
                },
            };
            if let Some(t) = caller {
                self.stats.add(&core::mem::take(&mut t.counts));
            }
            eprint!("{}", crate::thread::stats::format(&self.stats.get()));
        }
        let n = self.reports.count();
        if n == 0 {
            return 0;
        }
        match self.world {
            World::Go => self.reports.write(&format!("Found {n} data race(s)\n")),
            World::Native => self
                .reports
                .write(&format!("ThreadSanitizer: reported {n} warnings\n")),
        }
        self.options.exitcode
    }

    /// [`finish`](Self::finish) once per process (the native atexit handler
    /// and the `_exit` interceptor may both get here). Returns the status to
    /// exit with, or -1 to keep the program's own (no race reported).
    pub fn finish_once(&self) -> i32 {
        *self.finished.get_or_init(|| match self.finish() {
            0 => -1,
            code => code,
        })
    }

    /// Before `fork`: takes every runtime lock (in a fixed order), so that
    /// the child cannot inherit a lock held by a thread that does not exist
    /// there. Dropping the hold, in parent and child, releases them.
    pub fn hold_for_fork(&'static self) -> crate::platform::lock::ForkHold {
        let mut hold = crate::platform::lock::ForkHold::default();
        self.slots.hold_for_fork(&mut hold);
        self.pool.hold_for_fork(&mut hold);
        self.threads.hold_for_fork(&mut hold);
        self.stacks.hold_for_fork(&mut hold);
        self.sync.hold_for_fork(&mut hold);
        self.heap.hold_for_fork(&mut hold);
        self.reports.hold_for_fork(&mut hold);
        self.symbolizer.hold_for_fork(&mut hold);
        hold
    }

    /// Ends the process now (`halt_on_error`).
    pub(crate) fn exit_now(&self) -> ! {
        std::process::exit(self.options.exitcode)
    }
}
