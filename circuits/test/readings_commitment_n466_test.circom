pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main that must NOT compile: 466 readings need 16 chunks, and with the salt 17 inputs,
// more than circomlib's Poseidon takes (N <= 465 guard).
component main = ReadingsCommitment(466);
