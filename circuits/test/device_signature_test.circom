pragma circom 2.1.0;

include "../src/attestation.circom";

// Test main: the device signature check alone (msg of 9 inputs, A and R8 on the curve,
// EdDSA-Poseidon), bjj_key_hash as the output.
component main = DeviceSignature();
