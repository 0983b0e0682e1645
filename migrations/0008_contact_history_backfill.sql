-- (issue 10) The contacts stored before history existed: their current state as their first entry, so
-- that their next change has a `before` and a deleted one can be restored. The operation is
-- the one that led to that state as far as the row tells (created at version 1, deleted when
-- soft-deleted, updated otherwise); its author and time are the row's last modification.
-- The statement is also run by store-postgres's tests, on contacts written without history.
INSERT INTO contact_history (organization_id, contact_id, version, operation, changed_at, changed_by,
                             request_id, content, groups)
SELECT c.organization_id, c.id, c.version,
       CASE WHEN c.status = 'D' THEN 'deleted' WHEN c.version = 1 THEN 'created' ELSE 'updated' END,
       c.last_modified_date, c.last_modified_by, NULL,
       json_strip_nulls(json_build_object(
           'externalId', COALESCE(c.external_id, c.deleted_external_id, ''),
           'firstName', c.first_name, 'lastName', c.last_name, 'middleInitial', c.middle_initial,
           'suffix', c.suffix, 'country', c.country, 'businessName', c.business_name,
           'timezoneId', c.timezone_id, 'language', c.language,
           'preferredLanguage', c.preferred_language, 'ssoUserId', c.sso_user_id,
           'securityPin', c.security_pin, 'accountId', c.account_id, 'vip', c.vip,
           'expatriate', c.expatriate, 'recordTypeId', c.record_type_id,
           'paths', (SELECT COALESCE(json_agg(json_build_object(
                         'pathId', p.path_id, 'value', p.value, 'countryCode', p.country_code,
                         'phoneExt', p.phone_ext, 'waitTime', p.wait_time, 'pathEnable', p.path_enable,
                         'skipValidation', p.skip_validation, 'quietTimeFrames', p.quiet_time_frames)
                         ORDER BY p.position), '[]')
                     FROM contact_paths p
                     WHERE p.organization_id = c.organization_id AND p.contact_id = c.id),
           'attributes', (SELECT COALESCE(json_agg(json_build_object(
                              'attributeId', a.attribute_id, 'values', a."values") ORDER BY a.position), '[]')
                          FROM contact_attributes a
                          WHERE a.organization_id = c.organization_id AND a.contact_id = c.id),
           'addresses', (SELECT COALESCE(json_agg(json_build_object(
                             'locationName', d.location_name, 'streetAddress', d.street_address,
                             'suite', d.suite, 'city', d.city, 'state', d.state,
                             'postalCode', d.postal_code, 'country', d.country, 'lat', d.lat, 'lon', d.lon)
                             ORDER BY d.position), '[]')
                         FROM contact_addresses d
                         WHERE d.organization_id = c.organization_id AND d.contact_id = c.id),
           'topics', (SELECT COALESCE(json_agg(t.topic_id ORDER BY t.position), '[]')
                      FROM contact_topics t
                      WHERE t.organization_id = c.organization_id AND t.contact_id = c.id)))::text,
       (SELECT COALESCE(json_agg(m.group_id ORDER BY m.group_id)::text, '[]')
        FROM group_members m WHERE m.organization_id = c.organization_id AND m.contact_id = c.id)
FROM contacts c
WHERE NOT EXISTS (SELECT 1 FROM contact_history h
                  WHERE h.organization_id = c.organization_id AND h.contact_id = c.id AND h.version = c.version);
