-- Intake's own tables beside the kernel's event store.

-- A hetu is found through its keyed hash (HMAC with a secret pepper), never stored in clear.
-- The primary key also makes registering one hetu twice, even concurrently, yield one client.
CREATE TABLE client_lookup (
    hetu_hash  TEXT PRIMARY KEY,
    client_id  UUID NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Read model for work lists, kept in the same transaction as the events (so it is never behind).
CREATE TABLE intake_cases (
    client_id      UUID PRIMARY KEY,
    status         TEXT NOT NULL,
    consent        TEXT NOT NULL,
    coordinator_id TEXT,
    service_task   TEXT,
    municipality   TEXT,
    version        INTEGER NOT NULL,
    registered_at  TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX intake_cases_coordinator ON intake_cases (coordinator_id);
