//! What a race report says, before it is formatted.

use crate::thread::Tid;

use super::symbolize::DataSymbol;

/// One of the two racing accesses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessDesc {
    /// The thread, when known (an old access's thread may be forgotten).
    pub tid: Option<Tid>,
    /// A write (or a free) rather than a read.
    pub is_write: bool,
    /// Atomic.
    pub is_atomic: bool,
    /// The bytes were freed by this access.
    pub is_free: bool,
    /// First byte.
    pub addr: usize,
    /// Number of bytes.
    pub size: usize,
    /// Call stack, outermost first, ending with the access's pc; `None`
    /// when the history no longer holds it.
    pub stack: Option<Vec<u64>>,
}

/// A thread named by a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadDesc {
    /// Its id.
    pub tid: Tid,
    /// Whether it is still running.
    pub running: bool,
    /// Kernel thread id, 0 if none.
    pub os_tid: i32,
    /// Its creator.
    pub parent: Option<Tid>,
    /// Where it was created, outermost first (empty: unknown).
    pub creation: Vec<u64>,
    /// The name the program gave it, if any.
    pub name: Option<String>,
}

/// Where the racy memory is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A global variable.
    Global(DataSymbol),
    /// A heap block.
    Heap {
        /// First byte of the block.
        start: usize,
        /// Its size.
        size: usize,
        /// The allocating thread.
        tid: Tid,
        /// The allocation stack, outermost first.
        stack: Vec<u64>,
    },
    /// A thread's stack.
    Stack {
        /// The thread.
        tid: Tid,
    },
    /// A thread's static TLS block (`__thread`, `thread_local`).
    Tls {
        /// The thread.
        tid: Tid,
    },
}

/// What kind of race a report is about (ThreadSanitizer's names).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// Two unordered conflicting accesses.
    DataRace,
    /// The current access is to a C++ object's vptr (a virtual call, or a
    /// constructor or destructor changing it).
    VptrRace,
    /// The earlier access freed the memory.
    UseAfterFree,
    /// A virtual call on an object freed without synchronization.
    VptrUseAfterFree,
}

impl ReportKind {
    /// The name printed after `WARNING: ThreadSanitizer:` and in the summary.
    pub fn text(self) -> &'static str {
        match self {
            ReportKind::DataRace => "data race",
            ReportKind::VptrRace => "data race on vptr (ctor/dtor vs virtual call)",
            ReportKind::UseAfterFree => "heap-use-after-free",
            ReportKind::VptrUseAfterFree => "heap-use-after-free (virtual call vs free)",
        }
    }
}

/// A data race.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaceReport {
    /// What kind of race.
    pub kind: ReportKind,
    /// The access that found the race.
    pub current: AccessDesc,
    /// The earlier access it races with.
    pub previous: AccessDesc,
    /// Where the memory is, when known.
    pub location: Option<Location>,
    /// The threads involved (current first), with their creation stacks.
    pub threads: Vec<ThreadDesc>,
    /// The thread that calls itself "main".
    pub main_tid: Tid,
}
