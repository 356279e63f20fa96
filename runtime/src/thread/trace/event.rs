//! Encoding of history events into 64-bit words.
//!
//! Most events are one word. A memory access is one word when its pc is
//! within ±512 bytes of the previous access's pc (almost always:
//! consecutive accesses of one function), its size is 1, 2, 4 or 8, and its
//! address fits in 48 bits; otherwise it takes three words.
//!
//! Bit 0 of an event's first word is the parity of the lap around the ring
//! in which it was written: a reader stops at the first word whose parity
//! is not the part's, so parts never need to be cleared before reuse (an
//! unwritten word, zero, fails too: either its parity is wrong or it has no
//! valid tag).
//!
//! An access an interceptor makes for its caller (a lock reading its own
//! word, `memcpy` its buffers) is one three-word event that also carries
//! the caller's pc, the interceptor's frame: it stands for entering the
//! interceptor, the access and leaving it, and leaves the pc that the next
//! compact access is relative to alone (the caller's next access is near
//! the caller's previous one, not near the interceptor).
//!
//! ```text
//! compact access  | addr:48 | pc delta:10 | size log2:2 | atomic:1 | read:1 | 1 | parity |
//! other events    | payload:56            | flags:3 | tag:3 | 0 | parity |
//! called access   | addr:56, flags, tag | caller pc | size:16 | pc:48 |
//! ```

use crate::shadow::cell::AccessKind;

/// Tags of the non-compact events.
const TAG_FUNC_ENTRY: u64 = 1;
const TAG_FUNC_EXIT: u64 = 2;
const TAG_EPOCH: u64 = 3;
const TAG_ATTACH: u64 = 4;
const TAG_ACCESS_EXT: u64 = 5;
const TAG_CALLED_ACCESS: u64 = 6;

const PARITY: u64 = 1;
const COMPACT: u64 = 1 << 1;
const TAG_SHIFT: u32 = 2;
const EXT_READ: u64 = 1 << 5;
const EXT_ATOMIC: u64 = 1 << 6;
const EXT_FREE: u64 = 1 << 7;

const DELTA_BITS: u32 = 10;
const DELTA_MIN: i64 = -(1 << (DELTA_BITS - 1));
const DELTA_MAX: i64 = (1 << (DELTA_BITS - 1)) - 1;
const ADDR_BITS: u32 = 48;
/// Bits of the pc, and of the size, in a called access's third word.
const CALLED_PC_BITS: u32 = 48;
const CALLED_SIZE_LIMIT: u64 = 1 << (64 - CALLED_PC_BITS);

/// One history event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A function was entered from call site `pc` (pushed on the shadow stack).
    FuncEntry {
        /// The call site (a return address).
        pc: u64,
    },
    /// The innermost function returned.
    FuncExit,
    /// The thread moved to a new epoch; following accesses carry it.
    Epoch(u64),
    /// A new thread took over the slot: its stack starts empty.
    Attach {
        /// The thread's id.
        tid: u64,
    },
    /// A memory access (or a free, recorded as an access of the freed bytes).
    Access {
        /// First byte.
        addr: u64,
        /// Number of bytes.
        size: u64,
        /// Read/write, atomic, free.
        kind: AccessKind,
        /// Program counter of the access.
        pc: u64,
    },
    /// An access made by an interceptor called from `caller_pc`: the
    /// interceptor's frame (`caller_pc`) is on the stack for the access only.
    CalledAccess {
        /// The call site of the interceptor (a return address).
        caller_pc: u64,
        /// First byte.
        addr: u64,
        /// Number of bytes.
        size: u64,
        /// Read/write, atomic.
        kind: AccessKind,
        /// The interceptor's own pc.
        pc: u64,
    },
}

/// The words of one encoded event: up to three.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The words; only `len` of them are meaningful.
    pub words: [u64; 3],
    /// Number of words.
    pub len: usize,
}

