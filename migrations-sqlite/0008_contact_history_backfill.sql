-- The contacts stored before history existed: their current state as their first entry (see
-- the PostgreSQL migration 0008). The same JSON as contacts-store-sql's history::content_json:
-- booleans as JSON booleans, coordinates (exact decimal text here) as JSON numbers, lists
-- always present, absent fields left out (json_patch onto '{}' drops the null members). The
-- statement is also run by store-sqlite's tests, on contacts written without history.
INSERT INTO contact_history (organization_id, contact_id, version, operation, changed_at, changed_by,
                             request_id, content, groups)
SELECT c.organization_id, c.id, c.version,
       CASE WHEN c.status = 'D' THEN 'deleted' WHEN c.version = 1 THEN 'created' ELSE 'updated' END,
       c.last_modified_date, c.last_modified_by, NULL,
       json_patch('{}', json_object(
           'externalId', COALESCE(c.external_id, c.deleted_external_id, ''),
           'firstName', c.first_name, 'lastName', c.last_name, 'middleInitial', c.middle_initial,
           'suffix', c.suffix, 'country', c.country, 'businessName', c.business_name,
           'timezoneId', c.timezone_id, 'language', c.language,
           'preferredLanguage', c.preferred_language, 'ssoUserId', c.sso_user_id,
           'securityPin', c.security_pin, 'accountId', c.account_id,
           'vip', CASE c.vip WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
           'expatriate', CASE c.expatriate WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
           'recordTypeId', c.record_type_id,
           'paths', (SELECT json_group_array(json_patch('{}', json_object(
                         'pathId', p.path_id, 'value', p.value, 'countryCode', p.country_code,
                         'phoneExt', p.phone_ext, 'waitTime', p.wait_time,
                         'pathEnable', CASE p.path_enable WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                         'skipValidation', CASE p.skip_validation WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                         'quietTimeFrames', json(p.quiet_time_frames))) ORDER BY p.position)
                     FROM contact_paths p
                     WHERE p.organization_id = c.organization_id AND p.contact_id = c.id),
           'attributes', (SELECT json_group_array(json_object('attributeId', a.attribute_id,
                                                              'values', json(a."values")) ORDER BY a.position)
                          FROM contact_attributes a
                          WHERE a.organization_id = c.organization_id AND a.contact_id = c.id),
           'addresses', (SELECT json_group_array(json_patch('{}', json_object(
                             'locationName', d.location_name, 'streetAddress', d.street_address,
                             'suite', d.suite, 'city', d.city, 'state', d.state,
                             'postalCode', d.postal_code, 'country', d.country,
                             'lat', json(d.lat), 'lon', json(d.lon))) ORDER BY d.position)
                         FROM contact_addresses d
                         WHERE d.organization_id = c.organization_id AND d.contact_id = c.id),
           'topics', (SELECT json_group_array(t.topic_id ORDER BY t.position)
                      FROM contact_topics t
                      WHERE t.organization_id = c.organization_id AND t.contact_id = c.id))),
       (SELECT json_group_array(m.group_id ORDER BY m.group_id)
        FROM group_members m WHERE m.organization_id = c.organization_id AND m.contact_id = c.id)
FROM contacts c
WHERE NOT EXISTS (SELECT 1 FROM contact_history h
                  WHERE h.organization_id = c.organization_id AND h.contact_id = c.id AND h.version = c.version);
