use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};
use zkpin_cmt::{CmtError, InitializeArgs, MerkleTreeAccount, Node, SetLeafArgs};

pinocchio::program_entrypoint!(process_instruction);
pinocchio::default_allocator!();
pinocchio::nostd_panic_handler!();

fn tree_err(e: CmtError) -> ProgramError {
    ProgramError::Custom(100 + e as u32)
}

fn set_return(data: &[u8]) {
    unsafe {
        solana_define_syscall::definitions::sol_set_return_data(data.as_ptr(), data.len() as u64)
    };
}

#[inline(always)]
fn arr<const N: usize>(ix: &[u8], off: usize) -> Result<[u8; N], ProgramError> {
    ix.get(off..off + N).and_then(|s| s.try_into().ok()).ok_or(ProgramError::InvalidInstructionData)
}

fn process_instruction(_: &Address, accounts: &mut [AccountView], ix: &[u8]) -> ProgramResult {
    match ix.first() {
        Some(3) => groth16(ix),
        Some(4) => public_input(ix),
        Some(5) => Ok(()),
        Some(_) => tree(accounts, ix),
        None => Err(ProgramError::InvalidInstructionData),
    }
}

#[inline(never)]
fn groth16(ix: &[u8]) -> ProgramResult {
    let vk: &[u8; 576] = ix
        .get(1..577)
        .and_then(|s| s.try_into().ok())
        .ok_or(ProgramError::InvalidInstructionData)?;
    let proof: &[u8; 256] = ix
        .get(577..833)
        .and_then(|s| s.try_into().ok())
        .ok_or(ProgramError::InvalidInstructionData)?;
    let input: &[u8; 32] = ix
        .get(833..865)
        .and_then(|s| s.try_into().ok())
        .ok_or(ProgramError::InvalidInstructionData)?;
    zkpin_groth16::verify(vk, proof, input).map_err(|e| ProgramError::Custom(200 + e as u32))
}

#[inline(never)]
fn public_input(ix: &[u8]) -> ProgramResult {
    let f = zkpin_encoding::PublicInputFields {
        network: arr(ix, 1)?,
        device: arr(ix, 33)?,
        bjj_key_hash: arr(ix, 65)?,
        model_id: u32::from_le_bytes(arr(ix, 97)?),
        seq: u64::from_le_bytes(arr(ix, 101)?),
        timestamp: i64::from_le_bytes(arr(ix, 109)?),
        input_commitment: arr(ix, 117)?,
        class: arr::<1>(ix, 149)?[0],
        score: i64::from_le_bytes(arr(ix, 150)?),
    };
    let p = f.public_input().map_err(|e| ProgramError::Custom(300 + e as u32))?;
    set_return(&p);
    Ok(())
}

#[inline(never)]
fn tree(accounts: &mut [AccountView], ix: &[u8]) -> ProgramResult {
    let account = accounts.first_mut().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let mut data = account.try_borrow_mut()?;
    let root: Node = match ix[0] {
        0 => {
            let args = InitializeArgs {
                max_depth: arr::<1>(ix, 1)?[0] as u32,
                max_buffer_size: u32::from_le_bytes(arr(ix, 2)?),
                authority: [5; 32],
                creation_slot: 9,
            };
            *MerkleTreeAccount::initialize(&mut data[..], &args).map_err(tree_err)?.root()
        }
        1 => {
            let mut t = MerkleTreeAccount::load(&mut data[..]).map_err(tree_err)?;
            for chunk in ix[1..].chunks_exact(32) {
                t.append(&arr(chunk, 0)?).map_err(tree_err)?;
            }
            *t.root()
        }
        _ => {
            let mut t = MerkleTreeAccount::load(&mut data[..]).map_err(tree_err)?;
            let mut proof = [[0u8; 32]; zkpin_cmt::MAX_DEPTH];
            let rest = ix.get(101..).ok_or(ProgramError::InvalidInstructionData)?;
            let n = rest.len() / 32;
            if n > proof.len() {
                return Err(ProgramError::InvalidInstructionData);
            }
            for (slot, chunk) in proof.iter_mut().zip(rest.chunks_exact(32)) {
                *slot = arr(chunk, 0)?;
            }
            let args = SetLeafArgs {
                current_root: arr(ix, 1)?,
                previous_leaf: arr(ix, 33)?,
                new_leaf: arr(ix, 65)?,
                index: u32::from_le_bytes(arr(ix, 97)?),
                proof: &proof[..n],
            };
            t.set_leaf(&args).map_err(tree_err)?;
            *t.root()
        }
    };
    set_return(&root);
    Ok(())
}
