//! The table of synchronization objects: address → clocks.
//!
//! Any address can be a synchronization object (a mutex, a channel slot, an
//! atomic variable, a WaitGroup). Objects are created on first release and
//! removed when their memory is freed.
//!
//! Finding an object takes no lock: the word holding it has a cell in the
//! **meta plane** (`shadow::layout`) with the index of the object in an
//! arena, and the objects of one word form a short chain (two 4-byte atomics
//! can share a word). Each object has its own reader-writer lock: acquiring
//! only reads it, so threads acquiring the same object do not wait for each
//! other, and operations on different objects never touch the same lock.
//! Insertions and removals of a word's chain are serialized by a striped
//! lock; an object recycled while a thread looks at it is detected by its
//! address, checked under its own lock.
//!
//! Addresses outside application memory (there is no meta cell for them)
//! go to a small locked map.

use core::sync::atomic::{
    AtomicPtr, AtomicU32, AtomicU64, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};
use std::collections::BTreeMap;

use crate::platform::lock::{ForkHold, Mutex, SpinRwLock};
use crossbeam_utils::CachePadded;

use crate::clock::{SyncClock, VectorClock};
use crate::shadow::Shadow;
use crate::shadow::memory::WordShadow;
use crate::sync::seen::Seen;
use crate::thread::Tid;

/// One synchronization object.
///
/// `repr(C)`: what a lock or unlock, an acquire or a release of a short
/// clock uses comes first, in the first cache line of its [`Entry`].
#[repr(C)]
#[derive(Default, Debug)]
pub struct SyncVar {
    /// The thread holding the object as a lock for writing, if any: tells
    /// a write unlock from a read unlock.
    pub writer: Option<Tid>,
    /// What releases on this object have published.
    pub clock: SyncClock,
    /// What read-unlocks of a reader-writer lock have published (a writer
    /// acquires both clocks; a reader only `clock`).
    pub read_clock: VectorClock,
}

/// An arena slot: two cache lines, the first holding everything that an
/// operation on an object with a short clock touches (its address, version,
/// lock, writer and clock), so that threads taking turns at an object pass
/// one line between them, not three (the entry's two and a clock on the
/// heap).
#[repr(C, align(64))]
#[derive(Default)]
struct Entry {
    /// The object's address; 0 while the slot is free.
    addr: AtomicUsize,
    /// Raised under the write lock before anything in `state` changes;
    /// never reset (see `sync::seen`).
    version: AtomicU64,
    state: SpinRwLock<SyncVar>,
    /// Next entry of the same word (index, 0 = none).
    next: AtomicU32,
}

/// The offset of the end of what [`Entry`] keeps in its first line: the
/// lock's value starts 8 bytes into the lock (after the lock word, aligned).
const ENTRY_HOT_END: usize = core::mem::offset_of!(Entry, state)
    + 8
    + core::mem::offset_of!(SyncVar, clock)
    + SyncClock::HOT_BYTES;
const _: () = assert!(ENTRY_HOT_END <= 64);
const _: () = assert!(core::mem::size_of::<Entry>() == 128);

impl Entry {
    /// Locks for writing, raising the version first. The release fence
    /// makes the new version visible before any store made under the lock
    /// (such as the program's own store of a flag): a thread whose acquire
    /// load reads that store then reads the new version too, and does not
    /// skip the clock that comes with it.
    #[inline]
    fn write(&self) -> crate::platform::lock::SpinWriteGuard<'_, SyncVar> {
        let guard = self.state.write();
        self.version
            .store(self.version.load(Relaxed).wrapping_add(1), Relaxed);
        core::sync::atomic::fence(Release);
        guard
    }
}

const CHUNK_BITS: u32 = 8;
const CHUNK: usize = 1 << CHUNK_BITS;
const MAX_CHUNKS: usize = 1 << 16;
const STRIPES: usize = 64;
/// Objects are indexed by 64 KiB block for removing large ranges.
const BLOCK_SHIFT: u32 = 16;

