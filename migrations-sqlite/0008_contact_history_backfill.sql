-- The contacts stored before history existed: their current state as their first entry (see
-- the PostgreSQL migration 0008). The content is the positional form of contacts-store-sql's
-- history::content_json (format 1): booleans as JSON booleans, coordinates (exact decimal text
-- here) as JSON numbers, the stored JSON (quiet time frames, attribute values) embedded as JSON.
-- The statement is also run by store-sqlite's tests, on contacts written without history.
INSERT INTO contact_history (organization_id, contact_id, version, operation, changed_at, changed_by,
                             request_id, content, groups)
SELECT c.organization_id, c.id, c.version,
       CASE WHEN c.status = 'D' THEN 'deleted' WHEN c.version = 1 THEN 'created' ELSE 'updated' END,
       c.last_modified_date, c.last_modified_by, NULL,
       json_array(
           1, COALESCE(c.external_id, c.deleted_external_id, ''), c.first_name, c.last_name,
           c.middle_initial, c.suffix, c.country, c.business_name, c.timezone_id, c.language,
           c.preferred_language, c.sso_user_id, c.security_pin, c.account_id,
           CASE c.vip WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
           CASE c.expatriate WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
           c.record_type_id,
           (SELECT json_group_array(json_array(p.path_id, p.value, p.country_code, p.phone_ext, p.wait_time,
                       CASE p.path_enable WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                       CASE p.skip_validation WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                       json(p.quiet_time_frames)) ORDER BY p.position)
            FROM contact_paths p WHERE p.organization_id = c.organization_id AND p.contact_id = c.id),
           (SELECT json_group_array(json_array(a.attribute_id, json(a."values")) ORDER BY a.position)
            FROM contact_attributes a WHERE a.organization_id = c.organization_id AND a.contact_id = c.id),
           (SELECT json_group_array(json_array(d.location_name, d.street_address, d.suite, d.city, d.state,
                       d.postal_code, d.country, json(d.lat), json(d.lon)) ORDER BY d.position)
            FROM contact_addresses d WHERE d.organization_id = c.organization_id AND d.contact_id = c.id),
           (SELECT json_group_array(t.topic_id ORDER BY t.position)
            FROM contact_topics t WHERE t.organization_id = c.organization_id AND t.contact_id = c.id)),
       (SELECT json_group_array(m.group_id ORDER BY m.group_id)
        FROM group_members m WHERE m.organization_id = c.organization_id AND m.contact_id = c.id)
FROM contacts c
WHERE NOT EXISTS (SELECT 1 FROM contact_history h
                  WHERE h.organization_id = c.organization_id AND h.contact_id = c.id AND h.version = c.version);
