//! `init_approval_page(page: u32)`: creates page `page` of a maker's approval bitmap (serials
//! `page * 65536 ..= page * 65536 + 65535`), paid by the maker's authority. A maker creates a
//! page before it hands out approvals with serials in it.
//! Accounts: `[authority (signer, writable, pays: the maker's authority), maker, approval_page
//! (writable, PDA ["approvals", maker, page u32 LE]), system_program]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{approval_page::APPROVALS_SEED, ApprovalPage, Maker},
};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    pda::{self, PdaSpec},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("init_approval_page");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, maker, page_account, _system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let page = r.u32()?;
    r.finish()?;
    checks::signer(authority)?;
    checks::owned(maker)?;
    {
        let d = maker.try_borrow()?;
        let m = Maker::load(&d).ok_or(RegistryError::InvalidAccountData)?;
        if authority.address().as_ref() != m.authority {
            return Err(RegistryError::NotMakerAuthority.into());
        }
    }
    let maker_key = maker.address().to_bytes();
    let page_bytes = page.to_le_bytes();
    let seeds: [&[u8]; 3] = [APPROVALS_SEED, &maker_key, &page_bytes];
    let bump = checks::fresh_pda(page_account, &seeds)?;
    pda::create(
        authority,
        page_account,
        &PdaSpec { seeds: &seeds, bump, space: ApprovalPage::LEN },
    )?;
    let mut d = page_account.try_borrow_mut()?;
    let p = ApprovalPage::init(&mut d).ok_or(RegistryError::AlreadyInitialized)?;
    p.maker = maker_key;
    p.set_page(page);
    p.bump = bump;
    Ok(())
}
