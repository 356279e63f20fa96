//! Where `hbsan go` keeps what it prepares, and the keys that tell one
//! preparation from another.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// `$XDG_CACHE_HOME/hbsan/go`, or `~/.cache/hbsan/go`.
pub fn dir() -> Result<PathBuf, String> {
    crate::user_cache::dir("go", "the Go overlay")
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folds one 64-bit word into a running hash: a change in any word
/// changes the result (this tells builds apart; it is no defence against
/// someone crafting collisions).
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(MUL).rotate_left(31)
}

fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        h = mix(h, u64::from_le_bytes(w.try_into().expect("8 bytes")));
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = mix(h, u64::from_le_bytes(tail));
    mix(h, bytes.len() as u64)
}

/// A hash of the contents of the file at `path` (the runtime staticlib:
/// tens of megabytes, read in blocks).
pub fn hash_file(path: &Path) -> io::Result<u64> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut h = SEED;
    loop {
        // Whole blocks, so that the words do not depend on how `read`
        // happens to split the file.
        let mut filled = 0;
        while filled < buf.len() {
            match f.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        h = hash_bytes(h, &buf[..filled]);
        if filled < buf.len() {
            return Ok(h);
        }
    }
}

/// A file-name-safe key (16 hex digits) for the preparation made from
/// `parts`.
pub fn key(parts: &[&[u8]]) -> String {
    let h = parts.iter().fold(SEED, |h, p| hash_bytes(h, p));
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_inputs_apart() {
        assert_eq!(key(&[b"a", b"b"]), key(&[b"a", b"b"]));
        assert_ne!(key(&[b"a", b"b"]), key(&[b"ab"]));
        assert_ne!(key(&[b"a"]), key(&[b"a\0"]));
        assert_eq!(key(&[b"x"]).len(), 16);
    }

    #[test]
    fn file_hash_covers_every_byte() {
        let dir = std::env::temp_dir().join(format!("hbsan-go-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("f");
        let mut data = vec![7u8; (1 << 20) + 13];
        std::fs::write(&p, &data).unwrap();
        let a = hash_file(&p).unwrap();
        *data.last_mut().unwrap() = 8;
        std::fs::write(&p, &data).unwrap();
        let b = hash_file(&p).unwrap();
        assert_ne!(a, b);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
