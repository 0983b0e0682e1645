-- Groups and catalog administration (issue 3): the indexes that deleting a catalog entry or a
-- group needs, so that its usage count and its foreign key checks read an index, not every
-- contact or group of the organization.

-- The subgroups of a group (the self-referencing groups_parent_fkey, and the 409 count).
CREATE INDEX groups_parent_idx ON groups (organization_id, parent_id);

-- The contacts of a record type (contacts_record_type_fkey, and the 409 count).
CREATE INDEX contacts_record_type_idx ON contacts (organization_id, record_type_id);
