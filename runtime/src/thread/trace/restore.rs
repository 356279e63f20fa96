//! Rebuilding the stack of an old access from a slot's history.

use super::event::{Event, decode};
use super::ring::{PartCopy, TraceRing};
use crate::shadow::cell::{AccessKind, byte_mask};

/// The access to look for: what a shadow cell says about it.
#[derive(Copy, Clone, Debug)]
pub struct Target {
    /// Epoch of the access.
    pub epoch: u64,
    /// Address of the 8-byte word the cell belongs to.
    pub word: usize,
    /// Bytes of the word the access touched.
    pub mask: u8,
    /// Its kind.
    pub kind: AccessKind,
}

/// What the history says about the access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Thread that made the access.
    pub tid: u64,
    /// Its stack: call sites outermost first, then the access's own pc.
    pub stack: Vec<u64>,
    /// The access as recorded: first byte and size (a range access may be
    /// larger than the cell's bytes).
    pub addr: usize,
    /// Size in bytes.
    pub size: usize,
}

/// Finds the access described by `target` in `ring`'s history.
pub fn restore(ring: &TraceRing, target: &Target) -> Option<Restored> {
    restore_from_parts(&ring.read_parts(), target)
}

/// The search itself, on copied parts (oldest first).
pub fn restore_from_parts(parts: &[PartCopy], target: &Target) -> Option<Restored> {
    for (i, part) in parts.iter().enumerate() {
        if part.start.epoch > target.epoch {
            break;
        }
        // A part that ends before the target epoch begins cannot hold it.
        // Parts with a gap in their sequence numbers were overwritten
        // between copies, so only a direct successor proves that.
        if let Some(next) = parts.get(i + 1) {
            if next.seq == part.seq + 1 && next.start.epoch < target.epoch {
                continue;
            }
        }
        if let Some(found) = replay(part, target) {
            return Some(found);
        }
    }
    None
}

fn replay(part: &PartCopy, target: &Target) -> Option<Restored> {
    let mut stack = part.start.frames.clone();
    let mut epoch = part.start.epoch;
    let mut tid = part.start.owner;
    let mut prev_pc = 0u64;
    let mut at = 0;
    while let Some((event, used)) = decode(&part.words[at..], prev_pc, part.parity) {
        at += used;
        match event {
            Event::FuncEntry { pc } => stack.push(pc),
            Event::FuncExit => {
                stack.pop();
            }
            Event::Epoch(e) => {
                // A slot's epochs only grow (its next owner continues
                // them): past the target epoch, the access is not here.
                if e > target.epoch {
                    return None;
                }
                epoch = e;
            }
            Event::Attach { tid: t } => {
                tid = t;
                stack.clear();
                prev_pc = 0;
            }
            Event::Access {
                addr,
                size,
                kind,
                pc,
            } => {
                prev_pc = pc;
                if epoch == target.epoch
                    && kind == target.kind
                    && touches(addr as usize, size as usize, target)
                {
                    let mut s = stack;
                    s.push(pc);
                    return Some(Restored {
                        tid,
                        stack: s,
                        addr: addr as usize,
                        size: size as usize,
                    });
                }
            }
            // As entering the interceptor, the access, leaving it; the pc
            // the next compact access is relative to stays.
            Event::CalledAccess {
                caller_pc,
                addr,
                size,
                kind,
                pc,
            } => {
                if epoch == target.epoch
                    && kind == target.kind
                    && touches(addr as usize, size as usize, target)
                {
                    let mut s = stack;
                    s.extend([caller_pc, pc]);
                    return Some(Restored {
                        tid,
                        stack: s,
                        addr: addr as usize,
                        size: size as usize,
                    });
                }
            }
        }
    }
    None
}

/// Whether the access `[addr, addr+size)` touched one of the target's bytes.
fn touches(addr: usize, size: usize, target: &Target) -> bool {
    let word_end = target.word + 8;
    let start = addr.max(target.word);
    let end = addr.saturating_add(size).min(word_end);
    start < end && byte_mask(start - target.word, end - start) & target.mask != 0
}

#[cfg(test)]
mod tests {
    use super::super::event::encode;
    use super::super::ring::PartStart;
    use super::*;

    fn part(seq: u64, epoch: u64, frames: &[u64], events: &[Event]) -> PartCopy {
        let mut words = Vec::new();
        let mut prev = 0;
        for &e in events {
            let enc = encode(e, prev);
            words.extend_from_slice(&enc.words[..enc.len]);
            match e {
                Event::Access { pc, .. } => prev = pc,
                Event::Attach { .. } => prev = 0,
                _ => {}
            }
        }
        PartCopy {
            seq,
            parity: 0,
            start: PartStart {
                epoch,
                owner: 7,
                depth: frames.len(),
                frames: frames.to_vec(),
            },
            words,
        }
    }

