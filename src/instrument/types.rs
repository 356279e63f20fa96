//! LLVM types: parsing from tokens, and their sizes and alignments under a data layout.
//!
//! Sizes decide which hook an access gets (`__tsan_read4` vs `__tsan_read_range`), and strides
//! of `getelementptr` decide whether a loop's accesses are contiguous; both must follow the
//! module's `target datalayout`, so the few entries that matter are parsed from it.

use std::collections::HashMap;

use super::cursor::{Cursor, MAX_DEPTH, PResult};
use super::lexer::Kind;

/// An LLVM first-class or aggregate type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `void`
    Void,
    /// `iN`
    Int(u32),
    /// `half`, `bfloat`, `float`, `double`, `x86_fp80`, `fp128`, `ppc_fp128` (the keyword).
    Float(&'static str),
    /// Opaque pointer `ptr` / `ptr addrspace(N)`.
    Ptr(u32),
    /// Typed pointer `T*` / `T addrspace(N)*` (LLVM 14 default).
    TypedPtr(Box<Type>, u32),
    /// `<N x T>` / `<vscale x N x T>`.
    Vector {
        /// Whether the length is a multiple of `vscale` (size unknown statically).
        scalable: bool,
        /// Element count.
        len: u64,
        /// Element type.
        elem: Box<Type>,
    },
    /// `[N x T]`.
    Array(u64, Box<Type>),
    /// `{ ... }` or `<{ ... }>`.
    Struct {
        /// Packed (`<{ }>`): no padding, alignment 1.
        packed: bool,
        /// Field types.
        fields: Vec<Type>,
    },
    /// A reference to a named type: `%struct.S`.
    Named(String),
    /// A function type `R (P...)` (seen in typed pointers and `call` instructions).
    Func {
        /// Return type.
        ret: Box<Type>,
        /// Parameter types.
        params: Vec<Type>,
        /// Whether it ends in `...`.
        varargs: bool,
    },
    /// `label`, `metadata`, `token`, `x86_mmx`, `x86_amx`, `opaque`, `target(...)`: no size we use.
    Other(String),
}

/// Keywords of floating-point types.
const FLOATS: [&str; 7] = [
    "half",
    "bfloat",
    "float",
    "double",
    "x86_fp80",
    "fp128",
    "ppc_fp128",
];

impl Type {
    /// Whether this is a pointer (typed or opaque).
    pub fn is_ptr(&self) -> bool {
        matches!(self, Type::Ptr(_) | Type::TypedPtr(..))
    }

    /// The address space of a pointer type (0 for non-pointers).
    pub fn addrspace(&self) -> u32 {
        match self {
            Type::Ptr(a) | Type::TypedPtr(_, a) => *a,
            _ => 0,
        }
    }

    /// Whether this is an aggregate (struct or array).
    pub fn is_aggregate(&self) -> bool {
        matches!(self, Type::Struct { .. } | Type::Array(..) | Type::Named(_))
    }

    /// The integer width, for `iN`.
    pub fn int_bits(&self) -> Option<u32> {
        match self {
            Type::Int(b) => Some(*b),
            _ => None,
        }
    }
}

/// Parses a type at the cursor (including pointer and function-type suffixes).
pub fn parse_type(c: &mut Cursor<'_, '_>) -> PResult<Type> {
    parse_type_depth(c, 0)
}

