//! The history ring of one slot: the events its threads recorded, kept in
//! fixed-size parts that are overwritten oldest first.
//!
//! A ring belongs to a slot, not to a thread, because shadow cells name
//! slots: to rebuild the stack of an old access, the reporter replays the
//! history of the slot the access's cell names. Successive owners of a slot
//! append to the same ring (an `Attach` event marks each hand-over).
//!
//! Each part starts with a header holding the stack and epoch at the point
//! the part was begun, so a replay can start at any part. The owning thread
//! appends without locks; a reporting thread reads concurrently and detects
//! parts overwritten under it by their sequence number (see
//! [`TraceRing::read_part`]).

use core::sync::atomic::{AtomicU64, Ordering};

use memmap2::MmapMut;

use super::event::{Encoded, Event, compact_access, encode, ext_access_word, with_parity};
use crate::shadow::cell::AccessKind;

/// Events per part (64 KiB of events).
pub const PART_EVENTS: usize = 1 << 13;
/// Innermost frames of the stack saved at the start of a part.
pub const SNAPSHOT_FRAMES: usize = 124;

#[repr(C)]
struct PartHeader {
    /// Sequence number of the part's content plus one; 0 while the part is
    /// empty or being rewritten.
    seq: AtomicU64,
    start_epoch: AtomicU64,
    owner: AtomicU64,
    /// Depth of the stack when the part began (may exceed the saved frames).
    depth: AtomicU64,
    frames: [AtomicU64; SNAPSHOT_FRAMES],
}

#[repr(C)]
struct Part {
    header: PartHeader,
    events: [AtomicU64; PART_EVENTS],
}

/// The state a part starts from: what a replay of it needs to know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartStart {
    /// Epoch of the slot when the part began.
    pub epoch: u64,
    /// Thread that owned the slot when the part began.
    pub owner: u64,
    /// Full depth of the stack then.
    pub depth: usize,
    /// Its innermost frames, outermost first (at most [`SNAPSHOT_FRAMES`]).
    pub frames: Vec<u64>,
}

/// A consistent copy of one part, taken by a reader.
#[derive(Clone, Debug)]
pub struct PartCopy {
    /// Sequence number of the part (0 = oldest ever written).
    pub seq: u64,
    /// Lap parity of its events (see `event`).
    pub parity: u64,
    /// The state at its start.
    pub start: PartStart,
    /// Its events, up to the first zero word.
    pub words: Vec<u64>,
}

/// The history ring of one slot.
pub struct TraceRing {
    map: MmapMut,
    parts: usize,
    /// Where the next owner continues: sequence number of the current part.
    resume_seq: AtomicU64,
    /// ... and index of the next free event in it.
    resume_pos: AtomicU64,
}

impl TraceRing {
    /// A ring of `parts` parts (at least 2), all empty.
    pub fn new(parts: usize) -> std::io::Result<TraceRing> {
        let parts = parts.max(2);
        let map = memmap2::MmapOptions::new()
            .len(parts * core::mem::size_of::<Part>())
            .map_anon()?;
        Ok(TraceRing {
            map,
            parts,
            resume_seq: AtomicU64::new(0),
            resume_pos: AtomicU64::new(0),
        })
    }

    fn part(&self, index: usize) -> &Part {
        assert!(index < self.parts);
        // SAFETY: the mapping holds `parts` `Part`s: it is page-aligned
        // (more than `Part`'s alignment), zero-filled, and a `Part` consists
        // of atomics only, for which all-zero bytes are a valid value. The
        // mapping lives as long as `self`, and all access is through atomics.
        unsafe { &*(self.map.as_ptr() as *const Part).add(index) }
    }

    fn part_for_seq(&self, seq: u64) -> &Part {
        self.part((seq % self.parts as u64) as usize)
    }

    /// The lap parity of part number `seq` (see `event`): laps alternate.
    fn lap_parity(&self, seq: u64) -> u64 {
        (seq / self.parts as u64) & 1
    }

    /// Copies every part that is not being rewritten, oldest first.
    pub fn read_parts(&self) -> Vec<PartCopy> {
        let mut out: Vec<PartCopy> = (0..self.parts).filter_map(|i| self.read_part(i)).collect();
        out.sort_by_key(|p| p.seq);
        out
    }

