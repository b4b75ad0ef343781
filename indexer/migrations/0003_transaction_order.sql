-- getSignaturesForDevice: the order in which transactions were applied (the chain's order,
-- since ingest applies them in it), for pagination that neither skips nor repeats while
-- transactions are appended. A rolled-back write can leave holes in the numbers, never
-- reorder them. Existing rows are numbered in their slot order.
ALTER TABLE transactions ADD COLUMN ordinal bigint;
UPDATE transactions SET ordinal = o.n
  FROM (SELECT signature, row_number() OVER (ORDER BY slot, signature) AS n FROM transactions) o
  WHERE transactions.signature = o.signature;
CREATE SEQUENCE transactions_ordinal_seq OWNED BY transactions.ordinal;
SELECT setval('transactions_ordinal_seq', COALESCE((SELECT max(ordinal) FROM transactions), 0) + 1, false);
ALTER TABLE transactions ALTER COLUMN ordinal SET DEFAULT nextval('transactions_ordinal_seq');
ALTER TABLE transactions ALTER COLUMN ordinal SET NOT NULL;
CREATE UNIQUE INDEX transactions_ordinal ON transactions (ordinal);
