-- The role each staff member signs in with (the directory's StaffProfileRecorded, since it carries one): with the
-- delegation table, who is told that a matter waits for their approval. Null: not known yet (recorded before).
ALTER TABLE known_staff ADD COLUMN role TEXT;
