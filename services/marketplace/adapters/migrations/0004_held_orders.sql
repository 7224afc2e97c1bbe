-- (0004: the support-persons branch takes 0003 in this service; the two touch different tables.)
-- An order accepted (a purchase confirmed) before its vendor was suspended waits for the coordinating worker's
-- decision (issue 17).
ALTER TABLE orders_view ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE purchases_view ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
-- A suspension finds its provider's open orders.
CREATE INDEX orders_view_provider_open ON orders_view (provider_id)
    WHERE status IN ('awaiting_funds', 'confirmed', 'accepted');
CREATE INDEX purchases_view_vendor_open ON purchases_view (vendor_id)
    WHERE status IN ('awaiting_funds', 'awaiting_approval', 'confirmed');
