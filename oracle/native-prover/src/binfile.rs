//! snarkjs/iden3 binary container: `magic(4) || version u32 || n u32 || (type u32, size u64, data)*`.

use std::collections::HashMap;

pub struct BinFile<'a> {
    sections: HashMap<u32, &'a [u8]>,
}

impl<'a> BinFile<'a> {
    pub fn parse(data: &'a [u8], magic: &[u8; 4]) -> Result<Self, String> {
        if data.len() < 12 || &data[0..4] != magic {
            return Err(format!("not a {} file", String::from_utf8_lossy(magic)));
        }
        let n = u32le(data, 8)? as usize;
        let mut pos = 12;
        let mut sections = HashMap::new();
        for _ in 0..n {
            let ty = u32le(data, pos)?;
            let size = u64le(data, pos + 4)? as usize;
            pos += 12;
            let body = data.get(pos..pos + size).ok_or("section runs past the end of the file")?;
            sections.insert(ty, body);
            pos += size;
        }
        Ok(Self { sections })
    }

    pub fn section(&self, ty: u32) -> Result<&'a [u8], String> {
        self.sections.get(&ty).copied().ok_or_else(|| format!("missing section {ty}"))
    }
}

pub fn u32le(d: &[u8], at: usize) -> Result<u32, String> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .ok_or_else(|| "unexpected end of data".to_string())
}

pub fn u64le(d: &[u8], at: usize) -> Result<u64, String> {
    d.get(at..at + 8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
        .ok_or_else(|| "unexpected end of data".to_string())
}

/// 32 little-endian bytes as four u64 limbs.
pub fn limbs(b: &[u8]) -> [u64; 4] {
    let mut l = [0u64; 4];
    for (i, x) in l.iter_mut().enumerate() {
        *x = u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
    }
    l
}
