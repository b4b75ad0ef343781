pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main: ReadingsCommitment over 48 readings (2 packed chunks).
component main = ReadingsCommitment(48);
