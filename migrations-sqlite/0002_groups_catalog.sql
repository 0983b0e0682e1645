-- Groups and catalog administration (as /migrations/0002): the indexes that deleting a catalog
-- entry or a group needs, so that its usage count and its foreign key checks read an index, not
-- every contact or group of the organization.

-- The subgroups of a group (the self-referencing foreign key, and the 409 count).
CREATE INDEX groups_parent_idx ON groups (organization_id, parent_id);

-- The contacts of a record type (the foreign key, and the 409 count).
CREATE INDEX contacts_record_type_idx ON contacts (organization_id, record_type_id);
