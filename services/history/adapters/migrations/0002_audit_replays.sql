-- Runs of the audit replay (python -m services.history.replay --record): what the auditor's integrity page shows as
-- "the latest replay". Counts, verdicts and findings only (positions, stream ids): no personal data.

CREATE TABLE audit_replays (
    run_id          UUID PRIMARY KEY,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ NOT NULL,
    ok              BOOLEAN     NOT NULL,   -- no tampering found, and every compared case equal to the live view
    records         BIGINT      NOT NULL,
    events          BIGINT      NOT NULL,
    checkpoints     BIGINT      NOT NULL,
    clients         INTEGER     NOT NULL,   -- cases rebuilt
    compared        INTEGER,                -- cases compared with the live view (NULL: not compared)
    different       INTEGER,
    findings        JSONB       NOT NULL,
    not_yet_covered JSONB       NOT NULL    -- events per service after the last checkpoint stating them
);
CREATE INDEX audit_replays_finished ON audit_replays (finished_at);
