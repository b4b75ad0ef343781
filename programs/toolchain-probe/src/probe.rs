extern crate alloc;

use alloc::{boxed::Box, string::String, vec::Vec};
use core::fmt::Write;
use pinocchio::{
    cpi::{invoke_signed, Seed, Signer},
    error::ProgramError,
    instruction::{InstructionAccount, InstructionView},
    syscalls,
    sysvars::instructions::Instructions,
    AccountView, Address, ProgramResult,
};

pinocchio::program_entrypoint!(process_instruction);
pinocchio::default_allocator!();
pinocchio::nostd_panic_handler!();

/// Ed25519SigVerify111111111111111111111111111
const ED25519_PROGRAM_ID: Address = Address::new_from_array([
    3, 125, 70, 214, 124, 147, 251, 190, 18, 249, 66, 143, 131, 141, 64, 255, 5, 112, 116, 73, 39,
    244, 138, 100, 252, 202, 112, 68, 128, 0, 0, 0,
]);

const PDA_SEED: &[u8] = b"probe-signer";

fn set_return(data: &[u8]) {
    unsafe { syscalls::sol_set_return_data(data.as_ptr(), data.len() as u64) };
}

fn check(rc: u64) -> ProgramResult {
    if rc == 0 {
        Ok(())
    } else {
        Err(ProgramError::Custom(rc as u32))
    }
}

pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let (&tag, rest) = data.split_first().ok_or(ProgramError::InvalidInstructionData)?;
    match tag {
        0 => log(rest),
        1 => keccak(rest),
        2 => poseidon(rest),
        3 => bn128_group_op(rest),
        4 => bn128_compression(rest),
        5 => cpi_with_pda_signer(program_id, accounts, rest),
        6 => inspect_ed25519(accounts, rest),
        7 => rust_constructs(rest),
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

/// sol_log_, sol_log_64_, sol_log_data, sol_log_compute_units_.
fn log(rest: &[u8]) -> ProgramResult {
    let msg = "zkpin probe: log";
    unsafe {
        syscalls::sol_log_(msg.as_ptr(), msg.len() as u64);
        syscalls::sol_log_64_(1, 2, 3, 4, rest.len() as u64);
        let fields: [&[u8]; 2] = [b"zkpin", rest];
        syscalls::sol_log_data(fields.as_ptr() as *const u8, fields.len() as u64);
        syscalls::sol_log_compute_units_();
    }
    Ok(())
}

/// keccak256 over the rest of the data, split in two slices to exercise the slice list.
fn keccak(rest: &[u8]) -> ProgramResult {
    let mid = rest.len() / 2;
    let parts: [&[u8]; 2] = [&rest[..mid], &rest[mid..]];
    let mut out = [0u8; 32];
    check(unsafe {
        syscalls::sol_keccak256(parts.as_ptr() as *const u8, parts.len() as u64, out.as_mut_ptr())
    })?;
    set_return(&out);
    Ok(())
}

/// Poseidon (BN254 x^5, big-endian) over 32-byte inputs.
fn poseidon(rest: &[u8]) -> ProgramResult {
    if rest.is_empty() || rest.len() % 32 != 0 || rest.len() > 12 * 32 {
        return Err(ProgramError::InvalidInstructionData);
    }
    let mut inputs: [&[u8]; 12] = [&[]; 12];
    let n = rest.len() / 32;
    for (i, chunk) in rest.chunks_exact(32).enumerate() {
        inputs[i] = chunk;
    }
    let mut out = [0u8; 32];
    check(unsafe {
        syscalls::sol_poseidon(0, 0, inputs.as_ptr() as *const u8, n as u64, out.as_mut_ptr())
    })?;
    set_return(&out);
    Ok(())
}

/// alt_bn128 group op: first byte is the op (0 add, 2 mul, 3 pairing), the rest the input.
fn bn128_group_op(rest: &[u8]) -> ProgramResult {
    let (&op, input) = rest.split_first().ok_or(ProgramError::InvalidInstructionData)?;
    let mut out = [0u8; 64];
    let len = match op {
        0 | 2 => 64,
        3 => 32,
        _ => return Err(ProgramError::InvalidInstructionData),
    };
    check(unsafe {
        syscalls::sol_alt_bn128_group_op(
            op as u64,
            input.as_ptr(),
            input.len() as u64,
            out.as_mut_ptr(),
        )
    })?;
    set_return(&out[..len]);
    Ok(())
}

/// alt_bn128 compression: first byte is the op (1 G1 decompress, 3 G2 decompress).
fn bn128_compression(rest: &[u8]) -> ProgramResult {
    let (&op, input) = rest.split_first().ok_or(ProgramError::InvalidInstructionData)?;
    let mut out = [0u8; 128];
    let len = match op {
        1 => 64,
        3 => 128,
        _ => return Err(ProgramError::InvalidInstructionData),
    };
    check(unsafe {
        syscalls::sol_alt_bn128_compression(
            op as u64,
            input.as_ptr(),
            input.len() as u64,
            out.as_mut_ptr(),
        )
    })?;
    set_return(&out[..len]);
    Ok(())
}

/// Invokes `probe-callee` with our PDA as a signer. Accounts: [pda, callee program].
fn cpi_with_pda_signer(
    program_id: &Address,
    accounts: &mut [AccountView],
    rest: &[u8],
) -> ProgramResult {
    let [pda, callee, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let (expected, bump) = Address::find_program_address(&[PDA_SEED], program_id);
    if pda.address() != &expected {
        return Err(ProgramError::InvalidSeeds);
    }
    let metas = [InstructionAccount::readonly_signer(pda.address())];
    let ix = InstructionView { program_id: callee.address(), data: rest, accounts: &metas };
    let bump_seed = [bump];
    let seeds = [Seed::from(PDA_SEED), Seed::from(&bump_seed)];
    invoke_signed(&ix, &[&*pda], &[Signer::from(&seeds)])
}

/// Reads the Ed25519 precompile instruction at the index given in `rest[0]` through the
/// instructions sysvar and returns `count || (pubkey || message_len u16 LE)*`.
fn inspect_ed25519(accounts: &mut [AccountView], rest: &[u8]) -> ProgramResult {
    let sysvar = accounts.first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let index = *rest.first().ok_or(ProgramError::InvalidInstructionData)?;
    let ixs = Instructions::try_from(sysvar)?;
    let ix = ixs.load_instruction_at(index as usize)?;
    if ix.get_program_id() != &ED25519_PROGRAM_ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    let d = ix.get_instruction_data();
    let count = *d.first().ok_or(ProgramError::InvalidInstructionData)? as usize;
    let mut out: Vec<u8> = Vec::with_capacity(1 + count * 34);
    out.push(count as u8);
    for i in 0..count {
        let o = 2 + i * 14;
        let field = |k: usize| -> Result<usize, ProgramError> {
            let b = d.get(o + 2 * k..o + 2 * k + 2).ok_or(ProgramError::InvalidInstructionData)?;
            Ok(u16::from_le_bytes([b[0], b[1]]) as usize)
        };
        let (pk_off, msg_off, msg_len) = (field(2)?, field(4)?, field(5)?);
        let pk = d.get(pk_off..pk_off + 32).ok_or(ProgramError::InvalidInstructionData)?;
        d.get(msg_off..msg_off + msg_len).ok_or(ProgramError::InvalidInstructionData)?;
        out.extend_from_slice(pk);
        out.extend_from_slice(&(msg_len as u16).to_le_bytes());
    }
    set_return(&out);
    Ok(())
}

trait Shape {
    fn area(&self) -> u64;
}
struct Square(u64);
struct Rect(u64, u64);
impl Shape for Square {
    fn area(&self) -> u64 {
        self.0 * self.0
    }
}
impl Shape for Rect {
    fn area(&self) -> u64 {
        self.0 * self.1
    }
}

#[inline(never)]
fn five_args(a: u64, b: u64, c: &[u8], d: u64) -> u64 {
    a.wrapping_add(b).wrapping_add(c.len() as u64).wrapping_add(d)
}

#[inline(never)]
fn classify(x: u8) -> &'static str {
    match x % 7 {
        0 => "zero",
        1 => "one",
        2 => "two",
        3 => "three",
        4 => "four",
        5 => "five",
        _ => "six",
    }
}

/// Decimal formatting without `core::fmt`'s integer path.
fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or(""));
}

