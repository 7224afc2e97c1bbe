-- Per-client data keys, wrapped by the master key. Destroying a key erases the client's personal data
-- everywhere it was sealed with it (events in PostgreSQL and Kafka alike): crypto-shredding.
CREATE TABLE client_keys (
    client_id        TEXT PRIMARY KEY,
    wrapped_key      BYTEA,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    destroyed_at     TIMESTAMPTZ,
    destroyed_reason TEXT,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
