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
    /// Its static TLS block `[lo, hi)`, while it runs (native threads).
    pub tls: Option<(usize, usize)>,
    /// Its `pthread_t`, while it runs (native threads; 0 if unknown).
    pub pthread: usize,
    /// The name the program gave it (`pthread_setname_np`, `AnnotateThreadName`).
    pub name: Option<Box<str>>,
}

/// The longest thread name kept, in bytes (Linux allows 15; annotations may
/// pass longer ones).
pub const MAX_NAME_LEN: usize = 64;

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
                tls: None,
                pthread: 0,
                name: None,
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
            t.tls = None;
            // The pthread_t value may name another thread from now on.
            t.pthread = 0;
        }
    }

    /// Records the `pthread_t` of `tid` while it runs (a finished thread's
    /// value may already belong to another thread: it is not recorded).
    pub fn set_pthread(&self, tid: Tid, pthread: usize) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize)
            && t.running
        {
            t.pthread = pthread;
        }
    }

    /// The running thread whose `pthread_t` is `pthread`.
    pub fn by_pthread(&self, pthread: usize) -> Option<Tid> {
        if pthread == 0 {
            return None;
        }
        let threads = self.threads.lock();
        // Newest first: a finished thread's value is cleared, so at most one
        // running thread holds it, but the newest is the likely one.
        threads
            .iter()
            .rposition(|t| t.running && t.pthread == pthread)
            .map(|i| Tid(i as u32))
    }

    /// Names `tid` (cut at [`MAX_NAME_LEN`] bytes, on a character boundary).
    pub fn set_name(&self, tid: Tid, name: &str) {
        let mut end = name.len().min(MAX_NAME_LEN);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.name = Some(name[..end].into());
        }
    }

    /// Records the stack of running thread `tid`.
    pub fn set_stack(&self, tid: Tid, lo: usize, hi: usize) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.stack = Some((lo, hi));
        }
    }

    /// Records the static TLS block of running thread `tid`.
    pub fn set_tls(&self, tid: Tid, lo: usize, hi: usize) {
        if let Some(t) = self.threads.lock().get_mut(tid.0 as usize) {
            t.tls = Some((lo, hi));
        }
    }

    /// The running thread whose static TLS block holds `addr`.
    pub fn tls_owner(&self, addr: usize) -> Option<Tid> {
        let threads = self.threads.lock();
        threads
            .iter()
            .position(|t| t.running && t.tls.is_some_and(|(lo, hi)| lo <= addr && addr < hi))
            .map(|i| Tid(i as u32))
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
        r.set_tls(b, 0x7000, 0x7100);
        assert_eq!(r.tls_owner(0x70ff), Some(b));
        assert_eq!(r.tls_owner(0x7100), None);
        r.finish(b);
        assert_eq!(r.tls_owner(0x70ff), None);
        let info = r.info(b).unwrap();
        assert_eq!(
            (info.parent, info.os_tid, info.running),
            (Some(a), 42, false)
        );
        assert!(r.info(a).unwrap().running);
        assert!(r.info(Tid(7)).is_none());
    }

    #[test]
    fn names_and_pthread_values() {
        let r = Registry::new();
        let a = r.register(None, StackId::EMPTY);
        let b = r.register(Some(a), StackId::EMPTY);
        r.set_pthread(a, 0x1000);
        r.set_pthread(b, 0x2000);
        assert_eq!(r.by_pthread(0x2000), Some(b));
        assert_eq!(r.by_pthread(0), None);
        r.set_name(b, "worker");
        assert_eq!(r.info(b).unwrap().name.as_deref(), Some("worker"));
        // A finished thread's pthread_t may be reused by a new thread.
        r.finish(b);
        assert_eq!(r.by_pthread(0x2000), None);
        // The creator's late notice about a thread that already ended is dropped.
        r.set_pthread(b, 0x2000);
        assert_eq!(r.by_pthread(0x2000), None);
        let c = r.register(Some(a), StackId::EMPTY);
        r.set_pthread(c, 0x2000);
        assert_eq!(r.by_pthread(0x2000), Some(c));
        // Long names are cut on a character boundary.
        let long = "é".repeat(40);
        r.set_name(c, &long);
        let kept = r.info(c).unwrap().name.unwrap();
        assert!(kept.len() <= MAX_NAME_LEN && long.starts_with(&*kept));
    }
}
