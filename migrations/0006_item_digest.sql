-- The digest of the batch item that last wrote each contact, bound to the version it wrote
-- (issue 4: a nightly sync sends every contact again, most of them unchanged; with the digest a
-- batch sent again unchanged is answered from one light read, without loading its contacts).
-- NULL when the last write did not come from an item's text. Nothing reads it but the
-- application's fast path, which also checks the version, so a stale digest is never trusted.
ALTER TABLE contacts ADD COLUMN input_digest bytea;
