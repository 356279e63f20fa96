//! The parsed form of a module: its lines, split into top-level items, with function bodies
//! split into statements and basic blocks.
//!
//! Nothing here changes text: the rewriter copies every line it does not rewrite verbatim, so
//! the module keeps the original lines and records, for each statement, which lines it spans.

use std::collections::{HashMap, HashSet};

use super::cursor::{Cursor, ParseError};
use super::instructions::{Inst, parse_inst};
use super::lexer::{Kind, Token, depth, tokenize};
use super::types::{DataLayout, parse_type};

/// A malformed-input error at a 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// What was expected.
    pub message: String,
}

/// What a function-body statement is.
#[derive(Clone, Debug)]
pub enum StmtKind {
    /// A block label (the block's name is in [`Block::name`]).
    Label,
    /// An instruction.
    Inst(Box<Inst>),
    /// A debug record (`#dbg_value(...)`, LLVM 19): it never captures or changes anything.
    DbgRecord,
    /// A blank or comment-only line.
    Blank,
}

/// One statement of a function body (one or more lines).
#[derive(Clone, Debug)]
pub struct Stmt {
    /// Index of its first line in [`Module::lines`].
    pub line: usize,
    /// Number of lines.
    pub nlines: usize,
    /// The text (lines joined with `\n`).
    pub text: String,
    /// What it is.
    pub kind: StmtKind,
}

impl Stmt {
    /// The instruction, if this statement is one.
    pub fn inst(&self) -> Option<&Inst> {
        match &self.kind {
            StmtKind::Inst(i) => Some(i),
            _ => None,
        }
    }
}

/// A basic block: a name and the indices (into [`Function::stmts`]) of its instructions and
/// debug records, in order.
#[derive(Clone, Debug)]
pub struct Block {
    /// `%name` (implicit numbers are made explicit).
    pub name: String,
    /// Statement indices of instructions and debug records.
    pub stmts: Vec<usize>,
}

/// A function definition.
#[derive(Clone, Debug)]
pub struct Function {
    /// `@name`.
    pub name: String,
    /// First header line.
    pub header_line: usize,
    /// Header lines (through the opening `{`).
    pub header_nlines: usize,
    /// Line index of the closing `}`.
    pub close_line: usize,
    /// Words and `#N` references after the parameter list (function attributes etc.).
    pub fn_attrs: Vec<String>,
    /// Body statements in order.
    pub stmts: Vec<Stmt>,
    /// Basic blocks in order; the first is the entry.
    pub blocks: Vec<Block>,
    /// Whether block names could all be determined (implicit numbering was consistent).
    pub names_ok: bool,
}

/// A global variable.
#[derive(Clone, Debug)]
pub struct Global {
    /// Defined with `constant`.
    pub constant: bool,
    /// `section "..."` text, if any.
    pub section: Option<String>,
    /// Address space.
    pub addrspace: u32,
}

/// A top-level item: a run of lines.
#[derive(Clone, Debug)]
pub struct Item {
    /// First line index.
    pub line: usize,
    /// Number of lines.
    pub nlines: usize,
    /// What it is.
    pub kind: ItemKind,
}

/// Kinds of top-level items the rewriter treats specially.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A function definition (index into [`Module::functions`]).
    Function(usize),
    /// The `@llvm.global_ctors` array.
    GlobalCtors,
    /// Anything else (copied verbatim).
    Other,
}

/// A parsed module.
#[derive(Debug)]
pub struct Module<'a> {
    /// The input lines, without line terminators.
    pub lines: Vec<&'a str>,
    /// Top-level items covering all lines, in order.
    pub items: Vec<Item>,
    /// Function definitions.
    pub functions: Vec<Function>,
    /// Global variables by `@name`.
    pub globals: HashMap<String, Global>,
    /// Every global symbol name defined or declared (`@name`).
    pub symbols: HashSet<String>,
    /// Parameter texts (type and attributes) of every declared or defined function.
    pub params: HashMap<String, Vec<String>>,
    /// Function attribute words and `#N` references of every declared or defined function.
    pub fn_attrs: HashMap<String, Vec<String>>,
    /// Attribute groups: `#N` to their body text.
    pub attr_groups: HashMap<String, String>,
    /// Metadata definitions: `!N` to their right-hand side text.
    pub metadata: HashMap<String, String>,
    /// Sizes and alignments.
    pub layout: DataLayout,
    /// Whether the module spells pointers `ptr` (else typed pointers `T*`).
    pub opaque: bool,
}