/// The one-word encoding of an access, when it has one: its pc within
/// ±512 bytes of `prev_pc`, a size of 1, 2, 4 or 8, an address below 2^48,
/// and not a free. Branch-light: the hot path of history recording.
#[inline(always)]
pub fn compact_access(
    addr: u64,
    size: u64,
    kind: AccessKind,
    pc: u64,
    prev_pc: u64,
) -> Option<u64> {
    let delta = pc.wrapping_sub(prev_pc);
    // -512 <= delta <= 511, as one unsigned compare.
    let near = delta.wrapping_add(-DELTA_MIN as u64) <= (DELTA_MAX - DELTA_MIN) as u64;
    let pow2 = size.wrapping_sub(1) < 8 && size & size.wrapping_sub(1) == 0;
    if !(near && pow2 && addr >> ADDR_BITS == 0 && !kind.is_free()) {
        return None;
    }
    // READ (bit 8) and ATOMIC (bit 9) of the kind land on bits 2 and 3.
    const _: () = assert!(
        crate::shadow::cell::READ >> 6 == 1 << 2 && crate::shadow::cell::ATOMIC >> 6 == 1 << 3
    );
    let flags = (kind.bits() >> 6) & 0b1100;
    Some(
        COMPACT
            | flags
            | (size.trailing_zeros() as u64) << 4
            | (delta & ((1 << DELTA_BITS) - 1)) << 6
            | addr << 16,
    )
}

/// Encodes an access given the pc of the previous access in the same part.
/// Split from [`encode`] because it is the hot one.
#[inline(always)]
pub fn encode_access(addr: u64, size: u64, kind: AccessKind, pc: u64, prev_pc: u64) -> Encoded {
    if let Some(word) = compact_access(addr, size, kind, pc, prev_pc) {
        return Encoded {
            words: [word, 0, 0],
            len: 1,
        };
    }
    Encoded {
        words: [ext_access_word(addr, kind), pc, size],
        len: 3,
    }
}

/// The first word of the three-word encoding of an access (the second is
/// its pc, the third its size).
#[inline(always)]
pub const fn ext_access_word(addr: u64, kind: AccessKind) -> u64 {
    // READ (bit 8), ATOMIC (bit 9) and FREED (bit 10) of the kind land on
    // EXT_READ, EXT_ATOMIC and EXT_FREE (bits 5, 6, 7).
    const _: () = assert!(
        crate::shadow::cell::READ >> 3 == EXT_READ
            && crate::shadow::cell::ATOMIC >> 3 == EXT_ATOMIC
            && crate::shadow::cell::FREED >> 3 == EXT_FREE
    );
    let flags = (kind.bits() >> 3) & (EXT_READ | EXT_ATOMIC | EXT_FREE);
    TAG_ACCESS_EXT << TAG_SHIFT | flags | addr << 8
}

/// The encoding of [`Event::CalledAccess`], when it has one: a size below
/// 2^16, a pc below 2^48 and an address below 2^56 (else the writer records
/// the interceptor's entry, the access and the exit as three events).
#[inline(always)]
pub fn called_access(
    caller_pc: u64,
    addr: u64,
    size: u64,
    kind: AccessKind,
    pc: u64,
) -> Option<[u64; 3]> {
    if size >= CALLED_SIZE_LIMIT || pc >> CALLED_PC_BITS != 0 || addr >> 56 != 0 {
        return None;
    }
    let first = ext_access_word(addr, kind) ^ (TAG_ACCESS_EXT ^ TAG_CALLED_ACCESS) << TAG_SHIFT;
    Some([first, caller_pc, pc | size << CALLED_PC_BITS])
}

/// The one-word encoding of an event that has no pc delta: function entry
/// and exit, epoch change, attach ([`encode`] of those, as a constant
/// expression for the hot paths).
#[inline(always)]
pub const fn simple_word(tag: SimpleTag, payload: u64) -> u64 {
    (tag as u64) << TAG_SHIFT | payload << 8
}

/// The events [`simple_word`] encodes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum SimpleTag {
    /// [`Event::FuncEntry`], payload the pc.
    FuncEntry = TAG_FUNC_ENTRY,
    /// [`Event::FuncExit`], payload 0.
    FuncExit = TAG_FUNC_EXIT,
    /// [`Event::Epoch`], payload the epoch.
    Epoch = TAG_EPOCH,
}

