//! The instructions the pass reasons about, parsed from one statement's tokens.
//!
//! Memory accesses, atomics, fences, branches and phis have a fixed grammar and are parsed
//! strictly: a malformed `load` is an error. Calls and `getelementptr` have many optional
//! parts; when their parse fails the statement degrades to [`Op::Other`], which every analysis
//! treats conservatively (a call boundary, an escaping use, a non-affine value).

use super::cursor::{Cursor, PResult, ParseError, split_top_commas};
use super::lexer::{Kind, Token, tokenize};
use super::types::{Type, parse_type};

/// A typed operand: its type and its value text, copied verbatim from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The operand's type.
    pub ty: Type,
    /// The type as written.
    pub ty_text: String,
    /// The value as written (`%x`, `@g`, `42`, a constant expression, ...).
    pub text: String,
}

/// C11 memory orders as LLVM spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// `unordered`
    Unordered,
    /// `monotonic` (C11 relaxed)
    Monotonic,
    /// `acquire`
    Acquire,
    /// `release`
    Release,
    /// `acq_rel`
    AcqRel,
    /// `seq_cst`
    SeqCst,
}

impl Ordering {
    fn parse(word: &str) -> Option<Ordering> {
        Some(match word {
            "unordered" => Ordering::Unordered,
            "monotonic" => Ordering::Monotonic,
            "acquire" => Ordering::Acquire,
            "release" => Ordering::Release,
            "acq_rel" => Ordering::AcqRel,
            "seq_cst" => Ordering::SeqCst,
            _ => return None,
        })
    }

    /// The ABI's memory-order number: 0 relaxed, 1 consume, 2 acquire, 3 release, 4 acq_rel,
    /// 5 seq_cst. LLVM has no consume; unordered is as weak as relaxed.
    pub fn abi_code(self) -> u32 {
        match self {
            Ordering::Unordered | Ordering::Monotonic => 0,
            Ordering::Acquire => 2,
            Ordering::Release => 3,
            Ordering::AcqRel => 4,
            Ordering::SeqCst => 5,
        }
    }
}

/// Ordering and scope of an atomic instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atomic {
    /// The memory order.
    pub ordering: Ordering,
    /// `syncscope("singlethread")`: orders only against signal handlers of the same thread.
    pub single_thread: bool,
}

/// `tail`/`musttail`/`notail` marker of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// Plain `call`.
    None,
    /// `tail call` (a hint).
    Tail,
    /// `musttail call`: must stay immediately before `ret`.
    MustTail,
    /// `notail call`.
    NoTail,
}

/// One call argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The argument's type.
    pub ty: Type,
    /// The type as written.
    pub ty_text: String,
    /// The value text (attributes stripped).
    pub value: String,
    /// Parameter attribute words at the call site (`nocapture`, `noundef`, ...).
    pub attrs: Vec<String>,
}

