-- A model's shape, from its ModelRegistered event (reading message v3, issue 13): `window_size`
-- readings per inference (the model account's `window`; `window` is an SQL keyword) and
-- `classes`. Null for a model indexed before this version, whose event did not carry them.
ALTER TABLE models ADD COLUMN window_size integer;
ALTER TABLE models ADD COLUMN classes smallint;