/// Entries never move: chunks are allocated once and kept.
struct Arena {
    chunks: Box<[AtomicPtr<Entry>]>,
    alloc: Mutex<Alloc>,
}

struct Alloc {
    /// Next never-used index (indices start at 1).
    next: u32,
    free: Vec<u32>,
}

impl Arena {
    fn new() -> Arena {
        let chunks = Box::<[AtomicPtr<Entry>]>::new_zeroed_slice(MAX_CHUNKS);
        // SAFETY: a null pointer is a valid `AtomicPtr` (all-zero bytes).
        let chunks = unsafe { chunks.assume_init() };
        Arena {
            chunks,
            alloc: Mutex::new(Alloc {
                next: 1,
                free: Vec::new(),
            }),
        }
    }

    /// The entry with index `index` (handed out by `alloc`, so its chunk exists).
    fn get(&self, index: u32) -> &Entry {
        let i = index as usize - 1;
        let chunk = self.chunks[i >> CHUNK_BITS].load(Acquire);
        assert!(!chunk.is_null(), "sync index {index} was never allocated");
        // SAFETY: the chunk holds CHUNK entries, was leaked (never freed),
        // and is fully initialized before its pointer is published (Release
        // in `alloc`, Acquire above).
        unsafe { &*chunk.add(i & (CHUNK - 1)) }
    }

    /// A free entry, claimed for `addr`.
    fn alloc(&self, addr: usize) -> u32 {
        let mut a = self.alloc.lock();
        let index = match a.free.pop() {
            Some(i) => i,
            None => {
                let i = a.next;
                let chunk = (i as usize - 1) >> CHUNK_BITS;
                if chunk >= MAX_CHUNKS {
                    crate::die!("more than {} synchronization objects", MAX_CHUNKS * CHUNK);
                }
                if self.chunks[chunk].load(Relaxed).is_null() {
                    let entries: Box<[Entry]> = (0..CHUNK).map(|_| Entry::default()).collect();
                    self.chunks[chunk].store(Box::leak(entries).as_mut_ptr(), Release);
                }
                a.next += 1;
                i
            }
        };
        self.get(index).addr.store(addr, Release);
        index
    }

    fn release(&self, index: u32) {
        self.alloc.lock().free.push(index);
    }
}

/// The table.
pub struct SyncTable {
    shadow: Shadow,
    arena: Arena,
    /// Serializes changes to one word's chain.
    stripes: Box<[CachePadded<Mutex<()>>]>,
    /// Objects at addresses that are not application memory.
    outside: Mutex<BTreeMap<usize, SyncVar>>,
    /// The 64 KiB blocks of application memory that ever held an object:
    /// removing a large range visits only those.
    blocks: Mutex<std::collections::BTreeSet<usize>>,
    /// The same, as a lock-free filter: bit `hash(block)` is set (and never
    /// cleared) before a block's first object is linked. A free of a block
    /// whose bit is clear has no object to remove, without looking at its
    /// meta cells (frees are frequent; most blocks never hold one).
    ever: Box<[AtomicU64]>,
    live: AtomicUsize,
}

/// Bits of [`SyncTable::ever`].
const EVER_BITS: usize = 1 << 16;

/// The filter bit of 64 KiB block `block`: its word and mask.
#[inline]
fn ever_bit(block: usize) -> (usize, u64) {
    let h = block.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (usize::BITS - 16);
    (h / 64, 1 << (h % 64))
}

impl SyncTable {
    /// An empty table over the meta plane of `shadow`.
    pub fn new(shadow: Shadow) -> SyncTable {
        SyncTable {
            shadow,
            arena: Arena::new(),
            stripes: (0..STRIPES)
                .map(|_| CachePadded::new(Mutex::new(())))
                .collect(),
            outside: Mutex::new(BTreeMap::new()),
            blocks: Mutex::new(std::collections::BTreeSet::new()),
            ever: (0..EVER_BITS / 64).map(|_| AtomicU64::new(0)).collect(),
            live: AtomicUsize::new(0),
        }
    }

    fn stripe(&self, addr: usize) -> &Mutex<()> {
        &self.stripes[((addr >> 3).wrapping_mul(0x9e37_79b9)) % STRIPES]
    }

