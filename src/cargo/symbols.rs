//! The functions an rlib defines: the global, defined `STT_FUNC` symbols of
//! the ELF objects inside it (an rlib is an `ar` archive of objects plus
//! `lib.rmeta`). Read directly: binutils' `nm` would try to load the LLVM
//! bitcode std embeds and fail on a newer LLVM than its plugin's.

/// The names of the global functions defined by the ELF64 little-endian
/// objects in the `ar` archive `archive`.
pub fn archive_functions(archive: &[u8]) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for member in ar_members(archive)? {
        if member.starts_with(b"\x7fELF") {
            names.extend(elf_functions(member)?);
        }
    }
    Ok(names)
}

/// The members' contents (the archive's own index and long-name table
/// included: they are not ELF, and the caller skips them).
fn ar_members(archive: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut rest = archive
        .strip_prefix(b"!<arch>\n")
        .ok_or("not an ar archive")?;
    let mut members = Vec::new();
    while rest.len() >= 60 {
        let header = &rest[..60];
        if &header[58..60] != b"`\n" {
            return Err("a corrupt ar member header".into());
        }
        let size: usize = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or("a corrupt ar member size")?;
        let data = rest
            .get(60..60 + size)
            .ok_or("an ar member runs past the end of the archive")?;
        members.push(data);
        // Members start at even offsets.
        let next = (60 + size + 1) & !1;
        rest = rest.get(next..).unwrap_or(&[]);
    }
    Ok(members)
}

/// Reads little-endian integers at offsets, failing cleanly past the end.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn get<const N: usize>(&self, at: usize) -> Result<[u8; N], String> {
        self.0
            .get(at..at.checked_add(N).ok_or("offset overflow")?)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| "an ELF structure runs past the end of the object".to_string())
    }
    fn u16(&self, at: usize) -> Result<u16, String> {
        self.get::<2>(at).map(u16::from_le_bytes)
    }
    fn u32(&self, at: usize) -> Result<u32, String> {
        self.get::<4>(at).map(u32::from_le_bytes)
    }
    fn u64(&self, at: usize) -> Result<usize, String> {
        let v = self.get::<8>(at).map(u64::from_le_bytes)?;
        usize::try_from(v).map_err(|_| "an ELF offset does not fit in memory".to_string())
    }
}

const SHT_SYMTAB: u32 = 2;
const STT_FUNC: u8 = 2;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const SHN_UNDEF: u16 = 0;

