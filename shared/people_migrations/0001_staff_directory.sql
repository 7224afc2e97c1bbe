-- A service's own copy of what it shows about people (shared/infra/people.py): staff names and work contacts
-- from intake's StaffProfileRecorded, and each person's preferred language (a client's from ClientRegistered).
-- Kept by the service's "people" listener in its inbox transaction (intake writes its own in its commands').
CREATE TABLE staff_directory (
    staff_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    title       TEXT,
    unit        TEXT,
    work_email  TEXT,
    work_phone  TEXT,
    languages   JSONB NOT NULL DEFAULT '[]',
    active      BOOLEAN NOT NULL DEFAULT true,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- No names of clients here: only the language they chose, to answer them in it.
CREATE TABLE person_languages (
    person_id   TEXT PRIMARY KEY,
    language    TEXT NOT NULL
);