    /// The object at `addr`, walking its word's chain: its index and its entry
    /// (both, so that callers need not look the entry up again).
    fn find(&self, word: WordShadow, addr: usize) -> Option<(u32, &Entry)> {
        let mut i = word.meta().load(Acquire);
        while i != 0 {
            let e = self.arena.get(i);
            if e.addr.load(Acquire) == addr {
                return Some((i, e));
            }
            i = e.next.load(Acquire);
        }
        None
    }

    fn insert(&self, word: WordShadow, addr: usize) -> u32 {
        let _g = self.stripe(addr).lock();
        if let Some((i, _)) = self.find(word, addr) {
            return i;
        }
        self.blocks.lock().insert(addr >> BLOCK_SHIFT);
        let (w, bit) = ever_bit(addr >> BLOCK_SHIFT);
        self.ever[w].fetch_or(bit, Relaxed);
        let i = self.arena.alloc(addr);
        self.arena
            .get(i)
            .next
            .store(word.meta().load(Relaxed), Relaxed);
        word.meta().store(i, Release);
        self.live.fetch_add(1, Relaxed);
        i
    }

    /// Runs `f` on the object at `addr`, creating it if needed.
    pub fn with<R>(&self, addr: usize, f: impl FnOnce(&mut SyncVar) -> R) -> R {
        let Some(word) = self.shadow.word(addr) else {
            return f(self.outside.lock().entry(addr).or_default());
        };
        let mut f = Some(f);
        loop {
            let e = match self.find(word, addr) {
                Some((_, e)) => e,
                None => self.arena.get(self.insert(word, addr)),
            };
            let mut state = e.write();
            // Recycled between finding and locking it: look again.
            if e.addr.load(Relaxed) == addr {
                return (f.take().expect("called once"))(&mut state);
            }
        }
    }

    /// Runs `f` on the object at `addr` if it exists (exclusively).
    pub fn with_existing<R>(&self, addr: usize, f: impl FnOnce(&mut SyncVar) -> R) -> Option<R> {
        let Some(word) = self.shadow.word(addr) else {
            return self.outside.lock().get_mut(&addr).map(f);
        };
        if self.live.load(Relaxed) == 0 {
            return None;
        }
        let (_, e) = self.find(word, addr)?;
        let mut state = e.write();
        (e.addr.load(Relaxed) == addr).then(|| f(&mut state))
    }

    /// Runs `f` on the object at `addr` if it exists (shared with other
    /// readers: for acquiring).
    pub fn read_existing<R>(&self, addr: usize, f: impl FnOnce(&SyncVar) -> R) -> Option<R> {
        let Some(word) = self.shadow.word(addr) else {
            return self.outside.lock().get(&addr).map(f);
        };
        if self.live.load(Relaxed) == 0 {
            return None;
        }
        let (_, e) = self.find(word, addr)?;
        let state = e.state.read();
        (e.addr.load(Relaxed) == addr).then(|| f(&state))
    }

    /// Runs `f` (an acquire) on the object at `addr` if it exists and its
    /// clock changed since `seen` last recorded it; records it then. An
    /// object whose clock `thr` has joined as it is now is skipped without
    /// taking its lock (see `sync::seen`).
    pub fn acquire_existing(&self, addr: usize, seen: &mut Seen, f: impl FnOnce(&SyncVar)) {
        let Some(word) = self.shadow.word(addr) else {
            if let Some(s) = self.outside.lock().get(&addr) {
                f(s);
            }
            return;
        };
        if self.live.load(Relaxed) == 0 {
            return;
        }
        let Some((i, e)) = self.find(word, addr) else {
            return;
        };
        // Acquire: after the program's load of the value (an acquire load),
        // the version a writer raised before storing it.
        if seen.has(i, e.version.load(Acquire)) {
            return;
        }
        let state = e.state.read();
        if e.addr.load(Relaxed) == addr {
            // Stable while the read lock is held: the version of what `f` sees.
            let version = e.version.load(Relaxed);
            f(&state);
            seen.record(i, version);
        }
    }

