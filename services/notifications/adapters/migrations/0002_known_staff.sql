-- Staff as the staff directory (intake's StaffProfileRecorded) says they now are: the language they read in and
-- their work address (work data, not a client's: in clear). A person who has left is kept, inactive: never mailed.
CREATE TABLE known_staff (
    staff_id  TEXT PRIMARY KEY,
    language  TEXT,
    email     TEXT,
    active    BOOLEAN NOT NULL DEFAULT true
);
