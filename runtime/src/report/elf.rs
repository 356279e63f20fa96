//! Names and sizes of global variables and the start of functions, read
//! from the symbol tables of the loaded ELF files (`Location is global
//! 'counter' of size 4`, Go's `+0x64` offsets into functions).

use std::collections::HashMap;

use crate::platform::lock::{ForkHold, Mutex};

use super::symbolize::{DataSymbol, module_of};

const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STT_TLS: u8 = 6;
const SHT_SYMTAB: u32 = 2;
const SHT_DYNSYM: u32 = 11;
const ET_DYN: u16 = 3;

/// One variable of a module: offsets relative to the module's link address.
#[derive(Clone, Debug)]
struct Variable {
    value: u64,
    size: u64,
    name: String,
}

/// The variables of every module looked at so far, parsed once each.
#[derive(Default)]
pub struct DataSymbols {
    modules: Mutex<HashMap<String, Option<ModuleSymbols>>>,
}

struct ModuleSymbols {
    /// Data objects, sorted by `value`.
    vars: Vec<Variable>,
    /// Functions, sorted by `value`.
    funcs: Vec<Variable>,
    /// Position independent: symbol values are offsets from the load address.
    relocatable: bool,
}

impl DataSymbols {
    /// An empty cache.
    pub fn new() -> DataSymbols {
        DataSymbols::default()
    }

    /// Holds the cache's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.modules.lock());
    }

    /// The global variable holding `addr`, if any module declares one.
    pub fn lookup(&self, addr: usize) -> Option<DataSymbol> {
        self.find(addr, |m| &m.vars)
    }

    /// The function holding code address `pc`.
    pub fn function(&self, pc: usize) -> Option<DataSymbol> {
        self.find(pc, |m| &m.funcs)
    }

    fn find(
        &self,
        addr: usize,
        table: impl Fn(&ModuleSymbols) -> &Vec<Variable>,
    ) -> Option<DataSymbol> {
        let (module, base) = module_of(addr);
        if module.is_empty() {
            return None;
        }
        let mut modules = self.modules.lock();
        let syms = modules
            .entry(module.clone())
            .or_insert_with(|| parse_file(&module));
        let syms = syms.as_ref()?;
        let bias = if syms.relocatable { base as u64 } else { 0 };
        let key = (addr as u64).wrapping_sub(bias);
        let list = table(syms);
        let i = list.partition_point(|v| v.value <= key);
        let v = list[..i]
            .iter()
            .rev()
            .find(|v| key < v.value + v.size.max(1))?;
        Some(DataSymbol {
            name: v.name.clone(),
            start: (v.value + bias) as usize,
            size: v.size as usize,
            module,
            module_offset: (v.value + bias).wrapping_sub(base as u64),
            ..DataSymbol::default()
        })
    }
}

fn parse_file(path: &str) -> Option<ModuleSymbols> {
    let bytes = std::fs::read(path).ok()?;
    parse(&bytes)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Parses a little-endian ELF64 file's `.symtab` (or `.dynsym` when
/// stripped) for data objects and functions. Any malformation yields `None`.
fn parse(b: &[u8]) -> Option<ModuleSymbols> {
    if b.get(0..4)? != b"\x7fELF" || *b.get(4)? != 2 || *b.get(5)? != 1 {
        return None;
    }
    let e_type = u16_at(b, 16)?;
    let shoff = u64_at(b, 40)? as usize;
    let shentsize = u16_at(b, 58)? as usize;
    let shnum = u16_at(b, 60)? as usize;
    let section = |i: usize| -> Option<(u32, usize, usize, u32, usize)> {
        let h = shoff.checked_add(i.checked_mul(shentsize)?)?;
        Some((
            u32_at(b, h + 4)?,           // sh_type
            u64_at(b, h + 24)? as usize, // sh_offset
            u64_at(b, h + 32)? as usize, // sh_size
            u32_at(b, h + 40)?,          // sh_link
            u64_at(b, h + 56)? as usize, // sh_entsize
        ))
    };
    let find = |wanted: u32| (0..shnum).find(|&i| section(i).is_some_and(|s| s.0 == wanted));
    let symtab = find(SHT_SYMTAB).or_else(|| find(SHT_DYNSYM))?;
    let (_, off, size, link, entsize) = section(symtab)?;
    let (_, str_off, str_size, _, _) = section(link as usize)?;
    let strings = b.get(str_off..str_off.checked_add(str_size)?)?;
    let mut vars = Vec::new();
    let mut funcs = Vec::new();
    if entsize < 24 {
        return None;
    }
    for s in (off..off.checked_add(size)?).step_by(entsize) {
        let name_off = u32_at(b, s)? as usize;
        let info = *b.get(s + 4)?;
        let shndx = u16_at(b, s + 6)?;
        let value = u64_at(b, s + 8)?;
        let sym_size = u64_at(b, s + 16)?;
        let ty = info & 0xf;
        if !matches!(ty, STT_OBJECT | STT_TLS | STT_FUNC) || shndx == 0 || value == 0 {
            continue;
        }
        let raw = strings.get(name_off..)?;
        let raw = &raw[..raw.iter().position(|&c| c == 0)?];
        let name = super::symbolize::demangle(raw);
        let v = Variable {
            value,
            size: sym_size,
            name,
        };
        if ty == STT_FUNC {
            funcs.push(v);
        } else {
            vars.push(v);
        }
    }
    vars.sort_by_key(|v| v.value);
    funcs.sort_by_key(|v| v.value);
    Some(ModuleSymbols {
        vars,
        funcs,
        relocatable: e_type == ET_DYN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    static PROBE: [u64; 4] = [1, 2, 3, 4];

    #[test]
    fn finds_a_static_of_this_test_binary() {
        let syms = DataSymbols::new();
        let addr = &PROBE[2] as *const u64 as usize;
        let found = syms
            .lookup(addr)
            .expect("the test binary has a symbol table");
        assert!(found.name.ends_with("PROBE"), "{found:?}");
        assert_eq!(found.size, 32);
        assert_eq!(found.start, PROBE.as_ptr() as usize);
    }

    #[inline(never)]
    fn probe_function() -> usize {
        probe_function as *const () as usize
    }

    #[test]
    fn finds_the_function_holding_a_pc() {
        let syms = DataSymbols::new();
        let start = probe_function();
        let f = syms
            .function(start + 1)
            .expect("the test binary has a symbol table");
        assert_eq!(f.start, start);
        assert!(f.name.ends_with("probe_function"), "{f:?}");
    }

    #[test]
    fn garbage_is_not_an_elf_file() {
        assert!(parse(b"not an elf file at all").is_none());
        assert!(parse(&[0x7f, b'E', b'L', b'F', 2, 1, 0]).is_none());
    }
}