fn err(line: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        line: line + 1,
        message: message.into(),
    }
}

/// Converts a statement-level parse error into a line-located one.
fn locate(first_line: usize, text: &str, e: ParseError) -> SyntaxError {
    let upto = text.get(..e.offset.min(text.len())).unwrap_or(text);
    let extra = upto.bytes().filter(|b| *b == b'\n').count();
    err(first_line + extra, e.message)
}

/// Splits the input into lines (accepting `\n` and `\r\n`).
fn split_lines(src: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = src.split('\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// Scanning state shared by the top-level and body parsers.
struct Scanner<'a> {
    lines: Vec<&'a str>,
    saw_ptr: bool,
    saw_star: bool,
}

impl<'a> Scanner<'a> {
    fn tokens(&mut self, i: usize) -> Result<Vec<Token<'a>>, SyntaxError> {
        let line = self.lines.get(i).copied().unwrap_or("");
        let toks = tokenize(line).map_err(|e| err(i, e.message))?;
        for (k, t) in toks.iter().enumerate() {
            // `ptr` as a type, not as a label (`ptr:`).
            let label = toks.get(k + 1).is_some_and(|n| n.is_punct(':'));
            if t.is_ident("ptr") && !label {
                self.saw_ptr = true;
            } else if t.is_punct('*') {
                self.saw_star = true;
            }
        }
        Ok(toks)
    }

    /// Reads a statement starting at line `i`, continuing while brackets are open.
    /// Returns the joined text and the number of lines.
    fn statement(&mut self, i: usize) -> Result<(String, usize), SyntaxError> {
        let mut text = String::new();
        let mut d = 0i32;
        let mut j = i;
        loop {
            let Some(line) = self.lines.get(j).copied() else {
                return Err(err(
                    i,
                    "unexpected end of file inside a bracketed statement",
                ));
            };
            let toks = self.tokens(j)?;
            for t in &toks {
                d += t.depth_delta();
                if d < 0 {
                    return Err(err(j, format!("unbalanced '{}'", t.text)));
                }
            }
            if j > i {
                text.push('\n');
            }
            text.push_str(line);
            j += 1;
            if d == 0 {
                return Ok((text, j - i));
            }
            if j - i > 100_000 {
                return Err(err(i, "statement too long"));
            }
        }
    }
}

