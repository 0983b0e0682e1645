-- The contacts service schema (SQLite): the same tables, keys and constraints as the
-- PostgreSQL schema in /migrations, adapted where SQLite differs.
--
-- Tenancy: `organization_id` leads every primary key, unique key and index of tenant data.
-- Composite foreign keys (organization_id, x_id) make a reference to another organization's
-- catalog or contact impossible, whatever ids a request carries. Foreign keys are enforced
-- because every connection turns `PRAGMA foreign_keys` on.
--
-- Ids: SQLite has no sequences; `id_sequences` holds one counter per sequence of the
-- PostgreSQL schema, advanced inside the (single) write transaction that uses it. Catalog ids
-- may be given by the client or generated; the store moves the counter past every explicit id
-- and retries a generated insert that meets one, so generated ids never collide with given ones.
--
-- Tenant tables are WITHOUT ROWID: their rows are stored in primary key order, so one
-- organization's rows, and one contact's children, sit together.
--
-- Arrays (quiet time frames, attribute values, defined values) are JSON text, as they are jsonb
-- or text[] in PostgreSQL; nothing looks them up by element except the rare catalog change.

CREATE TABLE id_sequences (
    name       TEXT    PRIMARY KEY,
    -- The last value handed out (0: none yet; the first is 1, as a PostgreSQL sequence's).
    last_value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO id_sequences (name, last_value) VALUES ('organization', 0), ('catalog', 0), ('contact', 0);

CREATE TABLE organizations (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL
);

-- Catalog ------------------------------------------------------------------------------------

CREATE TABLE record_types (
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    id              INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, name)
) WITHOUT ROWID;

CREATE TABLE groups (
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    id              INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    -- NULL for a top-level group (Everbridge's -1). A NULL parent is not checked.
    parent_id       INTEGER,
    description     TEXT,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, name),
    FOREIGN KEY (organization_id, parent_id) REFERENCES groups (organization_id, id)
) WITHOUT ROWID;

CREATE TABLE attribute_defs (
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    id              INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    data_type       TEXT    NOT NULL CHECK (data_type IN ('STRING', 'NUMBER', 'DATE', 'BOOLEAN')),
    -- A JSON array of strings; empty: any value of the data type is allowed.
    defined_values  TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(defined_values) = 'array'),
    display_format  TEXT,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, name)
) WITHOUT ROWID;

CREATE TABLE contact_paths_def (
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    path_id         INTEGER NOT NULL,
    prompt          TEXT    NOT NULL,
    path_type       TEXT    NOT NULL,
    PRIMARY KEY (organization_id, path_id),
    UNIQUE (organization_id, prompt)
) WITHOUT ROWID;

CREATE TABLE topics (
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    id              INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, name)
) WITHOUT ROWID;

-- Contacts -----------------------------------------------------------------------------------

CREATE TABLE contacts (
    organization_id     INTEGER NOT NULL REFERENCES organizations (id),
    -- From the 'contact' counter: unique across organizations, as in PostgreSQL.
    id                  INTEGER NOT NULL,
    -- NULL once the contact is soft-deleted, which frees it for another contact; the value
    -- it had is kept in deleted_external_id (for restores and history).
    external_id         TEXT,
    deleted_external_id TEXT,
    first_name          TEXT    NOT NULL,
    last_name           TEXT    NOT NULL,
    middle_initial      TEXT,
    suffix              TEXT,
    country             TEXT,
    business_name       TEXT,
    timezone_id         TEXT,
    language            TEXT,
    preferred_language  TEXT,
    sso_user_id         TEXT,
    security_pin        TEXT,
    account_id          INTEGER,
    vip                 INTEGER CHECK (vip IN (0, 1)),
    expatriate          INTEGER CHECK (expatriate IN (0, 1)),
    record_type_id      INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'D')),
    version             INTEGER NOT NULL,
    -- Epoch milliseconds, as on the wire.
    created_date        INTEGER NOT NULL,
    created_by          TEXT    NOT NULL,
    last_modified_date  INTEGER NOT NULL,
    last_modified_by    TEXT    NOT NULL,
    PRIMARY KEY (organization_id, id),
    CHECK ((status = 'A') = (external_id IS NOT NULL)),
    FOREIGN KEY (organization_id, record_type_id) REFERENCES record_types (organization_id, id)
) WITHOUT ROWID;

