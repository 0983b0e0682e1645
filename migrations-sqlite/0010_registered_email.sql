-- `registeredEmail` (issue 15; see the PostgreSQL migration 0010).
ALTER TABLE contacts ADD COLUMN registered_email TEXT;
