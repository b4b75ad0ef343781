//! `submit_attestation(args: SubmitAttestationArgs { proof, current, seq, timestamp,
//! input_commitment, class, score })`.
//!
//! Signed by an oracle of the network (or anyone, when the network is permissionless).
//! 1. checks the submitter, the network and the model (owned by device_registry, right
//!    type, same network, active, the device's model id, `class` below its `classes`), that
//!    the device is active, that `seq` is above the leaf's and that `timestamp` is within the
//!    cluster clock's window;
//! 2. computes `P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment)` (`sol_poseidon`),
//!    `k0 || k1 || k2` = network || device || model_id || seq || timestamp || class || score
//!    packed in 93 bytes (docs/contracts.md), so a proof is bound to this network and this
//!    device;
//! 3. verifies the Groth16 proof against the model's verifying key (`zkpin-groth16`);
//! 4. CPIs `device_registry::advance_device` signed by the PDA `["attestation"]`: the
//!    registry checks the device leaf against the device tree, moves its seq to `seq`,
//!    appends the record leaf (so the same reading can never be recorded twice) and emits
//!    the attestation's one event, `RecordAttested`, with the submitter this program passes.
//!
//! Accounts: `[submitter (signer), network, model, device_tree (writable), record_tree
//! (writable: any record tree of the network, so attestations spread over shards),
//! attestation_authority (PDA ["attestation"]), device_registry, program (this program:
//! no longer needed since its event moved to device_registry, kept so that the instruction's
//! accounts are those clients already build, and still checked to be this program as the IDL
//! declares), ...device tree proof nodes (bottom-up, minus the canopy)]`.
use pinocchio::{
    error::ProgramError,
    sysvars::{clock::Clock, Sysvar},
    AccountView, ProgramResult,
};
use zkpin_accounts::{
    discriminator,
    leaf::STATUS_ACTIVE,
    state::{model::VK_LEN, Model, Network},
    REGISTRY_ID,
};
use zkpin_encoding::PublicInputRefs;

use crate::{
    args::{SubmitAttestationArgs, PROOF_LEN},
    error::AttestationError,
    registry::{self, AdvanceDevice, AdvanceDeviceData, RecordLeafRef},
    ATTESTATION_AUTHORITY,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("submit_attestation");

/// How far a reading's timestamp may be ahead of the cluster clock (validators' clocks and
/// devices' clocks drift).
pub const MAX_CLOCK_SKEW_S: i64 = 300;
/// How far behind: long enough for a backlog or an outage to drain, short enough that a
/// reading cannot be dated arbitrarily far in the past.
pub const MAX_READING_AGE_S: i64 = 7 * 24 * 3600;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [submitter, network, model, device_tree, record_tree, authority, registry_program, program, proof @ ..] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let args = SubmitAttestationArgs::parse(data)?;
    let leaf = &args.current.leaf;

    // 1. Who submits, and to which network.
    if !submitter.is_signer() {
        return Err(ProgramError::MissingRequiredSignature);
    }
    registry::check_owner(network)?;
    let network_key = network.address().as_array();
    {
        let d = network.try_borrow()?;
        let n = Network::load(&d).ok_or(AttestationError::InvalidAccountData)?;
        if !n.may_submit(submitter.address().as_array()) {
            return Err(AttestationError::NotAnOracle.into());
        }
        registry::check_tree(
            record_tree,
            &n.record_trees_authority,
            AttestationError::WrongRecordTree,
        )?;
    }
    registry::check_tree(device_tree, network_key, AttestationError::WrongDeviceTree)?;
    if registry_program.address() != &REGISTRY_ID {
        return Err(AttestationError::WrongRegistryProgram.into());
    }
    if authority.address() != &ATTESTATION_AUTHORITY {
        return Err(AttestationError::InvalidAttestationAuthority.into());
    }
    // The IDL's `address = crate::ID` constraint (Anchor's ConstraintAddress).
    if program.address() != &crate::ID {
        return Err(ProgramError::IncorrectProgramId);
    }

    // Seq above the leaf's (gaps allowed), timestamp within the clock's window.
    let seq = args.seq;
    if seq <= leaf.seq {
        return Err(AttestationError::StaleSeq.into());
    }
    let now = Clock::get()?.unix_timestamp;
    if args.timestamp > now.saturating_add(MAX_CLOCK_SKEW_S)
        || args.timestamp < now.saturating_sub(MAX_READING_AGE_S)
    {
        return Err(AttestationError::TimestampOutOfRange.into());
    }

    // 2.-3. Model, device status, P and the proof.
    let mut p = [0u8; 32];
    {
        registry::check_owner(model)?;
        let d = model.try_borrow()?;
        let m = Model::load(&d).ok_or(AttestationError::InvalidAccountData)?;
        if &m.network != network_key {
            return Err(AttestationError::WrongNetwork.into());
        }
        if !m.is_active() {
            return Err(AttestationError::ModelInactive.into());
        }
        if m.model_id() != leaf.model_id {
            return Err(AttestationError::ModelMismatch.into());
        }
        if args.class >= m.classes {
            return Err(AttestationError::ClassOutOfRange.into());
        }
        if leaf.status != STATUS_ACTIVE {
            return Err(AttestationError::DeviceRevoked.into());
        }
        public_input(network_key, &args, &mut p)?;
        verify(&m.vk, args.proof, &p)?;
    }

    // 4. Seq n-1 -> n, the record leaf and the event, in device_registry.
    let cpi_data = AdvanceDeviceData::new(
        args.current.bytes,
        &record_leaf(&args, seq, &p),
        submitter.address().as_array(),
    );
    registry::advance_device(&AdvanceDevice {
        authority,
        network,
        device_tree,
        record_tree,
        registry_program,
        proof,
        data: &cpi_data,
    })
}

