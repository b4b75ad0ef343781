-- zkpin indexer schema, version 1. Applied once, in a transaction, by src/migrations.ts,
-- which records it in schema_migrations. Never edit an applied migration: add 0002_*.sql.
--
-- Conventions: public keys as base58 text (what the API takes and returns); hashes, leaves
-- and proof bytes as bytea; u64 values that can exceed i64 (device seq) as numeric(20, 0);
-- slots, tree sequence numbers, timestamps and scores as bigint. Every row that comes from
-- a transaction names it (signature, slot).

CREATE TABLE networks (
  address text PRIMARY KEY,
  authority text NOT NULL,
  oracles text[] NOT NULL,
  permissionless boolean NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL
);

CREATE TABLE makers (
  address text PRIMARY KEY,
  network text NOT NULL,
  authority text NOT NULL,
  name text NOT NULL,
  active boolean NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL
);

CREATE TABLE models (
  address text PRIMARY KEY,
  network text NOT NULL,
  model_id bigint NOT NULL,
  version bigint NOT NULL,
  onnx_sha256 bytea NOT NULL,
  circuit_sha256 bytea NOT NULL,
  -- sha256 of the 576 verifying-key bytes of the Model account (verifyingKeyHash), read from
  -- the account when the model is first seen; null when the account could not be read.
  vk_hash bytea,
  active boolean NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL
);
CREATE UNIQUE INDEX models_network_id ON models (network, model_id);

CREATE TABLE trees (
  address text PRIMARY KEY,
  network text NOT NULL,
  kind smallint NOT NULL,
  number bigint NOT NULL,
  max_depth integer NOT NULL,
  max_buffer_size integer NOT NULL,
  canopy_depth integer NOT NULL,
  -- The tree's sequence number after the last applied change, and the root after it.
  seq bigint NOT NULL,
  root bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL
);

-- Every change of every tree (an append or a replace), by sequence number: the replica of a
-- tree is these leaves applied in order. Contiguous per tree (1, 2, 3, ...), which ingest
-- checks before it writes one.
CREATE TABLE tree_leaves (
  tree text NOT NULL,
  tree_seq bigint NOT NULL,
  leaf_index integer NOT NULL,
  leaf bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (tree, tree_seq)
);

-- Every version of every device leaf (registration, then each update).
CREATE TABLE device_versions (
  tree text NOT NULL,
  tree_seq bigint NOT NULL,
  leaf_index integer NOT NULL,
  network text NOT NULL,
  device text NOT NULL,
  owner text NOT NULL,
  maker text NOT NULL,
  bjj_key_hash bytea NOT NULL,
  model_id bigint NOT NULL,
  seq numeric(20, 0) NOT NULL,
  status smallint NOT NULL,
  event text NOT NULL,
  leaf bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (tree, tree_seq)
);
CREATE INDEX device_versions_device ON device_versions (device, tree_seq);

-- The newest version of each device (a copy of its newest device_versions row).
CREATE TABLE devices (
  device text PRIMARY KEY,
  network text NOT NULL,
  tree text NOT NULL,
  leaf_index integer NOT NULL,
  tree_seq bigint NOT NULL,
  owner text NOT NULL,
  maker text NOT NULL,
  bjj_key_hash bytea NOT NULL,
  model_id bigint NOT NULL,
  seq numeric(20, 0) NOT NULL,
  status smallint NOT NULL,
  leaf bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL
);
CREATE INDEX devices_owner ON devices (owner, device);

CREATE TABLE records (
  tree text NOT NULL,
  leaf_index integer NOT NULL,
  tree_seq bigint NOT NULL,
  network text NOT NULL,
  device text NOT NULL,
  seq numeric(20, 0) NOT NULL,
  model_id bigint NOT NULL,
  timestamp bigint NOT NULL,
  class smallint NOT NULL,
  score bigint NOT NULL,
  input_commitment bytea NOT NULL,
  public_input bytea NOT NULL,
  leaf bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (tree, leaf_index)
);
-- A device's seq only grows (advance_device), so (device, seq) names one record and orders a
-- device's records for cursor pagination.
CREATE UNIQUE INDEX records_device_seq ON records (device, seq);

-- What submit_attestation carried (its instruction data) and its AttestationSubmitted event:
-- enough to verify the Groth16 proof offline against the model's verifying key.
CREATE TABLE attestations (
  record_tree text NOT NULL,
  record_index integer NOT NULL,
  network text NOT NULL,
  device text NOT NULL,
  model_id bigint NOT NULL,
  seq numeric(20, 0) NOT NULL,
  timestamp bigint NOT NULL,
  input_commitment bytea NOT NULL,
  class smallint NOT NULL,
  score bigint NOT NULL,
  public_input bytea NOT NULL,
  proof bytea NOT NULL,
  submitter text NOT NULL,
  -- The device leaf's index and the device tree root the proof of submit_attestation named.
  device_leaf_index integer NOT NULL,
  device_root bytea NOT NULL,
  slot bigint NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (record_tree, record_index)
);
CREATE UNIQUE INDEX attestations_device_seq ON attestations (device, seq);

-- Every transaction applied (a transaction seen twice is skipped), and the cursor: the
-- newest one applied per network (history after it is read at the next start).
CREATE TABLE transactions (
  signature text PRIMARY KEY,
  network text NOT NULL,
  slot bigint NOT NULL,
  events integer NOT NULL
);
CREATE INDEX transactions_network_slot ON transactions (network, slot);

CREATE TABLE ingest_cursor (
  network text PRIMARY KEY,
  signature text NOT NULL,
  slot bigint NOT NULL
);
