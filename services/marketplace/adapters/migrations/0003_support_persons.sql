-- Support persons and their agreements (issue 20), kept in the transaction of their events. No name, hetu, IBAN
-- or contact here: those stay sealed in the events, under the person's own keys (docs/decisions/0028).

-- Who supports a client (the plan lists those who have not withdrawn their consent).
CREATE TABLE support_persons_view (
    person_id    UUID PRIMARY KEY,
    client_id    UUID        NOT NULL,
    relationship TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    payable      BOOLEAN     NOT NULL DEFAULT false,
    version      INTEGER     NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX support_persons_view_client ON support_persons_view (client_id);

CREATE TABLE agreements_view (
    agreement_id UUID PRIMARY KEY,
    client_id    UUID        NOT NULL,
    person_id    UUID        NOT NULL,
    status       TEXT        NOT NULL,
    amount_cents INTEGER     NOT NULL,
    version      INTEGER     NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX agreements_view_client ON agreements_view (client_id);

-- What payroll pays: one row per claim scheduled for payment, written once (the claim is its key), read by the
-- period export. A bookkeeping record: kept by the Accounting Act's periods, not the client's (ADR 0028).
CREATE TABLE payroll_lines (
    claim_id      UUID PRIMARY KEY,
    agreement_id  UUID        NOT NULL,
    client_id     UUID        NOT NULL,
    person_id     UUID        NOT NULL,
    kind          TEXT        NOT NULL,
    work_month    DATE        NOT NULL,
    amount_cents  INTEGER     NOT NULL,
    earnings_type TEXT        NOT NULL,
    pay_on        DATE        NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX payroll_lines_pay_on ON payroll_lines (pay_on);
