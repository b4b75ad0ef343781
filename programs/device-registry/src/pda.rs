//! Creation of this program's PDA accounts.
use pinocchio::{
    cpi::{Seed, Signer},
    AccountView, ProgramResult,
};

use crate::ID;

/// A PDA to create: `seeds || [bump]`, `space` bytes.
pub struct PdaSpec<'a> {
    pub seeds: &'a [&'a [u8]],
    pub bump: u8,
    pub space: usize,
}

/// Creates `account` (the PDA of `spec`), rent paid by `payer`. Works even if someone
/// pre-funded the address.
pub fn create(payer: &AccountView, account: &mut AccountView, spec: &PdaSpec) -> ProgramResult {
    let (seeds, space) = (spec.seeds, spec.space);
    let bump = [spec.bump];
    let mut signer_seeds: [Seed; 4] =
        [Seed::from(&bump), Seed::from(&bump), Seed::from(&bump), Seed::from(&bump)];
    let n = seeds.len();
    for (slot, s) in signer_seeds.iter_mut().zip(seeds) {
        *slot = Seed::from(*s);
    }
    signer_seeds[n] = Seed::from(&bump);
    pinocchio_system::create_account_with_minimum_balance_signed(
        account,
        space,
        &ID,
        payer,
        None,
        &[Signer::from(&signer_seeds[..=n])],
    )
}
