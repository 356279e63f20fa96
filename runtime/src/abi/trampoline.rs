//! Entry points that know where they were called from.
//!
//! The compiler instrumentation ABI passes no pc: ThreadSanitizer reads its
//! caller's return address, which stable Rust cannot do from inside a
//! function. So each such hook is a two-instruction naked function that
//! copies its return address into the next free argument register and
//! tail-jumps to an implementation taking the pc as an extra argument. The
//! caller's return address then comes back to it unchanged.
//!
//! A few 128-bit atomics use every argument register; their trampolines pass
//! the pc as the first stack argument instead (see [`hook_pc_on_stack`]).

/// `hook_pc!(NAME => IMPL, x86_64: "REG", aarch64: "REG")`: defines the
/// exported hook `NAME`, which calls `IMPL(args…, pc)` with the pc in the
/// given register (the register of `IMPL`'s last argument).
macro_rules! hook_pc {
    ($(#[$doc:meta])* $name:ident => $imp:path, x86_64: $x:literal, aarch64: $a:literal) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Called by instrumented code with the arguments of its C prototype.
        #[cfg(target_arch = "x86_64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(concat!("mov ", $x, ", qword ptr [rsp]"), "jmp {imp}", imp = sym $imp)
        }

        $(#[$doc])*
        ///
        /// # Safety
        /// Called by instrumented code with the arguments of its C prototype.
        #[cfg(target_arch = "aarch64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(concat!("mov ", $a, ", x30"), "b {imp}", imp = sym $imp)
        }
    };
}

/// `hook_pc_on_stack!(NAME => IMPL)`: defines the exported hook `NAME`,
/// which calls `IMPL` with the pc pushed as an extra stack argument (two
/// slots: the pc, then padding), placed before any stack arguments of the
/// original call.
macro_rules! hook_pc_on_stack {
    ($(#[$doc:meta])* $name:ident => $imp:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Called by instrumented code with the arguments of its C prototype.
        #[cfg(target_arch = "x86_64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            // The pushed copy of the return address is the pc; the original
            // return-address slot becomes the padding slot.
            core::arch::naked_asm!("push qword ptr [rsp]", "call {imp}", "add rsp, 8", "ret", imp = sym $imp)
        }

        $(#[$doc])*
        ///
        /// # Safety
        /// Called by instrumented code with the arguments of its C prototype.
        #[cfg(target_arch = "aarch64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(
                "str x30, [sp, #-16]!",
                "bl {imp}",
                "ldr x30, [sp], #16",
                "ret",
                imp = sym $imp
            )
        }
    };
}

pub(crate) use {hook_pc, hook_pc_on_stack};
