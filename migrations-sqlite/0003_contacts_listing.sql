-- The contact listing (as /migrations/0003): one index per sort key, each leading with
-- organization_id and ending with id, the tie-breaker that makes every order total so that
-- paging never skips or repeats a contact. Partial on active contacts, the only ones a listing
-- reads (SQLite uses a partial index when the query's WHERE has `status = 'A'`); scanned
-- backwards for DESC. The id order itself is served by the primary key (organization_id, id).

CREATE INDEX contacts_list_last_modified_idx
    ON contacts (organization_id, last_modified_date, id) WHERE status = 'A';

CREATE INDEX contacts_list_external_id_idx
    ON contacts (organization_id, external_id, id) WHERE status = 'A';

CREATE INDEX contacts_list_last_name_idx
    ON contacts (organization_id, last_name, id) WHERE status = 'A';