/// Parses a module.
pub fn parse(src: &str) -> Result<Module<'_>, SyntaxError> {
    let mut sc = Scanner {
        lines: split_lines(src),
        saw_ptr: false,
        saw_star: false,
    };
    let mut items = Vec::new();
    let mut functions = Vec::new();
    let mut globals = HashMap::new();
    let mut symbols = HashSet::new();
    let mut params = HashMap::new();
    let mut fn_attrs = HashMap::new();
    let mut attr_groups = HashMap::new();
    let mut metadata = HashMap::new();
    let mut layout_text = String::new();
    let mut named_types = Vec::new();
    let mut i = 0;
    while i < sc.lines.len() {
        let toks = sc.tokens(i)?;
        let Some(first) = toks.first().copied() else {
            items.push(Item {
                line: i,
                nlines: 1,
                kind: ItemKind::Other,
            });
            i += 1;
            continue;
        };
        if first.is_ident("define") {
            let f = parse_function(&mut sc, i)?;
            symbols.insert(f.name.clone());
            fn_attrs.insert(f.name.clone(), f.fn_attrs.clone());
            if let Some(header) = sc.lines.get(i..i + f.header_nlines) {
                let h = header.join("\n");
                if let Ok(t) = tokenize(&h) {
                    params.insert(f.name.clone(), param_texts(&h, &t));
                }
            }
            let n = f.close_line + 1 - i;
            items.push(Item {
                line: i,
                nlines: n,
                kind: ItemKind::Function(functions.len()),
            });
            functions.push(f);
            i += n;
            continue;
        }
        let (text, n) = sc.statement(i)?;
        let toks = tokenize(&text).map_err(|e| err(i, e.message))?;
        let mut kind = ItemKind::Other;
        let second_is_eq = toks.get(1).is_some_and(|t| t.is_punct('='));
        match first.kind {
            Kind::Ident if first.text == "declare" => {
                if let Some(g) = toks.iter().find(|t| t.kind == Kind::Global) {
                    symbols.insert(g.text.to_string());
                    params.insert(g.text.to_string(), param_texts(&text, &toks));
                    fn_attrs.insert(g.text.to_string(), attrs_after_params(&toks));
                }
            }
            Kind::Ident if first.text == "attributes" => {
                if let (Some(r), true) = (toks.get(1), toks.get(2).is_some_and(|t| t.is_punct('=')))
                {
                    let start = toks.get(3).map_or(text.len(), |t| t.start);
                    attr_groups.insert(r.text.to_string(), text[start..].to_string());
                }
            }
            Kind::Ident if first.text == "target" => {
                if toks.get(1).is_some_and(|t| t.is_ident("datalayout"))
                    && let Some(s) = toks.iter().find(|t| t.kind == Kind::Str)
                {
                    layout_text = s.text.trim_matches('"').to_string();
                }
            }
            Kind::Ident
                if matches!(
                    first.text,
                    "source_filename" | "module" | "uselistorder" | "uselistorder_bb"
                ) => {}
            Kind::Ident if first.text.starts_with('$') && second_is_eq => {}
            Kind::Punct if first.text == "^" => {}
            Kind::Global if second_is_eq => {
                symbols.insert(first.text.to_string());
                if first.text == "@llvm.global_ctors" {
                    kind = ItemKind::GlobalCtors;
                }
                if let Some(g) = parse_global(&toks) {
                    globals.insert(first.text.to_string(), g);
                }
            }
            Kind::Local if second_is_eq => {
                if !toks.get(2).is_some_and(|t| t.is_ident("type")) {
                    return Err(err(i, "expected 'type' in a type definition"));
                }
                if toks.get(3).is_some_and(|t| !t.is_ident("opaque")) {
                    let mut c = Cursor::new(&toks[3..], text.len());
                    let ty = parse_type(&mut c).map_err(|e| locate(i, &text, e))?;
                    named_types.push((first.text.to_string(), ty));
                }
            }
            Kind::Meta if second_is_eq => {
                let start = toks.get(2).map_or(text.len(), |t| t.start);
                metadata.insert(first.text.to_string(), text[start..].to_string());
            }
            _ => {
                return Err(err(
                    i,
                    format!("expected a top-level entity, found '{}'", first.text),
                ));
            }
        }
        items.push(Item {
            line: i,
            nlines: n,
            kind,
        });
        i += n;
    }
    let mut layout = DataLayout::parse(&layout_text);
    for (name, ty) in named_types {
        layout.add_named(&name, ty);
    }
    let opaque = sc.saw_ptr || !sc.saw_star;
    Ok(Module {
        lines: sc.lines,
        items,
        functions,
        globals,
        symbols,
        params,
        fn_attrs,
        attr_groups,
        metadata,
        layout,
        opaque,
    })
}

