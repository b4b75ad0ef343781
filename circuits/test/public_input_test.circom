pragma circom 2.1.0;

include "../src/public_input.circom";

// Test main (also the circuit behind tests/vectors/groth16.json): all fields private,
// P is the one public signal.
component main = PublicInput();