-- The unique externalId of an organization. SQLite cannot defer a UNIQUE check to COMMIT as
-- PostgreSQL does, so a batch that swaps or rotates externalIds first parks the renamed
-- contacts' externalIds on a BLOB (a value no TEXT externalId can equal), then writes the new
-- ones (see the store's `update_contacts`). NULLs (deleted contacts) are distinct.
CREATE UNIQUE INDEX contacts_external_id_key ON contacts (organization_id, external_id);

-- Children of a contact. `position` keeps the order they were given in (paths: the order of
-- preference).

CREATE TABLE contact_paths (
    organization_id   INTEGER NOT NULL,
    contact_id        INTEGER NOT NULL,
    position          INTEGER NOT NULL,
    path_id           INTEGER NOT NULL,
    value             TEXT    NOT NULL,
    country_code      TEXT,
    phone_ext         TEXT,
    wait_time         INTEGER,
    path_enable       INTEGER,
    skip_validation   INTEGER,
    -- [{"days": [1, 2], "fromHour": 22, "fromMin": 0, "toHour": 6, "toMin": 30}, ...]
    quiet_time_frames TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (organization_id, contact_id, position),
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, path_id) REFERENCES contact_paths_def (organization_id, path_id)
) WITHOUT ROWID;
-- For the foreign key's checks when a path definition is deleted.
CREATE INDEX contact_paths_path_idx ON contact_paths (organization_id, path_id);

CREATE TABLE contact_attributes (
    organization_id INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    attribute_id    INTEGER NOT NULL,
    -- A JSON array of strings.
    "values"        TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (organization_id, contact_id, position),
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, attribute_id) REFERENCES attribute_defs (organization_id, id)
) WITHOUT ROWID;
CREATE INDEX contact_attributes_attribute_idx ON contact_attributes (organization_id, attribute_id);

CREATE TABLE contact_addresses (
    organization_id INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    location_name   TEXT,
    street_address  TEXT,
    suite           TEXT,
    city            TEXT,
    state           TEXT,
    postal_code     TEXT,
    country         TEXT,
    -- The coordinates as Rust writes an f64 (the shortest text that reads back to the same
    -- value), and reads them: exact, where SQLite's own text-to-REAL conversion (rows arrive as
    -- JSON text) is off in the last bit for a few values.
    lat             TEXT,
    lon             TEXT,
    PRIMARY KEY (organization_id, contact_id, position),
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    CHECK ((lat IS NULL) = (lon IS NULL))
) WITHOUT ROWID;

CREATE TABLE contact_topics (
    organization_id INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    topic_id        INTEGER NOT NULL,
    PRIMARY KEY (organization_id, contact_id, position),
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, topic_id) REFERENCES topics (organization_id, id)
) WITHOUT ROWID;
CREATE INDEX contact_topics_topic_idx ON contact_topics (organization_id, topic_id);

CREATE TABLE group_members (
    organization_id INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, group_id, contact_id),
    FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX group_members_contact_idx ON group_members (organization_id, contact_id);

-- Users --------------------------------------------------------------------------------------
-- Users are global (one login may be granted several organizations), so these two tables are
-- keyed by user; user_grants still names its organization by a foreign key.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    -- A PHC string (argon2id).
    password_hash TEXT    NOT NULL
);

CREATE TABLE user_grants (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    PRIMARY KEY (user_id, organization_id)
) WITHOUT ROWID;
CREATE INDEX user_grants_organization_idx ON user_grants (organization_id);
