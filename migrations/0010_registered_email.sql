-- `registeredEmail` (issue 15): Everbridge's contact object carries the e-mail a contact
-- registered with; it was accepted and dropped. A scalar like the others: cleared by a full
-- replace that omits it, kept by a partial one, validated as an e-mail address.
ALTER TABLE contacts ADD COLUMN registered_email text;