fn parse_type_depth(c: &mut Cursor<'_, '_>, depth: usize) -> PResult<Type> {
    if depth > MAX_DEPTH {
        return c.err("type nested too deeply");
    }
    let Some(t) = c.peek() else {
        return c.err("expected a type");
    };
    let mut ty = match t.kind {
        Kind::Ident => {
            c.next();
            base_type(c, t.text)?
        }
        Kind::Local => {
            c.next();
            Type::Named(t.text.to_string())
        }
        Kind::Punct if t.text == "[" => {
            c.next();
            let len = c.int()?;
            c.expect_ident("x")?;
            let elem = parse_type_depth(c, depth + 1)?;
            c.expect_punct(']')?;
            Type::Array(u64::try_from(len).unwrap_or(0), Box::new(elem))
        }
        Kind::Punct if t.text == "{" => {
            c.next();
            let fields = parse_fields(c, '}', depth)?;
            Type::Struct {
                packed: false,
                fields,
            }
        }
        Kind::Punct if t.text == "<" => {
            c.next();
            if c.eat_punct('{') {
                let fields = parse_fields(c, '}', depth)?;
                c.expect_punct('>')?;
                Type::Struct {
                    packed: true,
                    fields,
                }
            } else {
                let scalable = c.eat_ident("vscale");
                if scalable {
                    c.expect_ident("x")?;
                }
                let len = c.int()?;
                c.expect_ident("x")?;
                let elem = parse_type_depth(c, depth + 1)?;
                c.expect_punct('>')?;
                Type::Vector {
                    scalable,
                    len: u64::try_from(len).unwrap_or(0),
                    elem: Box::new(elem),
                }
            }
        }
        _ => return c.err("expected a type"),
    };
    // Suffixes: `*`, `addrspace(N)*`, and `(params)` for function types.
    loop {
        if c.eat_punct('*') {
            ty = Type::TypedPtr(Box::new(ty), 0);
        } else if c.peek().is_some_and(|t| t.is_ident("addrspace"))
            && !matches!(ty, Type::Ptr(_))
            && c.peek_at(4).is_some_and(|t| t.is_punct('*'))
        {
            c.next();
            let a = addrspace_number(c)?;
            c.expect_punct('*')?;
            ty = Type::TypedPtr(Box::new(ty), a);
        } else if c.peek().is_some_and(|t| t.is_punct('(')) {
            c.next();
            let mut params = Vec::new();
            let mut varargs = false;
            if !c.eat_punct(')') {
                loop {
                    if c.peek().is_some_and(|t| t.kind == Kind::Ellipsis) {
                        c.next();
                        varargs = true;
                    } else {
                        params.push(parse_type_depth(c, depth + 1)?);
                        skip_param_attrs(c)?;
                    }
                    if c.eat_punct(')') {
                        break;
                    }
                    c.expect_punct(',')?;
                }
            }
            ty = Type::Func {
                ret: Box::new(ty),
                params,
                varargs,
            };
        } else {
            break;
        }
    }
    Ok(ty)
}

/// Parses `addrspace(N)` after the keyword was taken.
fn addrspace_number(c: &mut Cursor<'_, '_>) -> PResult<u32> {
    c.expect_punct('(')?;
    let n = c.int()?;
    c.expect_punct(')')?;
    u32::try_from(n).or_else(|_| c.err("address space out of range"))
}

/// Parameter attributes may follow parameter types inside function types; skip them.
fn skip_param_attrs(c: &mut Cursor<'_, '_>) -> PResult<()> {
    while let Some(t) = c.peek() {
        if t.kind != Kind::Ident {
            break;
        }
        c.next();
        if c.peek().is_some_and(|t| t.is_punct('(')) {
            c.skip_group()?;
        } else if c.peek().is_some_and(|t| t.kind == Kind::Int) {
            c.next();
        }
    }
    Ok(())
}

fn parse_fields(c: &mut Cursor<'_, '_>, close: char, depth: usize) -> PResult<Vec<Type>> {
    let mut fields = Vec::new();
    if c.eat_punct(close) {
        return Ok(fields);
    }
    loop {
        fields.push(parse_type_depth(c, depth + 1)?);
        if c.eat_punct(close) {
            return Ok(fields);
        }
        c.expect_punct(',')?;
    }
}

/// Interprets a keyword that starts a type.
fn base_type(c: &mut Cursor<'_, '_>, word: &str) -> PResult<Type> {
    if let Some(bits) = word.strip_prefix('i')
        && let Ok(b) = bits.parse::<u32>()
    {
        if b == 0 || b > (1 << 23) {
            return c.err("integer width out of range");
        }
        return Ok(Type::Int(b));
    }
    if let Some(f) = FLOATS.iter().find(|f| **f == word) {
        return Ok(Type::Float(f));
    }
    match word {
        "void" => Ok(Type::Void),
        "ptr" => {
            if c.eat_ident("addrspace") {
                Ok(Type::Ptr(addrspace_number(c)?))
            } else {
                Ok(Type::Ptr(0))
            }
        }
        "target" => {
            c.skip_group()?;
            Ok(Type::Other("target".to_string()))
        }
        "label" | "metadata" | "token" | "x86_mmx" | "x86_amx" | "opaque" => {
            Ok(Type::Other(word.to_string()))
        }
        _ => c.err(format!("expected a type, found '{word}'")),
    }
}

