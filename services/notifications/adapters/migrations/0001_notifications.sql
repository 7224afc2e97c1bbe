-- The inbox: one item per (event, person), projected from PersonNotified / NotificationRead in the command's
-- transaction. The unique (notice_id, person_id) is the last guard of "nothing said twice".
CREATE TABLE inbox_items (
    item_id     UUID PRIMARY KEY,
    notice_id   UUID NOT NULL,          -- the event the item is about (the stream notice-<notice_id>)
    person_id   TEXT NOT NULL,
    audience    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    client_id   UUID,
    language    TEXT NOT NULL,
    params      JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ,
    UNIQUE (notice_id, person_id)
);
CREATE INDEX inbox_items_person ON inbox_items (person_id, created_at DESC, item_id);

-- E-mail, at least once: one row per inbox item, written with it; the mailer sends one at a time and marks it
-- sent after the server accepted it (a crash in between sends it again, with the same Message-ID).
CREATE TABLE email_outbox (
    item_id          UUID PRIMARY KEY REFERENCES inbox_items (item_id),
    person_id        TEXT NOT NULL,
    audience         TEXT NOT NULL,
    client_id        UUID,
    language         TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    outcome          TEXT,              -- NULL while due; sent | no_address | refused | off
    last_error       TEXT,              -- an error's type or SMTP code, never an address
    sent_at          TIMESTAMPTZ
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE outcome IS NULL;

-- What the service knows of people, from the events (application/directory.py).
CREATE TABLE known_clients (
    client_id       UUID PRIMARY KEY,
    language        TEXT,
    coordinator_id  TEXT,
    contact         JSONB               -- the sealed personal data (the client's key opens it), NULL once erased
);

CREATE TABLE known_orders (
    order_id     UUID PRIMARY KEY,
    client_id    UUID NOT NULL,
    provider_id  UUID NOT NULL,
    open         BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX known_orders_open ON known_orders (provider_id) WHERE open;

CREATE TABLE known_providers (
    provider_id  UUID PRIMARY KEY,
    users        JSONB NOT NULL DEFAULT '[]',
    email        TEXT,                 -- the provider's business contact address
    language     TEXT
);
