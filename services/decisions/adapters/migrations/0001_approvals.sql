-- The approvals queue: one row per approval request of any service (contracts/approvals.py), kept from their
-- events by the "approvals" listener in the inbox's transaction. A read model: the matters' own streams decide.
CREATE TABLE approvals (
    approval_id    UUID PRIMARY KEY,
    service        TEXT NOT NULL,          -- whose matter: budgeting, marketplace, ...
    kind           TEXT NOT NULL,          -- the kind of matter (a kind in the delegation table)
    matter_id      UUID NOT NULL,
    client_id      UUID,
    municipality   TEXT,
    amount_cents   BIGINT NOT NULL,
    limit_cents    BIGINT,                 -- the requester's limit, which the amount exceeds
    requested_by   TEXT NOT NULL,
    requested_at   TIMESTAMPTZ NOT NULL,
    status         TEXT NOT NULL,          -- pending, granted, refused, withdrawn
    answered_by    TEXT,
    answered_at    TIMESTAMPTZ,
    event_id       UUID NOT NULL           -- the request's event, for the case history
);
CREATE INDEX approvals_pending ON approvals (status, requested_at);
CREATE INDEX approvals_requested_by ON approvals (requested_by, requested_at);
