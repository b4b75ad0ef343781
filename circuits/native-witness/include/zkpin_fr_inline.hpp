// Force-included (g++ -include) before circom's generated circuit code, and only there.
//
// circom's C++ evaluates the circuit's functions at run time: POSEIDON_C, POSEIDON_S and
// POSEIDON_M fill their result arrays one constant at a time, once per Poseidon instance (the
// reference circuit's code has 157,238 Fr_copy call sites). circom's Fr_copy is an assembly
// routine (fr.asm) that copies the element's five words, called out of line; this is the same
// copy, inline (7-11 % less per witness, docs/zkml.md "Eighth pass"). fr.hpp is included first,
// so its declarations are untouched; the macro then renames only the calls in the generated code.
#pragma once
#include "fr.hpp"

static inline void zkpin_Fr_copy(PFrElement r, PFrElement a) { *r = *a; }

#define Fr_copy zkpin_Fr_copy