/// The parts of `target datalayout` that decide sizes and alignments on the targets we see.
#[derive(Clone, Debug)]
pub struct DataLayout {
    /// ABI alignment (bytes) of integer widths listed in the layout (`iN:abi`).
    int_align: Vec<(u32, u64)>,
    /// ABI alignment of float widths (`fN:abi`).
    float_align: Vec<(u32, u64)>,
    /// Pointer size and alignment per address space (bytes).
    ptr: Vec<(u32, u64, u64)>,
    /// Named struct bodies of the module.
    named: HashMap<String, Type>,
}

impl Default for DataLayout {
    fn default() -> Self {
        // LLVM's defaults (DataLayout.cpp), overridden by the module's string.
        DataLayout {
            int_align: vec![(1, 1), (8, 1), (16, 2), (32, 4), (64, 4)],
            float_align: vec![(16, 2), (32, 4), (64, 8), (128, 16)],
            ptr: vec![(0, 8, 8)],
            named: HashMap::new(),
        }
    }
}

impl DataLayout {
    /// Parses a `target datalayout` string (the text between the quotes).
    pub fn parse(spec: &str) -> DataLayout {
        let mut dl = DataLayout::default();
        for entry in spec.split('-') {
            let mut parts = entry.split(':');
            let head = parts.next().unwrap_or("");
            let nums: Vec<u64> = parts.filter_map(|p| p.parse::<u64>().ok()).collect();
            let bits_of = |s: &str| s.get(1..).and_then(|n| n.parse::<u32>().ok());
            if head.starts_with('i') {
                if let (Some(bits), Some(abi)) = (bits_of(head), nums.first()) {
                    set(&mut dl.int_align, bits, abi / 8);
                }
            } else if head.starts_with('f') {
                if let (Some(bits), Some(abi)) = (bits_of(head), nums.first()) {
                    set(&mut dl.float_align, bits, abi / 8);
                }
            } else if head.starts_with('p') {
                let asp = if head.len() == 1 {
                    Some(0)
                } else {
                    bits_of(head)
                };
                if let (Some(asp), Some(size), Some(abi)) = (asp, nums.first(), nums.get(1)) {
                    dl.ptr.retain(|p| p.0 != asp);
                    dl.ptr.push((asp, size / 8, abi / 8));
                }
            }
        }
        dl
    }

    /// Registers the body of a named type (`%T = type {...}`).
    pub fn add_named(&mut self, name: &str, ty: Type) {
        self.named.insert(name.to_string(), ty);
    }

    fn ptr_layout(&self, asp: u32) -> (u64, u64) {
        self.ptr
            .iter()
            .find(|p| p.0 == asp)
            .or_else(|| self.ptr.iter().find(|p| p.0 == 0))
            .map_or((8, 8), |p| (p.1, p.2))
    }

    /// ABI alignment of `iN`: the listed width, else the smallest larger listed one, else the
    /// largest listed one (LLVM's rule).
    fn int_abi_align(&self, bits: u32) -> u64 {
        if let Some(e) = self.int_align.iter().find(|e| e.0 == bits) {
            return e.1.max(1);
        }
        let larger = self
            .int_align
            .iter()
            .filter(|e| e.0 > bits)
            .min_by_key(|e| e.0);
        let largest = self.int_align.iter().max_by_key(|e| e.0);
        larger.or(largest).map_or(1, |e| e.1.max(1))
    }

    /// Bytes written by a store of `ty` (LLVM's "store size"); `None` if unsized or unknown.
    pub fn store_size(&self, ty: &Type) -> Option<u64> {
        self.store_size_depth(ty, 0)
    }

