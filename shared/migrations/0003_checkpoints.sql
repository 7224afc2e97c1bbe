-- Signed checkpoints of the log (shared/infra/checkpoints.py, docs/contracts/verification.md).

-- How each event's hash was computed: 1 for the events appended before hash version 2 existed; new rows get 2,
-- the version EventEnvelope.sealed() computes (the event store does not name this column when it inserts).
ALTER TABLE events ADD COLUMN hash_version SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE events ALTER COLUMN hash_version SET DEFAULT 2;

-- The newest published head of each stream not yet stated in a checkpoint (written by the outbox relay after
-- Kafka acknowledged the event, before it marks the row published).
CREATE TABLE checkpoint_pending (
    stream_id      TEXT    PRIMARY KEY,
    stream_version INTEGER NOT NULL,
    hash           TEXT    NOT NULL
);

-- The service's checkpoints, chained by sequence; the signature is in the value, the signing key is not here.
CREATE TABLE checkpoints (
    sequence        BIGINT      PRIMARY KEY,
    record_id       UUID        NOT NULL UNIQUE,
    value           TEXT        NOT NULL,  -- the record as published: {"signature", "statement"} (RFC 8785)
    checkpoint_hash TEXT        NOT NULL,
    stated_at       TIMESTAMPTZ NOT NULL,
    published_at    TIMESTAMPTZ,
    witnessed_at    TIMESTAMPTZ
);
