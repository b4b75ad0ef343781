pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// P = Poseidon(network_hi, network_lo, device_hi, device_lo, bjj_key_hash, model_id, seq,
// timestamp, input_commitment, class, score): the proof's single public input
// (docs/contracts.md). The program recomputes it with sol_poseidon from the plain fields:
// network from the Network account's address, device from the device leaf.
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

    component h = Poseidon(11);
    h.inputs[0] <== network_hi;
    h.inputs[1] <== network_lo;
    h.inputs[2] <== device_hi;
    h.inputs[3] <== device_lo;
    h.inputs[4] <== bjj_key_hash;
    h.inputs[5] <== model_id;
    h.inputs[6] <== seq;
    h.inputs[7] <== timestamp;
    h.inputs[8] <== input_commitment;
    h.inputs[9] <== class;
    h.inputs[10] <== score;
    out <== h.out;
}