    /// Copies part `index`, or returns `None` if it is empty or was
    /// rewritten while being copied.
    fn read_part(&self, index: usize) -> Option<PartCopy> {
        let part = self.part(index);
        let seq = part.header.seq.load(Ordering::Acquire);
        if seq == 0 {
            return None;
        }
        let h = &part.header;
        let depth = h.depth.load(Ordering::Relaxed) as usize;
        let saved = depth.min(SNAPSHOT_FRAMES);
        let start = PartStart {
            epoch: h.start_epoch.load(Ordering::Relaxed),
            owner: h.owner.load(Ordering::Relaxed),
            depth,
            frames: h.frames[..saved]
                .iter()
                .map(|f| f.load(Ordering::Relaxed))
                .collect(),
        };
        // The whole part: where this lap's events end is found by decoding
        // (events of the previous lap have the other parity).
        let words: Vec<u64> = part
            .events
            .iter()
            .map(|w| w.load(Ordering::Relaxed))
            .collect();
        // Everything read above must come from the part numbered `seq`: the
        // writer zeroes `seq` before rewriting a part.
        core::sync::atomic::fence(Ordering::Acquire);
        if part.header.seq.load(Ordering::Relaxed) != seq {
            return None;
        }
        Some(PartCopy {
            seq: seq - 1,
            parity: self.lap_parity(seq - 1),
            start,
            words,
        })
    }
}

/// The append end of a ring, held by the thread that owns the slot.
pub struct TraceWriter {
    ring: *const TraceRing,
    /// Next free event word of the current part.
    cursor: *const AtomicU64,
    /// End of the current part's events.
    end: *const AtomicU64,
    /// Sequence number of the current part.
    seq: u64,
    /// pc of the previous access in this part (compact accesses are relative to it).
    prev_pc: u64,
    /// Lap parity of the current part, or-ed into every event.
    parity: u64,
}

// SAFETY: a writer is owned by one thread state, which moves between OS
// threads only the way the program hands a goroutine over (with real
// synchronization); the ring it points into is shared only through atomics.
unsafe impl Send for TraceWriter {}

impl TraceWriter {
    /// A writer attached to nothing: appends are dropped until [`attach`](Self::attach).
    pub const fn detached() -> TraceWriter {
        TraceWriter {
            ring: core::ptr::null(),
            cursor: core::ptr::null(),
            end: core::ptr::null(),
            seq: 0,
            prev_pc: 0,
            parity: 0,
        }
    }

    /// Takes over `ring` for thread `tid`, which starts at `epoch` with an
    /// empty stack. The ring must outlive the writer's attachment (rings are
    /// never freed).
    pub fn attach(&mut self, ring: &'static TraceRing, tid: u64, epoch: u64) {
        self.ring = ring;
        let seq = ring.resume_seq.load(Ordering::Relaxed);
        let pos = ring.resume_pos.load(Ordering::Relaxed) as usize;
        if pos == 0 || pos + 8 >= PART_EVENTS {
            self.begin_part(if pos == 0 { seq } else { seq + 1 }, epoch, tid, &[]);
        } else {
            let part = ring.part_for_seq(seq);
            self.seq = seq;
            self.parity = ring.lap_parity(seq);
            self.cursor = part.events[pos..].as_ptr();
            self.end = part.events.as_ptr_range().end;
            // A replay resets its pc base at `Attach`, as the writer does here.
            self.prev_pc = 0;
            self.push(&encode(Event::Attach { tid }, 0));
            self.push(&encode(Event::Epoch(epoch), 0));
        }
    }

    /// Gives the ring back so the slot's next owner continues after us.
    pub fn detach(&mut self) {
        if let Some(ring) = self.ring() {
            let part = ring.part_for_seq(self.seq);
            let pos = (self.cursor as usize - part.events.as_ptr() as usize) / 8;
            ring.resume_seq.store(self.seq, Ordering::Relaxed);
            ring.resume_pos.store(pos as u64, Ordering::Relaxed);
        }
        *self = TraceWriter::detached();
    }

