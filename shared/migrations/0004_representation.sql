-- Who represents whom, as every service keeps it from intake's events (shared/infra/representation.py): the
-- links a representative's requests are checked against, minors' stages, and their prohibitions on giving
-- their data to a guardian. Ids and dates only: names stay sealed in intake's events.
CREATE TABLE mandates (
    link_id           UUID        PRIMARY KEY,
    client_id         UUID        NOT NULL,
    representative_id UUID        NOT NULL,
    kind              TEXT        NOT NULL,
    scope             TEXT[]      NOT NULL,
    starts_on         DATE        NOT NULL,
    ends_on           DATE,                  -- the first day it no longer holds (a guardian's: the 18th birthday)
    confirmed         BOOLEAN     NOT NULL,  -- a continuing power of attorney acts once confirmed
    ended_on          DATE,                  -- ended before its time (custody ended, revoked, ...)
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX mandates_of_representative ON mandates (representative_id);
CREATE INDEX mandates_of_client ON mandates (client_id);

CREATE TABLE client_stages (
    client_id       UUID        PRIMARY KEY,
    acts_alone_from DATE,                   -- the 15th birthday of a child
    adult_from      DATE,                   -- the 18th birthday of a minor
    updated_at      TIMESTAMPTZ NOT NULL
);

-- One row per guardian a prohibition names; representative_id is the nil UUID for "every guardian".
CREATE TABLE data_prohibitions (
    prohibition_id    UUID NOT NULL,
    client_id         UUID NOT NULL,
    representative_id UUID NOT NULL,
    PRIMARY KEY (prohibition_id, representative_id)
);
CREATE INDEX data_prohibitions_of_client ON data_prohibitions (client_id);