/// `P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment)`, `k0 || k1 || k2` the 93-byte
/// header of network, device and the reading's integers (docs/contracts.md; `zkpin-encoding`).
#[inline(never)]
pub fn public_input(
    network: &[u8; 32],
    args: &SubmitAttestationArgs,
    out: &mut [u8; 32],
) -> Result<(), AttestationError> {
    let fields = PublicInputRefs {
        network,
        device: args.current.leaf.device,
        bjj_key_hash: args.current.leaf.bjj_key_hash,
        model_id: args.current.leaf.model_id,
        seq: args.seq,
        timestamp: args.timestamp,
        input_commitment: args.input_commitment,
        class: args.class,
        score: args.score,
    };
    // Fails only when bjj_key_hash or input_commitment is not below r.
    *out = fields.public_input().map_err(|_| AttestationError::InvalidFieldElement)?;
    Ok(())
}

/// Groth16 check of `proof` for the single public input `p` against the model's key.
#[inline(always)]
fn verify(
    vk: &[u8; VK_LEN],
    proof: &[u8; PROOF_LEN],
    p: &[u8; 32],
) -> Result<(), AttestationError> {
    use zkpin_groth16::Groth16Error as G;
    zkpin_groth16::verify(vk, proof, p).map_err(|e| match e {
        G::ProofRejected => AttestationError::InvalidProof,
        G::InvalidProofA | G::InvalidProofB | G::InvalidProofC => AttestationError::MalformedProof,
        G::InvalidVerifyingKey => AttestationError::InvalidVerifyingKey,
        // P is a Poseidon output, so always below r.
        G::PublicInputNotInField => AttestationError::InvalidFieldElement,
    })
}

/// The record leaf of this attestation (seq n, public input P).
#[inline(always)]
fn record_leaf<'a>(
    args: &SubmitAttestationArgs<'a>,
    seq: u64,
    p: &'a [u8; 32],
) -> RecordLeafRef<'a> {
    RecordLeafRef {
        device: args.current.leaf.device,
        model_id: args.current.leaf.model_id,
        seq,
        timestamp: args.timestamp,
        input_commitment: args.input_commitment,
        class: args.class,
        score: args.score,
        public_input: p,
    }
}