/// The global functions an ELF64 little-endian relocatable object defines.
fn elf_functions(object: &[u8]) -> Result<Vec<String>, String> {
    let elf = Bytes(object);
    if object.get(4) != Some(&2) || object.get(5) != Some(&1) {
        return Err("only 64-bit little-endian ELF objects are supported".into());
    }
    let shoff = elf.u64(0x28)?;
    let shentsize = usize::from(elf.u16(0x3a)?);
    let mut shnum = usize::from(elf.u16(0x3c)?);
    if shentsize < 0x40 {
        return Err("an ELF object with short section headers".into());
    }
    if shnum == 0 && shoff != 0 {
        // More sections than fit in 16 bits: the count is section 0's size.
        shnum = elf.u64(shoff + 0x20)?;
    }
    let section = |i: usize| shoff + i * shentsize;
    let mut names = Vec::new();
    for i in 0..shnum {
        let sh = section(i);
        if elf.u32(sh + 4)? != SHT_SYMTAB {
            continue;
        }
        let (offset, size) = (elf.u64(sh + 0x18)?, elf.u64(sh + 0x20)?);
        let entsize = elf.u64(sh + 0x38)?.max(24);
        let strtab = section(elf.u32(sh + 0x28)? as usize);
        let (str_off, str_size) = (elf.u64(strtab + 0x18)?, elf.u64(strtab + 0x20)?);
        let strings = object
            .get(str_off..str_off.saturating_add(str_size))
            .ok_or("a symbol string table runs past the end of the object")?;
        for sym in (offset..offset.saturating_add(size)).step_by(entsize) {
            let info = elf.get::<1>(sym + 4)?[0];
            let shndx = elf.u16(sym + 6)?;
            let bind = info >> 4;
            if info & 0xf != STT_FUNC || !(bind == STB_GLOBAL || bind == STB_WEAK) {
                continue;
            }
            if shndx == SHN_UNDEF {
                continue;
            }
            let name = elf.u32(sym)? as usize;
            let tail = strings.get(name..).unwrap_or(&[]);
            let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
            if let Ok(s) = std::str::from_utf8(&tail[..end]) {
                names.push(s.to_string());
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal relocatable ELF64 object: null section, .symtab, .strtab;
    /// symbols: null, a global function, a local function, an undefined
    /// global, a global object.
    fn object() -> Vec<u8> {
        let strtab = b"\0func\0local\0undef\0data\0".to_vec();
        let mut symtab = vec![0u8; 24];
        let sym = |name: u32, info: u8, shndx: u16| {
            let mut s = Vec::new();
            s.extend(name.to_le_bytes());
            s.push(info);
            s.push(0);
            s.extend(shndx.to_le_bytes());
            s.extend([0u8; 16]);
            s
        };
        symtab.extend(sym(1, (STB_GLOBAL << 4) | STT_FUNC, 1));
        symtab.extend(sym(6, STT_FUNC, 1));
        symtab.extend(sym(12, (STB_GLOBAL << 4) | STT_FUNC, SHN_UNDEF));
        symtab.extend(sym(18, (STB_GLOBAL << 4) | 1, 1));
        let symtab_off = 0x40;
        let strtab_off = symtab_off + symtab.len();
        let shoff = strtab_off + strtab.len();
        let mut elf = vec![0u8; 0x40];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        elf[0x3a..0x3c].copy_from_slice(&0x40u16.to_le_bytes());
        elf[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        elf.extend(&symtab);
        elf.extend(&strtab);
        let header = |ty: u32, off: usize, size: usize, link: u32, entsize: u64| {
            let mut h = vec![0u8; 0x40];
            h[4..8].copy_from_slice(&ty.to_le_bytes());
            h[0x18..0x20].copy_from_slice(&(off as u64).to_le_bytes());
            h[0x20..0x28].copy_from_slice(&(size as u64).to_le_bytes());
            h[0x28..0x2c].copy_from_slice(&link.to_le_bytes());
            h[0x38..0x40].copy_from_slice(&entsize.to_le_bytes());
            h
        };
        elf.extend(vec![0u8; 0x40]);
        elf.extend(header(SHT_SYMTAB, symtab_off, symtab.len(), 2, 24));
        elf.extend(header(3, strtab_off, strtab.len(), 0, 0));
        elf
    }

    fn archive(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut ar = b"!<arch>\n".to_vec();
        for (name, data) in members {
            let header = format!(
                "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                format!("{name}/"),
                0,
                0,
                0,
                644,
                data.len()
            );
            assert_eq!(header.len(), 60);
            ar.extend(header.as_bytes());
            ar.extend(*data);
            if data.len() % 2 == 1 {
                ar.push(b'\n');
            }
        }
        ar
    }

    #[test]
    fn global_defined_functions_only() {
        let obj = object();
        let ar = archive(&[("lib.rmeta", b"odd"), ("std.o", &obj)]);
        assert_eq!(archive_functions(&ar).unwrap(), ["func"]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(archive_functions(b"not an archive").is_err());
        let mut obj = object();
        obj.truncate(0x50);
        let ar = archive(&[("std.o", &obj)]);
        assert!(archive_functions(&ar).is_err());
        let mut bad = b"!<arch>\n".to_vec();
        bad.extend([b' '; 60]);
        assert!(archive_functions(&bad).is_err());
    }
}
