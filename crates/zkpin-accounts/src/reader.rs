//! Borsh reading of instruction arguments, in place and without allocation.
use pinocchio::error::ProgramError;

/// A cursor over borsh bytes. Every read that runs short (and `bool` bytes other than 0 / 1,
/// and trailing bytes at [`Reader::finish`]) fails with `ProgramError::Custom(ERR)`: each
/// program names its own `InvalidArguments` number, e.g.
/// `type Reader<'a> = zkpin_accounts::Reader<'a, { MyError::InvalidArguments as u32 }>;`.
pub struct Reader<'a, const ERR: u32> {
    data: &'a [u8],
}

impl<'a, const ERR: u32> Reader<'a, ERR> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    #[inline(always)]
    fn bad() -> ProgramError {
        ProgramError::Custom(ERR)
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ProgramError> {
        if self.data.len() < n {
            return Err(Self::bad());
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }
    pub fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], ProgramError> {
        let s = self.take(N)?;
        // SAFETY: `s` has exactly N bytes; [u8; N] has alignment 1.
        Ok(unsafe { &*(s.as_ptr() as *const [u8; N]) })
    }
    pub fn u8(&mut self) -> Result<u8, ProgramError> {
        Ok(self.take(1)?[0])
    }
    pub fn bool(&mut self) -> Result<bool, ProgramError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Self::bad()),
        }
    }
    pub fn u16(&mut self) -> Result<u16, ProgramError> {
        Ok(u16::from_le_bytes(*self.array::<2>()?))
    }
    pub fn u32(&mut self) -> Result<u32, ProgramError> {
        Ok(u32::from_le_bytes(*self.array::<4>()?))
    }
    pub fn u64(&mut self) -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(*self.array::<8>()?))
    }
    pub fn i64(&mut self) -> Result<i64, ProgramError> {
        Ok(i64::from_le_bytes(*self.array::<8>()?))
    }
    /// Borsh `Vec<u8>` / `String` bytes.
    pub fn vec_u8(&mut self) -> Result<&'a [u8], ProgramError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    /// Fails on trailing bytes.
    pub fn finish(&self) -> Result<(), ProgramError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(Self::bad())
        }
    }
}
