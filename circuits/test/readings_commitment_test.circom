pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main: ReadingsCommitment at the reference window size.
component main = ReadingsCommitment(16);
