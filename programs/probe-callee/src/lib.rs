//! Toolchain probe: the target of `toolchain-probe`'s CPI. It succeeds only when
//! account 0 signed (a PDA of `toolchain-probe` signs through `invoke_signed`).
#![no_std]

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

pinocchio::program_entrypoint!(process_instruction);
pinocchio::default_allocator!();
pinocchio::nostd_panic_handler!();

pub fn process_instruction(
    _program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let signer = accounts.first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    if !signer.is_signer() {
        return Err(ProgramError::MissingRequiredSignature);
    }
    // Echo the signer's address and the payload so the caller can check both.
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(signer.address().as_ref());
    let n = data.len().min(32);
    out[32..32 + n].copy_from_slice(&data[..n]);
    #[cfg(target_arch = "bpf")]
    unsafe {
        pinocchio::syscalls::sol_set_return_data(out.as_ptr(), (32 + n) as u64)
    };
    Ok(())
}
