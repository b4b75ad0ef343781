// Force-included (g++ -include) before circom's generated circuit code, and only there.
//
// circom's C++ evaluates the circuit's functions at run time: POSEIDON_C, POSEIDON_S and
// POSEIDON_M fill their result arrays one constant at a time, so a witness makes hundreds of
// thousands of Fr_copy calls. circom's Fr_copy is an assembly routine (fr.asm) that copies the
// element's five words; called out of line, the call costs more than the copy. This is the same
// copy, inline. fr.hpp is included first, so its declarations are untouched; the macro then
// renames only the calls in the generated code.
#pragma once
#include "fr.hpp"

static inline void zkpin_Fr_copy(PFrElement r, PFrElement a) { *r = *a; }

#define Fr_copy zkpin_Fr_copy
