//! Turning pcs and data addresses into names, files and lines.
//!
//! A language runtime may hand us a callback at `__tsan_init` (Go does);
//! otherwise the program's own debug information is read with `backtrace`.

use core::ffi::{CStr, c_char, c_void};

use super::elf::DataSymbols;

/// One source-level frame (an inlined call expands into several).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The pc the frame was asked for (before the `- 1` adjustment).
    pub pc: u64,
    /// Function name, demangled; `??` when unknown.
    pub function: String,
    /// Source file; empty when unknown.
    pub file: String,
    /// Line, 0 when unknown.
    pub line: u32,
    /// Column, 0 when unknown.
    pub column: u32,
    /// The binary or library holding the pc.
    pub module: String,
    /// Offset of the pc in that module.
    pub module_offset: u64,
    /// Offset of the pc from the start of its function.
    pub function_offset: u64,
}

/// What is known about a data address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSymbol {
    /// The variable's name (demangled).
    pub name: String,
    /// Its first byte.
    pub start: usize,
    /// Its size in bytes.
    pub size: usize,
    /// Where it is declared, when known.
    pub file: String,
    /// Line of the declaration, 0 when unknown.
    pub line: u32,
    /// The binary or library holding it, and the offset there.
    pub module: String,
    /// Offset of `start` in the module.
    pub module_offset: u64,
    /// Whether this is a heap object rather than a variable (Go tells us).
    pub heap: bool,
}

/// The callback a Go-style runtime passes to `__tsan_init`.
pub type RuntimeCallback = unsafe extern "C" fn(cmd: usize, ctx: *mut c_void);

/// Where names come from.
pub enum Symbolizer {
    /// The program's debug information, read in-process.
    Native(DataSymbols),
    /// The language runtime's callback.
    Callback(RuntimeCallback),
}

const CMD_SYMBOLIZE_CODE: usize = 1;
const CMD_SYMBOLIZE_DATA: usize = 2;

/// Go's `symbolizeCodeContext`.
#[repr(C)]
struct CodeContext {
    pc: usize,
    func: *const c_char,
    file: *const c_char,
    line: usize,
    off: usize,
    res: usize,
}

/// Go's `symbolizeDataContext`.
#[repr(C)]
struct DataContext {
    addr: usize,
    heap: usize,
    start: usize,
    size: usize,
    name: *const c_char,
    file: *const c_char,
    line: usize,
    res: usize,
}

impl Symbolizer {
    /// Holds the symbolizer's locks across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut crate::platform::lock::ForkHold) {
        if let Symbolizer::Native(symbols) = self {
            symbols.hold_for_fork(hold);
        }
    }

    /// The frames at `pc`, innermost first. `pc` is a return address or
    /// the address just after an access; the byte before it is what is
    /// looked up, so that a call on the last line of a function resolves
    /// to that line.
    pub fn code(&self, pc: u64) -> Vec<Frame> {
        let lookup = pc.saturating_sub(1);
        let mut frames = match self {
            Symbolizer::Native(symbols) => native_code(symbols, pc, lookup),
            Symbolizer::Callback(cb) => callback_code(*cb, pc, lookup),
        };
        if frames.is_empty() {
            frames.push(Frame {
                pc,
                function: "??".into(),
                ..Frame::default()
            });
        }
        frames
    }

    /// What is known about the data at `addr`.
    pub fn data(&self, addr: usize) -> Option<DataSymbol> {
        match self {
            Symbolizer::Native(symbols) => symbols.lookup(addr),
            Symbolizer::Callback(cb) => callback_data(*cb, addr),
        }
    }
}

/// A symbol's name for reports: demangled when it is a mangled C++ or Rust
/// name, as it is otherwise. (A C symbol such as `x` or `f` would otherwise
/// be read as the mangling of a type: `long long`, `float`.)
pub fn demangle(raw: &[u8]) -> String {
    if raw.starts_with(b"_Z") || raw.starts_with(b"_R") {
        format!("{:#}", backtrace::SymbolName::new(raw))
    } else {
        String::from_utf8_lossy(raw).into_owned()
    }
}

