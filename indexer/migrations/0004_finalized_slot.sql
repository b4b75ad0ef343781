-- Finality: every transaction of the network applied at or before `finalized_slot` was found
-- finalized by the cluster (getSignatureStatuses), so no answer built from it can be rolled
-- back. Transactions after it are `confirmed` only; answers say which (context.finalizedSlot).
ALTER TABLE ingest_cursor ADD COLUMN finalized_slot bigint NOT NULL DEFAULT 0;