/// Reads `constant`/`global`, the address space and the section of a global definition.
fn parse_global(toks: &[Token<'_>]) -> Option<Global> {
    let mut d = 0;
    let mut constant = None;
    let mut addrspace = 0;
    let mut section = None;
    for (i, t) in toks.iter().enumerate().skip(2) {
        d += t.depth_delta();
        if d != 0 || t.kind != Kind::Ident {
            continue;
        }
        match t.text {
            "alias" | "ifunc" if constant.is_none() => return None,
            "global" | "constant" if constant.is_none() => constant = Some(t.text == "constant"),
            "addrspace" if constant.is_none() => {
                addrspace = toks.get(i + 2)?.text.parse().unwrap_or(u32::MAX);
            }
            "section" if constant.is_some() => {
                section = toks
                    .get(i + 1)
                    .map(|s| s.text.trim_matches('"').to_string());
            }
            _ => {}
        }
    }
    Some(Global {
        constant: constant?,
        section,
        addrspace,
    })
}

/// Words and `#N` references after the parameter list of a `declare` line.
fn attrs_after_params(toks: &[Token<'_>]) -> Vec<String> {
    let Some(name) = toks.iter().position(|t| t.kind == Kind::Global) else {
        return Vec::new();
    };
    let mut d = 0;
    for (i, t) in toks.iter().enumerate().skip(name + 1) {
        d += t.depth_delta();
        if d == 0 {
            return toks[i + 1..]
                .iter()
                .filter(|t| matches!(t.kind, Kind::Ident | Kind::AttrRef))
                .map(|t| t.text.to_string())
                .collect();
        }
    }
    Vec::new()
}

/// The text of each parameter (type, attributes, name) of a `declare`/`define` header.
fn param_texts(text: &str, toks: &[Token<'_>]) -> Vec<String> {
    let Some(name) = toks.iter().position(|t| t.kind == Kind::Global) else {
        return Vec::new();
    };
    if !toks.get(name + 1).is_some_and(|t| t.is_punct('(')) {
        return Vec::new();
    }
    let mut d = 0;
    let mut close = None;
    for (i, t) in toks.iter().enumerate().skip(name + 1) {
        d += t.depth_delta();
        if d == 0 {
            close = Some(i);
            break;
        }
    }
    let Some(close) = close else {
        return Vec::new();
    };
    super::cursor::split_top_commas(&toks[name + 2..close])
        .iter()
        .filter_map(|p| Some(text.get(p.first()?.start..p.last()?.end)?.to_string()))
        .collect()
}

/// Whether a body line's tokens form a label (`name:`); returns the `%name` form.
fn label_of(toks: &[Token<'_>]) -> Option<String> {
    if toks.len() != 2 || !toks[1].is_punct(':') || toks[0].end != toks[1].start {
        return None;
    }
    match toks[0].kind {
        Kind::Ident | Kind::Int | Kind::Str => Some(format!("%{}", toks[0].text)),
        _ => None,
    }
}

/// Parses a function definition starting at line `start`.
fn parse_function(sc: &mut Scanner<'_>, start: usize) -> Result<Function, SyntaxError> {
    // Header: through the line that opens the body.
    let mut header = String::new();
    let mut j = start;
    let mut d = 0i32;
    loop {
        let Some(line) = sc.lines.get(j).copied() else {
            return Err(err(start, "unexpected end of file in a function header"));
        };
        let toks = sc.tokens(j)?;
        if j > start && toks.first().is_some_and(|t| t.is_ident("define")) {
            return Err(err(j, "expected '{' to open the function body"));
        }
        d += depth(&toks);
        if j > start {
            header.push('\n');
        }
        header.push_str(line);
        j += 1;
        if d == 1 && toks.last().is_some_and(|t| t.is_punct('{')) {
            break;
        }
        if d < 0 || j - start > 1000 {
            return Err(err(start, "expected '{' to open the function body"));
        }
    }
    let header_nlines = j - start;
    let htoks = tokenize(&header).map_err(|e| err(start, e.message))?;
    let name_at = htoks
        .iter()
        .position(|t| t.kind == Kind::Global)
        .ok_or_else(|| err(start, "expected a function name"))?;
    let name = htoks[name_at].text.to_string();
    let mut c = Cursor::new(&htoks[name_at + 1..], header.len());
    if !c.peek().is_some_and(|t| t.is_punct('(')) {
        return Err(err(start, "expected '(' after the function name"));
    }
    let params_open = name_at + 1;
    c.skip_group().map_err(|e| locate(start, &header, e))?;
    let params_close = name_at + c.pos();
    let fn_attrs: Vec<String> = htoks[params_close + 1..]
        .iter()
        .filter(|t| matches!(t.kind, Kind::Ident | Kind::AttrRef))
        .map(|t| t.text.to_string())
        .collect();
    let mut next_number = count_numbered_params(&htoks[params_open + 1..params_close]);

    let mut stmts = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut names_ok = true;
    let mut need_block = true;
    loop {
        let Some(line) = sc.lines.get(j).copied() else {
            return Err(err(
                start,
                format!("unexpected end of file inside function {name}"),
            ));
        };
        let toks = sc.tokens(j)?;
        if toks.is_empty() {
            stmts.push(Stmt {
                line: j,
                nlines: 1,
                text: line.to_string(),
                kind: StmtKind::Blank,
            });
            j += 1;
            continue;
        }
        if toks.len() == 1 && toks[0].is_punct('}') {
            break;
        }
        if toks[0].is_ident("define") || toks[0].is_ident("declare") {
            return Err(err(j, format!("expected '}}' to close function {name}")));
        }
        if let Some(label) = label_of(&toks) {
            if let Some(n) = label.strip_prefix('%').and_then(|n| n.parse::<u64>().ok()) {
                if n < next_number {
                    names_ok = false;
                }
                next_number = n.saturating_add(1);
            }
            blocks.push(Block {
                name: label,
                stmts: Vec::new(),
            });
            need_block = false;
            stmts.push(Stmt {
                line: j,
                nlines: 1,
                text: line.to_string(),
                kind: StmtKind::Label,
            });
            j += 1;
            continue;
        }
        let (mut text, mut n) = sc.statement(j)?;
        // Landing pad clauses, and the `to label ... unwind label ...` of an `invoke` or
        // `callbr`, continue the previous statement on their own lines.
        while j + n < sc.lines.len() {
            let nt = sc.tokens(j + n)?;
            let clause = nt.first().is_some_and(|t| {
                matches!(t.text, "catch" | "filter" | "cleanup" | "to") && t.kind == Kind::Ident
            }) && label_of(&nt).is_none();
            if !clause {
                break;
            }
            let (more, m) = sc.statement(j + n)?;
            text.push('\n');
            text.push_str(&more);
            n += m;
        }
        if need_block {
            blocks.push(Block {
                name: format!("%{next_number}"),
                stmts: Vec::new(),
            });
            next_number = next_number.saturating_add(1);
            need_block = false;
        }
        let kind = if toks[0].kind == Kind::DbgRecord {
            StmtKind::DbgRecord
        } else {
            let inst = parse_inst(&text).map_err(|e| locate(j, &text, e))?;
            if let Some(r) = &inst.result
                && let Some(num) = r.strip_prefix('%').and_then(|n| n.parse::<u64>().ok())
            {
                if num != next_number {
                    names_ok = false;
                }
                next_number = num.saturating_add(1);
            }
            if inst.terminator {
                need_block = true;
            }
            Box::new(inst).into()
        };
        let idx = stmts.len();
        if let Some(b) = blocks.last_mut() {
            b.stmts.push(idx);
        }
        stmts.push(Stmt {
            line: j,
            nlines: n,
            text,
            kind,
        });
        j += n;
    }
    if blocks.is_empty() {
        return Err(err(j, format!("function {name} has no instructions")));
    }
    Ok(Function {
        name,
        header_line: start,
        header_nlines,
        close_line: j,
        fn_attrs,
        stmts,
        blocks,
        names_ok,
    })
}

impl From<Box<Inst>> for StmtKind {
    fn from(i: Box<Inst>) -> Self {
        StmtKind::Inst(i)
    }
}

/// Counts the parameters that take implicit or explicit numbers (`%0`, `%1`, ...), which the
/// entry block's implicit number follows.
fn count_numbered_params(toks: &[Token<'_>]) -> u64 {
    let mut next = 0u64;
    for part in super::cursor::split_top_commas(toks) {
        if part.is_empty() || part.iter().any(|t| t.kind == Kind::Ellipsis) {
            continue;
        }
        match part.last() {
            Some(t) if t.kind == Kind::Local => {
                if let Ok(n) = t.text[1..].parse::<u64>() {
                    next = n.saturating_add(1);
                }
            }
            _ => next = next.saturating_add(1),
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "; ModuleID = 'a.c'
target datalayout = \"e-m:e-i64:64-i128:128-f80:128-n8:16:32:64-S128\"
%struct.S = type { i32, i8, i16 }
@tbl = dso_local constant [4 x i32] [i32 1, i32 2, i32 3, i32 4], align 16
@g = dso_local global i32 0, align 4, section \"data\"

define dso_local i32 @sum(ptr nocapture %0, i32 %1) #0 {
  %3 = icmp sgt i32 %1, 0
  br i1 %3, label %4, label %6

4:                                                ; preds = %2
  %5 = load i32, ptr %0, align 4
  br label %6

6:
  %7 = phi i32 [ 0, %2 ], [ %5, %4 ]
  switch i32 %7, label %8 [
    i32 0, label %8
  ]
8:
  ret i32 %7
}

attributes #0 = { nounwind }
!0 = !{!\"vtable pointer\", !1, i64 0}
";

    #[test]
    fn splits_module() {
        let m = parse(SRC).expect("parses");
        assert_eq!(m.functions.len(), 1);
        let f = &m.functions[0];
        assert_eq!(f.name, "@sum");
        let names: Vec<_> = f.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, vec!["%2", "%4", "%6", "%8"]);
        assert!(f.names_ok);
        assert!(m.opaque);
        assert!(m.globals["@tbl"].constant);
        assert!(!m.globals["@g"].constant);
        assert_eq!(m.globals["@g"].section.as_deref(), Some("data"));
        assert_eq!(m.attr_groups["#0"], "{ nounwind }");
        assert!(m.metadata["!0"].contains("vtable pointer"));
        let sw = &f.stmts[f.blocks[2].stmts[1]];
        assert_eq!(sw.nlines, 3);
        assert_eq!(f.fn_attrs, vec!["#0"]);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SRC.replace("%5 = load i32, ptr %0", "%5 = load i32 ptr %0");
        assert_eq!(parse(&bad).map(|_| ()).unwrap_err().line, 12);
        let bad = SRC.replace("ret i32 %7\n}", "ret i32 %7\n");
        assert!(parse(&bad).is_err());
        assert!(parse("garbage here\n").is_err());
        assert!(parse("define void @f() {\n").is_err());
        assert!(parse("@x = global [2 x i32] [i32 1,\n").is_err());
    }

    #[test]
    fn landingpad_clauses_join() {
        let src = "define void @f() personality ptr @p {\n  invoke void @g() to label %a unwind label %b\na:\n  ret void\nb:\n  %l = landingpad { ptr, i32 }\n          cleanup\n          catch ptr null\n  resume { ptr, i32 } %l\n}\n";
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let lp = f
            .stmts
            .iter()
            .find(|s| s.text.contains("landingpad"))
            .expect("lp");
        assert_eq!(lp.nlines, 3);
        assert_eq!(f.blocks.len(), 3);
        assert_eq!(f.blocks[0].name, "%0");
        let src = "define void @f() personality ptr @p {\n  invoke void @g()\n          to label %1 unwind label %2\n\n1:\n  ret void\n\n2:\n  %3 = landingpad { ptr, i32 }\n          cleanup\n  resume { ptr, i32 } %3\n}\n";
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        assert!(f.names_ok);
        assert_eq!(f.blocks.len(), 3);
        let inv = f
            .stmts
            .iter()
            .find(|s| s.text.contains("invoke"))
            .expect("invoke");
        assert_eq!(inv.nlines, 2);
        assert_eq!(
            inv.inst().map(|i| i.succs.clone()),
            Some(vec!["%1".to_string(), "%2".to_string()])
        );
    }
}