    fn ring(&self) -> Option<&'static TraceRing> {
        // SAFETY: `ring` is null or was set from a `&'static TraceRing`.
        unsafe { self.ring.as_ref() }
    }

    /// pc of the previous access (for [`super::event::encode_access`]).
    #[inline(always)]
    pub fn prev_pc(&self) -> u64 {
        self.prev_pc
    }

    /// Appends an encoded event. Returns `false` (and appends nothing) when
    /// the current part is full: the caller must call
    /// [`begin_next_part`](Self::begin_next_part) and retry.
    #[inline(always)]
    pub fn try_push(&mut self, e: &Encoded, pc: Option<u64>) -> bool {
        let room = (self.end as usize).wrapping_sub(self.cursor as usize) / 8;
        if room < e.len || self.cursor.is_null() {
            return false;
        }
        // SAFETY: `cursor..end` lies inside the current part's event array
        // (established by `begin_part`/`attach`, advanced only below, and
        // `room` was just checked), so the `len` words are in bounds.
        unsafe {
            // Trailing words first: a concurrent reader that sees the first
            // word sees a complete event.
            let mut i = e.len;
            while i > 1 {
                i -= 1;
                (*self.cursor.add(i)).store(e.words[i], Ordering::Relaxed);
            }
            (*self.cursor).store(with_parity(e.words[0], self.parity), Ordering::Release);
            self.cursor = self.cursor.add(e.len);
        }
        if let Some(pc) = pc {
            self.prev_pc = pc;
        }
        true
    }

    /// Appends a one-word event that carries no pc delta (see
    /// [`super::event::simple_word`]). Returns `false` (and appends nothing)
    /// when the part is full or the writer is detached.
    #[inline(always)]
    pub fn try_push_simple(&mut self, word: u64) -> bool {
        // A detached writer has both pointers null.
        if self.cursor == self.end {
            return false;
        }
        // SAFETY: `cursor` is non-null and before `end`, inside the current
        // part's event array (see `try_push`), so one word is in bounds.
        unsafe {
            (*self.cursor).store(with_parity(word, self.parity), Ordering::Release);
            self.cursor = self.cursor.add(1);
        }
        true
    }

    /// Appends an access in its three-word encoding (any pc, size, kind).
    /// Returns `false` (and appends nothing) when the part has no room for
    /// three words or the writer is detached.
    #[inline(always)]
    pub fn try_push_ext_access(&mut self, addr: u64, size: u64, kind: AccessKind, pc: u64) -> bool {
        if !self.try_push3([ext_access_word(addr, kind), pc, size]) {
            return false;
        }
        self.prev_pc = pc;
        true
    }

    /// Appends a three-word event, leaving the pc base alone. Returns
    /// `false` (and appends nothing) when the part has no room for three
    /// words or the writer is detached.
    #[inline(always)]
    pub fn try_push3(&mut self, words: [u64; 3]) -> bool {
        let room = (self.end as usize).wrapping_sub(self.cursor as usize) / 8;
        if room < 3 || self.cursor.is_null() {
            return false;
        }
        // SAFETY: `cursor..end` lies inside the current part's event array
        // and holds at least three words (checked above). Trailing words
        // first: a reader that sees the first word sees the whole event.
        unsafe {
            (*self.cursor.add(2)).store(words[2], Ordering::Relaxed);
            (*self.cursor.add(1)).store(words[1], Ordering::Relaxed);
            (*self.cursor).store(with_parity(words[0], self.parity), Ordering::Release);
            self.cursor = self.cursor.add(3);
        }
        true
    }

    /// Appends an access in its one-word encoding. Returns `false` (and
    /// appends nothing) when the access has no such encoding, the part is
    /// full or the writer is detached: the caller then takes the general
    /// way ([`try_push`](Self::try_push), [`begin_next_part`](Self::begin_next_part)).
    #[inline(always)]
    pub fn try_push_access(&mut self, addr: u64, size: u64, kind: AccessKind, pc: u64) -> bool {
        let Some(word) = compact_access(addr, size, kind, pc, self.prev_pc) else {
            return false;
        };
        // A detached writer has both pointers null.
        if self.cursor == self.end {
            return false;
        }
        // SAFETY: `cursor` is non-null and before `end`, inside the current
        // part's event array (see `try_push`), so one word is in bounds.
        unsafe {
            (*self.cursor).store(with_parity(word, self.parity), Ordering::Release);
            self.cursor = self.cursor.add(1);
        }
        self.prev_pc = pc;
        true
    }

    fn push(&mut self, e: &Encoded) {
        let ok = self.try_push(e, None);
        debug_assert!(ok);
    }

    /// Whether the writer is attached to a ring.
    pub fn is_attached(&self) -> bool {
        !self.ring.is_null()
    }

    /// Starts the next part, recording the state a replay starts from.
    pub fn begin_next_part(&mut self, epoch: u64, owner: u64, stack: &[u64]) {
        if self.is_attached() {
            self.begin_part(self.seq + 1, epoch, owner, stack);
        }
    }

    fn begin_part(&mut self, seq: u64, epoch: u64, owner: u64, stack: &[u64]) {
        let Some(ring) = self.ring() else { return };
        let part = ring.part_for_seq(seq);
        let h = &part.header;
        h.seq.store(0, Ordering::Relaxed);
        core::sync::atomic::fence(Ordering::Release);
        // No clearing: the new lap's events have the other parity.
        let saved = &stack[stack.len().saturating_sub(SNAPSHOT_FRAMES)..];
        for (slot, &f) in h.frames.iter().zip(saved) {
            slot.store(f, Ordering::Relaxed);
        }
        h.depth.store(stack.len() as u64, Ordering::Relaxed);
        h.start_epoch.store(epoch, Ordering::Relaxed);
        h.owner.store(owner, Ordering::Relaxed);
        h.seq.store(seq + 1, Ordering::Release);
        self.seq = seq;
        self.cursor = part.events.as_ptr();
        self.end = part.events.as_ptr_range().end;
        self.prev_pc = 0;
        self.parity = ring.lap_parity(seq);
    }
}
