-- The role each staff member signs in with (StaffProfileRecorded.role): a manager moving a caseload chooses among
-- workers, and notifications finds who may approve what. Null: recorded before roles were.
ALTER TABLE staff_directory ADD COLUMN role TEXT;