/// The parsed form of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `load`
    Load {
        /// Loaded type.
        ty: Type,
        /// The loaded type as written.
        ty_text: String,
        /// Pointer operand.
        ptr: Value,
        /// `volatile`
        volatile: bool,
        /// `atomic ... <ordering>`
        atomic: Option<Atomic>,
        /// `align N`
        align: Option<u64>,
    },
    /// `store`
    Store {
        /// Stored value.
        val: Value,
        /// Pointer operand.
        ptr: Value,
        /// `volatile`
        volatile: bool,
        /// `atomic ... <ordering>`
        atomic: Option<Atomic>,
        /// `align N`
        align: Option<u64>,
    },
    /// `atomicrmw`
    AtomicRmw {
        /// The operation word (`add`, `xchg`, `fadd`, ...).
        op: String,
        /// Pointer operand.
        ptr: Value,
        /// Value operand.
        val: Value,
        /// `volatile`
        volatile: bool,
        /// Ordering and scope.
        atomic: Atomic,
    },
    /// `cmpxchg`
    CmpXchg {
        /// Pointer operand.
        ptr: Value,
        /// Expected value.
        cmp: Value,
        /// Desired value.
        new: Value,
        /// `volatile`
        volatile: bool,
        /// `syncscope("singlethread")`
        single_thread: bool,
        /// Success ordering.
        success: Ordering,
        /// Failure ordering.
        failure: Ordering,
    },
    /// `fence`
    Fence(Atomic),
    /// `call`, `invoke` or `callbr`.
    Call {
        /// The opcode word.
        kind: &'static str,
        /// Tail marker.
        tail: Marker,
        /// The callee as written (`@f`, `%fp`, `asm ...`, a constant expression).
        callee: String,
        /// The return type (for function types written at the call, their return type).
        ret: Type,
        /// The arguments.
        args: Vec<Arg>,
        /// Function attributes at the call (`nounwind`, `#3`, ...).
        fn_attrs: Vec<String>,
        /// Carries fast-math flags.
        fast_math: bool,
        /// Has operand bundles (`[ "deopt"(...) ]`).
        bundles: bool,
        /// Byte offset where the call proper ends (before attachments or destinations).
        end: usize,
    },
    /// `alloca`
    Alloca {
        /// Address space of the result.
        addrspace: u32,
    },
    /// `getelementptr`
    Gep {
        /// Source element type.
        source: Type,
        /// Base pointer.
        base: Value,
        /// Indices.
        indices: Vec<Value>,
    },
    /// Conversions (`bitcast`, `sext`, `zext`, `trunc`, `ptrtoint`, ...).
    Cast {
        /// The opcode word.
        op: String,
        /// Operand.
        val: Value,
        /// Destination type.
        to: Type,
        /// `zext nneg`: the operand is known non-negative.
        nneg: bool,
    },
    /// Integer binary operations.
    Binary {
        /// The opcode word.
        op: String,
        /// `nsw`
        nsw: bool,
        /// `nuw`
        nuw: bool,
        /// `or disjoint`
        disjoint: bool,
        /// Operand type.
        ty: Type,
        /// First operand text.
        a: String,
        /// Second operand text.
        b: String,
    },
    /// `icmp`
    ICmp {
        /// Predicate word (`eq`, `slt`, ...).
        pred: String,
        /// Operand type.
        ty: Type,
        /// First operand text.
        a: String,
        /// Second operand text.
        b: String,
    },
    /// `phi`
    Phi {
        /// Type.
        ty: Type,
        /// The type as written.
        ty_text: String,
        /// (value, predecessor block) pairs.
        incoming: Vec<(String, String)>,
    },
    /// `br`
    Br {
        /// Condition of a conditional branch.
        cond: Option<String>,
    },
    /// `ret`
    Ret,
    /// `resume`
    Resume,
    /// Any other instruction, by opcode word.
    Other(String),
}

/// One instruction statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inst {
    /// The defined name (`%x`), if any.
    pub result: Option<String>,
    /// The parsed form.
    pub op: Op,
    /// The `!dbg` attachment (`!12`), copied to the hook calls placed for this instruction.
    pub dbg: Option<String>,
    /// The `!tbaa` attachment.
    pub tbaa: Option<String>,
    /// Every local name the statement mentions, the result excluded, in order (repeats kept).
    pub uses: Vec<String>,
    /// Successor blocks, for terminators.
    pub succs: Vec<String>,
    /// Whether this ends a basic block.
    pub terminator: bool,
}

/// Opcodes that end a basic block.
const TERMINATORS: [&str; 11] = [
    "ret",
    "br",
    "switch",
    "indirectbr",
    "invoke",
    "callbr",
    "resume",
    "catchswitch",
    "catchret",
    "cleanupret",
    "unreachable",
];

/// Words that start a constant expression written as an operand.
const CONST_EXPR: [&str; 30] = [
    "getelementptr",
    "bitcast",
    "ptrtoint",
    "inttoptr",
    "addrspacecast",
    "trunc",
    "zext",
    "sext",
    "fptrunc",
    "fpext",
    "fptoui",
    "fptosi",
    "uitofp",
    "sitofp",
    "add",
    "sub",
    "mul",
    "shl",
    "lshr",
    "ashr",
    "and",
    "or",
    "xor",
    "icmp",
    "fcmp",
    "select",
    "extractelement",
    "insertelement",
    "shufflevector",
    "extractvalue",
];

/// Words that are complete values by themselves.
const LITERALS: [&str; 8] = [
    "null",
    "undef",
    "poison",
    "true",
    "false",
    "zeroinitializer",
    "none",
    "empty",
];

/// Words that take one operand (`dso_local_equivalent @f`).
const PREFIX_VALUES: [&str; 3] = ["dso_local_equivalent", "no_cfi", "blockaddress"];