    fn store_size_depth(&self, ty: &Type, depth: usize) -> Option<u64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ty {
            Type::Int(b) => Some(u64::from(*b).div_ceil(8)),
            Type::Float(f) => Some(float_bits(f)?.div_ceil(8)),
            Type::Ptr(a) | Type::TypedPtr(_, a) => Some(self.ptr_layout(*a).0),
            Type::Vector {
                scalable: false,
                len,
                elem,
            } => {
                let bits = match elem.as_ref() {
                    Type::Int(b) => u64::from(*b),
                    Type::Float(f) => float_bits(f)?,
                    Type::Ptr(a) | Type::TypedPtr(_, a) => self.ptr_layout(*a).0 * 8,
                    _ => return None,
                };
                len.checked_mul(bits).map(|b| b.div_ceil(8))
            }
            Type::Array(..) | Type::Struct { .. } | Type::Named(_) => {
                self.alloc_size_depth(ty, depth)
            }
            _ => None,
        }
    }

    /// ABI alignment of `ty` in bytes.
    pub fn abi_align(&self, ty: &Type) -> Option<u64> {
        self.abi_align_depth(ty, 0)
    }

    fn abi_align_depth(&self, ty: &Type, depth: usize) -> Option<u64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ty {
            Type::Int(b) => Some(self.int_abi_align(*b)),
            Type::Float(f) => {
                let bits = float_bits(f)?;
                let key = u32::try_from(bits).ok()?;
                Some(
                    self.float_align
                        .iter()
                        .find(|e| e.0 == key)
                        .map_or_else(|| bits.div_ceil(8).next_power_of_two(), |e| e.1.max(1)),
                )
            }
            Type::Ptr(a) | Type::TypedPtr(_, a) => Some(self.ptr_layout(*a).1.max(1)),
            Type::Vector {
                scalable: false, ..
            } => Some(
                self.store_size_depth(ty, depth + 1)?
                    .checked_next_power_of_two()?
                    .max(1),
            ),
            Type::Array(_, elem) => self.abi_align_depth(elem, depth + 1),
            Type::Struct { packed: true, .. } => Some(1),
            Type::Struct { fields, .. } => {
                let mut a = 1;
                for f in fields {
                    a = a.max(self.abi_align_depth(f, depth + 1)?);
                }
                Some(a)
            }
            Type::Named(n) => self.abi_align_depth(self.named.get(n)?, depth + 1),
            _ => None,
        }
    }

    /// Bytes between consecutive elements of an array of `ty` ("alloc size").
    pub fn alloc_size(&self, ty: &Type) -> Option<u64> {
        self.alloc_size_depth(ty, 0)
    }

    fn alloc_size_depth(&self, ty: &Type, depth: usize) -> Option<u64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ty {
            Type::Array(n, elem) => n.checked_mul(self.alloc_size_depth(elem, depth + 1)?),
            Type::Struct { packed, fields } => {
                let mut off: u64 = 0;
                let mut align = 1;
                for f in fields {
                    let fa = if *packed {
                        1
                    } else {
                        self.abi_align_depth(f, depth + 1)?
                    };
                    align = align.max(fa);
                    off = off.checked_next_multiple_of(fa)?;
                    off = off.checked_add(self.alloc_size_depth(f, depth + 1)?)?;
                }
                off.checked_next_multiple_of(align)
            }
            Type::Named(n) => self.alloc_size_depth(self.named.get(n)?, depth + 1),
            _ => {
                let s = self.store_size_depth(ty, depth + 1)?;
                s.checked_next_multiple_of(self.abi_align_depth(ty, depth + 1)?)
            }
        }
    }

    /// Byte offset of field `k` of a struct type (after resolving names).
    pub fn field_offset(&self, ty: &Type, k: usize) -> Option<u64> {
        let Type::Struct { packed, fields } = self.resolve(ty) else {
            return None;
        };
        let mut off: u64 = 0;
        for (i, f) in fields.iter().enumerate() {
            let fa = if *packed { 1 } else { self.abi_align(f)? };
            off = off.checked_next_multiple_of(fa)?;
            if i == k {
                return Some(off);
            }
            off = off.checked_add(self.alloc_size(f)?)?;
        }
        None
    }

    /// The body of a named type, if known.
    pub fn resolve<'s>(&'s self, ty: &'s Type) -> &'s Type {
        let mut t = ty;
        for _ in 0..MAX_DEPTH {
            match t {
                Type::Named(n) => match self.named.get(n) {
                    Some(b) => t = b,
                    None => return t,
                },
                _ => return t,
            }
        }
        t
    }
}

