-- Vendors by what they sell, and one-off purchases (issue 16).

-- What a provider sells (a kind in the region's criteria table); providers registered before kinds existed are
-- social-care services.
ALTER TABLE providers_view ADD COLUMN vendor_kind TEXT NOT NULL DEFAULT 'social_care';

-- When an order was placed: the value conditions of a vendor's criteria count the last 12 months.
ALTER TABLE orders_view ADD COLUMN placed_at TIMESTAMPTZ;
UPDATE orders_view SET placed_at = updated_at WHERE placed_at IS NULL;
ALTER TABLE orders_view ALTER COLUMN placed_at SET NOT NULL;
CREATE INDEX orders_view_provider_placed ON orders_view (provider_id, placed_at);

-- One-off purchases, kept in the transaction of each purchase event (lists, and what was bought from a vendor).
CREATE TABLE purchases_view (
    purchase_id  UUID PRIMARY KEY,
    client_id    UUID        NOT NULL,
    vendor_id    UUID        NOT NULL,
    vendor_name  TEXT        NOT NULL,
    category     TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    amount_cents INTEGER     NOT NULL,
    version      INTEGER     NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX purchases_view_client ON purchases_view (client_id);
CREATE INDEX purchases_view_vendor ON purchases_view (vendor_id, requested_at);
