//! device_registry's accounts. Each byte layout is the Anchor borsh layout of the interface
//! crate's account (8-byte discriminator, then the fields in order, no padding): every field
//! is a byte array (alignment 1), so initialized account data is viewed in place.
//!
//! `load` / `load_mut` return `None` unless the data is exactly one account of that type
//! (size and discriminator); `init` returns `None` unless the data is zeroed and of the right
//! size, and then writes the discriminator. Each program maps `None` to its own named error.
pub mod approval_page;
pub mod maker;
pub mod model;
pub mod network;

pub use approval_page::ApprovalPage;
pub use maker::Maker;
pub use model::Model;
pub use network::Network;

/// `data` is an initialized account of `len` bytes with `disc`.
fn is_account(data: &[u8], len: usize, disc: &[u8; 8]) -> bool {
    data.len() == len && &data[..8] == disc
}

/// Writes `disc` into freshly allocated, zeroed data of `len` bytes; false if it is not.
fn init_account(data: &mut [u8], len: usize, disc: &[u8; 8]) -> bool {
    if data.len() != len || data[..8] != [0; 8] {
        return false;
    }
    data[..8].copy_from_slice(disc);
    true
}

/// `DISCRIMINATOR`, `LEN`, `load`, `load_mut` and `init` of a layout struct.
macro_rules! account {
    ($name:ident) => {
        impl $name {
            pub const DISCRIMINATOR: [u8; 8] = $crate::discriminator::account(stringify!($name));
            pub const LEN: usize = core::mem::size_of::<Self>();

            /// Views initialized account data.
            pub fn load(data: &[u8]) -> Option<&Self> {
                if !super::is_account(data, Self::LEN, &Self::DISCRIMINATOR) {
                    return None;
                }
                // SAFETY: size checked; every field is a byte array (alignment 1).
                Some(unsafe { &*(data.as_ptr() as *const Self) })
            }

            pub fn load_mut(data: &mut [u8]) -> Option<&mut Self> {
                if !super::is_account(data, Self::LEN, &Self::DISCRIMINATOR) {
                    return None;
                }
                // SAFETY: as in `load`.
                Some(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
            }

            /// Writes the discriminator into zeroed data of the right size and returns the view.
            pub fn init(data: &mut [u8]) -> Option<&mut Self> {
                if !super::init_account(data, Self::LEN, &Self::DISCRIMINATOR) {
                    return None;
                }
                // SAFETY: as in `load`.
                Some(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
            }
        }
    };
}
pub(crate) use account;