/// Constructs the toolchain notes mark as risky: `core::fmt` (vtables and tables in
/// .rodata), trait objects, heap (Vec, Box, String), jump tables, a call with five
/// registers' worth of arguments, checked u64 arithmetic, 64-bit division.
/// Returns the formatted line.
fn rust_constructs(rest: &[u8]) -> ProgramResult {
    let n = rest.first().copied().unwrap_or(3) as u64;
    let shapes: Vec<Box<dyn Shape>> = alloc::vec![Box::new(Square(n)), Box::new(Rect(n, n + 1))];
    let total: u64 = shapes.iter().map(|s| s.area()).sum();
    let sum = five_args(n, total, rest, 7);
    let checked = u64::MAX.checked_add(n).is_none();
    let q = (total * 1_000_003) / (n + 1);
    // core::fmt with &str arguments works (vtables, .rodata tables); integer `Display`
    // does not link (Formatter::pad_integral takes six arguments), so integers are written
    // with `push_u64`.
    let mut line = String::new();
    line.push_str("n=");
    push_u64(&mut line, n);
    line.push_str(" total=");
    push_u64(&mut line, total);
    line.push_str(" sum=");
    push_u64(&mut line, sum);
    write!(line, " word={} overflow={}", classify(rest.get(1).copied().unwrap_or(0)), checked)
        .map_err(|_| ProgramError::Custom(1))?;
    line.push_str(" q=");
    push_u64(&mut line, q);
    unsafe { syscalls::sol_log_(line.as_ptr(), line.len() as u64) };
    set_return(line.as_bytes());
    Ok(())
}
