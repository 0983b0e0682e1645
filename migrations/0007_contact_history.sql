-- The history of contacts (issue 10, SPEC §2): every change kept, any version restorable.
--
-- One row per contact and version, written in the transaction of the change (one INSERT per
-- batch). A row holds the contact's state *after* its change: `content`, its fields and child
-- rows as JSON (positional arrays: the form of contacts-store-sql's history::content_json, half
-- the size of named keys), and `groups`, its group ids. The state before a change is the
-- previous row's, so a change is stored once. Both are
-- JSON stored as `text`: the rows are written far more often than read (every change of a
-- nightly sync writes one), and text is stored as sent, where `jsonb` converts and `json`
-- parses on insert (4-5 ms of 1,000 rows' insert here); `content::jsonb` queries them.
--
-- No foreign key to `contacts`: contacts are never removed (a delete is soft), and history is
-- the record of what happened, kept whatever happens to the rows it describes.
CREATE TABLE contact_history (
    organization_id bigint NOT NULL,
    contact_id      bigint NOT NULL,
    version         bigint NOT NULL,
    operation       text   NOT NULL CHECK (operation IN ('created', 'updated', 'deleted', 'restored')),
    -- Epoch milliseconds, and the user or token name, as lastModifiedDate / lastModifiedName.
    changed_at      bigint NOT NULL,
    changed_by      text   NOT NULL,
    -- The request's x-request-id.
    request_id      text,
    -- NULL only where the content was never known.
    content         text,
    groups          text   NOT NULL DEFAULT '[]',
    CONSTRAINT contact_history_pkey PRIMARY KEY (organization_id, contact_id, version)
);

-- Retention (HISTORY_RETENTION_DAYS) deletes by age. Rows arrive in time order, which a BRIN
-- index serves at almost no cost per insert.
CREATE INDEX contact_history_changed_at_idx ON contact_history USING brin (changed_at);

-- History and restore find a soft-deleted contact by the externalId it had.
CREATE INDEX contacts_deleted_external_id_idx ON contacts (organization_id, deleted_external_id)
    WHERE status = 'D';
