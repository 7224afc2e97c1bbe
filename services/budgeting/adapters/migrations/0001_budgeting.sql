-- Budgeting's own tables beside the kernel's event store.

-- Decision numbers are public identifiers of administrative decisions (HB-<year>-<n>); gaps are harmless.
CREATE SEQUENCE decision_number_seq;

-- Read model for work lists and the rebuild check, kept in the same transaction as the events.
CREATE TABLE budgets (
    client_id       UUID PRIMARY KEY,
    status          TEXT    NOT NULL,
    frozen          BOOLEAN NOT NULL,
    coordinator_id  TEXT,
    municipality    TEXT,
    decision_number TEXT,
    period_start    DATE,
    period_end      DATE,
    amount_cents    BIGINT  NOT NULL,
    reserved_cents  BIGINT  NOT NULL,
    spent_cents     BIGINT  NOT NULL,
    version         INTEGER NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- The invariant, once more where the money is stored: never more committed than decided.
    CONSTRAINT committed_within_budget CHECK (reserved_cents + spent_cents <= amount_cents)
);
CREATE INDEX budgets_coordinator ON budgets (coordinator_id);
CREATE INDEX budgets_status ON budgets (status);
