-- The history of contacts (see the PostgreSQL migration 0007, the same table): one row per
-- contact and version, the contact's state after its change (content and group ids as JSON
-- text). No foreign key to `contacts`: history outlives whatever happens to the rows it
-- describes. Numbered as in PostgreSQL (there is no 0006 here: PostgreSQL's 0005, the catalog
-- version, has no SQLite counterpart, which shifted the numbers).
CREATE TABLE contact_history (
    organization_id INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    operation       TEXT    NOT NULL CHECK (operation IN ('created', 'updated', 'deleted', 'restored')),
    changed_at      INTEGER NOT NULL,
    changed_by      TEXT    NOT NULL,
    request_id      TEXT,
    content         TEXT CHECK (content IS NULL OR json_valid(content)),
    groups          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
    PRIMARY KEY (organization_id, contact_id, version)
) WITHOUT ROWID;

-- Retention deletes by age.
CREATE INDEX contact_history_changed_at_idx ON contact_history (changed_at);

-- History and restore find a soft-deleted contact by the externalId it had.
CREATE INDEX contacts_deleted_external_id_idx ON contacts (organization_id, deleted_external_id)
    WHERE status = 'D';