/// Parses the value at the cursor (a single operand, without its type); returns its text.
pub fn parse_value(c: &mut Cursor<'_, '_>, text: &str) -> PResult<String> {
    let start = c.offset();
    let Some(t) = c.peek() else {
        return c.err("expected a value");
    };
    match t.kind {
        Kind::Local | Kind::Global | Kind::Int | Kind::Float | Kind::Str | Kind::Meta => {
            c.next();
        }
        Kind::Punct if t.depth_delta() > 0 => {
            c.skip_group()?;
        }
        Kind::Punct if t.text == "!" => {
            // Inline metadata tuple `!{...}` or string `!"..."`.
            c.next();
            if !c.skip_group()? {
                c.next();
            }
        }
        Kind::Ident if LITERALS.contains(&t.text) => {
            c.next();
        }
        Kind::Ident if PREFIX_VALUES.contains(&t.text) => {
            c.next();
            if !c.skip_group()? {
                c.next();
            }
        }
        Kind::Ident => {
            // A constant expression: keyword, flags, then a parenthesized operand list.
            let known = CONST_EXPR.contains(&t.text) || t.text == "splat";
            c.next();
            loop {
                match c.peek() {
                    Some(f) if f.kind == Kind::Ident => {
                        c.next();
                        if f.text == "inrange" {
                            c.skip_group()?;
                        }
                    }
                    Some(f) if f.is_punct('(') => {
                        c.skip_group()?;
                        break;
                    }
                    _ => {
                        if known {
                            return c.err("expected '(' in constant expression");
                        }
                        return Err(ParseError {
                            offset: t.start,
                            message: format!("expected a value, found '{}'", t.text),
                        });
                    }
                }
            }
        }
        _ => return c.err("expected a value"),
    }
    Ok(text.get(start..c.prev_end()).unwrap_or("").to_string())
}

