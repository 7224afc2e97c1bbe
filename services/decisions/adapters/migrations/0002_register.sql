-- The register as a list: one row per registered decision, kept by the decision stream's inline projection in the
-- command's transaction. The stream (decision-<id>) decides; this only lists, with the client's own time limit.
CREATE TABLE register (
    decision_id      UUID PRIMARY KEY,
    client_id        UUID NOT NULL,
    decision_number  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    decided_on       DATE NOT NULL,
    decided_by       TEXT NOT NULL,
    source_service   TEXT NOT NULL,
    served           BOOLEAN NOT NULL DEFAULT false,   -- the client has a recorded dispatch
    client_deadline  DATE,                             -- the client's last day for a request for rectification
    version          INT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX register_client ON register (client_id, decided_on DESC, decision_number DESC);