/// Encodes any event.
pub fn encode(event: Event, prev_pc: u64) -> Encoded {
    let one = |tag: u64, payload: u64| Encoded {
        words: [tag << TAG_SHIFT | payload << 8, 0, 0],
        len: 1,
    };
    match event {
        Event::FuncEntry { pc } => one(TAG_FUNC_ENTRY, pc),
        Event::FuncExit => one(TAG_FUNC_EXIT, 0),
        Event::Epoch(e) => one(TAG_EPOCH, e),
        Event::Attach { tid } => one(TAG_ATTACH, tid),
        Event::Access {
            addr,
            size,
            kind,
            pc,
        } => encode_access(addr, size, kind, pc, prev_pc),
        // Without an encoding of its own (which the writer checks for
        // first), the access alone.
        Event::CalledAccess {
            caller_pc,
            addr,
            size,
            kind,
            pc,
        } => match called_access(caller_pc, addr, size, kind, pc) {
            Some(words) => Encoded { words, len: 3 },
            None => encode_access(addr, size, kind, pc, prev_pc),
        },
    }
}

/// Marks an encoded event as written in a lap of parity `parity` (0 or 1).
#[inline(always)]
pub fn with_parity(word: u64, parity: u64) -> u64 {
    word | parity
}

/// Decodes the event starting at `words[0]`, written in a lap of parity
/// `parity`; returns it and the number of words it used, or `None` at the
/// end of the recorded events (a word of another lap, a zero word, a
/// truncated multi-word event, or an unknown tag).
pub fn decode(words: &[u64], prev_pc: u64, parity: u64) -> Option<(Event, usize)> {
    let w = *words.first()?;
    if w & PARITY != parity {
        return None;
    }
    if w & COMPACT != 0 {
        let delta_raw = (w >> 6) & ((1 << DELTA_BITS) - 1);
        let delta = ((delta_raw << (64 - DELTA_BITS)) as i64) >> (64 - DELTA_BITS);
        let kind = AccessKind::new(w & (1 << 2) != 0, w & (1 << 3) != 0);
        let event = Event::Access {
            addr: w >> 16,
            size: 1 << ((w >> 4) & 3),
            kind,
            pc: prev_pc.wrapping_add(delta as u64),
        };
        return Some((event, 1));
    }
    let payload = w >> 8;
    let event = match (w >> TAG_SHIFT) & 7 {
        TAG_FUNC_ENTRY => Event::FuncEntry { pc: payload },
        TAG_FUNC_EXIT => Event::FuncExit,
        TAG_EPOCH => Event::Epoch(payload),
        TAG_ATTACH => Event::Attach { tid: payload },
        TAG_ACCESS_EXT => {
            let (pc, size) = (*words.get(1)?, *words.get(2)?);
            return Some((
                Event::Access {
                    addr: payload,
                    size,
                    kind: ext_kind(w),
                    pc,
                },
                3,
            ));
        }
        TAG_CALLED_ACCESS => {
            let (caller_pc, last) = (*words.get(1)?, *words.get(2)?);
            return Some((
                Event::CalledAccess {
                    caller_pc,
                    addr: payload,
                    size: last >> CALLED_PC_BITS,
                    kind: ext_kind(w),
                    pc: last & ((1 << CALLED_PC_BITS) - 1),
                },
                3,
            ));
        }
        _ => return None,
    };
    Some((event, 1))
}

