pub mod submit_attestation;