/// Parses `<type> <value>`.
pub fn parse_typed_value(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Value> {
    let tstart = c.offset();
    let ty = parse_type(c)?;
    let ty_text = text.get(tstart..c.prev_end()).unwrap_or("").to_string();
    let value = parse_value(c, text)?;
    Ok(Value {
        ty,
        ty_text,
        text: value,
    })
}

/// Parses one instruction statement (its full text, possibly several lines).
pub fn parse_inst(text: &str) -> PResult<Inst> {
    let toks = tokenize(text).map_err(|e| ParseError {
        offset: e.offset,
        message: e.message,
    })?;
    let mut c = Cursor::new(&toks, text.len());
    let mut result = None;
    if toks.len() >= 2 && toks[0].kind == Kind::Local && toks[1].is_punct('=') {
        result = Some(toks[0].text.to_string());
        c.set_pos(2);
    }
    let mut tail = Marker::None;
    let mut opcode = c.ident()?;
    match opcode {
        "tail" => tail = Marker::Tail,
        "musttail" => tail = Marker::MustTail,
        "notail" => tail = Marker::NoTail,
        _ => {}
    }
    if tail != Marker::None {
        opcode = c.ident()?;
        if opcode != "call" {
            return c.err("expected 'call' after a tail marker");
        }
    }
    let terminator = TERMINATORS.contains(&opcode);
    let op = match opcode {
        "load" => parse_load(&mut c, text)?,
        "store" => parse_store(&mut c, text)?,
        "atomicrmw" => parse_rmw(&mut c, text)?,
        "cmpxchg" => parse_cmpxchg(&mut c, text)?,
        "fence" => {
            let atomic = parse_scope_ordering(&mut c)?;
            Op::Fence(atomic)
        }
        "call" | "invoke" | "callbr" => {
            let kind = match opcode {
                "call" => "call",
                "invoke" => "invoke",
                _ => "callbr",
            };
            let save = c.pos();
            match parse_call(&mut c, text, kind, tail) {
                Ok(op) => op,
                Err(_) => {
                    c.set_pos(save);
                    Op::Other(opcode.to_string())
                }
            }
        }
        "alloca" => parse_alloca(&mut c),
        "getelementptr" => {
            let save = c.pos();
            match parse_gep(&mut c, text) {
                Ok(op) => op,
                Err(_) => {
                    c.set_pos(save);
                    Op::Other(opcode.to_string())
                }
            }
        }
        "trunc" | "zext" | "sext" | "fptrunc" | "fpext" | "fptoui" | "fptosi" | "uitofp"
        | "sitofp" | "ptrtoint" | "inttoptr" | "bitcast" | "addrspacecast" => {
            parse_cast(&mut c, text, opcode)?
        }
        "add" | "sub" | "mul" | "shl" | "udiv" | "sdiv" | "urem" | "srem" | "lshr" | "ashr"
        | "and" | "or" | "xor" => parse_binary(&mut c, text, opcode)?,
        "icmp" => parse_icmp(&mut c, text)?,
        "phi" => parse_phi(&mut c, text)?,
        "br" => parse_br(&mut c, text)?,
        "ret" => Op::Ret,
        "resume" => Op::Resume,
        _ => Op::Other(opcode.to_string()),
    };
    let (dbg, tbaa) = attachments(&toks);
    let uses = toks
        .iter()
        .enumerate()
        .filter(|(i, t)| t.kind == Kind::Local && !(result.is_some() && *i == 0))
        .map(|(_, t)| t.text.to_string())
        .collect();
    let succs = if terminator {
        labels(&toks)
    } else {
        Vec::new()
    };
    Ok(Inst {
        result,
        op,
        dbg,
        tbaa,
        uses,
        succs,
        terminator,
    })
}

/// Local names following the word `label`: the successors of a terminator.
fn labels(toks: &[Token<'_>]) -> Vec<String> {
    toks.windows(2)
        .filter(|w| w[0].is_ident("label") && w[1].kind == Kind::Local)
        .map(|w| w[1].text.to_string())
        .collect()
}

/// Finds the `!dbg` and `!tbaa` attachments (top level, after a comma).
fn attachments(toks: &[Token<'_>]) -> (Option<String>, Option<String>) {
    let mut depth = 0;
    let mut dbg = None;
    let mut tbaa = None;
    for (i, t) in toks.iter().enumerate() {
        depth += t.depth_delta();
        if depth != 0 || t.kind != Kind::Meta || i == 0 || !toks[i - 1].is_punct(',') {
            continue;
        }
        let Some(v) = toks.get(i + 1) else { continue };
        if v.kind != Kind::Meta {
            continue;
        }
        match t.text {
            "!dbg" => dbg = Some(v.text.to_string()),
            "!tbaa" => tbaa = Some(v.text.to_string()),
            _ => {}
        }
    }
    (dbg, tbaa)
}

/// Finds `, align N` among the top-level comma parts after the cursor.
fn trailing_align(c: &Cursor<'_, '_>) -> Option<u64> {
    let rest = c.tokens().get(c.pos()..)?;
    for part in split_top_commas(rest) {
        if part.len() == 2 && part[0].is_ident("align") && part[1].kind == Kind::Int {
            return part[1].text.parse().ok();
        }
    }
    None
}

/// Parses `[syncscope("...")] <ordering>`.
fn parse_scope_ordering(c: &mut Cursor<'_, '_>) -> PResult<Atomic> {
    let mut single_thread = false;
    if c.eat_ident("syncscope") {
        c.expect_punct('(')?;
        match c.next() {
            Some(t) if t.kind == Kind::Str => single_thread = t.text == "\"singlethread\"",
            _ => return c.err("expected a sync scope string"),
        }
        c.expect_punct(')')?;
    }
    let word = c.ident()?;
    match Ordering::parse(word) {
        Some(ordering) => Ok(Atomic {
            ordering,
            single_thread,
        }),
        None => c.err(format!("expected a memory ordering, found '{word}'")),
    }
}

fn eat_flags(c: &mut Cursor<'_, '_>, words: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(t) = c.peek() {
        if t.kind == Kind::Ident && words.contains(&t.text) {
            seen.push(t.text.to_string());
            c.next();
        } else {
            break;
        }
    }
    seen
}

fn parse_load(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    let flags = eat_flags(c, &["atomic", "volatile"]);
    let tstart = c.offset();
    let ty = parse_type(c)?;
    let ty_text = text.get(tstart..c.prev_end()).unwrap_or("").to_string();
    c.expect_punct(',')?;
    let ptr = parse_typed_value(c, text)?;
    if !ptr.ty.is_ptr() {
        return c.err("expected a pointer operand");
    }
    let atomic = if flags.iter().any(|f| f == "atomic") {
        Some(parse_scope_ordering(c)?)
    } else {
        None
    };
    Ok(Op::Load {
        ty,
        ty_text,
        ptr,
        volatile: flags.iter().any(|f| f == "volatile"),
        atomic,
        align: trailing_align(c),
    })
}

fn parse_store(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    let flags = eat_flags(c, &["atomic", "volatile"]);
    let val = parse_typed_value(c, text)?;
    c.expect_punct(',')?;
    let ptr = parse_typed_value(c, text)?;
    if !ptr.ty.is_ptr() {
        return c.err("expected a pointer operand");
    }
    let atomic = if flags.iter().any(|f| f == "atomic") {
        Some(parse_scope_ordering(c)?)
    } else {
        None
    };
    Ok(Op::Store {
        val,
        ptr,
        volatile: flags.iter().any(|f| f == "volatile"),
        atomic,
        align: trailing_align(c),
    })
}

fn parse_rmw(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    let volatile = c.eat_ident("volatile");
    let op = c.ident()?.to_string();
    let ptr = parse_typed_value(c, text)?;
    if !ptr.ty.is_ptr() {
        return c.err("expected a pointer operand");
    }
    c.expect_punct(',')?;
    let val = parse_typed_value(c, text)?;
    let atomic = parse_scope_ordering(c)?;
    Ok(Op::AtomicRmw {
        op,
        ptr,
        val,
        volatile,
        atomic,
    })
}

fn parse_cmpxchg(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    let flags = eat_flags(c, &["weak", "volatile"]);
    let ptr = parse_typed_value(c, text)?;
    if !ptr.ty.is_ptr() {
        return c.err("expected a pointer operand");
    }
    c.expect_punct(',')?;
    let cmp = parse_typed_value(c, text)?;
    c.expect_punct(',')?;
    let new = parse_typed_value(c, text)?;
    let first = parse_scope_ordering(c)?;
    let word = c.ident()?;
    let Some(failure) = Ordering::parse(word) else {
        return c.err("expected a failure ordering");
    };
    Ok(Op::CmpXchg {
        ptr,
        cmp,
        new,
        volatile: flags.iter().any(|f| f == "volatile"),
        single_thread: first.single_thread,
        success: first.ordering,
        failure,
    })
}

/// Whether a word starts a type (so it is not an attribute).
fn starts_type(t: &Token<'_>) -> bool {
    match t.kind {
        Kind::Local => true,
        Kind::Punct => matches!(t.text, "{" | "[" | "<"),
        Kind::Ident => {
            let w = t.text;
            (w.len() > 1 && w.starts_with('i') && w[1..].bytes().all(|b| b.is_ascii_digit()))
                || matches!(
                    w,
                    "void"
                        | "ptr"
                        | "half"
                        | "bfloat"
                        | "float"
                        | "double"
                        | "x86_fp80"
                        | "fp128"
                        | "ppc_fp128"
                        | "label"
                        | "metadata"
                        | "token"
                        | "target"
                        | "x86_mmx"
                        | "x86_amx"
                )
        }
        _ => false,
    }
}

/// Skips attribute words (with their `(...)` or, for `align`, their number) until a type.
fn skip_attrs_until_type<'a>(c: &mut Cursor<'_, 'a>) -> PResult<Vec<&'a str>> {
    let mut words = Vec::new();
    let mut guard = 0;
    while let Some(t) = c.peek() {
        guard += 1;
        if guard > 10_000 || starts_type(&t) {
            break;
        }
        if t.kind != Kind::Ident {
            return c.err("expected a type");
        }
        c.next();
        words.push(t.text);
        if c.peek().is_some_and(|n| n.is_punct('(')) {
            c.skip_group()?;
        } else if matches!(t.text, "align" | "cc" | "alignstack")
            && c.peek().is_some_and(|n| n.kind == Kind::Int)
        {
            c.next();
        }
    }
    Ok(words)
}

/// Fast-math flags (a call carrying them cannot become an `invoke`).
const FAST_MATH: [&str; 8] = [
    "fast", "nnan", "ninf", "nsz", "arcp", "contract", "afn", "reassoc",
];

fn parse_call(c: &mut Cursor<'_, '_>, text: &str, kind: &'static str, tail: Marker) -> PResult<Op> {
    let fast_math = skip_attrs_until_type(c)?
        .iter()
        .any(|w| FAST_MATH.contains(w));
    let fty = parse_type(c)?;
    let ret = match fty {
        Type::Func { ret, .. } => *ret,
        other => other,
    };
    let cstart = c.offset();
    let callee = if c.eat_ident("asm") {
        eat_flags(c, &["sideeffect", "alignstack", "inteldialect", "unwind"]);
        for _ in 0..2 {
            match c.next() {
                Some(t) if t.kind == Kind::Str => {}
                _ => return c.err("expected an inline asm string"),
            }
            c.eat_punct(',');
        }
        text.get(cstart..c.prev_end()).unwrap_or("").to_string()
    } else {
        parse_value(c, text)?
    };
    let open = c.pos();
    if !c.peek().is_some_and(|t| t.is_punct('(')) {
        return c.err("expected '(' after the callee");
    }
    c.skip_group()?;
    let close = c.pos();
    let inner = c
        .tokens()
        .get(open + 1..close.saturating_sub(1))
        .unwrap_or(&[]);
    let mut args = Vec::new();
    if !inner.is_empty() {
        for part in split_top_commas(inner) {
            args.push(parse_arg(part, text)?);
        }
    }
    // Function attributes, then operand bundles, then (for invoke) the destinations or
    // (for call) the metadata attachments.
    let mut fn_attrs = Vec::new();
    while let Some(t) = c.peek() {
        if !matches!(t.kind, Kind::Ident | Kind::AttrRef) || t.is_ident("to") {
            break;
        }
        c.next();
        fn_attrs.push(t.text.to_string());
        if c.peek().is_some_and(|n| n.is_punct('(')) {
            c.skip_group()?;
        }
    }
    let bundles = c.peek().is_some_and(|t| t.is_punct('['));
    if bundles {
        c.skip_group()?;
    }
    Ok(Op::Call {
        kind,
        tail,
        callee,
        ret,
        args,
        fn_attrs,
        fast_math,
        bundles,
        end: c.prev_end(),
    })
}

/// Parses one call argument: type, attributes, value.
fn parse_arg(part: &[Token<'_>], text: &str) -> PResult<Arg> {
    let end = part.last().map_or(0, |t| t.end);
    let mut c = Cursor::new(part, end);
    let tstart = c.offset();
    let ty = parse_type(&mut c)?;
    let ty_text = text.get(tstart..c.prev_end()).unwrap_or("").to_string();
    if ty == Type::Other("metadata".to_string()) {
        let vstart = c.offset();
        return Ok(Arg {
            ty,
            ty_text,
            value: text.get(vstart..end).unwrap_or("").to_string(),
            attrs: Vec::new(),
        });
    }
    let mut attrs = Vec::new();
    // Parameter attributes, then the value (always last).
    let mut guard = 0;
    while let Some(t) = c.peek() {
        guard += 1;
        if guard > 10_000 {
            break;
        }
        if t.kind != Kind::Ident
            || LITERALS.contains(&t.text)
            || PREFIX_VALUES.contains(&t.text)
            || CONST_EXPR.contains(&t.text)
            || t.text == "splat"
        {
            break;
        }
        c.next();
        let astart = t.start;
        if c.peek().is_some_and(|n| n.is_punct('(')) {
            c.skip_group()?;
        } else if t.text == "align" && c.peek().is_some_and(|n| n.kind == Kind::Int) {
            c.next();
        }
        attrs.push(text.get(astart..c.prev_end()).unwrap_or("").to_string());
    }
    let vstart = c.offset();
    parse_value(&mut c, text)?;
    if !c.at_end() {
        return c.err("unexpected tokens after a call argument");
    }
    Ok(Arg {
        ty,
        ty_text,
        value: text.get(vstart..end).unwrap_or("").to_string(),
        attrs,
    })
}

fn parse_alloca(c: &mut Cursor<'_, '_>) -> Op {
    let rest = c.tokens().get(c.pos()..).unwrap_or(&[]);
    let mut addrspace = 0;
    for part in split_top_commas(rest) {
        if part.len() == 4 && part[0].is_ident("addrspace") && part[2].kind == Kind::Int {
            addrspace = part[2].text.parse().unwrap_or(u32::MAX);
        }
    }
    Op::Alloca { addrspace }
}

fn parse_gep(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    loop {
        match c.peek() {
            Some(t) if matches!(t.text, "inbounds" | "nuw" | "nusw") => {
                c.next();
            }
            Some(t) if t.is_ident("inrange") => {
                c.next();
                c.skip_group()?;
            }
            _ => break,
        }
    }
    let source = parse_type(c)?;
    c.expect_punct(',')?;
    let base = parse_typed_value(c, text)?;
    let mut indices = Vec::new();
    while c.eat_punct(',') {
        if c.peek().is_some_and(|t| t.kind == Kind::Meta) {
            break;
        }
        c.eat_ident("inrange");
        indices.push(parse_typed_value(c, text)?);
    }
    Ok(Op::Gep {
        source,
        base,
        indices,
    })
}

fn parse_cast(c: &mut Cursor<'_, '_>, text: &str, op: &str) -> PResult<Op> {
    let flags = eat_flags(c, &["nneg", "nuw", "nsw"]);
    let val = parse_typed_value(c, text)?;
    c.expect_ident("to")?;
    let to = parse_type(c)?;
    Ok(Op::Cast {
        op: op.to_string(),
        val,
        to,
        nneg: flags.iter().any(|f| f == "nneg"),
    })
}

fn parse_binary(c: &mut Cursor<'_, '_>, text: &str, op: &str) -> PResult<Op> {
    let flags = eat_flags(c, &["nuw", "nsw", "exact", "disjoint"]);
    let ty = parse_type(c)?;
    let a = parse_value(c, text)?;
    c.expect_punct(',')?;
    let b = parse_value(c, text)?;
    Ok(Op::Binary {
        op: op.to_string(),
        nsw: flags.iter().any(|f| f == "nsw"),
        nuw: flags.iter().any(|f| f == "nuw"),
        disjoint: flags.iter().any(|f| f == "disjoint"),
        ty,
        a,
        b,
    })
}

fn parse_icmp(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    c.eat_ident("samesign");
    let pred = c.ident()?.to_string();
    let ty = parse_type(c)?;
    let a = parse_value(c, text)?;
    c.expect_punct(',')?;
    let b = parse_value(c, text)?;
    Ok(Op::ICmp { pred, ty, a, b })
}

fn parse_phi(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    eat_flags(
        c,
        &[
            "fast", "nnan", "ninf", "nsz", "arcp", "contract", "afn", "reassoc",
        ],
    );
    let tstart = c.offset();
    let ty = parse_type(c)?;
    let ty_text = text.get(tstart..c.prev_end()).unwrap_or("").to_string();
    let mut incoming = Vec::new();
    loop {
        c.expect_punct('[')?;
        let v = parse_value(c, text)?;
        c.expect_punct(',')?;
        let bb = c.local()?.to_string();
        c.expect_punct(']')?;
        incoming.push((v, bb));
        let save = c.pos();
        if !c.eat_punct(',') {
            break;
        }
        if !c.peek().is_some_and(|t| t.is_punct('[')) {
            c.set_pos(save);
            break;
        }
    }
    Ok(Op::Phi {
        ty,
        ty_text,
        incoming,
    })
}

fn parse_br(c: &mut Cursor<'_, '_>, text: &str) -> PResult<Op> {
    if c.eat_ident("label") {
        c.local()?;
        return Ok(Op::Br { cond: None });
    }
    let cond = parse_typed_value(c, text)?;
    for _ in 0..2 {
        c.expect_punct(',')?;
        c.expect_ident("label")?;
        c.local()?;
    }
    Ok(Op::Br {
        cond: Some(cond.text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(s: &str) -> Op {
        parse_inst(s).expect("parses").op
    }

    #[test]
    fn loads_and_stores() {
        match op("%12 = load i32, ptr %11, align 4, !dbg !68, !tbaa !69") {
            Op::Load { ty, ptr, align, .. } => {
                assert_eq!(ty, Type::Int(32));
                assert_eq!(ptr.text, "%11");
                assert_eq!(align, Some(4));
            }
            o => panic!("{o:?}"),
        }
        let i = parse_inst("store i16 %6, i16* getelementptr inbounds (%struct.S, %struct.S* @s, i64 0, i32 2), align 2, !dbg !143").expect("parses");
        match i.op {
            Op::Store { val, ptr, .. } => {
                assert_eq!(val.text, "%6");
                assert_eq!(
                    ptr.text,
                    "getelementptr inbounds (%struct.S, %struct.S* @s, i64 0, i32 2)"
                );
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(i.dbg.as_deref(), Some("!143"));
        match op(
            "%4 = load atomic volatile i32, i32* @ag syncscope(\"singlethread\") acquire, align 4",
        ) {
            Op::Load {
                atomic: Some(a),
                volatile: true,
                ..
            } => assert!(a.single_thread && a.ordering == Ordering::Acquire),
            o => panic!("{o:?}"),
        }
        assert!(parse_inst("%1 = load i32, align 4").is_err());
        assert!(parse_inst("store i32 1, i32 %p").is_err());
    }

    #[test]
    fn atomics() {
        assert!(matches!(
            op("%2 = cmpxchg weak ptr @ag, i32 0, i32 2 seq_cst monotonic, align 4"),
            Op::CmpXchg {
                success: Ordering::SeqCst,
                failure: Ordering::Monotonic,
                ..
            }
        ));
        assert!(matches!(
            op("%1 = atomicrmw add i32* @ag, i32 1 seq_cst, align 4"),
            Op::AtomicRmw { .. }
        ));
        assert!(matches!(
            op("fence syncscope(\"singlethread\") release"),
            Op::Fence(Atomic {
                single_thread: true,
                ordering: Ordering::Release
            })
        ));
        assert!(parse_inst("fence sideways").is_err());
    }

    #[test]
    fn calls() {
        match op(
            "call void @llvm.memcpy.p0i8.p0i8.i64(i8* noundef nonnull align 16 dereferenceable(40) %3, i8* align 16 bitcast ([10 x i32]* @__const.main.a to i8*), i64 40, i1 false), !dbg !5",
        ) {
            Op::Call { callee, args, .. } => {
                assert_eq!(callee, "@llvm.memcpy.p0i8.p0i8.i64");
                assert_eq!(args.len(), 4);
                assert_eq!(args[0].value, "%3");
                assert_eq!(
                    args[1].value,
                    "bitcast ([10 x i32]* @__const.main.a to i8*)"
                );
            }
            o => panic!("{o:?}"),
        }
        match op("%5 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull @.str, i32 noundef %4)")
        {
            Op::Call { ret, tail, .. } => {
                assert_eq!(ret, Type::Int(32));
                assert_eq!(tail, Marker::Tail);
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            op("call void asm sideeffect \"\", \"~{memory}\"()"),
            Op::Call { .. }
        ));
        let i = parse_inst("invoke void @f() to label %ok unwind label %lp").expect("parses");
        assert_eq!(i.succs, vec!["%ok", "%lp"]);
        assert!(matches!(
            op(
                "call void @llvm.dbg.declare(metadata ptr %x, metadata !12, metadata !DIExpression())"
            ),
            Op::Call { .. }
        ));
    }

    #[test]
    fn others() {
        match op("%11 = getelementptr inbounds [4 x i32], ptr @tbl, i64 0, i64 %9, !dbg !66") {
            Op::Gep { base, indices, .. } => {
                assert_eq!(base.text, "@tbl");
                assert_eq!(indices.len(), 2);
            }
            o => panic!("{o:?}"),
        }
        match op("%9 = phi i64 [ 0, %4 ], [ %14, %8 ], !dbg !3") {
            Op::Phi { incoming, .. } => assert_eq!(incoming[1], ("%14".into(), "%8".into())),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            op("%14 = add nuw nsw i64 %9, 1, !dbg !72"),
            Op::Binary {
                nsw: true,
                nuw: true,
                ..
            }
        ));
        let br =
            parse_inst("br i1 %15, label %6, label %8, !dbg !64, !llvm.loop !73").expect("parses");
        assert_eq!(br.succs, vec!["%6", "%8"]);
        assert!(br.terminator);
        assert!(matches!(
            op("%5 = zext nneg i32 %1 to i64"),
            Op::Cast { nneg: true, .. }
        ));
        assert_eq!(op("%x = fadd float %a, %b"), Op::Other("fadd".into()));
        let sw = parse_inst("switch i32 %x, label %d [\n i32 0, label %a\n i32 1, label %b\n ]")
            .expect("parses");
        assert_eq!(sw.succs, vec!["%d", "%a", "%b"]);
    }
}
