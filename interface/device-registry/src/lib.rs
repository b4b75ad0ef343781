//! Anchor interface of `programs/device-registry`. Handlers are stubs: the real program is
//! the pinocchio crate. This crate exists to generate the IDL (`npm run build:idl`) and to
//! let `tests/agreement.rs` prove both sides share discriminators, sizes and layouts.
#![allow(unexpected_cfgs)]
use anchor_lang::prelude::*;

declare_id!("6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin");

pub const MAX_ORACLES: usize = 8;

#[program]
pub mod device_registry {
    use super::*;

    /// Creates the network PDA `["network", authority]` with its oracle set.
    pub fn initialize_network(
        _ctx: Context<InitializeNetwork>,
        _args: InitializeNetworkArgs,
    ) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct InitializeNetworkArgs {
    /// Oracles allowed to submit attestations (at most 8, distinct).
    pub oracles: Vec<Pubkey>,
    /// When true, anyone may submit attestations.
    pub permissionless: bool,
}

#[derive(Accounts)]
pub struct InitializeNetwork<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init,
        payer = authority,
        space = 8 + Network::INIT_SPACE,
        seeds = [b"network", authority.key().as_ref()],
        bump
    )]
    pub network: Account<'info, Network>,
    pub system_program: Program<'info, System>,
}

/// Root account of a zkpin network.
#[account]
#[derive(InitSpace, Debug, PartialEq)]
pub struct Network {
    pub authority: Pubkey,
    pub oracles: [Pubkey; MAX_ORACLES],
    pub oracle_count: u8,
    pub permissionless: bool,
    pub bump: u8,
    /// Device tree that `register_device` appends to.
    pub device_tree: Pubkey,
    /// Record tree that `submit_attestation` appends to.
    pub record_tree: Pubkey,
    pub device_trees: u32,
    pub record_trees: u32,
    pub devices: u64,
    pub records: u64,
    pub makers: u32,
    pub models: u32,
    pub reserved: [u8; 64],
}

#[event]
pub struct NetworkInitialized {
    pub network: Pubkey,
    pub authority: Pubkey,
    pub oracles: Vec<Pubkey>,
    pub permissionless: bool,
}

/// Same order and numbers as `programs/device-registry/src/error.rs` (from 6000).
#[error_code]
pub enum RegistryError {
    #[msg("Signer is not the network authority")]
    Unauthorized,
    #[msg("Account is not the expected program-derived address")]
    InvalidPda,
    #[msg("Account is already initialized")]
    AlreadyInitialized,
    #[msg("At most 8 oracles per network")]
    TooManyOracles,
    #[msg("Oracle keys must be distinct")]
    DuplicateOracle,
    #[msg("Instruction arguments could not be decoded")]
    InvalidArguments,
    #[msg("Account is not owned by the expected program")]
    InvalidAccountOwner,
    #[msg("Account data is not of the expected type")]
    InvalidAccountData,
    #[msg("Interface crate only: the program is programs/device-registry")]
    InterfaceOnly = 6999,
}