/// The kind of a three-word access from the flags of its first word.
fn ext_kind(w: u64) -> AccessKind {
    if w & EXT_FREE != 0 {
        AccessKind::FREE
    } else {
        AccessKind::new(w & EXT_READ != 0, w & EXT_ATOMIC != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(event: Event, prev_pc: u64) -> (Event, usize) {
        let enc = encode(event, prev_pc);
        assert_ne!(enc.words[0], 0, "an event is never the zero word");
        for parity in [0, 1] {
            let mut words = enc.words;
            words[0] = with_parity(words[0], parity);
            let got = decode(&words[..enc.len], prev_pc, parity).expect("decodes");
            assert!(
                decode(&words[..enc.len], prev_pc, parity ^ 1).is_none(),
                "another lap's event ends the part"
            );
            if parity == 1 {
                return got;
            }
        }
        unreachable!()
    }

    #[test]
    fn every_event_round_trips() {
        let kinds = AccessKind::ALL;
        let events = [
            Event::FuncEntry {
                pc: 0x5555_5555_1234,
            },
            Event::FuncExit,
            Event::Epoch(1),
            Event::Epoch((1 << 38) - 1),
            Event::Attach { tid: 123_456 },
        ];
        for e in events {
            assert_eq!(round_trip(e, 0), (e, 1));
        }
        for kind in kinds {
            for (addr, size, pc, prev) in [
                (
                    0x7fff_1234_5678u64,
                    4u64,
                    0x5555_0000_1000u64,
                    0x5555_0000_1010u64,
                ), // compact, delta -16
                (0x7fff_1234_5678, 8, 0x5555_0000_1000, 0x5555_0000_0c01), // compact, delta +1023
                (0xc000_0100_00, 1, 0x40_1000, 0x40_1000 + 1024),          // compact, delta -1024
                (0x7fff_1234_5678, 4, 0x5555_0000_1000, 0),                // ext: far pc
                (0x7fff_1234_5678, 3, 0x5555_0000_1000, 0x5555_0000_1000), // ext: odd size
                (0x7fff_1234_5678, 4096, 0, 0),                            // ext: range, pc 0
            ] {
                let e = Event::Access {
                    addr,
                    size,
                    kind,
                    pc,
                };
                let (d, n) = round_trip(e, prev);
                assert_eq!(d, e);
                let compact = n == 1;
                let expect_compact = !kind.is_free()
                    && size.is_power_of_two()
                    && size <= 8
                    && (-512..=511).contains(&(pc.wrapping_sub(prev) as i64));
                assert_eq!(compact, expect_compact, "{e:?} prev={prev:#x}");
            }
        }
    }

    #[test]
    fn called_accesses_round_trip_or_fall_back_to_the_access() {
        for kind in AccessKind::ALL {
            let e = Event::CalledAccess {
                caller_pc: 0x5555_0000_1234,
                addr: 0x7fff_1234_5679,
                size: 0xffff,
                kind,
                pc: 0x7f00_0000_0041,
            };
            assert_eq!(round_trip(e, 0x10), (e, 3));
        }
        // Too large for the event: recorded as the access alone.
        for (size, pc) in [(1 << 16, 0x41), (1, 1 << 48)] {
            let access = Event::Access {
                addr: 0x1000,
                size,
                kind: AccessKind::READ,
                pc,
            };
            let called = Event::CalledAccess {
                caller_pc: 0x2000,
                addr: 0x1000,
                size,
                kind: AccessKind::READ,
                pc,
            };
            assert_eq!(encode(called, 0), encode(access, 0));
        }
    }

    #[test]
    fn simple_words_are_the_encoding_of_their_events() {
        for pc in [0u64, 1, 0x5555_5555_1234, (1 << 56) - 1] {
            assert_eq!(
                simple_word(SimpleTag::FuncEntry, pc),
                encode(Event::FuncEntry { pc }, 0).words[0]
            );
            assert_eq!(
                simple_word(SimpleTag::Epoch, pc),
                encode(Event::Epoch(pc), 0).words[0]
            );
        }
        assert_eq!(
            simple_word(SimpleTag::FuncExit, 0),
            encode(Event::FuncExit, 0).words[0]
        );
    }

    #[test]
    fn zero_and_truncated_words_end_the_history() {
        for parity in [0, 1] {
            assert_eq!(decode(&[], 0, parity), None);
            assert_eq!(decode(&[0, 5], 0, parity), None);
            let ext = encode(
                Event::Access {
                    addr: 8,
                    size: 3,
                    kind: AccessKind::READ,
                    pc: 1,
                },
                0,
            );
            assert_eq!(ext.len, 3);
            let first = with_parity(ext.words[0], parity);
            assert_eq!(decode(&[first, ext.words[1]], 0, parity), None);
            assert_eq!(
                decode(&[with_parity(0b11100, parity)], 0, parity),
                None,
                "unknown tag"
            );
        }
    }
}