    /// Forgets the object at `addr` (a destroyed lock, a joined thread).
    pub fn remove(&self, addr: usize) {
        self.remove_range(addr, 1);
    }

    /// Removes every object in `[start, start + len)` (its memory was freed).
    pub fn remove_range(&self, start: usize, len: usize) {
        let end = start.saturating_add(len);
        if len == 0 {
            return;
        }
        if self.shadow.word(start).is_none() || self.shadow.word(end - 1).is_none() {
            let mut outside = self.outside.lock();
            let doomed: Vec<usize> = outside.range(start..end).map(|(&a, _)| a).collect();
            for a in doomed {
                outside.remove(&a);
            }
        }
        if self.live.load(Relaxed) == 0 {
            return;
        }
        let (first, last) = (start >> BLOCK_SHIFT, (end - 1) >> BLOCK_SHIFT);
        if last - first < 16 {
            for b in first..=last {
                let (w, bit) = ever_bit(b);
                if self.ever[w].load(Relaxed) & bit != 0 {
                    let (bs, be) = (b << BLOCK_SHIFT, (b + 1) << BLOCK_SHIFT);
                    self.remove_words(bs.max(start), be.min(end), start, end);
                }
            }
            return;
        }
        // A large range: only the blocks that ever held an object.
        let blocks: Vec<usize> = self.blocks.lock().range(first..=last).copied().collect();
        for b in blocks {
            let (bs, be) = (b << BLOCK_SHIFT, (b + 1) << BLOCK_SHIFT);
            self.remove_words(bs.max(start), be.min(end), start, end);
        }
    }

    /// Removes the objects in `[start, end)` held by the words of `[from, to)`.
    fn remove_words(&self, from: usize, to: usize, start: usize, end: usize) {
        let mut a = from & !7;
        while a < to {
            if let Some(word) = self.shadow.word(a) {
                if word.meta().load(Relaxed) != 0 {
                    self.unlink(word, a, start, end);
                }
            }
            a += 8;
        }
    }

