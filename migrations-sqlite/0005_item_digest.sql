-- The digest of the batch item that last wrote each contact, bound to the version it wrote
-- (see the PostgreSQL migration 0006: the unchanged fast path of a batch sent again).
ALTER TABLE contacts ADD COLUMN input_digest BLOB;
