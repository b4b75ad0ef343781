pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// P = Poseidon(bjj_key_hash, model_id, seq, timestamp, input_commitment, class, score):
// the proof's single public input (docs/contracts.md). The program recomputes it with
// sol_poseidon from the plain fields.
template PublicInput() {
    signal input bjj_key_hash;
    signal input model_id;
    signal input seq;
    signal input timestamp;
    signal input input_commitment;
    signal input class;
    signal input score;
    signal output out;

    component h = Poseidon(7);
    h.inputs[0] <== bjj_key_hash;
    h.inputs[1] <== model_id;
    h.inputs[2] <== seq;
    h.inputs[3] <== timestamp;
    h.inputs[4] <== input_commitment;
    h.inputs[5] <== class;
    h.inputs[6] <== score;
    out <== h.out;
}
