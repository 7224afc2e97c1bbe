-- The event store, outbox and inbox every service keeps in its own database.

CREATE TABLE events (
    -- Global position: assigned at insert, so it is NOT commit order under concurrent writers.
    -- Nothing reads "everything after position N"; the relay reads unpublished outbox rows instead.
    global_position BIGSERIAL PRIMARY KEY,
    stream_id       TEXT        NOT NULL,
    stream_version  INTEGER     NOT NULL CHECK (stream_version >= 1),
    event_id        UUID        NOT NULL UNIQUE,
    event_type      TEXT        NOT NULL,
    schema_version  INTEGER     NOT NULL,
    source          TEXT        NOT NULL,
    subject         TEXT        NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    correlation_id  TEXT        NOT NULL,
    causation_id    TEXT,
    actor_id        TEXT        NOT NULL,
    actor_role      TEXT        NOT NULL,
    data            JSONB       NOT NULL,
    prev_hash       TEXT,
    hash            TEXT        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Optimistic concurrency: two writers appending the same version collide here.
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_subject ON events (subject, global_position);

-- Events are immutable: erasure is crypto-shredding (destroying a client's key), never an UPDATE.
CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable';
END $$;
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_immutable();

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    event_id     UUID        NOT NULL REFERENCES events (event_id),
    topic        TEXT        NOT NULL,
    published_at TIMESTAMPTZ
);
-- The relay scans only what is still to publish.
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE inbox (
    consumer     TEXT        NOT NULL,
    event_id     UUID        NOT NULL,
    event_type   TEXT        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
