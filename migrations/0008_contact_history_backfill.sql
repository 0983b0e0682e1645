-- (issue 10) The contacts stored before history existed: their current state as their first entry, so
-- that their next change has a `before` and a deleted one can be restored. The operation is
-- the one that led to that state as far as the row tells (created at version 1, deleted when
-- soft-deleted, updated otherwise); its author and time are the row's last modification.
-- The content is the positional form of contacts-store-sql's history::content_json (format 1).
-- The statement is also run by store-postgres's tests, on contacts written without history.
INSERT INTO contact_history (organization_id, contact_id, version, operation, changed_at, changed_by,
                             request_id, content, groups)
SELECT c.organization_id, c.id, c.version,
       CASE WHEN c.status = 'D' THEN 'deleted' WHEN c.version = 1 THEN 'created' ELSE 'updated' END,
       c.last_modified_date, c.last_modified_by, NULL,
       json_build_array(
           1, COALESCE(c.external_id, c.deleted_external_id, ''), c.first_name, c.last_name,
           c.middle_initial, c.suffix, c.country, c.business_name, c.timezone_id, c.language,
           c.preferred_language, c.sso_user_id, c.security_pin, c.account_id, c.vip, c.expatriate,
           c.record_type_id,
           (SELECT COALESCE(json_agg(json_build_array(p.path_id, p.value, p.country_code, p.phone_ext,
                       p.wait_time, p.path_enable, p.skip_validation, p.quiet_time_frames) ORDER BY p.position), '[]')
            FROM contact_paths p WHERE p.organization_id = c.organization_id AND p.contact_id = c.id),
           (SELECT COALESCE(json_agg(json_build_array(a.attribute_id, a."values") ORDER BY a.position), '[]')
            FROM contact_attributes a WHERE a.organization_id = c.organization_id AND a.contact_id = c.id),
           (SELECT COALESCE(json_agg(json_build_array(d.location_name, d.street_address, d.suite, d.city,
                       d.state, d.postal_code, d.country, d.lat, d.lon) ORDER BY d.position), '[]')
            FROM contact_addresses d WHERE d.organization_id = c.organization_id AND d.contact_id = c.id),
           (SELECT COALESCE(json_agg(t.topic_id ORDER BY t.position), '[]')
            FROM contact_topics t WHERE t.organization_id = c.organization_id AND t.contact_id = c.id))::text,
       (SELECT COALESCE(json_agg(m.group_id ORDER BY m.group_id)::text, '[]')
        FROM group_members m WHERE m.organization_id = c.organization_id AND m.contact_id = c.id)
FROM contacts c
WHERE NOT EXISTS (SELECT 1 FROM contact_history h
                  WHERE h.organization_id = c.organization_id AND h.contact_id = c.id AND h.version = c.version);
