-- The contacts service schema (PostgreSQL).
--
-- Tenancy: `organization_id` leads every primary key, unique key and index of tenant data, so
-- that one organization's rows are always found (and later sharded) by their organization.
-- Composite foreign keys (organization_id, x_id) make a reference to another organization's
-- catalog or contact impossible, whatever ids a request carries.
--
-- Ids: catalog ids may be given by the client (integrations hard-code Everbridge's ids) or
-- generated from `catalog_id_seq`; the store bumps the sequence past every explicit id and
-- retries a generated insert that meets one, so generated ids never collide with given ones.

CREATE SEQUENCE organization_id_seq;
CREATE SEQUENCE catalog_id_seq;
CREATE SEQUENCE contact_id_seq;

CREATE TABLE organizations (
    id   bigint PRIMARY KEY,
    name text   NOT NULL
);

-- Catalog ------------------------------------------------------------------------------------

CREATE TABLE record_types (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    id              bigint NOT NULL,
    name            text   NOT NULL,
    CONSTRAINT record_types_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT record_types_name_key UNIQUE (organization_id, name)
);

CREATE TABLE groups (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    id              bigint NOT NULL,
    name            text   NOT NULL,
    -- NULL for a top-level group (Everbridge's -1). MATCH SIMPLE: a NULL parent is not checked.
    parent_id       bigint,
    description     text,
    CONSTRAINT groups_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT groups_name_key UNIQUE (organization_id, name),
    CONSTRAINT groups_parent_fkey FOREIGN KEY (organization_id, parent_id)
        REFERENCES groups (organization_id, id)
);

CREATE TABLE attribute_defs (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    id              bigint NOT NULL,
    name            text   NOT NULL,
    data_type       text   NOT NULL CHECK (data_type IN ('STRING', 'NUMBER', 'DATE', 'BOOLEAN')),
    -- Empty: any value of the data type is allowed.
    defined_values  text[] NOT NULL DEFAULT '{}',
    display_format  text,
    CONSTRAINT attribute_defs_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT attribute_defs_name_key UNIQUE (organization_id, name)
);

CREATE TABLE contact_paths_def (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    path_id         bigint NOT NULL,
    prompt          text   NOT NULL,
    path_type       text   NOT NULL,
    CONSTRAINT contact_paths_def_pkey PRIMARY KEY (organization_id, path_id),
    CONSTRAINT contact_paths_def_prompt_key UNIQUE (organization_id, prompt)
);

CREATE TABLE topics (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    id              bigint NOT NULL,
    name            text   NOT NULL,
    CONSTRAINT topics_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT topics_name_key UNIQUE (organization_id, name)
);

-- Contacts -----------------------------------------------------------------------------------

CREATE TABLE contacts (
    organization_id     bigint  NOT NULL REFERENCES organizations (id),
    id                  bigint  NOT NULL DEFAULT nextval('contact_id_seq'),
    -- NULL once the contact is soft-deleted, which frees it for another contact; the value
    -- it had is kept in deleted_external_id (for restores and history).
    external_id         text,
    deleted_external_id text,
    first_name          text    NOT NULL,
    last_name           text    NOT NULL,
    middle_initial      text,
    suffix              text,
    country             text,
    business_name       text,
    timezone_id         text,
    language            text,
    preferred_language  text,
    sso_user_id         text,
    security_pin        text,
    account_id          bigint,
    vip                 boolean,
    expatriate          boolean,
    record_type_id      bigint  NOT NULL,
    status              char(1) NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'D')),
    version             bigint  NOT NULL,
    -- Epoch milliseconds, as on the wire.
    created_date        bigint  NOT NULL,
    created_by          text    NOT NULL,
    last_modified_date  bigint  NOT NULL,
    last_modified_by    text    NOT NULL,
    CONSTRAINT contacts_pkey PRIMARY KEY (organization_id, id),
    -- Deferred: a batch may swap or rotate externalIds between its contacts; the check runs at
    -- COMMIT, where a concurrent transaction that claimed the same externalId makes it fail.
    CONSTRAINT contacts_external_id_key UNIQUE (organization_id, external_id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT contacts_active_has_external_id
        CHECK ((status = 'A') = (external_id IS NOT NULL)),
    CONSTRAINT contacts_record_type_fkey FOREIGN KEY (organization_id, record_type_id)
        REFERENCES record_types (organization_id, id)
);

-- Children of a contact. `position` keeps the order they were given in (paths: the order of
-- preference).

CREATE TABLE contact_paths (
    organization_id   bigint  NOT NULL,
    contact_id        bigint  NOT NULL,
    position          integer NOT NULL,
    path_id           bigint  NOT NULL,
    value             text    NOT NULL,
    country_code      text,
    phone_ext         text,
    wait_time         bigint,
    path_enable       boolean,
    skip_validation   boolean,
    -- [{"days": [1, 2], "fromHour": 22, "fromMin": 0, "toHour": 6, "toMin": 30}, ...]
    quiet_time_frames jsonb   NOT NULL DEFAULT '[]',
    CONSTRAINT contact_paths_pkey PRIMARY KEY (organization_id, contact_id, position),
    CONSTRAINT contact_paths_contact_fkey FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT contact_paths_path_fkey FOREIGN KEY (organization_id, path_id)
        REFERENCES contact_paths_def (organization_id, path_id)
);
-- For the foreign key's checks when a path definition is deleted.
CREATE INDEX contact_paths_path_idx ON contact_paths (organization_id, path_id);

CREATE TABLE contact_attributes (
    organization_id bigint  NOT NULL,
    contact_id      bigint  NOT NULL,
    position        integer NOT NULL,
    attribute_id    bigint  NOT NULL,
    -- A JSON array of strings.
    "values"        jsonb   NOT NULL DEFAULT '[]',
    CONSTRAINT contact_attributes_pkey PRIMARY KEY (organization_id, contact_id, position),
    CONSTRAINT contact_attributes_contact_fkey FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT contact_attributes_attribute_fkey FOREIGN KEY (organization_id, attribute_id)
        REFERENCES attribute_defs (organization_id, id)
);
CREATE INDEX contact_attributes_attribute_idx
    ON contact_attributes (organization_id, attribute_id);

CREATE TABLE contact_addresses (
    organization_id bigint  NOT NULL,
    contact_id      bigint  NOT NULL,
    position        integer NOT NULL,
    location_name   text,
    street_address  text,
    suite           text,
    city            text,
    state           text,
    postal_code     text,
    country         text,
    lat             double precision,
    lon             double precision,
    CONSTRAINT contact_addresses_pkey PRIMARY KEY (organization_id, contact_id, position),
    CONSTRAINT contact_addresses_contact_fkey FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT contact_addresses_gis_check CHECK ((lat IS NULL) = (lon IS NULL))
);

CREATE TABLE contact_topics (
    organization_id bigint  NOT NULL,
    contact_id      bigint  NOT NULL,
    position        integer NOT NULL,
    topic_id        bigint  NOT NULL,
    CONSTRAINT contact_topics_pkey PRIMARY KEY (organization_id, contact_id, position),
    CONSTRAINT contact_topics_contact_fkey FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT contact_topics_topic_fkey FOREIGN KEY (organization_id, topic_id)
        REFERENCES topics (organization_id, id)
);
CREATE INDEX contact_topics_topic_idx ON contact_topics (organization_id, topic_id);

CREATE TABLE group_members (
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    contact_id      bigint NOT NULL,
    CONSTRAINT group_members_pkey PRIMARY KEY (organization_id, group_id, contact_id),
    CONSTRAINT group_members_group_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES groups (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT group_members_contact_fkey FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_contact_idx ON group_members (organization_id, contact_id);

-- Users --------------------------------------------------------------------------------------
-- Users are global (one login may be granted several organizations), so these two tables are
-- keyed by user; user_grants still names its organization by a foreign key.

CREATE TABLE users (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    username      text NOT NULL,
    -- A PHC string (argon2id).
    password_hash text NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE user_grants (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL,
    role            text   NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    CONSTRAINT user_grants_pkey PRIMARY KEY (user_id, organization_id),
    CONSTRAINT user_grants_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX user_grants_organization_idx ON user_grants (organization_id);
