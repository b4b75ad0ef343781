pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main that must NOT compile: 32 readings do not fit one field element (N <= 31 guard).
component main = ReadingsCommitment(32);