fn set(list: &mut Vec<(u32, u64)>, bits: u32, bytes: u64) {
    list.retain(|e| e.0 != bits);
    list.push((bits, bytes));
}

fn float_bits(f: &str) -> Option<u64> {
    Some(match f {
        "half" | "bfloat" => 16,
        "float" => 32,
        "double" => 64,
        "x86_fp80" => 80,
        "fp128" | "ppc_fp128" => 128,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn ty(s: &str) -> Type {
        let toks = tokenize(s).expect("lexes");
        let mut c = Cursor::new(&toks, s.len());
        let t = parse_type(&mut c).expect("parses");
        assert!(c.at_end(), "left over in {s}");
        t
    }

    const X86_14: &str = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128";
    const X86_19: &str =
        "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128";

    #[test]
    fn parses_types() {
        assert_eq!(ty("i32"), Type::Int(32));
        assert_eq!(ty("i8*"), Type::TypedPtr(Box::new(Type::Int(8)), 0));
        assert_eq!(ty("ptr addrspace(1)"), Type::Ptr(1));
        assert!(matches!(ty("void (i8*, ...)*"), Type::TypedPtr(..)));
        assert!(matches!(
            ty("i32 (ptr noundef, ...)"),
            Type::Func { varargs: true, .. }
        ));
        assert!(matches!(
            ty("<{ i8, i32 }>"),
            Type::Struct { packed: true, .. }
        ));
        assert!(matches!(ty("[4 x <2 x double>]"), Type::Array(4, _)));
        assert!(matches!(ty("%struct.S**"), Type::TypedPtr(..)));
    }

    #[test]
    fn sizes_follow_the_layout() {
        let dl14 = DataLayout::parse(X86_14);
        let dl19 = DataLayout::parse(X86_19);
        assert_eq!(dl14.store_size(&ty("x86_fp80")), Some(10));
        assert_eq!(dl14.alloc_size(&ty("x86_fp80")), Some(16));
        assert_eq!(dl14.abi_align(&ty("i128")), Some(8));
        assert_eq!(dl19.abi_align(&ty("i128")), Some(16));
        assert_eq!(dl14.alloc_size(&ty("{ i32, i8, i16 }")), Some(8));
        assert_eq!(dl14.alloc_size(&ty("{ i8, double }")), Some(16));
        assert_eq!(dl14.alloc_size(&ty("<{ i8, double }>")), Some(9));
        assert_eq!(dl14.store_size(&ty("<3 x float>")), Some(12));
        assert_eq!(dl14.alloc_size(&ty("<3 x float>")), Some(16));
        assert_eq!(dl14.store_size(&ty("i1")), Some(1));
        assert_eq!(dl14.abi_align(&ty("i24")), Some(4));
        assert_eq!(dl14.store_size(&ty("ptr")), Some(8));
        let mut dl = DataLayout::parse(X86_19);
        dl.add_named("%struct.S", ty("{ i32, [3 x i64] }"));
        assert_eq!(dl.alloc_size(&ty("%struct.S")), Some(32));
        assert_eq!(dl.field_offset(&ty("%struct.S"), 1), Some(8));
        assert_eq!(dl.field_offset(&ty("{ i8, i16, i8 }"), 2), Some(4));
        assert_eq!(dl.field_offset(&ty("<{ i8, i16, i8 }>"), 2), Some(3));
        assert_eq!(dl.field_offset(&ty("{ i8 }"), 1), None);
        dl.add_named("%loop", ty("{ %loop }"));
        assert_eq!(dl.alloc_size(&ty("%loop")), None);
        // Absurd sizes give None, never an overflow.
        assert_eq!(dl.abi_align(&ty("<4611686018427387905 x i64>")), None);
        assert_eq!(dl.alloc_size(&ty("[4611686018427387905 x i64]")), None);
    }
}
