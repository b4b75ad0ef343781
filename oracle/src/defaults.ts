/**
 * Defaults of the oracle's tunables, defined once: the workers' options fall back to them and
 * `env.ts` uses them as the defaults of its variables.
 */

/**
 * Jobs a prover worker keeps in flight per Prover: one being proven while the next is checked,
 * inferred and turned into a witness. More only queues up behind the prover.
 */
export const DEFAULT_PROVER_CONCURRENCY = 2;

/** Relay jobs in flight per relayer: 1, so that a device's seqs land in order. */
export const DEFAULT_RELAYER_CONCURRENCY = 1;

/**
 * Compute-unit limit of a submit_attestation transaction: 98,958 CU measured in steady state
 * (docs/programs.md), plus about 160 per change a device proof is behind the tree (up to the
 * change log's 64: about 109,200), plus margin for other tree shapes.
 */
export const DEFAULT_COMPUTE_UNIT_LIMIT = 130_000;
