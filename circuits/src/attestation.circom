pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "./public_input.circom";

// Range-checks N int8 readings and commits to them:
//   chunk j = the two's-complement bytes of readings[31j .. min(31j + 31, N)) as a big-endian
//             integer (at most 8 * 31 = 248 bits, below the BN254 field), K = ceil(N / 31);
//   commitment = Poseidon(chunk_0, ..., chunk_{K-1}, salt).
// A chunk of 32 bytes could reach the field modulus, and two windows would commit alike; 31
// per chunk keeps every chunk's value below 2^248. circomlib's Poseidon takes at most 16
// inputs, so K <= 15 and N <= 465. The guard is on the template parameter: circom checks it at
// compile time and it adds no constraint.
template ReadingsCommitment(N) {
    assert(N >= 1 && N <= 465);
    var K = (N + 30) \ 31;
    signal input readings[N];
    signal input salt;
    signal output commitment;
    component u[N];
    var packed[K];
    for (var j = 0; j < K; j++) {
        packed[j] = 0;
    }
    for (var i = 0; i < N; i++) {
        // u = x + 128 in [0, 255] <=> x in [-128, 127]
        u[i] = Num2Bits(8);
        u[i].in <== readings[i] + 128;
        // two's-complement byte = x + 256 when x < 0 (bit 7 of u clear), else x
        packed[i \ 31] = packed[i \ 31] * 256 + readings[i] + 256 - 256 * u[i].out[7];
    }
    component h = Poseidon(K + 1);
    for (var j = 0; j < K; j++) {
        h.inputs[j] <== packed[j];
    }
    h.inputs[K] <== salt;
    commitment <== h.out;
}

// The device's EdDSA-Poseidon signature over
//   msg = Poseidon(tag, network_hi, network_lo, device_hi, device_lo, input_commitment, seq,
//                  timestamp, model_id),
// tag = "zkpin/v3/reading" as a 128-bit big-endian integer, keys split into 128-bit halves
// (docs/contracts.md); and bjj_key_hash = Poseidon(Ax, Ay). A and R8 must lie on BabyJubJub
// (circomlib's verifier alone accepts points off the curve).
template DeviceSignature() {
    signal input network_hi;
    signal input network_lo;
    signal input device_hi;
    signal input device_lo;
    signal input input_commitment;
    signal input seq;
    signal input timestamp;
    signal input model_id;
    signal input ax;
    signal input ay;
    signal input sig_s;
    signal input sig_r8x;
    signal input sig_r8y;
    signal output bjj_key_hash;

    var READING_TAG = 162723671232556364812677831920045354599; // uint128_be("zkpin/v3/reading")

    component msg = Poseidon(9);
    msg.inputs[0] <== READING_TAG;
    msg.inputs[1] <== network_hi;
    msg.inputs[2] <== network_lo;
    msg.inputs[3] <== device_hi;
    msg.inputs[4] <== device_lo;
    msg.inputs[5] <== input_commitment;
    msg.inputs[6] <== seq;
    msg.inputs[7] <== timestamp;
    msg.inputs[8] <== model_id;

    component aOnCurve = BabyCheck();
    aOnCurve.x <== ax;
    aOnCurve.y <== ay;
    component rOnCurve = BabyCheck();
    rOnCurve.x <== sig_r8x;
    rOnCurve.y <== sig_r8y;

    component v = EdDSAPoseidonVerifier();
    v.enabled <== 1;
    v.Ax <== ax;
    v.Ay <== ay;
    v.S <== sig_s;
    v.R8x <== sig_r8x;
    v.R8y <== sig_r8y;
    v.M <== msg.out;

    component kh = Poseidon(2);
    kh.inputs[0] <== ax;
    kh.inputs[1] <== ay;
    bjj_key_hash <== kh.out;
}
