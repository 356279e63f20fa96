//! Emitting calls to the hooks of the instrumentation ABI (ABI.md §1), in the module's pointer
//! spelling, and remembering which hooks need declarations.

use std::collections::BTreeMap;

use super::instructions::Value;
use super::stats::Stats;
use super::types::Type;

/// Builds instruction lines for one module.
pub struct Emitter {
    /// The module spells pointers `ptr` (else typed pointers, hooks take `i8*`).
    pub opaque: bool,
    /// Prefix of fresh local names (`%hbsan.`, made unique against the input).
    prefix: String,
    counter: usize,
    /// Hook declarations needed: name to full `declare` line.
    pub decls: BTreeMap<String, String>,
    /// Counters.
    pub stats: Stats,
}

/// Sizes that have dedicated hooks.
pub fn sized_hook_exists(size: u64) -> bool {
    matches!(size, 1 | 2 | 4 | 8 | 16)
}

impl Emitter {
    /// An emitter whose fresh names start with `%<prefix>`.
    pub fn new(opaque: bool, prefix: &str) -> Emitter {
        Emitter {
            opaque,
            prefix: format!("%{prefix}"),
            counter: 0,
            decls: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    /// A fresh local name.
    pub fn fresh(&mut self) -> String {
        self.counter += 1;
        format!("{}{}", self.prefix, self.counter)
    }

    /// The hooks' pointer type: `ptr` or `i8*`.
    pub fn byte_ptr_ty(&self) -> &'static str {
        if self.opaque { "ptr" } else { "i8*" }
    }

    /// The pointer type for an `iN` atomic hook: `ptr` or `iN*`.
    pub fn int_ptr_ty(&self, bits: u64) -> String {
        if self.opaque {
            "ptr".to_string()
        } else {
            format!("i{bits}*")
        }
    }

    /// Converts a pointer operand to `target` (a pointer type text), emitting a `bitcast`
    /// in typed-pointer mode when the types differ. Returns the value text.
    pub fn cast_ptr(&mut self, v: &Value, target: &str, out: &mut Vec<String>) -> String {
        if self.opaque || v.ty_text.trim() == target {
            return v.text.clone();
        }
        let name = self.fresh();
        out.push(format!(
            "  {name} = bitcast {} {} to {target}",
            v.ty_text, v.text
        ));
        name
    }

    /// Converts a pointer operand to the hooks' byte-pointer type.
    pub fn byte_ptr(&mut self, v: &Value, out: &mut Vec<String>) -> String {
        let t = self.byte_ptr_ty();
        self.cast_ptr(v, t, out)
    }

    /// Emits `[result =] call RET @NAME(ARGS)[, !dbg D]` and records the declaration
    /// `declare RET @NAME(PARAMS) nounwind`. `args` are `(type, value)` pairs.
    pub fn call(
        &mut self,
        out: &mut Vec<String>,
        result: Option<&str>,
        ret: &str,
        name: &str,
        args: &[(String, String)],
        dbg: Option<&str>,
    ) {
        let params: Vec<&str> = args.iter().map(|(t, _)| t.as_str()).collect();
        self.decls
            .entry(name.to_string())
            .or_insert_with(|| format!("declare {ret} @{name}({}) nounwind", params.join(", ")));
        let list: Vec<String> = args.iter().map(|(t, v)| format!("{t} {v}")).collect();
        let lhs = result.map(|r| format!("{r} = ")).unwrap_or_default();
        let tail = dbg.map(|d| format!(", !dbg {d}")).unwrap_or_default();
        out.push(format!(
            "  {lhs}call {ret} @{name}({}){tail}",
            list.join(", ")
        ));
    }

    /// The check of one plain access of `size` bytes at `ptr` (already a byte pointer):
    /// a sized hook when one exists, else a range hook. Returns the counter name used.
    #[allow(clippy::too_many_arguments)]
    pub fn access_check(
        &mut self,
        out: &mut Vec<String>,
        write: bool,
        size: u64,
        align: u64,
        volatile: bool,
        aggregate: bool,
        ptr: &str,
        dbg: Option<&str>,
    ) {
        let rw = if write { "write" } else { "read" };
        let pty = self.byte_ptr_ty().to_string();
        if sized_hook_exists(size) && !aggregate {
            let unaligned = size > 1 && align < size;
            let name = format!(
                "__tsan_{}{}{rw}{size}",
                if unaligned { "unaligned_" } else { "" },
                if volatile { "volatile_" } else { "" }
            );
            self.call(out, None, "void", &name, &[(pty, ptr.to_string())], dbg);
            self.stats
                .bump(if write { "check.write" } else { "check.read" });
            if unaligned {
                self.stats.bump("detail.unaligned");
            }
            if volatile {
                self.stats.bump("detail.volatile");
            }
        } else {
            self.range_check(out, write, ptr, &size.to_string(), dbg);
        }
    }

    /// `__tsan_read_range(ptr, i64 len)` / `__tsan_write_range`.
    pub fn range_check(
        &mut self,
        out: &mut Vec<String>,
        write: bool,
        ptr: &str,
        len: &str,
        dbg: Option<&str>,
    ) {
        let name = if write {
            "__tsan_write_range"
        } else {
            "__tsan_read_range"
        };
        let pty = self.byte_ptr_ty().to_string();
        self.call(
            out,
            None,
            "void",
            name,
            &[(pty, ptr.to_string()), ("i64".to_string(), len.to_string())],
            dbg,
        );
        self.stats.bump(if write {
            "check.write_range"
        } else {
            "check.read_range"
        });
    }

    /// Converts an integer-like value between its own type and `iN` (for atomics): returns
    /// the converted value text, or `None` if the type cannot be carried in an integer.
    pub fn int_of(&mut self, v: &Value, bits: u64, out: &mut Vec<String>) -> Option<String> {
        let target = format!("i{bits}");
        match &v.ty {
            Type::Int(b) if u64::from(*b) == bits => Some(v.text.clone()),
            Type::Int(b) => {
                let op = if u64::from(*b) < bits {
                    "zext"
                } else {
                    "trunc"
                };
                let name = self.fresh();
                out.push(format!(
                    "  {name} = {op} {} {} to {target}",
                    v.ty_text, v.text
                ));
                Some(name)
            }
            Type::Ptr(_) | Type::TypedPtr(..) => {
                let name = self.fresh();
                out.push(format!(
                    "  {name} = ptrtoint {} {} to {target}",
                    v.ty_text, v.text
                ));
                Some(name)
            }
            Type::Float(_) | Type::Vector { .. } => {
                let name = self.fresh();
                out.push(format!(
                    "  {name} = bitcast {} {} to {target}",
                    v.ty_text, v.text
                ));
                Some(name)
            }
            _ => None,
        }
    }

    /// Converts an `iN` value back to `ty` (written `ty_text`), assigning it to `result`.
    pub fn int_to(
        &mut self,
        int_val: &str,
        bits: u64,
        ty: &Type,
        ty_text: &str,
        result: &str,
        out: &mut Vec<String>,
    ) {
        let src = format!("i{bits}");
        let op = match ty {
            Type::Int(b) if u64::from(*b) < bits => "trunc",
            Type::Int(b) if u64::from(*b) > bits => "zext",
            Type::Int(_) => {
                // Same width: an identity that keeps the result name defined.
                out.push(format!("  {result} = add {src} {int_val}, 0"));
                return;
            }
            Type::Ptr(_) | Type::TypedPtr(..) => "inttoptr",
            _ => "bitcast",
        };
        out.push(format!("  {result} = {op} {src} {int_val} to {ty_text}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_hooks() {
        let mut e = Emitter::new(true, "hbsan.");
        let mut out = Vec::new();
        e.access_check(&mut out, false, 4, 4, false, false, "%p", Some("!7"));
        e.access_check(&mut out, true, 8, 4, true, false, "%p", None);
        e.access_check(&mut out, true, 10, 16, false, false, "%p", None);
        e.access_check(&mut out, false, 8, 8, false, true, "%p", None);
        assert_eq!(out[0], "  call void @__tsan_read4(ptr %p), !dbg !7");
        assert_eq!(
            out[1],
            "  call void @__tsan_unaligned_volatile_write8(ptr %p)"
        );
        assert_eq!(out[2], "  call void @__tsan_write_range(ptr %p, i64 10)");
        assert_eq!(out[3], "  call void @__tsan_read_range(ptr %p, i64 8)");
        assert_eq!(
            e.decls["__tsan_read4"],
            "declare void @__tsan_read4(ptr) nounwind"
        );
        assert_eq!(e.stats.get("check.read"), 1);
    }

    #[test]
    fn typed_pointer_casts() {
        let mut e = Emitter::new(false, "hbsan.");
        let mut out = Vec::new();
        let v = Value {
            ty: Type::TypedPtr(Box::new(Type::Int(32)), 0),
            ty_text: "i32*".into(),
            text: "@g".into(),
        };
        let p = e.byte_ptr(&v, &mut out);
        assert_eq!(p, "%hbsan.1");
        assert_eq!(out[0], "  %hbsan.1 = bitcast i32* @g to i8*");
    }
}