    fn write(addr: u64, size: u64, pc: u64) -> Event {
        Event::Access {
            addr,
            size,
            kind: AccessKind::WRITE,
            pc,
        }
    }

    #[test]
    fn a_called_access_has_the_interceptor_frame_and_keeps_the_pc_base() {
        let lock_read = Event::CalledAccess {
            caller_pc: 0x0120,
            addr: 0x2000,
            size: 1,
            kind: AccessKind::ATOMIC_READ,
            pc: 0x7f00_0000_0041,
        };
        let parts = [part(
            0,
            1,
            &[0x100],
            &[
                write(0x1000, 8, 0x0110),
                lock_read,
                // Compact, relative to the write's pc, not the interceptor's.
                write(0x1008, 8, 0x0130),
            ],
        )];
        assert_eq!(parts[0].words.len(), 1 + 3 + 1, "both writes compact");
        let find = |word, kind| {
            let t = Target {
                epoch: 1,
                word,
                mask: 0x01,
                kind,
            };
            restore_from_parts(&parts, &t).unwrap()
        };
        let r = find(0x2000, AccessKind::ATOMIC_READ);
        assert_eq!(r.stack, vec![0x100, 0x0120, 0x7f00_0000_0041]);
        let r = find(0x1008, AccessKind::WRITE);
        assert_eq!(r.stack, vec![0x100, 0x0130]);
    }

    #[test]
    fn finds_the_access_with_its_stack() {
        let parts = [part(
            0,
            1,
            &[0x100],
            &[
                Event::FuncEntry { pc: 0x200 },
                write(0x1000, 8, 0x210),
                Event::FuncExit,
                Event::Epoch(2),
                Event::FuncEntry { pc: 0x300 },
                write(0x1004, 4, 0x310),
            ],
        )];
        let t = Target {
            epoch: 2,
            word: 0x1000,
            mask: 0xf0,
            kind: AccessKind::WRITE,
        };
        let r = restore_from_parts(&parts, &t).unwrap();
        assert_eq!(
            r,
            Restored {
                tid: 7,
                stack: vec![0x100, 0x300, 0x310],
                addr: 0x1004,
                size: 4
            }
        );
        let t1 = Target { epoch: 1, ..t };
        assert_eq!(
            restore_from_parts(&parts, &t1).unwrap().stack,
            vec![0x100, 0x200, 0x210]
        );
    }

    #[test]
    fn kind_bytes_and_epoch_must_match() {
        let parts = [part(0, 1, &[], &[write(0x1000, 2, 0x10)])];
        let base = Target {
            epoch: 1,
            word: 0x1000,
            mask: 0b11,
            kind: AccessKind::WRITE,
        };
        assert!(restore_from_parts(&parts, &base).is_some());
        assert!(
            restore_from_parts(
                &parts,
                &Target {
                    kind: AccessKind::READ,
                    ..base
                }
            )
            .is_none()
        );
        assert!(
            restore_from_parts(
                &parts,
                &Target {
                    mask: 0b100,
                    ..base
                }
            )
            .is_none()
        );
        assert!(restore_from_parts(&parts, &Target { epoch: 2, ..base }).is_none());
    }

    #[test]
    fn an_attach_starts_a_new_owner_with_an_empty_stack() {
        let parts = [part(
            0,
            1,
            &[0x1],
            &[
                Event::FuncEntry { pc: 0x2 },
                Event::Attach { tid: 9 },
                Event::Epoch(5),
                Event::FuncEntry { pc: 0x40 },
                write(0x2000, 8, 0x44),
            ],
        )];
        let t = Target {
            epoch: 5,
            word: 0x2000,
            mask: 0xff,
            kind: AccessKind::WRITE,
        };
        let r = restore_from_parts(&parts, &t).unwrap();
        assert_eq!((r.tid, r.stack), (9, vec![0x40, 0x44]));
    }

    #[test]
    fn later_parts_start_from_their_snapshot_and_ranges_match_by_bytes() {
        let parts = [
            part(0, 1, &[], &[write(0x10, 8, 0x1)]),
            part(
                1,
                3,
                &[0xa, 0xb],
                &[Event::FuncExit, write(0x3000, 4096, 0x99)],
            ),
        ];
        let t = Target {
            epoch: 3,
            word: 0x3800,
            mask: 0x01,
            kind: AccessKind::WRITE,
        };
        let r = restore_from_parts(&parts, &t).unwrap();
        assert_eq!(r.stack, vec![0xa, 0x99]);
        assert_eq!((r.addr, r.size), (0x3000, 4096));
    }

    #[test]
    fn a_lost_history_restores_nothing() {
        // The target epoch's part was overwritten: only later parts remain.
        let parts = [part(5, 10, &[], &[write(0x10, 8, 0x1)])];
        let t = Target {
            epoch: 2,
            word: 0x10,
            mask: 0xff,
            kind: AccessKind::WRITE,
        };
        assert!(restore_from_parts(&parts, &t).is_none());
    }
}
