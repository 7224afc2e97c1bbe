-- Durable timers: a wait with a deadline survives restarts, and fires once (see shared/timers.py).
CREATE TABLE timers (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT        NOT NULL,
    key          TEXT        NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    payload      JSONB       NOT NULL DEFAULT '{}',
    fired_at     TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    attempts     INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT,
    -- One timer per (kind, key): scheduling the same deadline twice is a no-op.
    CONSTRAINT timers_kind_key_unique UNIQUE (kind, key)
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
