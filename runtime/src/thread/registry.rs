//! Every thread the runtime has seen, alive or finished: what a report says
//! about the threads it names.

use core::fmt;

use crate::platform::lock::{ForkHold, Mutex};

use crate::report::stack_depot::StackId;

/// A thread's identity in reports: `T3` / `goroutine 3`. Never reused.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tid(pub u32);

impl fmt::Debug for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

/// What the registry knows about a thread.
#[derive(Clone, Debug)]
pub struct ThreadInfo {
    /// The thread that created it (`None` for the first thread).
    pub parent: Option<Tid>,
    /// Where it was created.
    pub creation: StackId,
    /// The kernel's id for the OS thread (0 for goroutines and unknown).
    pub os_tid: i32,
    /// Whether it is still running.
    pub running: bool,
    /// Its stack `[lo, hi)`, while it runs (native threads).
    pub stack: Option<(usize, usize)>,
}

/// The thread registry. An entry is a few words (stacks live in the depot),
/// so a program may create millions of threads over its life.
#[derive(Default)]
pub struct Registry {
    threads: Mutex<Vec<ThreadInfo>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Records a new thread and gives it the next id.
    pub fn register(&self, parent: Option<Tid>, creation: StackId) -> Tid {
        let mut threads = self.threads.lock();
        let tid = Tid(u32::try_from(threads.len()).unwrap_or(u32::MAX));
        if threads.len() < u32::MAX as usize {
            threads.push(ThreadInfo {
                parent,
                creation,
                os_tid: 0,
                running: true,
                stack: None,
            });
        }
        tid
    }

    /// Records the kernel thread id of `tid`.
    pub fn set_os_tid(&self, tid: Tid, os_tid: i32) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.os_tid = os_tid;
        }
    }

    /// Marks `tid` finished.
    pub fn finish(&self, tid: Tid) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.running = false;
            t.stack = None;
        }
    }

    /// Records the stack of running thread `tid`.
    pub fn set_stack(&self, tid: Tid, lo: usize, hi: usize) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.stack = Some((lo, hi));
        }
    }

    /// The running thread whose stack holds `addr`.
    pub fn stack_owner(&self, addr: usize) -> Option<Tid> {
        let threads = self.threads.lock();
        threads
            .iter()
            .position(|t| t.running && t.stack.is_some_and(|(lo, hi)| lo <= addr && addr < hi))
            .map(|i| Tid(i as u32))
    }

    /// What is known about `tid`.
    pub fn info(&self, tid: Tid) -> Option<ThreadInfo> {
        self.threads.lock().get(tid.0 as usize).cloned()
    }

    /// Holds the registry's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.threads.lock());
    }

    /// Number of threads ever registered.
    pub fn len(&self) -> usize {
        self.threads.lock().len()
    }

    /// Whether no thread was registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sequential_and_status_is_tracked() {
        let r = Registry::new();
        let a = r.register(None, StackId::EMPTY);
        let b = r.register(Some(a), StackId::EMPTY);
        assert_eq!((a, b), (Tid(0), Tid(1)));
        r.set_os_tid(b, 42);
        r.finish(b);
        let info = r.info(b).unwrap();
        assert_eq!(
            (info.parent, info.os_tid, info.running),
            (Some(a), 42, false)
        );
        assert!(r.info(a).unwrap().running);
        assert!(r.info(Tid(7)).is_none());
    }
}
