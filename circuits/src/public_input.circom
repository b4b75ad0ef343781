pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment): the proof's single public input
// (docs/contracts.md). k0 || k1 || k2 is the 93-byte header
//   network (32) || device (32) || model_id u32 || seq u64 || timestamp + 2^63 u64 || class u8
//   || score + 2^63 u64
// (big-endian), cut into three 31-byte chunks, each below 2^248 < r:
//   k0 = network_hi * 2^120 + (network_lo >> 8)
//   k1 = (network_lo mod 2^8) * 2^240 + device_hi * 2^112 + (device_lo >> 16)
//   k2 = (device_lo mod 2^16) * 2^232 + model_id * 2^200 + seq * 2^136
//        + (timestamp + 2^63) * 2^72 + class * 2^64 + (score + 2^63)
// The program packs the same bytes from its accounts and arguments (a copy, no arithmetic) and
// hashes five inputs with sol_poseidon instead of eleven.
//
// Every packed value is range-checked here, so the header is a function of the values alone:
// no two tuples of in-range values share one, and no out-of-range value can stand in for a
// neighbour's bits. Bits are 0/1 witness entries, which the prover's MSMs skip.
template PublicInput() {
    signal input network_hi;
    signal input network_lo;
    signal input device_hi;
    signal input device_lo;
    signal input bjj_key_hash;
    signal input model_id;
    signal input seq;
    signal input timestamp;
    signal input input_commitment;
    signal input class;
    signal input score;
    signal output out;

    // Keys: 128-bit halves; network_lo and device_lo are cut at a byte boundary.
    component nhi = Num2Bits(128);
    nhi.in <== network_hi;
    component dhi = Num2Bits(128);
    dhi.in <== device_hi;
    component nlo = Num2Bits(128);
    nlo.in <== network_lo;
    component dlo = Num2Bits(128);
    dlo.in <== device_lo;
    // The weights 2^k are running doublings, as in circomlib's Bits2Num: the same linear
    // combinations (so the same constraints) as `2**k`, which the witness calculators would
    // evaluate as a modular exponentiation per bit on every witness.
    var nlo_low = 0;
    var nlo_high = 0;
    var dlo_low = 0;
    var dlo_high = 0;
    var e_nlo = 1;
    var e_dlo = 1;
    for (var i = 0; i < 128; i++) {
        if (i == 8) {
            e_nlo = 1;
        }
        if (i < 8) {
            nlo_low += nlo.out[i] * e_nlo;
        } else {
            nlo_high += nlo.out[i] * e_nlo;
        }
        e_nlo += e_nlo;
        if (i == 16) {
            e_dlo = 1;
        }
        if (i < 16) {
            dlo_low += dlo.out[i] * e_dlo;
        } else {
            dlo_high += dlo.out[i] * e_dlo;
        }
        e_dlo += e_dlo;
    }

    // Integers: u32, u64, i64 + 2^63, u8, i64 + 2^63.
    component modelBits = Num2Bits(32);
    modelBits.in <== model_id;
    component seqBits = Num2Bits(64);
    seqBits.in <== seq;
    component tsBits = Num2Bits(64);
    tsBits.in <== timestamp + 2**63;
    component classBits = Num2Bits(8);
    classBits.in <== class;
    component scoreBits = Num2Bits(64);
    scoreBits.in <== score + 2**63;

    component h = Poseidon(5);
    h.inputs[0] <== network_hi * 2**120 + nlo_high;
    h.inputs[1] <== nlo_low * 2**240 + device_hi * 2**112 + dlo_high;
    h.inputs[2] <== dlo_low * 2**232 + model_id * 2**200 + seq * 2**136
        + (timestamp + 2**63) * 2**72 + class * 2**64 + score + 2**63;
    h.inputs[3] <== bjj_key_hash;
    h.inputs[4] <== input_commitment;
    out <== h.out;
}
