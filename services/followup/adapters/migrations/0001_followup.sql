-- Follow-up's own table beside the kernel's event store and timers.

-- Read model for work lists (what is due, what is overdue) and the region's effectiveness figures, kept
-- in the same transaction as the events. `figures` holds the client's effectiveness ingredients
-- (services/followup/domain/effectiveness.py ClientFigures): scores, GAS levels and money, no free text.
CREATE TABLE followups (
    client_id      UUID PRIMARY KEY,
    status         TEXT        NOT NULL,
    coordinator_id TEXT,
    municipality   TEXT,
    next_number    INTEGER,
    next_due_at    TIMESTAMPTZ,
    overdue        BOOLEAN     NOT NULL,
    period         TEXT,
    figures        JSONB       NOT NULL,
    version        INTEGER     NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX followups_coordinator ON followups (coordinator_id);
CREATE INDEX followups_due ON followups (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX followups_period ON followups (period) WHERE period IS NOT NULL;
