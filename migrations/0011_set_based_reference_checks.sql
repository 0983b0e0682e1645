-- The contact write path checks its references once per batch instead of once per row
-- (README, Benchmark: "What each change bought").
--
-- A foreign key checks each inserted row with a query of its own that locks the referenced row
-- FOR KEY SHARE: eleven child rows per contact, two keys each, were 70% of the time of a batch
-- insert (1,000 contacts: 105 ms of child inserts with the keys, 27 ms without), and four
-- concurrent batches locking the same few catalog rows made a multixact of every lock.
--
-- * The keys to `contacts`: child rows are written only by the unit of work of their contact,
--   which inserted it or holds it locked FOR UPDATE, and contacts are never deleted (a delete is
--   soft), so these keys could never fail and their ON DELETE CASCADE never ran.
-- * The keys to the catalog (paths, attributes, topics, groups): the store now takes the same
--   lock itself, one statement per catalog table and batch, over every catalog entry the rows it
--   writes refer to (`SELECT ... FOR KEY SHARE`), and reports an entry not found as the foreign
--   key did. Catalog changes lock their entry FOR UPDATE first, so the protocol of
--   catalog_admin.rs and groups.rs is unchanged; a group's deletion removes its memberships
--   itself (its ON DELETE CASCADE).
-- The record type stays a foreign key: one row per contact, checked on insert only.
--
-- SQLite keeps its keys: one writer at a time, no row locks, and its checks are index probes
-- inside the same B-tree engine.
ALTER TABLE contact_paths DROP CONSTRAINT contact_paths_contact_fkey;
ALTER TABLE contact_paths DROP CONSTRAINT contact_paths_path_fkey;
ALTER TABLE contact_attributes DROP CONSTRAINT contact_attributes_contact_fkey;
ALTER TABLE contact_attributes DROP CONSTRAINT contact_attributes_attribute_fkey;
ALTER TABLE contact_addresses DROP CONSTRAINT contact_addresses_contact_fkey;
ALTER TABLE contact_topics DROP CONSTRAINT contact_topics_contact_fkey;
ALTER TABLE contact_topics DROP CONSTRAINT contact_topics_topic_fkey;
ALTER TABLE group_members DROP CONSTRAINT group_members_contact_fkey;
ALTER TABLE group_members DROP CONSTRAINT group_members_group_fkey;
