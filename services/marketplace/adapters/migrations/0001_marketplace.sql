-- The marketplace's own tables beside the kernel's event store.

-- One provider per Y-tunnus (the primary key decides a concurrent race).
CREATE TABLE provider_lookup (
    y_tunnus    TEXT PRIMARY KEY,
    provider_id UUID NOT NULL UNIQUE
);

-- Which provider a provider user acts for.
CREATE TABLE provider_users (
    user_id     TEXT PRIMARY KEY,
    provider_id UUID NOT NULL
);

-- What the marketplace knows of clients, from intake's events: where they live, who coordinates them.
CREATE TABLE clients (
    client_id      UUID PRIMARY KEY,
    municipality   TEXT NOT NULL,
    coordinator_id TEXT
);

-- Search and price comparison read model, kept in the transaction of each catalogue event.
CREATE TABLE providers_view (
    provider_id   UUID PRIMARY KEY,
    y_tunnus      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    service_areas TEXT[]  NOT NULL,
    languages     TEXT[]  NOT NULL,
    accessibility TEXT    NOT NULL,
    evening       BOOLEAN NOT NULL,
    weekend       BOOLEAN NOT NULL,
    status        TEXT    NOT NULL,
    rating_sum    INTEGER NOT NULL DEFAULT 0,
    rating_count  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE offerings_view (
    offering_id      UUID PRIMARY KEY,
    provider_id      UUID    NOT NULL REFERENCES providers_view (provider_id),
    category         TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    vat_rate_bp      INTEGER NOT NULL,
    unit             TEXT    NOT NULL,
    availability     TEXT    NOT NULL,
    withdrawn        BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX offerings_view_category ON offerings_view (category) WHERE NOT withdrawn;

CREATE TABLE price_history (
    offering_id      UUID        NOT NULL,
    unit_price_cents INTEGER     NOT NULL,
    valid_from       TIMESTAMPTZ NOT NULL,
    event_id         UUID        NOT NULL UNIQUE
);
CREATE INDEX price_history_offering ON price_history (offering_id, valid_from);

CREATE TABLE orders_view (
    order_id     UUID PRIMARY KEY,
    client_id    UUID    NOT NULL,
    provider_id  UUID    NOT NULL,
    offering_id  UUID    NOT NULL,
    status       TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_view_client ON orders_view (client_id);
CREATE INDEX orders_view_provider ON orders_view (provider_id);
