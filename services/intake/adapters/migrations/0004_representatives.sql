-- Representatives (guardians, edunvalvojat, ...) are found by the keyed hash of their hetu, like clients, in a
-- lookup of their own: one person may be both a client and a representative, with two ids.
CREATE TABLE person_lookup (
    hetu_hash  TEXT PRIMARY KEY,
    person_id  UUID NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
