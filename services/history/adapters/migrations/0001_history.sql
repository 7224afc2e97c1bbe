-- The case history: every client's events as the log delivered them, the access log, retention.

CREATE TABLE timeline (
    event_id       UUID PRIMARY KEY,         -- a redelivered event lands once
    client_id      UUID        NOT NULL,
    envelope       JSONB       NOT NULL,     -- the whole CloudEvents envelope, hash chain included
    occurred_at    TIMESTAMPTZ NOT NULL,
    stream_id      TEXT        NOT NULL,
    stream_version INTEGER     NOT NULL,
    topic          TEXT        NOT NULL,
    kafka_partition INTEGER    NOT NULL,
    kafka_offset   BIGINT      NOT NULL
);
CREATE INDEX timeline_client ON timeline (client_id, occurred_at, stream_id, stream_version);

CREATE TABLE access_log (
    event_id    UUID PRIMARY KEY,
    client_id   UUID        NOT NULL,
    user_id     TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    purpose     TEXT        NOT NULL,
    service     TEXT        NOT NULL,
    resource    TEXT        NOT NULL,
    status      INTEGER     NOT NULL,
    accessed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_log_client ON access_log (client_id, accessed_at);
CREATE INDEX access_log_user ON access_log (user_id, accessed_at);

CREATE TABLE cases (
    client_id    UUID PRIMARY KEY,
    service_task TEXT,
    closed_on    DATE,
    erased_at    TIMESTAMPTZ
);

-- The region's retention table (years after the case closes, by service task); seeded by the service.
CREATE TABLE retention_periods (
    service_task TEXT PRIMARY KEY,
    years        INTEGER NOT NULL CHECK (years > 0)
);