    /// Removes the objects of the word at `word_addr` whose address is in
    /// `[start, end)`.
    fn unlink(&self, word: WordShadow, word_addr: usize, start: usize, end: usize) {
        let _g = self.stripe(word_addr).lock();
        let mut kept = Vec::new();
        let mut i = word.meta().load(Relaxed);
        while i != 0 {
            let e = self.arena.get(i);
            let next = e.next.load(Relaxed);
            let a = e.addr.load(Relaxed);
            if start <= a && a < end {
                let mut state = e.write();
                *state = SyncVar::default();
                e.addr.store(0, Release);
                drop(state);
                self.arena.release(i);
                self.live.fetch_sub(1, Relaxed);
            } else {
                kept.push(i);
            }
            i = next;
        }
        let mut head = 0;
        for &k in kept.iter().rev() {
            self.arena.get(k).next.store(head, Relaxed);
            head = k;
        }
        word.meta().store(head, Release);
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.live.load(Relaxed) + self.outside.lock().len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Holds every lock of the table across `fork`, in a fixed order (a
    /// thread holds at most one object lock at a time, so this cannot
    /// deadlock; entries are not allocated while the arena lock is held).
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        for s in self.stripes.iter() {
            hold.hold(s.lock());
        }
        hold.hold(self.blocks.lock());
        hold.hold(self.outside.lock());
        let alloc = self.arena.alloc.lock();
        let next = alloc.next;
        hold.hold(alloc);
        for i in 1..next {
            hold.hold(self.arena.get(i).state.write());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Epoch, Slot};

    #[test]
    fn an_entry_keeps_what_operations_touch_in_its_first_line() {
        let e = Entry::default();
        let base = &e as *const Entry as usize;
        assert_eq!(base % 64, 0);
        let guard = e.state.write();
        let value = &*guard as *const SyncVar as usize;
        assert_eq!(value - base, core::mem::offset_of!(Entry, state) + 8);
        let clock = &guard.clock as *const SyncClock as usize;
        assert_eq!(clock + SyncClock::HOT_BYTES - base, ENTRY_HOT_END);
        let writer = &guard.writer as *const Option<Tid> as usize;
        assert!(writer + core::mem::size_of::<Option<Tid>>() <= base + 64);
        assert!(&e.version as *const AtomicU64 as usize + 8 <= base + 64);
    }

    fn table() -> SyncTable {
        SyncTable::new(Shadow::init().expect("shadow"))
    }

    #[test]
    fn an_acquire_is_skipped_only_while_the_clock_is_unchanged() {
        let t = table();
        let mem = vec![0u64; 64];
        let (a, b) = (mem.as_ptr() as usize, mem.as_ptr() as usize + 64);
        let mut seen = Seen::new();
        let acquired = |seen: &mut Seen, addr: usize| {
            let mut got = None;
            t.acquire_existing(addr, seen, |s| got = Some(s.clock.get(Slot::new(1))));
            got
        };
        assert_eq!(acquired(&mut seen, a), None, "no object yet");
        t.with(a, |s| s.clock.set(Slot::new(1), Epoch::new(3)));
        assert_eq!(acquired(&mut seen, a), Some(Epoch::new(3)));
        assert_eq!(acquired(&mut seen, a), None, "unchanged: skipped");
        t.with(a, |s| s.clock.set(Slot::new(1), Epoch::new(4)));
        assert_eq!(acquired(&mut seen, a), Some(Epoch::new(4)), "changed");
        // The entry goes to another object: its clock is not taken as seen.
        t.remove(a);
        t.with(b, |s| s.clock.set(Slot::new(1), Epoch::new(9)));
        assert_eq!(acquired(&mut seen, b), Some(Epoch::new(9)));
        assert_eq!(acquired(&mut seen, b), None);
    }

    #[test]
    fn objects_are_created_found_and_freed_by_range() {
        let t = table();
        let mem = vec![0u64; 1024];
        let base = mem.as_ptr() as usize;
        assert!(t.with_existing(base, |_| ()).is_none());
        t.with(base, |v| v.clock.set(Slot::new(1), Epoch::new(3)));
        t.with(base + 8, |_| ());
        t.with(base + 4096, |_| ());
        assert_eq!(
            t.read_existing(base, |v| v.clock.get(Slot::new(1))),
            Some(Epoch::new(3))
        );
        assert_eq!(t.len(), 3);
        t.remove_range(base + 4, 8);
        assert_eq!(t.len(), 2);
        assert!(t.read_existing(base + 8, |_| ()).is_none());
        assert!(t.read_existing(base, |_| ()).is_some());
        t.remove_range(base, 8192);
        assert!(t.is_empty());
    }

    #[test]
    fn two_objects_in_one_word_are_distinct() {
        let t = table();
        let mem = vec![0u64; 4];
        let base = mem.as_ptr() as usize;
        t.with(base, |v| v.clock.set(Slot::new(0), Epoch::new(1)));
        t.with(base + 4, |v| v.clock.set(Slot::new(0), Epoch::new(2)));
        assert_eq!(
            t.read_existing(base, |v| v.clock.get(Slot::new(0))),
            Some(Epoch::new(1))
        );
        assert_eq!(
            t.read_existing(base + 4, |v| v.clock.get(Slot::new(0))),
            Some(Epoch::new(2))
        );
        t.remove(base + 4);
        assert!(t.read_existing(base + 4, |_| ()).is_none());
        assert_eq!(
            t.read_existing(base, |v| v.clock.get(Slot::new(0))),
            Some(Epoch::new(1))
        );
        // A freed entry is reused for a new object.
        t.with(base + 16, |_| ());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn addresses_outside_application_memory_work_too() {
        let t = table();
        t.with(1, |v| v.clock.set(Slot::new(2), Epoch::new(5)));
        assert_eq!(
            t.read_existing(1, |v| v.clock.get(Slot::new(2))),
            Some(Epoch::new(5))
        );
        t.remove(1);
        assert!(t.read_existing(1, |_| ()).is_none());
    }
}
