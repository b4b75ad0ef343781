pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main: ReadingsCommitment over 1 readings (1 packed chunks).
component main = ReadingsCommitment(1);