fn cstr(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the runtime's callback returns NUL-terminated strings that
    // stay valid (Go points into its read-only function tables).
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

fn callback_code(cb: RuntimeCallback, pc: u64, lookup: u64) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut at = lookup as usize;
    // An inlined frame answers with the pc of its logical caller; asking
    // again walks out to the real function. Bounded against a runtime that
    // keeps answering with new pcs.
    for _ in 0..64 {
        let mut ctx = CodeContext {
            pc: at,
            func: core::ptr::null(),
            file: core::ptr::null(),
            line: 0,
            off: 0,
            res: 0,
        };
        // SAFETY: the callback was given to us by the runtime for exactly
        // this protocol; `ctx` is a live, correctly laid out context.
        unsafe {
            cb(
                CMD_SYMBOLIZE_CODE,
                &mut ctx as *mut CodeContext as *mut c_void,
            )
        };
        if ctx.res == 0 {
            break;
        }
        frames.push(Frame {
            pc,
            function: cstr(ctx.func).unwrap_or_else(|| "??".into()),
            file: cstr(ctx.file).unwrap_or_else(|| "-".into()),
            line: ctx.line as u32,
            function_offset: ctx.off as u64,
            module_offset: ctx.off as u64,
            ..Frame::default()
        });
        if ctx.pc == at {
            break;
        }
        at = ctx.pc;
    }
    frames
}

fn callback_data(cb: RuntimeCallback, addr: usize) -> Option<DataSymbol> {
    let mut ctx = DataContext {
        addr,
        heap: 0,
        start: 0,
        size: 0,
        name: core::ptr::null(),
        file: core::ptr::null(),
        line: 0,
        res: 0,
    };
    // SAFETY: as in `callback_code`.
    unsafe {
        cb(
            CMD_SYMBOLIZE_DATA,
            &mut ctx as *mut DataContext as *mut c_void,
        )
    };
    (ctx.res != 0).then(|| DataSymbol {
        name: cstr(ctx.name).unwrap_or_default(),
        start: ctx.start,
        size: ctx.size,
        file: cstr(ctx.file).unwrap_or_default(),
        line: ctx.line as u32,
        heap: ctx.heap != 0,
        ..DataSymbol::default()
    })
}

fn native_code(symbols: &DataSymbols, pc: u64, lookup: u64) -> Vec<Frame> {
    let (module, base) = module_of(lookup as usize);
    // The outermost (real, not inlined) function, from the symbol table.
    let outer = symbols.function(lookup as usize);
    let start = outer.as_ref().map_or(lookup, |f| f.start as u64);
    let mut frames = Vec::new();
    // `resolve` looks up the byte before the address it is given (it takes
    // every address for a return address), so it gets `pc`, not `lookup`.
    backtrace::resolve(pc as usize as *mut c_void, |sym| {
        let function = match sym.name() {
            Some(n) => demangle(n.as_bytes()),
            None => "??".into(),
        };
        frames.push(Frame {
            pc,
            function,
            file: sym
                .filename()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            line: sym.lineno().unwrap_or(0),
            column: sym.colno().unwrap_or(0),
            module: module.clone(),
            module_offset: lookup.wrapping_sub(base as u64),
            function_offset: lookup.wrapping_sub(start),
        });
    });
    if frames.is_empty() {
        if let Some(f) = outer {
            frames.push(Frame {
                pc,
                function: f.name,
                module: module.clone(),
                module_offset: lookup.wrapping_sub(base as u64),
                function_offset: lookup.wrapping_sub(start),
                ..Frame::default()
            });
        }
    }
    frames
}

/// The file name of the module holding `addr` and its load address.
pub fn module_of(addr: usize) -> (String, usize) {
    let mut info: libc::Dl_info = libc::Dl_info {
        dli_fname: core::ptr::null(),
        dli_fbase: core::ptr::null_mut(),
        dli_sname: core::ptr::null(),
        dli_saddr: core::ptr::null_mut(),
    };
    // SAFETY: dladdr only reads the loader's tables and fills `info`.
    let found = unsafe { libc::dladdr(addr as *const c_void, &mut info) } != 0;
    if !found {
        return (String::new(), 0);
    }
    let mut name = cstr(info.dli_fname).unwrap_or_default();
    if name.is_empty() {
        // The main executable may be reported without a name.
        name = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
    }
    (name, info.dli_fbase as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mangled_names_are_demangled() {
        assert_eq!(demangle(b"x"), "x");
        assert_eq!(demangle(b"f"), "f");
        assert_eq!(demangle(b"main"), "main");
        assert!(demangle(b"_Z3fooi").starts_with("foo"));
        assert_eq!(
            demangle(b"_ZN5hello5world17h0123456789abcdefE"),
            "hello::world"
        );
    }
}
