pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main: ReadingsCommitment over 465 readings (15 packed chunks).
component main = ReadingsCommitment(465);
