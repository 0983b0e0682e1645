-- A version per organization's catalog, so that the server can keep the catalog in memory and
-- know with one indexed read when it changed (issue 4: a batch or single write read five
-- catalog tables each time). Every insert, update or delete of a catalog row, by this server,
-- another instance sharing the database or by hand, bumps it in the same transaction.

ALTER TABLE organizations ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations SET catalog_version = catalog_version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
    RETURN NULL;
END;
$$;

CREATE TRIGGER record_types_catalog_version AFTER INSERT OR UPDATE OR DELETE ON record_types
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER groups_catalog_version AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER attribute_defs_catalog_version AFTER INSERT OR UPDATE OR DELETE ON attribute_defs
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER contact_paths_def_catalog_version AFTER INSERT OR UPDATE OR DELETE ON contact_paths_def
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER topics_catalog_version AFTER INSERT OR UPDATE OR DELETE ON topics
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
